"""CSV import with a preview: every row is checked first (format and against the database);
one bad row rejects the whole file, named by its line, and nothing is imported.

Reading and checking a large file and the import itself run on the worker, never on the
GUI thread; the import is one unit of work, so it is all rows or none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.cards import CSV_FIELDS, bay_ids_by_labels, find_cards, import_csv, read_csv
from stationmgr.errors import StationError, UserError
from stationmgr.store.db import Database
from ui.worker import Worker

_LINE = re.compile(r"^line (\d+): ")
PREVIEW_ROWS = 500  # rows shown; the check covers every row


@dataclass
class Preview:
    """The file as read: its raw rows with line numbers, and the first problem (if any)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    total: int
    error: str | None = None
    error_line: int | None = None


def check_file(db: Database, text: str) -> Preview:
    """Parse and check every row (runs on the worker): format first, then the database
    (number already enrolled in any spelling, unknown bay label)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    rows: list[tuple[int, list[str]]] = []
    total = 0
    for row in reader:
        total += 1
        if len(rows) < PREVIEW_ROWS:
            rows.append((reader.line_num, row))
    preview = Preview(header, rows, total)
    try:
        cards = read_csv(text)
        with db.session() as s:
            for line, card in enumerate(cards, start=2):
                try:
                    known = find_cards(s, card.uid)
                    if known:
                        raise UserError(f"card {card.uid} is already enrolled (as {known[0].uid})")
                    bay_ids_by_labels(s, card.allowed_bays)
                except UserError as e:
                    raise UserError(f"line {line}: {e}") from None
    except UserError as e:
        preview.error = str(e)
        m = _LINE.match(preview.error)
        preview.error_line = int(m.group(1)) if m else None
    return preview


class ImportDialog(QDialog):
    """Shows the preview; Import is enabled only for a file without a bad row."""

    imported = Signal(int)

    def __init__(self, db: Database, worker: Worker, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.worker, self.path = db, worker, path
        self.text = ""
        self.preview: Preview | None = None
        self.setWindowTitle(self.tr("Import cards from {0}").format(path.name))
        self.resize(900, 520)
        self.summary = QLabel(self.tr("Reading {0}…").format(path.name))
        self.summary.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.buttons)
        self._start()

    def _start(self) -> None:
        try:
            raw = self.path.read_bytes()
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self._fail(self.tr("The file is not UTF-8 text; save it as CSV UTF-8 and retry."))
            return
        except OSError as e:
            self._fail(self.tr("Cannot read the file: {0}").format(e.strerror or e))
            return
        self.worker.run(lambda: check_file(self.db, self.text), self._show, self._failed)

    def _fail(self, message: str) -> None:
        self.summary.setStyleSheet("color: #b3261e;")
        self.summary.setText(message)
        self.import_button.setEnabled(False)

    def _failed(self, e: BaseException) -> None:
        self._fail(
            str(e) if isinstance(e, StationError) else self.tr("Check failed: {0}").format(e)
        )

    def _show(self, p: Preview) -> None:
        self.preview = p
        header = p.header or CSV_FIELDS
        self.table.setColumnCount(len(header) + 1)
        self.table.setHorizontalHeaderLabels([self.tr("Line"), *header])
        self.table.setRowCount(len(p.rows))
        bad = QBrush(QColor("#f9dedc"))
        for r, (line, cells) in enumerate(p.rows):
            items = [QTableWidgetItem(str(line)), *(QTableWidgetItem(c) for c in cells)]
            items[0].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for c, item in enumerate(items):
                if line == p.error_line:
                    item.setBackground(bad)
                self.table.setItem(r, c, item)
            if line == p.error_line:
                self.table.selectRow(r)
                self.table.scrollToItem(items[0])
        self.table.resizeColumnsToContents()
        shown = "" if p.total <= len(p.rows) else self.tr(" (first {0} shown)").format(len(p.rows))
        if p.error:
            self._fail(
                self.tr(
                    "{0}\nThe file is rejected whole: nothing will be imported. "
                    "Fix that row and open the file again."
                ).format(p.error)
            )
        else:
            self.summary.setStyleSheet("")
            self.summary.setText(
                self.tr("{0} card(s) checked, no problem found{1}.").format(p.total, shown)
            )
            self.import_button.setText(self.tr("Import {0} card(s)").format(p.total))
            self.import_button.setEnabled(p.total > 0)

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.summary.setText(self.tr("Importing…"))

        def work() -> int:
            with self.db.session() as s:
                return import_csv(s, self.text)

        self.worker.run(work, self._done, self._failed)

    def _done(self, n: int) -> None:
        self.imported.emit(n)
        self.accept()
