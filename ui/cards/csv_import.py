"""CSV import with a preview: every row is checked first (format and against the database);
one bad row rejects the whole file, named by its line, and nothing is imported.

The file is read here, on this PC; its text goes to the site (`check_card_import`, then
`import_cards`), which checks every row again and imports in one unit of work, so it is
all rows or none. Both calls run on the worker, never on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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

from stationmgr.cards import CSV_FIELDS
from stationmgr.client import models as m
from ui import words
from ui.forms import fit_on_screen
from ui.oneline import error_line
from ui.worker import Worker

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient

__all__ = ["ImportDialog"]


class ImportDialog(QDialog):
    """Shows the preview; Import is enabled only for a file without a bad row."""

    imported = Signal(int)

    def __init__(
        self, client: SiteClient, worker: Worker, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client, self.worker, self.path = client, worker, path
        self.text = ""
        self.preview: m.ImportPreview | None = None
        self.setWindowTitle(self.tr("Import cards from {0}").format(path.name))
        fit_on_screen(self, 900, 520)
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
        client, text = self.client, self.text
        self.worker.run(lambda: client.check_card_import(text), self._show, self._failed)

    def _fail(self, message: str) -> None:
        self.summary.setStyleSheet("color: #b3261e;")
        self.summary.setText(message)
        self.import_button.setEnabled(False)

    def _failed(self, e: BaseException) -> None:
        self._fail(error_line(e))

    def _show(self, p: m.ImportPreview) -> None:
        self.preview = p
        header = p.header or CSV_FIELDS
        self.table.setColumnCount(len(header) + 1)
        self.table.setHorizontalHeaderLabels([self.tr("Line"), *header])
        self.table.setRowCount(len(p.rows))
        bad = QBrush(QColor("#f9dedc"))
        for r, row in enumerate(p.rows):
            line, cells = row.line, row.cells
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
                (
                    self.tr("1 card checked, no problem found{1}.")
                    if p.total == 1
                    else self.tr("{0} cards checked, no problem found{1}.")
                ).format(p.total, shown)
            )
            self.import_button.setText(
                words.plural(p.total, self.tr("Import 1 card"), self.tr("Import {0} cards"))
            )
            self.import_button.setEnabled(p.total > 0)

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.summary.setText(self.tr("Importing…"))

        client, text = self.client, self.text
        self.worker.run(lambda: client.import_cards(text), self._done, self._failed)

    def _done(self, done: m.Imported) -> None:
        self.imported.emit(done.count)
        self.accept()
