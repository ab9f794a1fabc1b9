"""The capacity page: a date range, the occupancy heat-map (pyqtgraph ImageItem, weekday ×
hour), sessions per day and per-bay shares as bars, the tables of the report, and Export
PDF. The site computes the report and makes the PDF (`ctx.client.capacity`,
`capacity_pdf`: an audited export); the page draws, and saves the PDF's bytes on this PC
where the person chose."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.alerts.capacity import WEEKDAYS
from stationmgr.client import models as m
from ui import files, fmt
from ui.context import AppContext
from ui.history.times import line
from ui.pages import PageSpec

CapacityReport = m.CapacityReport

RANGES = ("7d", "30d", "month", "last_month", "custom")
# The report names weekdays and the no-group row in English; the page says them in its language.
DAY_WORDS = {
    "Mon": QT_TRANSLATE_NOOP("CapacityPage", "Mon"),
    "Tue": QT_TRANSLATE_NOOP("CapacityPage", "Tue"),
    "Wed": QT_TRANSLATE_NOOP("CapacityPage", "Wed"),
    "Thu": QT_TRANSLATE_NOOP("CapacityPage", "Thu"),
    "Fri": QT_TRANSLATE_NOOP("CapacityPage", "Fri"),
    "Sat": QT_TRANSLATE_NOOP("CapacityPage", "Sat"),
    "Sun": QT_TRANSLATE_NOOP("CapacityPage", "Sun"),
}
NO_GROUP = QT_TRANSLATE_NOOP("CapacityPage", "no group")


def styled(w: pg.PlotWidget) -> pg.PlotWidget:
    """A chart in the window's colours (pyqtgraph draws black panels by default)."""
    pal = w.palette()
    w.setBackground(pal.color(QPalette.ColorRole.Base))
    fg = pal.color(QPalette.ColorRole.Text)
    pi = w.getPlotItem()
    for ax in ("left", "bottom"):
        pi.getAxis(ax).setTextPen(fg)
        pi.getAxis(ax).setPen(fg)
    pi.titleLabel.setAttr("color", fg.name())
    pi.setMenuEnabled(False)
    return w


