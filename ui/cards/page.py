"""The cards page: the list with search, enrol/edit, block/unblock, CSV import/export, and
tap-to-enrol from a desk keyboard-wedge reader or a serial desk reader.

Everything goes through the site client on the worker (the same on the site's PC and over
`--site`); the list follows `configuration_changed` events, so a card changed on another
PC shows here at once. A failed call is one line under the list; the list keeps what it
last showed. The serial desk reader is local hardware (`ui.cards.desk`)."""

from __future__ import annotations

import csv
import io
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

from stationmgr.auth import exact_text, parse_uid
from stationmgr.client import models as m
from stationmgr.errors import UserError
from stationmgr.wedge import CARD_CHARS
from ui import files, words
from ui.cards.csv_import import ImportDialog
from ui.cards.desk import DeskTaps
from ui.cards.dialog import CardDialog
from ui.cards.model import CardTableModel
from ui.cards.tapfield import TapField
from ui.context import AppContext
from ui.forms import ERROR_STYLE, OK_STYLE, WARN_STYLE, whole_placeholder
from ui.offer import offer, who_may
from ui.oneline import error_line
from ui.pages import PageSpec


class CardsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("CardsPage")
        self.model = CardTableModel()
        self.loads = 0  # lists shown so far (tests wait on it)
        self._reading = 0  # the newest list read: older answers are dropped
        self._shown = 0  # the read whose list is on screen
        self._present = 0  # the newest presented number
        self._select_next: int | None = None  # the card to select when the list comes
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
        whole_placeholder(self.tap)
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
        if ctx.site is not None:
            ctx.site.events.connect(self._on_events)
            ctx.site.link.connect(self._on_link)
        self.refresh()
        self._update_buttons()

    # ---------------------------------------------------------------- life cycle

    def start_desk_readers(self) -> None:
        """Listen for taps on a serial desk reader of this PC (in the site's own window)."""
        self.desk.start_local(self.ctx)

    def _on_events(self, events: list[m.Event]) -> None:
        """A card changed anywhere (this PC, another one, the CLI): read the list again."""
        for ev in events:
            if ev.type == "configuration_changed" and "cards" in (ev.data.get("kinds") or ()):
                self.refresh()
                return

    def _on_link(self, up: bool, why: str) -> None:
        if up:
            self.refresh()
        else:
            self._say(
                self.tr("The site is not reachable ({0}): the list is as last read.").format(why),
                True,
            )

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

    def refresh(self, select: int | None = None) -> None:
        """Re-read the list from the site (`card_rows`) on the worker; then select `select`,
        else keep the selected card."""
        if select is not None:  # kept until a list is shown: a newer read must not lose it
            self._select_next = select
        self._reading += 1
        reading, client = self._reading, self.ctx.client
        search = self.search.text().strip() or None
        assert client is not None

        def failed(e: BaseException) -> None:
            if reading == self._reading:
                self._shown = reading
                self._say(error_line(e), True)

        def done(rows: list[m.CardListRow]) -> None:
            if reading == self._reading:
                self._shown = reading
                self._show_rows(rows)

        self.ctx.worker.run(lambda: client.card_rows(search), done, failed)

    def _show_rows(self, rows: list[m.CardListRow]) -> None:
        # The card selected now (not when the read began: a tap may have selected one since).
        keep = self._select_next if self._select_next is not None else self.selected_card_id()
        self._select_next = None
        self.loads += 1
        self.model.set_rows(rows)
        self.count.setText(words.plural(len(rows), self.tr("1 card"), self.tr("{0} cards")))
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
            self.refresh(select=card_id)  # selected when the list comes
            return False
        if row is None:
            if self._shown != self._reading:  # a list is on its way: select it there
                self._select_next = card_id
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(idx.row())
        self.table.scrollTo(idx)
        return True

    def _update_buttons(self) -> None:
        row = self.model.row_of(self.selected_card_id() or -1)
        card = self.model.rows[row] if row is not None else None
        offer(self.add_button, self.ctx, "cards.add")
        offer(self.edit_button, self.ctx, "cards.edit", also=card is not None)
        offer(self.block_button, self.ctx, "cards.edit", also=card is not None)
        self.block_button.setText(
            self.tr("Unblock") if card is not None and card.blocked else self.tr("Block")
        )
        offer(self.import_button, self.ctx, "cards.import")
        offer(self.export_button, self.ctx, "cards.export")

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
        self._present += 1
        asked, client = self._present, self.ctx.client
        assert client is not None

        def answered(known: list[m.KnownCard]) -> None:
            if asked == self._present:
                self._presented(text, uid, source, enrol, known)

        def failed(e: BaseException) -> None:
            if asked == self._present:
                self.tap_status.setStyleSheet(ERROR_STYLE)
                self.tap_status.setText(error_line(e))

        self.ctx.worker.run(lambda: client.known_cards(text), answered, failed)

    def _presented(
        self, text: str, uid: str, source: str | None, enrol: bool, found: list[m.KnownCard]
    ) -> None:
        known = [(c.card_id, c.uid, c.who) for c in found]
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
        elif enrol:  # the role may not enrol: say so here, not after a whole form
            self.tap_status.setText(
                self.tr("New card {0}{1}. {2}").format(uid, via, who_may("cards.add"))
            )

    def _on_desk_tap(self, uid: str, raw: str, reader: str) -> None:
        # The reader's UID is hex bytes: written so that typed-text rules keep it so.
        text = exact_text(uid) if uid else raw
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.uid.setText(text)  # fills the open dialog's number field
            return
        self.tap.setText(text)
        # While another page is shown, a tap is only noted here: no dialog pops up over the
        # bay board; the owner finds the card waiting in the enrol field.
        self.present(text, self.tr("desk reader {0}").format(reader), self.isVisible())

    def open_dialog(self, card_id: int | None = None, uid: str = "") -> CardDialog:
        assert self.ctx.client is not None
        dlg = CardDialog(self.ctx.client, self.ctx.worker, card_id, uid, self)
        self.dialog = dlg
        dlg.finished.connect(lambda result: self._dialog_closed(dlg, result))
        dlg.open()
        return dlg

    def _dialog_closed(self, dlg: CardDialog, result: int) -> None:
        if self.dialog is dlg:
            self.dialog = None
        if dlg.saved_card_id is not None:  # the site applied it at once (`save_card`)
            self.refresh(select=dlg.saved_card_id)
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
        client = self.ctx.client
        assert client is not None
        self.block_button.setEnabled(False)

        def done(_card: m.Card) -> None:  # the site applied it: a blocked card's session stops
            self._say(
                (
                    self.tr("Card {0} blocked.")
                    if not card.blocked
                    else self.tr("Card {0} unblocked.")
                ).format(card.uid)
            )
            self.refresh()

        def failed(e: BaseException) -> None:
            self._say(error_line(e), True)
            self._update_buttons()

        self.ctx.worker.run(lambda: client.set_blocked(card.uid, not card.blocked), done, failed)

    # ---------------------------------------------------------------- CSV

    def choose_import(self) -> None:
        path = files.open_path(
            self, self.tr("Import cards"), self.tr("CSV files (*.csv);;All files (*)")
        )
        if path:
            self.open_import(Path(path))

    def open_import(self, path: Path) -> ImportDialog:
        assert self.ctx.client is not None
        dlg = ImportDialog(self.ctx.client, self.ctx.worker, path, self)
        dlg.imported.connect(self._imported)
        dlg.open()
        return dlg

    def _imported(self, n: int) -> None:
        self._say(words.plural(n, self.tr("Imported 1 card."), self.tr("Imported {0} cards.")))
        self.refresh()

    def choose_export(self) -> None:
        path = files.save_path(
            self, self.tr("Export cards"), "cards.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """The site sends the CSV text (`export_cards`, audited); it is written here, where
        the user chose, on the worker: to a temporary name first, so a failure leaves no
        half-written file behind."""
        client = self.ctx.client
        assert client is not None

        def export() -> int:
            text = client.export_cards()
            write_atomically(path, text)
            return max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)

        self._say(self.tr("Exporting…"))
        self.ctx.worker.run(
            export,
            lambda n: self._say(
                (
                    self.tr("Exported 1 card to {1}.")
                    if n == 1
                    else self.tr("Exported {0} cards to {1}.")
                ).format(n, path)
            ),
            lambda e: self._say(
                error_line(e)
                if not isinstance(e, OSError)
                else self.tr("Export failed: {0}").format(e.strerror or e),
                True,
            ),
        )


def write_atomically(path: Path, text: str) -> None:
    """`text` to `path` (UTF-8) through a temporary file beside it: all or nothing."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".cards-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    remote=True,
)
