"""The cards page: the list with search, enrol/edit, block/unblock, CSV import/export, and
tap-to-enrol from a desk keyboard-wedge reader or a serial desk reader."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stationmgr.auth import parse_uid
from stationmgr.cards import export_csv, find_cards, set_blocked
from stationmgr.errors import StationError, UserError
from stationmgr.wedge import CARD_CHARS
from ui.cards.csv_import import ImportDialog
from ui.cards.desk import DeskTaps
from ui.cards.dialog import CardDialog
from ui.cards.model import CardTableModel, read_rows
from ui.cards.tapfield import TapField
from ui.context import AppContext
from ui.forms import ERROR_STYLE, OK_STYLE, WARN_STYLE
from ui.pages import PageSpec


class CardsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("CardsPage")
        eng = ctx.engine
        self.model = CardTableModel(eng.clock.now if eng is not None else None)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.dialog: CardDialog | None = None  # the open add/edit dialog (desk taps go there)

        # -- tap to enrol
        self.tap = TapField()
        self.tap.setObjectName("tap")
        self.tap.setPlaceholderText(
            self.tr("Tap a card on the desk reader (or type its number and press Enter)")
        )
        self.tap.setClearButtonEnabled(True)
        self.tap_status = QLabel()
        self.tap_status.setObjectName("tapStatus")
        self.tap_status.setWordWrap(True)
        self.show_known = QPushButton(self.tr("Show card"))
        self.show_known.setVisible(False)
        self._known_id: int | None = None
        self.tap.tapped.connect(lambda t: self.present(t, self.tr("keyboard reader")))
        self.tap.typed.connect(lambda t: self.present(t, None))
        self.show_known.clicked.connect(lambda: self.select_card(self._known_id))
        tap_row = QHBoxLayout()
        tap_label = QLabel(self.tr("Enrol:"))
        tap_row.addWidget(tap_label)
        tap_row.addWidget(self.tap, 2)
        tap_row.addWidget(self.tap_status, 3)
        tap_row.addWidget(self.show_known)

        # -- search and actions
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            self.tr("Search label, holder or card number (any spelling)")
        )
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.add_button = QPushButton(self.tr("Enrol card…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.block_button = QPushButton(self.tr("Block"))
        self.import_button = QPushButton(self.tr("Import CSV…"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.add_button.clicked.connect(lambda: self.open_dialog())
        self.edit_button.clicked.connect(self.edit_selected)
        self.block_button.clicked.connect(self.toggle_block)
        self.import_button.clicked.connect(self.choose_import)
        self.export_button.clicked.connect(self.choose_export)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        for b in (
            self.add_button,
            self.edit_button,
            self.block_button,
            self.import_button,
            self.export_button,
        ):
            bar.addWidget(b)

        self.table = QTableView()
        self.table.setObjectName("cards")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)  # the note takes the rest
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.installEventFilter(self)  # a card tapped while the list has focus
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.count = QLabel()
        foot = QHBoxLayout()
        foot.addWidget(self.message, 1)
        foot.addWidget(self.count)

        lay = QVBoxLayout(self)
        lay.addLayout(tap_row)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addLayout(foot)

        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.New, self, activated=lambda: self.open_dialog())

        self.desk = DeskTaps(self)
        self.desk.tapped.connect(self._on_desk_tap)
        self.desk.reader_failed.connect(
            lambda name, msg: self._say(self.tr("Desk reader {0}: {1}").format(name, msg), True)
        )
        self.refresh()
        self._update_buttons()

    # ---------------------------------------------------------------- life cycle

    def start_desk_readers(self) -> None:
        """Listen for desk taps: from the engine when it runs, else from the readers."""
        eng = self.ctx.engine
        if eng is not None and eng.running:
            self.desk.follow_bus(eng.bus)
        else:
            self.desk.open_readers(self.ctx.db)

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        super().showEvent(event)  # type: ignore[arg-type]
        self.tap.setFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Keys typed while the card list has focus go to the enrol field: a wedge reader
        types into whatever has focus, and the list would only jump between rows."""
        if obj is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.text() and event.text() in CARD_CHARS:
                self.tap.setFocus()
                self.tap.clear()
                QApplication.sendEvent(self.tap, event.clone())
                return True
        return super().eventFilter(obj, event)

    def shutdown(self) -> None:
        self.desk.stop()

    # ---------------------------------------------------------------- list

    def refresh(self) -> None:
        """Re-read the list (one indexed query: fine on the GUI thread)."""
        keep = self.selected_card_id()
        with self.ctx.db.session() as s:
            rows = read_rows(s, self.search.text().strip() or None)
        self.model.set_rows(rows)
        self.count.setText(self.tr("{0} card(s)").format(len(rows)))
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for col in range(self.model.columnCount() - 1):
            header.resizeSection(col, min(max(header.sectionSize(col), 70), 260))
        if keep is not None:
            self.select_card(keep)
        self._update_buttons()

    def selected_card_id(self) -> int | None:
        idx = self.table.selectionModel().selectedRows()
        if not idx:
            return None
        return self.proxy.data(idx[0], Qt.ItemDataRole.UserRole)

    def select_card(self, card_id: int | None) -> bool:
        if card_id is None:
            return False
        row = self.model.row_of(card_id)
        if row is None and self.search.text():
            self.search.blockSignals(True)  # the card is hidden by the search: show all
            self.search.clear()
            self.search.blockSignals(False)
            self.refresh()
            row = self.model.row_of(card_id)
        if row is None:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(idx.row())
        self.table.scrollTo(idx)
        return True

    def _update_buttons(self) -> None:
        row = self.model.row_of(self.selected_card_id() or -1)
        card = self.model.rows[row] if row is not None else None
        may_edit = self.ctx.allowed("cards.edit")
        self.add_button.setEnabled(self.ctx.allowed("cards.add"))
        self.edit_button.setEnabled(card is not None and may_edit)
        self.block_button.setEnabled(card is not None and may_edit)
        self.block_button.setText(
            self.tr("Unblock") if card is not None and card.blocked else self.tr("Block")
        )
        self.import_button.setEnabled(self.ctx.allowed("cards.import"))
        self.export_button.setEnabled(self.ctx.allowed("cards.export"))

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    # ---------------------------------------------------------------- enrolment

    def present(self, text: str, source: str | None, enrol: bool = True) -> None:
        """A card number arrived (tapped, typed, or from a desk reader): warn when known,
        else open the enrol dialog with it (when `enrol`)."""
        self.show_known.setVisible(False)
        try:
            uid = parse_uid(text)
        except UserError as e:
            self.tap_status.setStyleSheet(ERROR_STYLE)
            self.tap_status.setText(str(e))
            return
        with self.ctx.db.session() as s:
            known = [
                (c.id, c.uid, c.holder.name if c.holder else c.label) for c in find_cards(s, text)
            ]
        via = self.tr(" (read by the {0})").format(source) if source else ""
        if known:
            card_id, known_uid, who = known[0]
            self._known_id = card_id
            self.tap_status.setStyleSheet(WARN_STYLE)
            self.tap_status.setText(
                self.tr("Card {0}{1} is already enrolled as {2}{3}.").format(
                    text, via, known_uid, f" ({who})" if who else ""
                )
            )
            self.show_known.setVisible(True)
            self.select_card(card_id)
            return
        self.tap_status.setStyleSheet(OK_STYLE)
        self.tap_status.setText(self.tr("New card {0}{1}.").format(uid, via))
        if enrol and self.ctx.allowed("cards.add"):
            self.open_dialog(uid=text)

    def _on_desk_tap(self, uid: str, raw: str, reader: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.uid.setText(raw or uid)  # fills the open dialog's number field
            return
        self.tap.setText(raw or uid)
        # While another page is shown, a tap is only noted here: no dialog pops up over the
        # bay board; the owner finds the card waiting in the enrol field.
        self.present(raw or uid, self.tr("desk reader {0}").format(reader), self.isVisible())

    def open_dialog(self, card_id: int | None = None, uid: str = "") -> CardDialog:
        dlg = CardDialog(self.ctx.db, card_id, uid, self)
        self.dialog = dlg
        dlg.finished.connect(lambda result: self._dialog_closed(dlg, result))
        dlg.open()
        return dlg

    def _dialog_closed(self, dlg: CardDialog, result: int) -> None:
        if self.dialog is dlg:
            self.dialog = None
        if dlg.saved_card_id is not None:
            self.refresh()
            self.select_card(dlg.saved_card_id)
            self._say(self.tr("Saved card {0}.").format(dlg.uid.text().strip()))
            self.tap.clear()
            self.tap_status.clear()
        dlg.deleteLater()

    def edit_selected(self) -> None:
        card_id = self.selected_card_id()
        if card_id is not None and self.ctx.allowed("cards.edit"):
            self.open_dialog(card_id)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one menu per click, not kept
        menu.addAction(self.edit_button.text(), self.edit_selected).setEnabled(
            self.edit_button.isEnabled()
        )
        menu.addAction(self.block_button.text(), self.toggle_block).setEnabled(
            self.block_button.isEnabled()
        )
        uid = self.proxy.index(index.row(), 0).data()
        menu.addAction(
            self.tr("Copy card number"), lambda: QApplication.clipboard().setText(str(uid))
        )
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def toggle_block(self) -> None:
        row = self.model.row_of(self.selected_card_id() or -1)
        if row is None:
            return
        card = self.model.rows[row]
        try:
            with self.ctx.db.session() as s:
                set_blocked(s, card.uid, not card.blocked)
        except StationError as e:
            self._say(str(e), True)
            return
        self._say(
            (
                self.tr("Card {0} blocked.") if not card.blocked else self.tr("Card {0} unblocked.")
            ).format(card.uid)
        )
        self.refresh()

    # ---------------------------------------------------------------- CSV

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import cards"), "", self.tr("CSV files (*.csv);;All files (*)")
        )
        if path:
            self.open_import(Path(path))

    def open_import(self, path: Path) -> ImportDialog:
        dlg = ImportDialog(self.ctx.db, self.ctx.worker, path, self)
        dlg.imported.connect(self._imported)
        dlg.open()
        return dlg

    def _imported(self, n: int) -> None:
        self._say(self.tr("Imported {0} card(s).").format(n))
        self.refresh()

    def choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export cards"), "cards.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the file on the worker: to a temporary name first, so a failure leaves no
        half-written file behind."""
        db = self.ctx.db

        def work() -> int:
            fd, tmp = tempfile.mkstemp(prefix=".cards-", suffix=".csv", dir=path.parent)
            try:
                with os.fdopen(fd, "w", newline="", encoding="utf-8") as out, db.session() as s:
                    n = export_csv(s, out)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return n

        self._say(self.tr("Exporting…"))
        self.ctx.worker.run(
            work,
            lambda n: self._say(self.tr("Exported {0} card(s) to {1}.").format(n, path)),
            lambda e: self._say(
                str(e) if isinstance(e, StationError) else self.tr("Export failed: {0}").format(e),
                True,
            ),
        )


def _build(ctx: AppContext) -> CardsPage:
    page = CardsPage(ctx)
    page.start_desk_readers()
    return page


PAGE = PageSpec(
    key="cards",
    title=lambda: QCoreApplication.translate("CardsPage", "Cards"),
    factory=_build,
    icon="cards",
    order=40,
)
