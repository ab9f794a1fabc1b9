"""The owner's audit view: filters, the entries (newest first), chain check, CSV export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.access import audit
from stationmgr.access.context import Actor, record, require
from stationmgr.errors import StationError
from stationmgr.store.db import Database
from ui.access import allowed

COLUMNS = ["#", "when (UTC)", "operator", "action", "target", "outcome", "detail", "change"]
PAGE_SIZE = 500


def _change(e: object) -> str:
    before, after = getattr(e, "before", None), getattr(e, "after", None)
    if before is None and after is None:
        return ""
    return f"{json.dumps(before, ensure_ascii=False)} → {json.dumps(after, ensure_ascii=False)}"


class AuditView(QWidget):
    """Who did what, when. Owner only: others see a one-line explanation."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.use_from = QCheckBox(self.tr("From"))
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.use_to = QCheckBox(self.tr("to"))
        self.until = QDateEdit(QDate.currentDate())
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.operator = QLineEdit()
        self.operator.setPlaceholderText(self.tr("operator"))
        self.action = QLineEdit()
        self.action.setPlaceholderText(self.tr("action, e.g. cards or login"))
        self.outcome = QComboBox()
        self.outcome.addItem(self.tr("any outcome"), None)
        for o in (audit.OK, audit.DENIED, audit.FAILED):
            self.outcome.addItem(o, o)
        self.target = QLineEdit()
        self.target.setPlaceholderText(self.tr("target"))
        for name, w in (
            ("operator", self.operator),
            ("action", self.action),
            ("outcome", self.outcome),
            ("target", self.target),
        ):
            w.setObjectName(name)
        self.apply_button = QPushButton(self.tr("Filter"))
        self.verify_button = QPushButton(self.tr("Check chain"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.apply_button.clicked.connect(self.refresh)
        for w in (self.operator, self.action, self.target):
            w.returnPressed.connect(self.refresh)
        self.outcome.currentIndexChanged.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(lambda: self.export())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("audit")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        filters = QHBoxLayout()
        for w in (
            self.use_from,
            self.since,
            self.use_to,
            self.until,
            self.operator,
            self.action,
            self.outcome,
            self.target,
            self.apply_button,
        ):
            filters.addWidget(w)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        box.addWidget(self.status)
        self.may_read = allowed(actor, "audit.read")
        self.export_button.setVisible(allowed(actor, "audit.export"))
        for w in (self.table, self.verify_button, self.apply_button):
            w.setEnabled(self.may_read)
        if self.may_read:
            self.refresh()
        else:
            self.status.setText(self.tr("Only the owner can read the audit log."))

    def current_filter(self) -> audit.AuditFilter:
        def day(d: QDateEdit) -> datetime:
            q = d.date()
            return datetime.combine(datetime(q.year(), q.month(), q.day()).date(), time(), UTC)

        since = day(self.since) if self.use_from.isChecked() else None
        until = day(self.until) + timedelta(days=1) if self.use_to.isChecked() else None
        return audit.AuditFilter(
            since,
            until,
            self.operator.text().strip() or None,
            self.action.text().strip() or None,
            self.outcome.currentData(),
            self.target.text().strip() or None,
        )

    def refresh(self) -> None:
        f = self.current_filter()
        try:
            with self.db.session() as s:
                require(self.actor, "audit.read", s)
                entries = audit.list_entries(s, f, 0, PAGE_SIZE)
        except StationError as e:
            self.status.setText(str(e))
            return
        self.table.setRowCount(len(entries))
        for i, e in enumerate(entries):
            values = [
                str(e.id),
                e.ts.strftime("%Y-%m-%d %H:%M:%S"),
                e.operator or "—",
                e.action,
                e.target or "",
                e.outcome,
                e.detail or "",
                _change(e),
            ]
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        more = self.tr(" (the newest {0})").format(PAGE_SIZE) if len(entries) == PAGE_SIZE else ""
        self.status.setText(self.tr("{0} entries{1}").format(len(entries), more))

    def verify(self) -> bool:
        try:
            with self.db.session() as s:
                require(self.actor, "verify", s)
                result = audit.verify_chain(s)
        except StationError as e:
            self.status.setText(str(e))
            return False
        self.status.setText(str(result))
        if not result.ok and result.bad_id is not None:
            for i in range(self.table.rowCount()):
                if self.table.item(i, 0).text() == str(result.bad_id):
                    self.table.selectRow(i)
        return result.ok

    def export(self, path: str | Path | None = None) -> int | None:
        """Write the filtered entries as CSV (asks for a file unless `path` is given)."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export the audit log"), "audit.csv", self.tr("CSV (*.csv)")
            )
            if not chosen:
                return None
            path = chosen
        f = self.current_filter()
        try:
            with self.db.session() as s:
                require(self.actor, "audit.export", s)
                with open(path, "w", newline="", encoding="utf-8") as fh:
                    n = audit.export_csv(s, fh, f)
                record(
                    s,
                    "audit.export",
                    str(path),
                    actor=self.actor,
                    detail=f"{n} entries; {f.describe()}",
                )
        except (StationError, OSError) as e:
            self.status.setText(str(e))
            return None
        self.status.setText(self.tr("Exported {0} entries to {1}").format(n, path))
        self.refresh()
        return n
