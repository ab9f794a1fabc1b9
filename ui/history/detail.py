"""One session in full: who, when, how long, the stored curve, events, faults, price —
read through the site client (`ctx.client.session`), so the same over `--site`. Its
"Receipt…" issues (or re-prints) the receipt once the session has stopped, for a role
that may (`receipts.issue`), and links to the saved PDF."""

from __future__ import annotations

import html
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

from stationmgr.client import models as m
from ui import fmt, words
from ui.forms import fit_on_screen
from ui.history.receipt import ACTION as RECEIPT
from ui.history.receipt import ReceiptIssuer, open_link
from ui.history.times import epoch, line
from ui.offer import offer


class SessionDetailDialog(QDialog):
    def __init__(self, ctx: Any, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Session {0}").format(session_id))
        fit_on_screen(self, 820, 620)
        self.body = QLabel(self.tr("Loading…"))
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay = QVBoxLayout(self)
        lay.addWidget(self.body, 1)
        self.session_id = session_id
        self.receipt_status = QLabel()
        self.receipt_status.setTextFormat(Qt.TextFormat.RichText)
        self.receipt_status.setOpenExternalLinks(True)
        self.receipt_status.setWordWrap(True)
        lay.addWidget(self.receipt_status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.receipt_btn = buttons.addButton(
            self.tr("Receipt…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_btn = buttons.addButton(
            self.tr("Print receipt"), QDialogButtonBox.ButtonRole.ActionRole
        )
        for b in (self.receipt_btn, self.print_btn):
            offer(b, ctx, RECEIPT, also=False)  # until the session is read
        self.receipts = ReceiptIssuer(ctx, self)
        self.receipt_btn.clicked.connect(lambda: self.receipts.ask(self, session_id))
        self.print_btn.clicked.connect(lambda: self.receipts.print_(session_id))
        self.receipts.done.connect(self._receipt_saved)
        self.receipts.issued.connect(self._receipt_issued)
        self.receipt_number: QLabel | None = None  # the Summary's receipt field, once read
        self.receipts.failed.connect(self._receipt_failed)
        lay.addWidget(buttons)
        self.detail: m.SessionDetail | None = None
        client = ctx.client
        ctx.worker.run(lambda: client.session(session_id), self._show, self._failed)

    def _failed(self, e: BaseException) -> None:
        self.body.setText(self.tr("Could not read the session: {0}").format(line(e)))

    def _receipt_saved(self, path: str, text: str) -> None:
        self.receipt_status.setText(open_link(path, text))

    def _receipt_issued(self, _session_id: int, number: int) -> None:
        if self.receipt_number is not None:
            self.receipt_number.setText(str(number))

    def _receipt_failed(self, text: str) -> None:
        self.receipt_status.setText(html.escape(self.tr("No receipt: {0}").format(text)))

    def _show(self, d: m.SessionDetail) -> None:
        self.detail = d
        r = d.session
        stopped = r.stopped_at is not None
        for b in (self.receipt_btn, self.print_btn):
            offer(b, self.ctx, RECEIPT, also=stopped)
            if not stopped and self.ctx.allowed(RECEIPT):
                b.setToolTip(self.tr("A receipt is issued once the session stops"))
        loc = self.ctx.locale

        def when(text: str | None) -> str:
            return fmt.when(loc, epoch(text), seconds=True)

        lay = self.layout()
        lay.removeWidget(self.body)
        self.body.deleteLater()
        tabs = QTabWidget()
        lay.insertWidget(0, tabs, 1)

        info = QWidget()
        form = QFormLayout(info)
        who = r.holder_name or (self.tr("Guest") if r.start_kind == "guest" else "–")
        rows = [
            (self.tr("Bay"), r.bay),
            (self.tr("Card holder"), who),
            (self.tr("Card"), r.card_uid or "–"),
            (self.tr("Transaction"), r.tx_uid),
            (self.tr("Plugged in"), when(r.plugged_at)),
            (self.tr("Authorised"), when(d.authorized_at)),
            (
                self.tr("Stopped"),
                when(r.stopped_at) if r.stopped_at else self.tr("still running"),
            ),
            (
                self.tr("Stop reason"),
                " – ".join(x for x in (words.stop_reason(r.stop_reason, loc), d.stop_detail) if x)
                or "–",
            ),
            (self.tr("Stopped by"), words.stopped_by(r.stopped_by)),
            (
                self.tr("Plugged / waiting"),
                f"{fmt.duration(r.plugged_s)} / {fmt.duration(d.waiting_s)}",
            ),
            (
                self.tr("Charging / idle"),
                f"{fmt.duration(r.charging_s)} / {fmt.duration(r.idle_s)}",
            ),
            (
                self.tr("Meter start / stop"),
                f"{loc.toString(d.meter_start_wh, 'f', 0)} Wh / "
                + (f"{loc.toString(d.meter_stop_wh, 'f', 0)} Wh" if d.meter_stop_wh else "–"),
            ),
            (
                self.tr("Energy"),
                fmt.kwh(loc, r.energy_wh, 3)
                + (
                    self.tr(" (counter restarted {0}×)").format(d.meter_resets)
                    if d.meter_resets
                    else ""
                ),
            ),
        ]
        if r.start_kind == "guest":
            rows.append((self.tr("Guest start"), f"{d.started_by or '?'}: {d.guest_reason or ''}"))
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
        receipt = self.tr("Receipt")
        rows.append((receipt, str(r.receipt_number) if r.receipt_number is not None else "–"))
        for k, v in rows:
            lab = QLabel(v)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(k + ":", lab)
            if k == receipt:
                self.receipt_number = lab
        tabs.addTab(info, self.tr("Summary"))
        tabs.addTab(self._curve(d), self.tr("Curve"))

        ev = QTreeWidget()
        ev.setHeaderLabels([self.tr("Time"), self.tr("Event"), self.tr("Detail")])
        ev.setRootIsDecorated(False)
        for ts, kind, detail in d.events:
            ev.addTopLevelItem(QTreeWidgetItem([when(ts), str(kind), str(detail or "")]))
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
            for ln in d.price.lines:
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

    def _curve(self, d: m.SessionDetail) -> QWidget:
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
        # energy delivered as the core counts it (across counter restarts), as priced
        t = np.array([epoch(at) or 0.0 for at, _e, _p in d.curve], dtype=float)
        e = np.array([wh for _at, wh, _p in d.curve], dtype=float)
        p = np.array([np.nan if w is None else w for _at, _e, w in d.curve], dtype=float)
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
        vb.addItem(pg.PlotDataItem(t, e, pen=pg.mkPen(QColor("#2e7d32"), width=2)))
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
