"""Charger setup: the site's chargers with their bays, and its card readers (at a bay or at
the desk). Add, edit, remove, test a connection. Changes are written to the database; the
running site loads them at its next start (the page says so after each change)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from stationmgr.errors import StationError
from stationmgr.site_setup import default_baud, remove_charger, remove_reader
from stationmgr.store.models import Bay, CardReaderDevice, Charger
from ui.chargers.dialogs import ChargerDialog, ReaderDialog
from ui.context import AppContext
from ui.pages import PageSpec

RESTART_NOTE = "Saved. The site loads chargers and readers when it starts: restart it to apply."


class ChargersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ChargersPage")
        self.dialog: ChargerDialog | ReaderDialog | None = None

        self.chargers = QTreeWidget()
        self.chargers.setObjectName("chargers")
        self.chargers.setHeaderLabels(
            [
                self.tr("Charger / bay"),
                self.tr("Driver"),
                self.tr("Port"),
                self.tr("Address"),
                self.tr("Baud"),
                self.tr("Status"),
            ]
        )
        self.chargers.setRootIsDecorated(True)
        self.chargers.setAlternatingRowColors(True)
        self.chargers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.chargers.itemDoubleClicked.connect(lambda *_: self.edit_charger())
        self.chargers.itemSelectionChanged.connect(self._update_buttons)
        self.add_charger_button = QPushButton(self.tr("Add charger…"))
        self.edit_charger_button = QPushButton(self.tr("Edit / test…"))
        self.remove_charger_button = QPushButton(self.tr("Remove"))
        self.add_charger_button.clicked.connect(lambda: self.open_charger(None))
        self.edit_charger_button.clicked.connect(self.edit_charger)
        self.remove_charger_button.clicked.connect(self.remove_selected_charger)

        self.readers = QTreeWidget()
        self.readers.setObjectName("readers")
        self.readers.setHeaderLabels(
            [
                self.tr("Card reader"),
                self.tr("Driver"),
                self.tr("Port"),
                self.tr("Baud"),
                self.tr("Reads cards for"),
                self.tr("Status"),
            ]
        )
        self.readers.setRootIsDecorated(False)
        self.readers.setAlternatingRowColors(True)
        self.readers.itemDoubleClicked.connect(lambda *_: self.edit_reader())
        self.readers.itemSelectionChanged.connect(self._update_buttons)
        self.add_reader_button = QPushButton(self.tr("Add reader…"))
        self.edit_reader_button = QPushButton(self.tr("Edit…"))
        self.remove_reader_button = QPushButton(self.tr("Remove"))
        self.add_reader_button.clicked.connect(lambda: self.open_reader(None))
        self.edit_reader_button.clicked.connect(self.edit_reader)
        self.remove_reader_button.clicked.connect(self.remove_selected_reader)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.addWidget(
            self._group(
                self.tr("Chargers and their bays"),
                self.chargers,
                [self.add_charger_button, self.edit_charger_button, self.remove_charger_button],
            ),
            3,
        )
        lay.addWidget(
            self._group(
                self.tr("Card readers"),
                self.readers,
                [self.add_reader_button, self.edit_reader_button, self.remove_reader_button],
            ),
            2,
        )
        lay.addWidget(self.message)
        self._status_timer = QTimer(self, interval=2000)
        self._status_timer.timeout.connect(self._tick_status)
        self._status_timer.start()
        self.refresh()

    def _group(self, title: str, view: QWidget, buttons: list[QPushButton]) -> QGroupBox:
        box = QGroupBox(title)
        row = QHBoxLayout()
        for b in buttons:
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(box)
        lay.addLayout(row)
        lay.addWidget(view)
        return box

    # ---------------------------------------------------------------- lists

    def refresh(self) -> None:
        """Re-read both lists (small tables: fine on the GUI thread); keeps the selection."""
        keep = self.selected_charger_id()
        with self.ctx.db.session() as s:
            chargers = list(s.scalars(select(Charger).order_by(Charger.name)))
            labels = {b.id: b.label for b in s.scalars(select(Bay))}
            readers = list(s.scalars(select(CardReaderDevice).order_by(CardReaderDevice.name)))
            by_bay = {r.bay_id: r.name for r in readers if r.bay_id is not None}
            self.chargers.clear()
            for c in chargers:
                item = QTreeWidgetItem(
                    [
                        c.name,
                        c.driver,
                        c.port,
                        "" if c.address is None else str(c.address),
                        _baud_text(c.baud, c.driver),
                        self._charger_status(c),
                    ]
                )
                item.setData(0, Qt.ItemDataRole.UserRole, c.id)
                item.setData(5, Qt.ItemDataRole.UserRole, c.enabled)
                for b in c.bays:
                    reader = by_bay.get(b.id)
                    child = QTreeWidgetItem(
                        [
                            self.tr("Bay {0} (connector {1})").format(b.label, b.connector),
                            "",
                            "",
                            "",
                            "",
                            self.tr("card reader: {0}").format(reader)
                            if reader
                            else self.tr("no card reader"),
                        ]
                    )
                    child.setData(0, Qt.ItemDataRole.UserRole, c.id)
                    item.addChild(child)
                self.chargers.addTopLevelItem(item)
            self.chargers.expandAll()
            self.readers.clear()
            for r in readers:
                where = labels.get(r.bay_id, "?") if r.bay_id is not None else None
                item = QTreeWidgetItem(
                    [
                        r.name,
                        r.driver,
                        r.port,
                        _baud_text(r.baud, r.driver),
                        self.tr("bay {0}").format(where)
                        if where
                        else self.tr("the desk (enrolment)"),
                        self.tr("enabled") if r.enabled else self.tr("disabled"),
                    ]
                )
                item.setData(0, Qt.ItemDataRole.UserRole, r.id)
                self.readers.addTopLevelItem(item)
        for view in (self.chargers, self.readers):
            view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if not chargers:
            self.message.setText(
                self.tr("No charger yet: add one, pick its port and press Test connection.")
            )
        if keep is not None:
            self.select_charger(keep)
        self._update_buttons()

    def _charger_status(self, c: Charger) -> str:
        return self._status(c.id, c.enabled)

    def _status(self, charger_id: int, enabled: bool) -> str:
        """Enabled or not; with the site running, also what the site makes of it now."""
        if not enabled:
            return self.tr("disabled")
        eng = self.ctx.engine
        if eng is None or not eng.running:
            return self.tr("enabled")
        coord = eng.coordinators.get(charger_id)
        if coord is None:
            return self.tr("enabled · not running yet (restart the site to apply)")
        online = getattr(coord, "online", None)
        if online is None:
            return self.tr("enabled · connecting")
        return self.tr("enabled · answering") if online else self.tr("enabled · not answering")

    def _tick_status(self) -> None:
        """Follow the running site: answering / not answering, without re-reading."""
        if not self.isVisible() or self.ctx.engine is None:
            return
        for i in range(self.chargers.topLevelItemCount()):
            item = self.chargers.topLevelItem(i)
            cid = item.data(0, Qt.ItemDataRole.UserRole)
            item.setText(5, self._status(cid, bool(item.data(5, Qt.ItemDataRole.UserRole))))

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        super().showEvent(event)  # type: ignore[arg-type]
        self.refresh()  # the site's view of each charger may have changed meanwhile

    def selected_charger_id(self) -> int | None:
        items = self.chargers.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def selected_reader_id(self) -> int | None:
        items = self.readers.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def select_charger(self, charger_id: int) -> None:
        for i in range(self.chargers.topLevelItemCount()):
            item = self.chargers.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == charger_id:
                self.chargers.setCurrentItem(item)

    def _update_buttons(self) -> None:
        add, edit, rm = (self.ctx.allowed(f"chargers.{v}") for v in ("add", "edit", "remove"))
        self.add_charger_button.setEnabled(add)
        self.add_reader_button.setEnabled(add)
        self.edit_charger_button.setEnabled(edit and self.selected_charger_id() is not None)
        self.remove_charger_button.setEnabled(rm and self.selected_charger_id() is not None)
        self.edit_reader_button.setEnabled(edit and self.selected_reader_id() is not None)
        self.remove_reader_button.setEnabled(rm and self.selected_reader_id() is not None)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b3261e;" if error else "")
        self.message.setText(text)

    # ---------------------------------------------------------------- dialogs

    def open_charger(self, charger_id: int | None) -> ChargerDialog:
        dlg = ChargerDialog(self.ctx, charger_id, self)
        self._open(dlg)
        return dlg

    def open_reader(self, reader_id: int | None) -> ReaderDialog:
        dlg = ReaderDialog(self.ctx, reader_id, self)
        self._open(dlg)
        return dlg

    def _open(self, dlg: ChargerDialog | ReaderDialog) -> None:
        self.dialog = dlg
        dlg.finished.connect(lambda _r: self._closed(dlg))
        dlg.open()

    def _closed(self, dlg: ChargerDialog | ReaderDialog) -> None:
        if self.dialog is dlg:
            self.dialog = None
        if dlg.saved_id is not None:
            self.refresh()
            if isinstance(dlg, ChargerDialog):
                self.select_charger(dlg.saved_id)
            self._say(self.tr(RESTART_NOTE))
        dlg.deleteLater()

    def edit_charger(self) -> None:
        cid = self.selected_charger_id()
        if cid is not None and self.ctx.allowed("chargers.edit"):
            self.open_charger(cid)

    def edit_reader(self) -> None:
        rid = self.selected_reader_id()
        if rid is not None and self.ctx.allowed("chargers.edit"):
            self.open_reader(rid)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Remove"), text)
        return answer == QMessageBox.StandardButton.Yes

    def remove_selected_charger(self, confirm: bool = True) -> None:
        cid = self.selected_charger_id()
        if cid is None:
            return
        name = self.chargers.selectedItems()[0].text(0)
        if confirm and not self._confirm(
            self.tr(
                "Remove charger {0} and its bays? A charger with sessions on record is "
                "disabled instead, so its history stays."
            ).format(name)
        ):
            return
        try:
            with self.ctx.db.session() as s:
                outcome = remove_charger(s, cid)
        except StationError as e:
            self._say(str(e), True)
            return
        self.refresh()
        if outcome == "disabled":
            self._say(
                self.tr("Charger has sessions on record: disabled, not removed. ")
                + self.tr(RESTART_NOTE)
            )
        else:
            self._say(self.tr(RESTART_NOTE))

    def remove_selected_reader(self, confirm: bool = True) -> None:
        rid = self.selected_reader_id()
        if rid is None:
            return
        if confirm and not self._confirm(self.tr("Remove this card reader?")):
            return
        try:
            with self.ctx.db.session() as s:
                remove_reader(s, rid)
        except StationError as e:
            self._say(str(e), True)
            return
        self.refresh()
        self._say(self.tr(RESTART_NOTE))


PAGE = PageSpec(
    key="chargers",
    title=lambda: QCoreApplication.translate("ChargersPage", "Chargers"),
    factory=ChargersPage,
    icon="chargers",
    order=60,
)


def _baud_text(baud: int | None, driver: str) -> str:
    """The configured baud, or the driver's default in brackets (what the port really uses)."""
    if baud is not None:
        return str(baud)
    default = default_baud(driver)
    return f"({default})" if default else ""
