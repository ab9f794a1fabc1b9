"""One session in full: who, when, how long, the stored curve, events, faults, price."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from stationmgr.store import queries
from stationmgr.store.models import ChargerEvent, ChargeSession, Fault
from ui import fmt


@dataclass
class SessionDetail:
    row: ChargeSession
    bay: str
    curve: list[tuple[Any, int, int | None]]
    events: list[tuple[Any, str, str]] = field(default_factory=list)  # (time, what, detail)
    price: Any = None
    lines: list[Any] = field(default_factory=list)


def load_detail(db: Any, session_id: int) -> SessionDetail:
    """Everything the dialog shows, read in one unit of work (worker thread)."""
    with db.session() as s:
        row = s.get(ChargeSession, session_id)
        if row is None:
            raise LookupError(f"no session {session_id}")
        bay = queries.bay_labels(s).get(row.bay_id, str(row.bay_id))
        d = SessionDetail(row, bay, queries.session_curve(s, session_id))
        for e in s.scalars(select(ChargerEvent).where(ChargerEvent.session_id == session_id)):
            d.events.append((e.ts, e.kind, " ".join(x for x in (e.code, e.detail) if x)))
        for f in s.scalars(select(Fault).where(Fault.session_id == session_id)):
            d.events.append((f.raised_at, "fault", f.code))
            if f.cleared_at:
                d.events.append((f.cleared_at, "fault cleared", f.code))
            if f.acknowledged_at:
                d.events.append((f.acknowledged_at, "fault acknowledged", f.acknowledged_by or ""))
        try:
            from stationmgr.billing.charges import current_price

            d.price = current_price(s, session_id)
            if d.price is not None:
                d.lines = list(d.price.lines)
        except ImportError:
            pass
        d.events.sort(key=lambda e: e[0])
        s.expunge_all()
        return d


class SessionDetailDialog(QDialog):
    def __init__(self, ctx: Any, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Session {0}").format(session_id))
        self.resize(820, 620)
        self.body = QLabel(self.tr("Loading…"))
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay = QVBoxLayout(self)
        lay.addWidget(self.body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.detail: SessionDetail | None = None
        db = ctx.db
        ctx.worker.run(lambda: load_detail(db, session_id), self._show, self._failed)

    def _failed(self, e: BaseException) -> None:
        self.body.setText(self.tr("Could not read the session: {0}").format(e))

    def _show(self, d: SessionDetail) -> None:
        self.detail = d
        r = d.row
        loc = self.ctx.locale
        lay = self.layout()
        lay.removeWidget(self.body)
        self.body.deleteLater()
        tabs = QTabWidget()
        lay.insertWidget(0, tabs, 1)

        info = QWidget()
        form = QFormLayout(info)
        who = r.holder_name or (self.tr("Guest") if r.start_kind == "guest" else "–")
        rows = [
            (self.tr("Bay"), d.bay),
            (self.tr("Card holder"), who),
            (self.tr("Card"), r.card_uid or "–"),
            (self.tr("Transaction"), r.tx_uid),
            (self.tr("Plugged in"), fmt.when(loc, r.plugged_at, seconds=True)),
            (self.tr("Authorised"), fmt.when(loc, r.authorized_at, seconds=True)),
            (
                self.tr("Stopped"),
                fmt.when(loc, r.stopped_at, seconds=True)
                if r.stopped_at
                else self.tr("still running"),
            ),
            (
                self.tr("Stop reason"),
                " – ".join(x for x in (r.stop_reason, r.stop_detail) if x) or "–",
            ),
            (self.tr("Stopped by"), r.stopped_by or "–"),
            (
                self.tr("Plugged / waiting"),
                f"{fmt.duration(r.plugged_s)} / {fmt.duration(r.waiting_s)}",
            ),
            (
                self.tr("Charging / idle"),
                f"{fmt.duration(r.charging_s)} / {fmt.duration(r.idle_s)}",
            ),
            (
                self.tr("Meter start / stop"),
                f"{loc.toString(r.meter_start_wh, 'f', 0)} Wh / "
                + (f"{loc.toString(r.meter_stop_wh, 'f', 0)} Wh" if r.meter_stop_wh else "–"),
            ),
            (
                self.tr("Energy"),
                fmt.kwh(loc, r.energy_wh, 3)
                + (
                    self.tr(" (counter restarted {0}×)").format(r.meter_resets)
                    if r.meter_resets
                    else ""
                ),
            ),
        ]
        if r.start_kind == "guest":
            rows.append((self.tr("Guest start"), f"{r.started_by or '?'}: {r.guest_reason or ''}"))
        if d.price is not None:
            rows.append(
                (
                    self.tr("Price"),
                    fmt.money(loc, d.price.total_minor, d.price.currency)
                    + self.tr(" incl. VAT {0}").format(
                        fmt.money(loc, d.price.vat_minor, d.price.currency)
                    ),
                )
            )
        for k, v in rows:
            lab = QLabel(v)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(k + ":", lab)
        tabs.addTab(info, self.tr("Summary"))
        tabs.addTab(self._curve(d), self.tr("Curve"))

        ev = QTreeWidget()
        ev.setHeaderLabels([self.tr("Time"), self.tr("Event"), self.tr("Detail")])
        ev.setRootIsDecorated(False)
        for ts, kind, detail in d.events:
            ev.addTopLevelItem(QTreeWidgetItem([fmt.when(loc, ts, seconds=True), kind, detail]))
        if not d.events:
            ev.addTopLevelItem(QTreeWidgetItem(["", self.tr("No events or faults"), ""]))
        ev.resizeColumnToContents(0)
        tabs.addTab(ev, self.tr("Events and faults ({0})").format(len(d.events)))

        if d.price is not None:
            pt = QTreeWidget()
            pt.setHeaderLabels(
                [
                    self.tr("Line"),
                    self.tr("Quantity"),
                    self.tr("Unit price"),
                    self.tr("Net"),
                    self.tr("VAT"),
                    self.tr("Amount"),
                ]
            )
            pt.setRootIsDecorated(False)
            cur = d.price.currency
            for ln in d.lines:
                qty = _quantity(loc, ln.quantity, ln.unit)
                pt.addTopLevelItem(
                    QTreeWidgetItem(
                        [
                            _kind(ln.kind),
                            qty,
                            fmt.money(loc, ln.unit_price_minor, cur),
                            fmt.money(loc, ln.net_minor, cur),
                            fmt.money(loc, ln.vat_minor, cur),
                            fmt.money(loc, ln.amount_minor, cur),
                        ]
                    )
                )
            pt.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        self.tr("Total"),
                        "",
                        "",
                        fmt.money(loc, d.price.net_minor, cur),
                        fmt.money(loc, d.price.vat_minor, cur),
                        fmt.money(loc, d.price.total_minor, cur),
                    ]
                )
            )
            last = pt.topLevelItem(pt.topLevelItemCount() - 1)
            bold = last.font(0)
            bold.setBold(True)
            for c in range(6):
                last.setFont(c, bold)
            for i in range(pt.topLevelItemCount()):
                for c in range(1, 6):
                    pt.topLevelItem(i).setTextAlignment(
                        c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
            pt.header().setStretchLastSection(False)
            for c in range(6):
                pt.resizeColumnToContents(c)
                pt.setColumnWidth(c, pt.columnWidth(c) + 16)
            tabs.addTab(pt, self.tr("Price"))

    def _curve(self, d: SessionDetail) -> QWidget:
        w = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        w.setBackground(self.palette().color(self.backgroundRole()))
        pi = w.getPlotItem()
        pi.showGrid(x=True, y=True, alpha=0.15)
        pi.setLabel("left", self.tr("Power"), units="W")
        fg = self.palette().color(self.foregroundRole())
        for ax in ("left", "bottom", "right"):
            pi.getAxis(ax).setTextPen(fg)
        if not d.curve:
            pi.setTitle(self.tr("No meter samples were stored for this session"))
            return w
        t = np.array([c[0].timestamp() for c in d.curve])
        e = np.array([c[1] for c in d.curve], dtype=float)
        p = np.array([np.nan if c[2] is None else c[2] for c in d.curve], dtype=float)
        pi.plot(
            t,
            p,
            pen=pg.mkPen(QColor("#1565c0"), width=2),
            fillLevel=0,
            brush=QColor(21, 101, 192, 40),
            stepMode=None,
        )
        vb = pg.ViewBox()
        pi.showAxis("right")
        pi.scene().addItem(vb)
        pi.getAxis("right").linkToView(vb)
        pi.getAxis("right").setLabel(self.tr("Energy"), units="Wh")
        vb.setXLink(pi)
        vb.addItem(pg.PlotDataItem(t, e - e[0], pen=pg.mkPen(QColor("#2e7d32"), width=2)))
        pi.getViewBox().sigResized.connect(
            lambda: vb.setGeometry(pi.getViewBox().sceneBoundingRect())
        )
        return w


def _kind(kind: str) -> str:
    from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

    words = {
        "energy": QT_TRANSLATE_NOOP("price", "Energy"),
        "time": QT_TRANSLATE_NOOP("price", "Time"),
        "start_fee": QT_TRANSLATE_NOOP("price", "Start fee"),
        "idle_fee": QT_TRANSLATE_NOOP("price", "Idle fee"),
    }
    return QCoreApplication.translate("price", words[kind]) if kind in words else kind


def _quantity(loc: Any, q: int, unit: str) -> str:
    if unit == "Wh":
        return fmt.kwh(loc, q, 3)
    if unit == "s":
        return fmt.duration(q)
    if unit == "min":
        return f"{q} min"
    return str(q)
