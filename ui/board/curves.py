"""Live curves: a bay's power and energy, and the site's total power, over the day.

pyqtgraph the way its scrollingPlots/PlotSpeedTest examples do it: curve items are created
once; numbers go into preallocated numpy buffers; a timer calls `setData` on views of them.
`setClipToView` and peak downsampling keep a whole day of samples cheap to pan and zoom.
Today's stored samples come from the site client, off the GUI thread, when a bay is
selected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.board.buffers import Ring, midnight

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient


AXIS_W = 64  # px for a value axis: its ticks and its label


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


def load_bay_day(
    client: SiteClient, bay_id: int, since: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, kW, session kWh) of a bay's stored samples since `since`; NaN between sessions.
    The energy is the core's reset-aware curve (`client.bay_day`). Runs on the worker."""
    t: list[float] = []
    p: list[float] = []
    e: list[float] = []
    for trace in client.bay_day(bay_id, _iso(since)).traces:
        if t:
            t.append(t[-1])
            p.append(np.nan)
            e.append(np.nan)
        t.extend(trace.at)
        p.extend((w or 0) / 1000.0 for w in trace.power_w)
        e.extend(wh / 1000.0 for wh in trace.energy_wh)
    return np.array(t), np.array(p), np.array(e)


def load_site_day(
    client: SiteClient, since: float, until: float, step_s: float = 60.0
) -> tuple[np.ndarray, np.ndarray]:
    """The site's total power (kW) per `step_s` since `since`: each bay's last sampled power
    held until its next sample (samples are sparse while a car draws nothing)."""
    edges = np.arange(since, max(until, since + step_s), step_s)
    total = np.zeros(len(edges))
    for bay in client.site_power(_iso(since)).bays:
        if not bay.at:
            continue
        ta = np.array(bay.at, dtype=float)
        pa = np.array([(w or 0) / 1000.0 for w in bay.power_w])
        idx = np.searchsorted(ta, edges, side="right") - 1
        vals = np.where(idx >= 0, pa[np.clip(idx, 0, None)], 0.0)
        # a bay's last sample older than 15 min says nothing about now
        stale = (idx < 0) | (edges - ta[np.clip(idx, 0, None)] > 900)
        total += np.where(stale, 0.0, vals)
    return edges, total


def _plot(title: str, units: str) -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=None)})
    w.setBackground(w.palette().color(QPalette.ColorRole.Base))
    pi = w.getPlotItem()
    pi.setClipToView(True)
    pi.setDownsampling(auto=True, mode="peak")
    pi.showGrid(x=True, y=True, alpha=0.15)
    pi.setLabel("left", title, units=units)
    pi.setMenuEnabled(False)
    pi.setMouseEnabled(x=True, y=False)
    pi.getViewBox().setLimits(yMin=0)
    fg = w.palette().color(QPalette.ColorRole.Text)
    for ax in ("left", "bottom", "right"):
        pi.getAxis(ax).setTextPen(fg)
    # Fixed room for the value axes: otherwise a new round top (10 → 20 kW) changes the
    # tick text's width, the layout moves, and every axis of the plot is drawn anew — the
    # GUI thread's longest pieces of work on a running board (bench/gui_load.py).
    pi.getAxis("left").setWidth(AXIS_W)
    return w


