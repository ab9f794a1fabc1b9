"""The accountant's month close: every month with its state (open, or closed by whom and
when, with its ledger code), "Close month…" for the one next in line, after a confirmation
that names what gets frozen, and "Export again" of a closed month, which hands out the SIE
or CSV exactly as stored at its close. Every call is a site client call on the worker pool;
the site checks the role, the order and audits; the buttons a role may not use are disabled
with a tooltip naming who may (`ui.offer`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.billing.pdf import write_atomically
from stationmgr.client import admin_models as a
from ui import files, fmt, words
from ui.context import AppContext
from ui.offer import offer
from ui.oneline import error_line

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient


class MonthsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[a.MonthStateRow] = []
        self.loads = 0
        self.last_error = ""
        self.confirm_box: QMessageBox | None = None

        self.refresh_btn = QPushButton(self.tr("Refresh"))
        self.close_btn = QPushButton(self.tr("Close month…"))
        self.sie_btn = QPushButton(self.tr("Export SIE again…"))
        self.csv_btn = QPushButton(self.tr("Export CSV again…"))
        self.sie_btn.setToolTip(self.tr("The SIE file exactly as stored when the month was closed"))
        self.csv_btn.setToolTip(self.tr("The CSV file exactly as stored when the month was closed"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Month"),
                self.tr("State"),
                self.tr("Closed by"),
                self.tr("Closed at"),
                self.tr("Sales"),
                self.tr("Ledger code"),
            ]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)

        actions = QHBoxLayout()
        for w in (self.close_btn, self.sie_btn, self.csv_btn):
            actions.addWidget(w)
        actions.addStretch(1)
        actions.addWidget(self.refresh_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(actions)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)

        self.refresh_btn.clicked.connect(self.reload)
        self.close_btn.clicked.connect(self.ask_close)
        self.sie_btn.clicked.connect(lambda: self._export("sie"))
        self.csv_btn.clicked.connect(lambda: self._export("csv"))
        self.table.itemSelectionChanged.connect(self._offer)
        self._offer()
        self.reload()

    def _client(self) -> SiteClient:
        client = self.ctx.client
        assert client is not None
        return client

    def selected(self) -> a.MonthStateRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _offer(self) -> None:
        """Close only the month next in line; export again only a closed one; each only for
        a role that may (the site refuses anyway)."""
        row = self.selected()
        offer(self.refresh_btn, self.ctx, "billing.export")
        if offer(self.close_btn, self.ctx, "months.close", row is not None and row.closable):
            pass
        elif self.ctx.allowed("months.close") and row is not None and row.why_not:
            self.close_btn.setToolTip(row.why_not)  # the role may; the order says not yet
        closed = row is not None and row.closed is not None
        for b in (self.sie_btn, self.csv_btn):
            offer(b, self.ctx, "billing.export", closed)

    # ---------------------------------------------------------------- calls

    def reload(self) -> None:
        client = self._client()
        self.ctx.worker.run(client.month_states, self.show_rows, self._failed)

    def show_rows(self, rows: list[a.MonthStateRow]) -> None:
        keep = self.selected()
        self.rows = list(reversed(rows))  # the newest month first
        loc = QLocale()
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            c = r.closed
            state = (
                self.tr("closed")
                if c
                else self.tr("open: next to close")
                if r.closable
                else self.tr("open")
            )
            cells = [
                r.month,
                state,
                (c.closed_by or "–") if c else "",
                fmt.when(loc, datetime.fromisoformat(c.closed_at)) if c else "",
                self._entries(r.entries) + ", " + fmt.money(loc, r.total_minor, r.currency),
                c.head_code if c else "",
            ]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not c and not r.closable and r.why_not:
                    item.setToolTip(r.why_not)
                self.table.setItem(i, j, item)
        pick = next(
            (i for i, r in enumerate(self.rows) if keep and r.month == keep.month),
            next((i for i, r in enumerate(self.rows) if r.closable), 0 if self.rows else -1),
        )
        if pick >= 0:
            self.table.selectRow(pick)
        self._offer()
        self.loads += 1

    def _entries(self, n: int) -> str:
        return words.plural(n, self.tr("1 ledger entry"), self.tr("{0} ledger entries"))

    def confirm_text(self, row: a.MonthStateRow) -> str:
        """What the confirmation says a close freezes."""
        return self.tr(
            "Close {0}? This freezes the month for the bookkeeping: its sales ({1}, {2}) and "
            "its SIE and CSV exports are stored as they are now, and every later export of "
            "{0} gives exactly these files. A session closed late or a correction dated in "
            "{0} is booked in the next open month instead. A closed month is never reopened."
        ).format(
            row.month,
            self._entries(row.entries),
            fmt.money(QLocale(), row.total_minor, row.currency),
        )

    def ask_close(self) -> None:
        """The confirmation (non-modal, so the app and its engine keep running behind it)."""
        row = self.selected()
        if row is None or not row.closable:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Close month"),
            self.confirm_text(row),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        yes = box.addButton(
            self.tr("Close {0}").format(row.month), QMessageBox.ButtonRole.AcceptRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes.clicked.connect(lambda: self.close_month(row.month))
        self.confirm_box = box
        self.confirm_yes = yes
        box.open()

    def close_month(self, month: str) -> None:
        client = self._client()

        def work() -> str:
            r = client.close_month(a.MonthCloseRequest(month))
            text = self.tr("{0} closed: {1}, ledger code {2}").format(
                r.month, self._entries(r.entries), r.head_code
            )
            return text + (f"; {r.note}" if r.note else "")

        self.status.setText(self.tr("Closing {0}…").format(month))
        self.ctx.worker.run(work, self._done, self._failed)

    def export_again(self, month: str, kind: str, path: str) -> None:
        """The closed month's stored file, written where the user chose (whole or not at
        all)."""
        client = self._client()

        def work() -> str:
            write_atomically(path, client.export_billing(month, kind))
            return self.tr("Saved {0}").format(path)

        self.ctx.worker.run(work, self._saved, self._failed)

    def _export(self, kind: str) -> None:
        row = self.selected()
        if row is None or row.closed is None:
            return
        ext = "se" if kind == "sie" else "csv"
        path = files.save_path(
            self, self.tr("Export again"), f"sales-{row.month}.{ext}", f"{kind.upper()} (*.{ext})"
        )
        if path:
            self.export_again(row.month, kind, path)

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.reload()

    def _saved(self, text: str) -> None:
        self.status.setText(text)
        self.loads += 1

    def _failed(self, e: BaseException) -> None:
        self.loads += 1
        self.last_error = error_line(e)
        self.status.setText(self.tr("Failed: {0}").format(self.last_error))