def range_for(key: str, today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    match key:
        case "7d":
            return today - timedelta(days=6), today
        case "30d":
            return today - timedelta(days=29), today
        case "month":
            return first, today
        case "last_month":
            prev_last = first - timedelta(days=1)
            return prev_last.replace(day=1), prev_last
    return today, today


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def share(b: m.CapacityBay, seconds: float) -> float:
    """Part of the bay's period (0..1)."""
    return seconds / b.period_s if b.period_s else 0.0


def hm(seconds: float) -> str:
    m = round(seconds / 60)
    return f"{m // 60}:{m % 60:02d}"


class CapacityPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: CapacityReport | None = None
        self.loads = 0
        today = date.today()

        self.range = QComboBox()
        for key, text in zip(
            RANGES,
            (
                self.tr("Last 7 days"),
                self.tr("Last 30 days"),
                self.tr("This month"),
                self.tr("Last month"),
                self.tr("Dates…"),
            ),
            strict=True,
        ):
            self.range.addItem(text, key)
        self.first = QDateEdit(_qdate(today - timedelta(days=29)))
        self.last = QDateEdit(_qdate(today))
        for d in (self.first, self.last):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.range.setCurrentIndex(1)
        self.range.currentIndexChanged.connect(self._range_changed)
        self.show_btn = QPushButton(self.tr("Show"))
        self.show_btn.clicked.connect(self.reload)
        self.pdf_btn = QPushButton(self.tr("Export PDF…"))
        self.pdf_btn.clicked.connect(self._ask_pdf)
        self.pdf_btn.setEnabled(False)
        self.status = QLabel()

        top = QHBoxLayout()
        top.addWidget(self.range)
        top.addWidget(QLabel(self.tr("From")))
        top.addWidget(self.first)
        top.addWidget(QLabel(self.tr("to")))
        top.addWidget(self.last)
        top.addWidget(self.show_btn)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.pdf_btn)

        # Heat-map: x = hour of day, y = weekday (Monday on top).
        self.heat_plot = styled(pg.PlotWidget(title=self.tr("Occupancy by weekday and hour")))
        self.heat_plot.setMouseEnabled(x=False, y=False)
        self.heat_plot.invertY(True)
        self.heat = pg.ImageItem(np.zeros((24, 7)))
        cmap = pg.colormap.get("CET-L17") or pg.colormap.get("viridis")
        self.heat.setColorMap(cmap)
        self.heat.setLevels((0.0, 100.0))
        self.heat_plot.addItem(self.heat)
        # The scale: what share of the bays was occupied at that weekday and hour.
        self.heat_scale = pg.ColorBarItem(
            values=(0, 100), colorMap=cmap, interactive=False, label=self.tr("occupied %")
        )
        self.heat_scale.setImageItem(self.heat, insert_in=self.heat_plot.getPlotItem())
        self.heat_scale.getAxis("right").setTextPen(self.palette().color(QPalette.ColorRole.Text))
        left = self.heat_plot.getAxis("left")
        left.setTicks([[(i + 0.5, self.tr(DAY_WORDS[d])) for i, d in enumerate(WEEKDAYS)]])
        bottom = self.heat_plot.getAxis("bottom")
        bottom.setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 3)]])

        self.day_plot = styled(pg.PlotWidget(title=self.tr("Sessions per day")))
        self.day_bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#2b6cb0")
        self.day_plot.addItem(self.day_bars)

        self.bay_plot = styled(pg.PlotWidget(title=self.tr("Share of time per bay (%)")))
        # The legend in one row above the bars (room kept by the y range), never over one.
        legend = self.bay_plot.addLegend(offset=(10, 5), colCount=3)
        legend.setLabelTextColor(self.palette().color(QPalette.ColorRole.Text))
        self.bay_plot.setYRange(0, 118, padding=0)
        self.bay_plot.setMouseEnabled(x=False, y=False)
        self.bay_charging = pg.BarGraphItem(
            x=[], height=[], width=0.6, brush="#38a169", name=self.tr("charging")
        )
        self.bay_idle = pg.BarGraphItem(
            x=[], height=[], width=0.6, brush="#dd6b20", name=self.tr("idle")
        )
        self.bay_waiting = pg.BarGraphItem(
            x=[], height=[], width=0.6, brush="#a0aec0", name=self.tr("waiting")
        )
        for item in (self.bay_charging, self.bay_idle, self.bay_waiting):
            self.bay_plot.addItem(item)

        self.bays_table = self._table(
            [
                self.tr("Bay"),
                self.tr("Sessions"),
                self.tr("kWh"),
                self.tr("Plugged %"),
                self.tr("Charging %"),
                self.tr("Idle %"),
                self.tr("Typical plugged"),
            ]
        )
        self.groups_table = self._table(
            [
                self.tr("Card group"),
                self.tr("Sessions"),
                self.tr("Typical plugged"),
                self.tr("Charging"),
                self.tr("Idle"),
            ]
        )
        self.idle_table = self._table([self.tr("Most idle"), self.tr("Sessions"), self.tr("Idle")])

        grid = QGridLayout()
        grid.addWidget(self.heat_plot, 0, 0, 1, 2)
        grid.addWidget(self.day_plot, 1, 0)
        grid.addWidget(self.bay_plot, 1, 1)
        grid.addWidget(self.bays_table, 2, 0)
        tables = QVBoxLayout()
        tables.addWidget(self.groups_table)
        tables.addWidget(self.idle_table)
        grid.addLayout(tables, 2, 1)
        for row in range(3):  # the tables keep rows to read on a laptop
            grid.setRowStretch(row, 1)
        line = self.fontMetrics().height()
        self.heat_plot.setMinimumHeight(7 * (line + 6) + 3 * line)  # weekday labels apart
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(grid, 1)
        self.reload()

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)  # compact rows
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return t

    def _range_changed(self) -> None:
        key = self.range.currentData()
        if key != "custom":
            a, b = range_for(key, date.today())
            self.first.setDate(_qdate(a))
            self.last.setDate(_qdate(b))
            self.reload()

    def period(self) -> tuple[date, date]:
        a, b = _date(self.first.date()), _date(self.last.date())
        return (a, b) if a <= b else (b, a)

    def query(self) -> m.CapacityQuery:
        first, last = self.period()
        return m.CapacityQuery(first.isoformat(), last.isoformat())

    def reload(self) -> None:
        """Ask the site for the report (open sessions count up to the site's now)."""
        q, client = self.query(), self.ctx.client
        self.status.setText(self.tr("Computing…"))
        self.ctx.worker.run(lambda: client.capacity(q), self.show_report, self._failed)

    def _failed(self, e: BaseException) -> None:
        self.status.setText(self.tr("Failed: {0}").format(line(e)))

    def show_report(self, rep: CapacityReport) -> None:
        self.report = rep
        self.loads += 1
        loc = self.ctx.locale
        self.status.setText(
            (
                self.tr("1 session, {1}") if rep.sessions == 1 else self.tr("{0} sessions, {1}")
            ).format(rep.sessions, fmt.kwh(loc, rep.energy_wh, 1))
        )
        self.pdf_btn.setEnabled(True)
        self.heat.setImage(np.array(rep.heatmap, dtype=float).T * 100, levels=(0.0, 100.0))
        self.heat.setRect(0, 0, 24, 7)

        days = rep.days
        self.day_bars.setOpts(
            x=np.arange(len(days)), height=np.array([d.sessions for d in days], dtype=float)
        )
        step = max(1, len(days) // 10)
        self.day_plot.getAxis("bottom").setTicks(
            [[(i, f"{d.day[8:10]}/{d.day[5:7]}") for i, d in enumerate(days) if i % step == 0]]
        )

        bays = rep.bays
        x = np.arange(len(bays))
        charging = np.array([share(b, b.charging_s) * 100 for b in bays])
        idle = np.array([share(b, b.idle_s) * 100 for b in bays])
        waiting = np.array([max(0.0, share(b, b.plugged_s) * 100) for b in bays]) - charging - idle
        waiting = np.clip(waiting, 0, None)
        self.bay_charging.setOpts(x=x, y0=np.zeros(len(bays)), height=charging)
        self.bay_idle.setOpts(x=x, y0=charging, height=idle)
        self.bay_waiting.setOpts(x=x, y0=charging + idle, height=waiting)
        self.bay_plot.getAxis("bottom").setTicks([[(i, b.label) for i, b in enumerate(bays)]])

        typical = {t.name: t for t in rep.by_bay}
        self._fill(
            self.bays_table,
            [
                [
                    b.label,
                    str(b.sessions),
                    loc.toString(b.energy_wh / 1000, "f", 1),
                    loc.toString(share(b, b.plugged_s) * 100, "f", 1),
                    loc.toString(share(b, b.charging_s) * 100, "f", 1),
                    loc.toString(share(b, b.idle_s) * 100, "f", 1),
                    hm(typical[b.label].plugged_s) if b.label in typical else "–",
                ]
                for b in bays
            ],
        )
        self._fill(
            self.groups_table,
            [
                [
                    self.tr(NO_GROUP) if t.name == NO_GROUP else t.name,
                    str(t.sessions),
                    hm(t.plugged_s),
                    hm(t.charging_s),
                    hm(t.idle_s),
                ]
                for t in rep.by_group
            ],
        )
        self._fill(
            self.idle_table,
            [[r.name, str(r.sessions), hm(r.idle_s)] for r in [*rep.idle_bays, *rep.idle_cards]],
        )

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.setItem(i, j, QTableWidgetItem(text))

    def _ask_pdf(self) -> None:
        if self.report is None:
            return
        rep = self.report
        name = f"capacity-{rep.first_day.replace('-', '')}-{rep.last_day.replace('-', '')}.pdf"
        path = files.save_path(
            self, self.tr("Export capacity report"), name, self.tr("PDF (*.pdf)")
        )
        if path:
            self.export_pdf(path)

    def export_pdf(self, path: str) -> None:
        """The shown report as a PDF made by the site (checked and audited there), saved
        at `path` on this PC — whole, or not at all."""
        rep = self.report
        if rep is None:
            return
        self.status.setText(self.tr("Writing PDF…"))
        q, client = m.CapacityQuery(rep.first_day, rep.last_day), self.ctx.client

        def saved(data: bytes) -> None:
            try:
                save_whole(path, data)
            except OSError as e:
                self.status.setText(self.tr("Could not save {0}: {1}").format(path, line(e)))
                return
            self.status.setText(self.tr("Saved {0}").format(path))

        self.ctx.worker.run(lambda: client.capacity_pdf(q), saved, self._failed)


def save_whole(path: str, data: bytes) -> None:
    """Write `data` at `path` through a temporary file beside it (no half-written file)."""
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".stationmgr-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


PAGE = PageSpec(
    key="capacity",
    title=lambda: QCoreApplication.translate("pages", "Capacity"),
    factory=CapacityPage,
    icon="capacity",
    order=60,
    remote=True,
)