class CurvePanel(QWidget):
    """The selected bay's power and energy, and the site total, sharing one time axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bay_plot = _plot(self.tr("Power"), "W")
        self.site_plot = _plot(self.tr("Site total"), "W")
        self.site_plot.setXLink(self.bay_plot)
        self.day_btn = QPushButton(self.tr("&Day"))
        self.day_btn.setToolTip(self.tr("Zoom out to the whole day (D)"))
        self.live_btn = QPushButton(self.tr("&Live"))
        self.live_btn.setToolTip(self.tr("Follow the newest minutes again (L)"))
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(QLabel(self.tr("Drag to pan, wheel to zoom")))
        head.addWidget(self.day_btn)
        head.addWidget(self.live_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.bay_plot, 3)
        lay.addWidget(self.site_plot, 2)

        power_pen = pg.mkPen(QColor("#1565c0"), width=2)
        energy_pen = pg.mkPen(QColor("#2e7d32"), width=2)
        fill = QColor("#1565c0")
        fill.setAlpha(40)
        pi = self.bay_plot.getPlotItem()
        # Energy on its own right-hand axis (a second view box linked in x).
        self.energy_vb = pg.ViewBox()
        pi.showAxis("right")
        pi.scene().addItem(self.energy_vb)
        pi.getAxis("right").linkToView(self.energy_vb)
        pi.getAxis("right").setLabel(self.tr("Energy"), units="Wh")
        pi.getAxis("right").setWidth(AXIS_W)
        self.energy_vb.setXLink(pi)
        self.energy_vb.setLimits(yMin=0)
        pi.getViewBox().sigResized.connect(
            lambda: self.energy_vb.setGeometry(pi.getViewBox().sceneBoundingRect())
        )
        # stored samples of today (dimmer), then the live ring (created once, setData later)
        self.hist_power = pi.plot(pen=pg.mkPen(QColor("#90a4ae"), width=1.5), connect="finite")
        self.live_power = pi.plot(pen=power_pen, fillLevel=0, brush=fill)
        self.hist_energy = pg.PlotDataItem(
            pen=pg.mkPen(QColor("#a5d6a7"), width=1.5), connect="finite"
        )
        self.live_energy = pg.PlotDataItem(pen=energy_pen, connect="finite")
        self.energy_vb.addItem(self.hist_energy)
        self.energy_vb.addItem(self.live_energy)
        for item in (self.hist_power, self.live_power, self.hist_energy, self.live_energy):
            item.setClipToView(True)
            item.setDownsampling(auto=True, method="peak")
        sp = self.site_plot.getPlotItem()
        self.hist_site = sp.plot(pen=pg.mkPen(QColor("#90a4ae"), width=1.5))
        self.live_site = sp.plot(
            pen=pg.mkPen(QColor("#6a1b9a"), width=2), fillLevel=0, brush=QColor(106, 27, 154, 40)
        )
        self.follow = True  # keep the newest minutes in view until the user pans or zooms
        pi.getViewBox().sigRangeChangedManually.connect(self._manual)
        self.span_s = 3600.0
        self._y_top: dict[str, float] = {}
        for vb in (pi.getViewBox(), self.energy_vb, sp.getViewBox()):
            vb.disableAutoRange(axis="y")

    def _manual(self, *_a: object) -> None:
        self.follow = False

    def show_today(self, now: float) -> None:
        """Zoom out to the whole day so far."""
        self.follow = False
        self.bay_plot.setXRange(midnight(now), now, padding=0.02)

    def follow_live(self) -> None:
        self.follow = True

    def set_history(
        self,
        bay: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
        site: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        if bay is not None:
            t, p, e = bay
            self.hist_power.setData(t, p * 1000.0)
            self.hist_energy.setData(t, e * 1000.0)
        if site is not None:
            t, total = site
            self.hist_site.setData(t, total * 1000.0)

    def clear_bay(self) -> None:
        for item in (self.hist_power, self.live_power, self.hist_energy, self.live_energy):
            item.setData([], [])
        self._y_top.pop("power", None)
        self._y_top.pop("energy", None)

    def update_live(self, ring: Ring | None, site: Ring, now: float) -> None:
        """New points every second (both plots at once; the board spreads them over the
        second with `update_bay_live` and `update_site_live`)."""
        self.update_bay_live(ring, now)
        self.update_site_live(site)

    def update_bay_live(self, ring: Ring | None, now: float) -> None:
        """The selected bay's new points. The axes are the expensive part to repaint, so the
        ranges move in steps: the time window jumps ahead when the newest point nears its
        right edge, and the value ranges grow to the next round number only when exceeded."""
        if ring is not None and ring.n:
            v = ring.view()
            self.live_power.setData(v[0], v[1])
            self.live_energy.setData(v[0], v[2])
            self._fit_y(
                self.bay_plot.getPlotItem().getViewBox(), self.live_power, self.hist_power, "power"
            )
            self._fit_y(self.energy_vb, self.live_energy, self.hist_energy, "energy")
        if self.follow:
            lo, hi = self.bay_plot.getPlotItem().getViewBox().viewRange()[0]
            if not (lo <= now <= hi - 0.02 * (hi - lo)) or abs((hi - lo) - 1.1 * self.span_s) > 1:
                self.bay_plot.setXRange(now - self.span_s, now + 0.1 * self.span_s, padding=0)

    def update_site_live(self, site: Ring) -> None:
        """The site total's new points (its time axis follows the bay plot's)."""
        if site.n:
            v = site.view()
            self.live_site.setData(v[0], v[1])
            self._fit_y(
                self.site_plot.getPlotItem().getViewBox(), self.live_site, self.hist_site, "site"
            )

    def _fit_y(self, vb: Any, live: Any, hist: Any, key: str) -> None:
        top = 0.0
        for item in (live, hist):
            _x, y = item.getData()
            if y is not None and len(y):
                m = np.nanmax(y) if np.isfinite(y).any() else 0.0
                top = max(top, float(m))
        ceiling = nice_ceiling(top)
        if self._y_top.get(key) != ceiling:
            self._y_top[key] = ceiling
            vb.setYRange(0, ceiling, padding=0)

    def reset_ranges(self) -> None:
        self._y_top.clear()


def nice_ceiling(v: float) -> float:
    """The next 1-2-5 round number above `v` (with 10 % headroom); 1 for nothing."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    target = v * 1.1
    base = 10 ** np.floor(np.log10(target))
    for step in (1, 2, 2.5, 5, 10):
        if step * base >= target:
            return float(step * base)
    return float(10 * base)


__all__ = ["CurvePanel", "load_bay_day", "load_site_day"]
