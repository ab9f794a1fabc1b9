"""The owner's audit view: filters, the entries (newest first, a page at a time), chain
check, CSV export. Everything through the site client on the worker (`audit_entries`,
`check_audit_chain`, `export_audit`: checked and audited by the core); the CSV comes back
as text and is written here, where the user chose."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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
from stationmgr.client import models as m
from ui import files
from ui.oneline import error_line

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient
    from ui.worker import Worker

COLUMNS = [
    "#",
    QT_TRANSLATE_NOOP("AuditView", "When (UTC)"),
    QT_TRANSLATE_NOOP("AuditView", "Operator"),
    QT_TRANSLATE_NOOP("AuditView", "Action"),
    QT_TRANSLATE_NOOP("AuditView", "Target"),
    QT_TRANSLATE_NOOP("AuditView", "Outcome"),
    QT_TRANSLATE_NOOP("AuditView", "Detail"),
    QT_TRANSLATE_NOOP("AuditView", "Change"),
]
PAGE_SIZE = 500


def _value(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list | tuple):
        return ", ".join(_value(x) for x in v) or "—"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _change(e: object) -> str:
    """What changed, field by field ("status: free → charging; limit_a: 16 → 10"); a new
    or removed record lists its fields. Never the raw JSON of both sides."""
    before, after = getattr(e, "before", None), getattr(e, "after", None)
    if before is None and after is None:
        return ""
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        keys = [k for k in {**old, **new} if old.get(k) != new.get(k)]
        if before is None:
            return "; ".join(f"{k}: {_value(new[k])}" for k in new) or "—"
        if after is None:
            return "; ".join(f"{k}: {_value(old[k])} → —" for k in old) or "—"
        return "; ".join(f"{k}: {_value(old.get(k))} → {_value(new.get(k))}" for k in keys)
    return f"{_value(before)} → {_value(after)}"


class AuditView(QWidget):
    """Who did what, when. Owner only: others see a one-line explanation. `allowed` says
    what the signed-in operator may (`AppContext.allowed`); the site decides anyway.
    `loads` counts answers (tests wait on it)."""

    def __init__(
        self,
        client: SiteClient,
        worker: Worker,
        allowed: Callable[[str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client, self.worker = client, worker
        self.offset = 0
        self.loads = 0
        self._reading = 0
        self.chain: m.ChainResult | None = None  # the last chain check
        self.exported: int | None = None  # entries in the last export
        self._note = ""  # said before the next page's count (the export's line)
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
        self.newer_button = QPushButton(self.tr("◀ Newer"))
        self.older_button = QPushButton(self.tr("Older ▶"))
        self.newer_button.clicked.connect(lambda: self.page_to(self.offset - PAGE_SIZE))
        self.older_button.clicked.connect(lambda: self.page_to(self.offset + PAGE_SIZE))
        self.apply_button.clicked.connect(self.refresh)
        for w in (self.operator, self.action, self.target):
            w.returnPressed.connect(self.refresh)
        self.outcome.currentIndexChanged.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(lambda: self.export())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("audit")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)  # "#" numbers the rows
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(  # a wide column's title in view
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
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
        buttons.addWidget(self.newer_button)
        buttons.addWidget(self.older_button)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        box.addWidget(self.status)
        self.may_read = allowed("audit.read")
        self.export_button.setVisible(allowed("audit.export"))
        for w in (self.table, self.verify_button, self.apply_button):
            w.setEnabled(self.may_read)
        self.newer_button.setEnabled(False)
        self.older_button.setEnabled(False)
        if self.may_read:
            self.refresh()
        else:
            self.status.setText(self.tr("Only the owner can read the audit log."))

    def current_filter(self, offset: int = 0) -> m.AuditQuery:
        """The filters as the site's audit query (days are whole days, UTC, inclusive)."""

        def day(d: QDateEdit) -> str:
            return d.date().toString("yyyy-MM-dd")

        return m.AuditQuery(
            since=day(self.since) if self.use_from.isChecked() else None,
            until=day(self.until) if self.use_to.isChecked() else None,
            operator=self.operator.text().strip() or None,
            action=self.action.text().strip() or None,
            outcome=self.outcome.currentData(),
            target=self.target.text().strip() or None,
            offset=offset,
            limit=PAGE_SIZE,
        )

    def refresh(self) -> None:
        """The newest page for the filters."""
        self.page_to(0)

    def page_to(self, offset: int) -> None:
        """Read the page at `offset` (on the worker; a newer request wins)."""
        q = self.current_filter(max(0, offset))
        self._reading += 1
        reading, client = self._reading, self.client

        def shown(entries: list[m.AuditEntry]) -> None:
            if reading == self._reading:
                self._show(q.offset, entries)

        self.worker.run(lambda: client.audit_entries(q), shown, self._failed)

    def _failed(self, e: BaseException) -> None:
        self.loads += 1
        self.status.setText(error_line(e))

    def _show(self, offset: int, entries: list[m.AuditEntry]) -> None:
        self.loads += 1
        self.offset = offset
        self.table.setRowCount(len(entries))
        for i, e in enumerate(entries):
            values = [
                str(e.id),
                e.ts[:19].replace("T", " "),
                e.operator or "—",
                e.action,
                e.target or "",
                e.outcome,
                e.detail or "",
                _change(e),
            ]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if len(v) > 40:
                    item.setToolTip(v)  # the whole text; the column shows its start
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        widest = max(160, self.table.viewport().width() // 4)
        for j in range(len(COLUMNS) - 1):  # a long detail never pushes Change off screen
            if self.table.columnWidth(j) > widest:
                self.table.setColumnWidth(j, widest)
        full = len(entries) == PAGE_SIZE
        self.newer_button.setEnabled(offset > 0)
        self.older_button.setEnabled(full)
        if offset or full:
            text = self.tr("entries {0}–{1}, newest first").format(
                offset + 1, offset + len(entries)
            )
        else:
            text = (
                self.tr("1 entry")
                if len(entries) == 1
                else self.tr("{0} entries").format(len(entries))
            )
        note, self._note = self._note, ""
        self.status.setText(f"{note} — {text}" if note else text)

    def verify(self) -> None:
        """Walk the chain on the site (`verify`); a broken entry is selected if shown."""
        client = self.client

        def checked(result: m.ChainResult) -> None:
            self.loads += 1
            self.chain = result
            self.status.setText(result.text)
            if not result.ok and result.bad_id is not None:
                for i in range(self.table.rowCount()):
                    if self.table.item(i, 0).text() == str(result.bad_id):
                        self.table.selectRow(i)

        self.worker.run(client.check_audit_chain, checked, self._failed)

    def export(self, path: str | Path | None = None) -> None:
        """The filtered entries as CSV from the site (`export_audit`, audited), written to
        `path` here (asks for a file unless given), whole or not at all."""
        if path is None:
            chosen = files.save_path(
                self, self.tr("Export the audit log"), "audit.csv", self.tr("CSV (*.csv)")
            )
            if not chosen:
                return
            path = chosen
        target = Path(path)
        q, client = self.current_filter(), self.client

        def work() -> int:
            from stationmgr.billing.pdf import write_atomically

            text = client.export_audit(q)
            write_atomically(str(target), text.encode("utf-8"))
            return max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)

        def done(n: int) -> None:
            self.exported = n
            self._note = self.tr("Exported {0} entries to {1}").format(n, target)
            self.status.setText(self._note)
            self.refresh()  # the export itself is now an entry

        self.worker.run(work, done, self._failed)
