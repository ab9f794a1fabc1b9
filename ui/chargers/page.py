"""Charger setup: the site's chargers with their bays, and its card readers (at a bay or at
the desk). Add, edit, remove, test a connection (on the site's own PC). Everything goes
through `ctx.client`; the site saves a change and the running site applies it at once (an
added charger is polled, a removed one let go, an edited one restarted), then says so with
a `configuration_changed` event: the page refreshes on it, whichever client made the change.
Each charger's state (answering or not) follows the site: re-read every 2 s while shown,
and at once on `charger_online`/`charger_offline`."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
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

from stationmgr.client import models as m
from stationmgr.site_setup import default_baud
from ui.chargers.dialogs import ChargerDialog, ReaderDialog
from ui.chargers.ocpp import OcppDialog
from ui.chargers.pending import PendingBox
from ui.context import AppContext
from ui.history.times import line
from ui.offer import offer
from ui.pages import PageSpec

APPLIED = "Saved. The running site uses it now."
SAVED_FOR_START = "Saved. The site uses it when it starts."
NOT_CONFIRMED = "Saved. The running site has not said yet that it uses it."
APPLY_WAIT_MS = 30_000
COMM_WORDS = {
    "answering": QT_TRANSLATE_NOOP("ChargersPage", "enabled · answering"),
    "not answering": QT_TRANSLATE_NOOP("ChargersPage", "enabled · not answering"),
    "connecting": QT_TRANSLATE_NOOP("ChargersPage", "enabled · connecting"),
    "not running": QT_TRANSLATE_NOOP("ChargersPage", "enabled · not running (see the site's log)"),
    "waiting": QT_TRANSLATE_NOOP(
        "ChargersPage", "enabled · waiting for the charge point to connect"
    ),
}


class ChargersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ChargersPage")
        self.dialog: ChargerDialog | ReaderDialog | None = None
        self.applying = False  # the running site is applying a change saved here
        self.rows: m.DeviceRows | None = None
        self.loads = 0
        self.busy = False  # a change is being saved
        self._changes = 0  # configuration_changed (chargers/readers) events seen
        self._mark = 0  # … when the change being saved started
        self._prefix = ""
        self._status_busy = False
        self._keep: str | None = None  # the charger to select once the lists are back
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(APPLY_WAIT_MS)
        self._apply_timer.timeout.connect(self._not_confirmed)

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
        self.ocpp_button = QPushButton(self.tr("OCPP…"))  # configuration and messages
        self.ocpp_button.setToolTip(self.tr("The charger's own configuration and its messages"))
        self.ocpp_button.clicked.connect(self.open_ocpp)

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
        self.pending = PendingBox(ctx, self)  # OCPP charge points asking to join
        self.pending.begin.connect(lambda: setattr(self, "_mark", self._changes))
        self.pending.changed.connect(self._saved)
        self.pending.failed.connect(lambda text: self._say(text, True))

        lay = QVBoxLayout(self)
        lay.addWidget(self.pending)
        lay.addWidget(
            self._group(
                self.tr("Chargers and their bays"),
                self.chargers,
                [
                    self.add_charger_button,
                    self.edit_charger_button,
                    self.remove_charger_button,
                    self.ocpp_button,
                ],
            ),
            5,
        )
        lay.addWidget(
            self._group(
                self.tr("Card readers"),
                self.readers,
                [self.add_reader_button, self.edit_reader_button, self.remove_reader_button],
            ),
            2,  # a few readers; the chargers' tree (two lines per charger) needs the room
        )
        lay.addWidget(self.message)
        self._status_timer = QTimer(self, interval=2000)
        self._status_timer.timeout.connect(self._tick_status)
        self._status_timer.start()
        if ctx.site is not None:
            ctx.site.events.connect(self._on_events)
            ctx.site.link.connect(self._on_link)
        self.refresh()

    def _on_events(self, events: list[m.Event]) -> None:
        """Another client (or this page) changed chargers or readers: show them as stored;
        a charger went silent or answers again: say so at once."""
        changed = False
        for ev in events:
            if ev.type == "configuration_changed":
                kinds = set(ev.data.get("kinds") or ())
                if kinds & {"chargers", "readers"}:
                    changed = True
            elif ev.type in ("charger_online", "charger_offline"):
                word = "answering" if ev.type == "charger_online" else "not answering"
                self._set_comm(str(ev.data.get("name", "")), word)
        if changed:
            self._changes += 1
            self.refresh()
            if self.applying and not self.busy:
                self._applied()

    def _on_link(self, up: bool, why: str) -> None:
        if up:
            self.refresh()
        else:
            self._say(self.tr("The site cannot be reached: {0}").format(why), True)

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
        """Re-read both lists from the site (in the background); keeps the selection."""
        client = self.ctx.client

        def failed(e: BaseException) -> None:  # the lists on screen stay
            self._say(self.tr("Could not read the chargers: {0}").format(line(e)), True)

        self.ctx.worker.run(client.devices, self._show, failed)
        self.pending.refresh()

    def _show(self, rows: m.DeviceRows) -> None:
        keep = self._keep or self.selected_charger()
        self._keep = None
        keep_reader = self.selected_reader()
        self.rows = rows
        self.loads += 1
        self.chargers.clear()
        for c in rows.chargers:
            item = QTreeWidgetItem(
                [
                    c.name,
                    c.driver,
                    c.port,
                    "" if c.address is None else str(c.address),
                    _baud_text(c.baud, c.driver),
                    self._status(c.enabled, c.comm),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, c.name)
            item.setData(5, Qt.ItemDataRole.UserRole, c.enabled)
            for b in c.bays:
                reader = b.reader
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
                child.setData(0, Qt.ItemDataRole.UserRole, c.name)
                item.addChild(child)
            self.chargers.addTopLevelItem(item)
        self.chargers.expandAll()
        self.readers.clear()
        for r in rows.readers:
            where = r.bay
            item = QTreeWidgetItem(
                [
                    r.name,
                    r.driver,
                    r.port,
                    _baud_text(r.baud, r.driver),
                    self.tr("bay {0}").format(where) if where else self.tr("the desk (enrolment)"),
                    self.tr("enabled") if r.enabled else self.tr("disabled"),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, r.name)
            self.readers.addTopLevelItem(item)
            if r.name == keep_reader:
                self.readers.setCurrentItem(item)
        for view in (self.chargers, self.readers):
            view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if not rows.chargers and not self.message.text():  # never over a change's word
            self.message.setText(
                self.tr("No charger yet: add one, pick its port and press Test connection.")
            )
        if keep is not None:
            self.select_charger(keep)
        self._update_buttons()

    def _status(self, enabled: bool, comm: str | None) -> str:
        """Enabled or not; with the site running, also what the site makes of it now."""
        if not enabled:
            return self.tr("disabled")
        if comm is None:
            return self.tr("enabled")
        return self.tr(COMM_WORDS.get(comm, "enabled"))

    def _set_comm(self, name: str, comm: str) -> None:
        for i in range(self.chargers.topLevelItemCount()):
            item = self.chargers.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                item.setText(5, self._status(bool(item.data(5, Qt.ItemDataRole.UserRole)), comm))

    def _tick_status(self) -> None:
        """Follow the running site: answering / not answering, and charge points asking
        to join (one read at a time)."""
        if not self.isVisible() or self._status_busy or self.rows is None or not self.rows.running:
            return
        self.pending.refresh()
        self._status_busy = True
        client = self.ctx.client

        def done(rows: m.DeviceRows) -> None:
            self._status_busy = False
            for c in rows.chargers:
                self._set_comm(c.name, c.comm or "")

        def failed(_e: BaseException) -> None:
            self._status_busy = False  # the link line says why; the last state stays

        self.ctx.worker.run(client.devices, done, failed)

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        super().showEvent(event)  # type: ignore[arg-type]
        self.refresh()  # the site's view of each charger may have changed meanwhile

    def selected_charger(self) -> str | None:
        """The selected charger's name (a bay's row selects its charger)."""
        items = self.chargers.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def selected_reader(self) -> str | None:
        items = self.readers.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def select_charger(self, name: str) -> None:
        for i in range(self.chargers.topLevelItemCount()):
            item = self.chargers.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                self.chargers.setCurrentItem(item)

    def _update_buttons(self) -> None:
        charger, reader = self.selected_charger() is not None, self.selected_reader() is not None
        offer(self.add_charger_button, self.ctx, "chargers.add")  # tooltip: who may
        offer(self.add_reader_button, self.ctx, "chargers.add")
        offer(self.edit_charger_button, self.ctx, "chargers.edit", also=charger)
        offer(self.remove_charger_button, self.ctx, "chargers.remove", also=charger)
        offer(self.edit_reader_button, self.ctx, "chargers.edit", also=reader)
        offer(self.remove_reader_button, self.ctx, "chargers.remove", also=reader)
        self.pending._update_buttons()  # the role may have changed (signed in again)
        self.ocpp_button.setEnabled(self._selected_driver() == "ocpp")

    def _selected_driver(self) -> str | None:
        name = self.selected_charger()
        rows = self.rows.chargers if self.rows is not None else []
        return next((c.driver for c in rows if c.name == name), None)

    def open_ocpp(self) -> OcppDialog | None:
        """The selected OCPP charger's configuration and message log."""
        name = self.selected_charger()
        if name is None or self._selected_driver() != "ocpp":
            return None
        dlg = OcppDialog(self.ctx, name, self)
        dlg.finished.connect(lambda _r: dlg.deleteLater())
        dlg.open()
        return dlg

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b3261e;" if error else "")
        self.message.setText(text)

    def _begin(self) -> None:
        """A change starts here: its confirmation is the next configuration_changed."""
        self.busy = True
        self._mark = self._changes

    def _saved(self, prefix: str = "") -> None:
        """The site has the change: the running site applies it and says so (an event);
        a site that is not running uses it when it starts."""
        self.busy = False
        self._prefix = prefix
        self.refresh()
        if self.rows is None or not self.rows.running:
            self.applying = False
            self._say(prefix + self.tr(SAVED_FOR_START))
        elif self._changes > self._mark:  # the event came before the answer
            self._applied()
        else:
            self.applying = True
            self._apply_timer.start()

    def _applied(self) -> None:
        self.applying = False
        self._apply_timer.stop()
        self._say(self._prefix + self.tr(APPLIED))

    def _not_confirmed(self) -> None:
        if self.applying:
            self.applying = False
            self._say(self._prefix + self.tr(NOT_CONFIRMED), True)

    def _refused(self, e: BaseException) -> None:
        self.busy = False
        self.applying = False
        self._say(line(e), True)

    # ---------------------------------------------------------------- dialogs

    def open_charger(self, name: str | None) -> ChargerDialog:
        dlg = ChargerDialog(self.ctx, name, self)
        self._open(dlg)
        return dlg

    def open_reader(self, name: str | None) -> ReaderDialog:
        dlg = ReaderDialog(self.ctx, name, self)
        self._open(dlg)
        return dlg

    def _open(self, dlg: ChargerDialog | ReaderDialog) -> None:
        self.dialog = dlg
        self._mark = self._changes  # a save from this dialog is confirmed after this
        dlg.finished.connect(lambda _r: self._closed(dlg))
        dlg.open()

    def _closed(self, dlg: ChargerDialog | ReaderDialog) -> None:
        if self.dialog is dlg:
            self.dialog = None
        if dlg.saved_name is not None:
            if isinstance(dlg, ChargerDialog):
                self._keep = dlg.saved_name
            self._saved()
        dlg.deleteLater()

    def edit_charger(self) -> None:
        name = self.selected_charger()
        if name is not None and self.ctx.allowed("chargers.edit"):
            self.open_charger(name)

    def edit_reader(self) -> None:
        name = self.selected_reader()
        if name is not None and self.ctx.allowed("chargers.edit"):
            self.open_reader(name)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Remove"), text)
        return answer == QMessageBox.StandardButton.Yes

    def remove_selected_charger(self, confirm: bool = True) -> None:
        name = self.selected_charger()
        if name is None or self.busy:
            return
        if confirm and not self._confirm(
            self.tr(
                "Remove charger {0} and its bays? A session running on it is stopped. A "
                "charger with sessions on record is disabled instead, so its history stays."
            ).format(name)
        ):
            return
        self._begin()
        client = self.ctx.client

        def done(removed: m.Removed) -> None:
            prefix = ""
            if removed.outcome == "disabled":
                prefix = self.tr("Charger has sessions on record: disabled, not removed. ")
            self._saved(prefix)

        self.ctx.worker.run(lambda: client.remove_charger(name), done, self._refused)

    def remove_selected_reader(self, confirm: bool = True) -> None:
        name = self.selected_reader()
        if name is None or self.busy:
            return
        if confirm and not self._confirm(self.tr("Remove this card reader?")):
            return
        self._begin()
        client = self.ctx.client
        self.ctx.worker.run(
            lambda: client.remove_reader(name), lambda _r: self._saved(), self._refused
        )


PAGE = PageSpec(
    key="chargers",
    title=lambda: QCoreApplication.translate("ChargersPage", "Chargers"),
    factory=ChargersPage,
    icon="chargers",
    order=60,
    remote=True,
)


def _baud_text(baud: int | None, driver: str) -> str:
    """The configured baud, or the driver's default in brackets (what the port really uses)."""
    if baud is not None:
        return str(baud)
    default = default_baud(driver)
    return f"({default})" if default else ""
