"""An OCPP charger's own side, from the Chargers page: its configuration as the charger
reports it (GetConfiguration) with a key changed in place (ChangeConfiguration), and its
last messages both ways (fault tracing). Everything through `ctx.client` on the worker:
the charger answers through the site service it is connected to, so an offline or
refusing charger is one line in the dialog, and the tables keep what they showed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from stationmgr.client import ocpp_models as o
from ui.context import AppContext
from ui.forms import fit_on_screen
from ui.history.times import line

LOG_ROWS = 200
PAYLOAD_SHOWN = 300


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class OcppDialog(QDialog):
    def __init__(self, ctx: AppContext, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.name = name
        self.setObjectName("OcppDialog")
        self.setWindowTitle(self.tr("Charger {0} (OCPP)").format(name))
        self.config_loads = 0
        self.log_loads = 0
        self.changing = False
        self.keys: list[o.OcppConfigKey] = []

        self.config = _table([self.tr("Key"), self.tr("Value"), self.tr("Read-only")])
        self.config.setObjectName("configuration")
        self.config.itemSelectionChanged.connect(self._picked)
        self.key = QLineEdit()
        self.key.setReadOnly(True)
        self.key.setPlaceholderText(self.tr("pick a key"))
        self.value = QLineEdit()
        self.value.setObjectName("value")
        self.value.returnPressed.connect(self.change)
        self.change_button = QPushButton(self.tr("Change on the charger"))
        self.change_button.clicked.connect(self.change)
        self.reload_config_button = QPushButton(self.tr("Read again"))
        self.reload_config_button.clicked.connect(self.load_config)
        edit = QHBoxLayout()
        edit.addWidget(self.key, 2)
        edit.addWidget(self.value, 3)
        edit.addWidget(self.change_button)
        config_tab = QWidget()
        lay = QVBoxLayout(config_tab)
        lay.addWidget(self.reload_config_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.config)
        lay.addLayout(edit)

        self.log = _table(
            [self.tr("Time"), self.tr("Direction"), self.tr("Kind"), self.tr("Action"),
             self.tr("Unique id"), self.tr("Payload")]
        )  # fmt: skip
        self.log.setObjectName("messages")
        self.reload_log_button = QPushButton(self.tr("Read again"))
        self.reload_log_button.clicked.connect(self.load_log)
        log_tab = QWidget()
        lay = QVBoxLayout(log_tab)
        lay.addWidget(self.reload_log_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.log)

        self.tabs = QTabWidget()
        self.tabs.addTab(config_tab, self.tr("Configuration"))
        self.tabs.addTab(log_tab, self.tr("Messages"))
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        main = QVBoxLayout(self)
        main.addWidget(self.tabs)
        main.addWidget(self.message)
        main.addWidget(buttons)
        fit_on_screen(self, 900, 600)
        self._update()
        self.load_config()
        self.load_log()

    # ---------------------------------------------------------------- configuration

    def load_config(self) -> None:
        client, name = self.ctx.client, self.name
        self.ctx.worker.run(
            lambda: client.ocpp_configuration(name), self._show_config, self._failed
        )

    def _show_config(self, conf: o.OcppConfiguration) -> None:
        keep = self.key.text()
        self.keys = list(conf.keys)
        self.config.setRowCount(len(self.keys))
        for i, k in enumerate(self.keys):
            cells = [k.key, k.value or "", self.tr("yes") if k.readonly else ""]
            for j, text in enumerate(cells):
                self.config.setItem(i, j, QTableWidgetItem(text))
            if k.key == keep:
                self.config.selectRow(i)
        self.config.horizontalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        self.config_loads += 1
        self._update()

    def value_of(self, key: str) -> str | None:
        return next((k.value for k in self.keys if k.key == key), None)

    def pick(self, key: str) -> None:
        for i, k in enumerate(self.keys):
            if k.key == key:
                self.config.selectRow(i)

    def _picked(self) -> None:
        rows = self.config.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.keys):
            k = self.keys[rows[0].row()]
            self.key.setText(k.key)
            self.value.setText(k.value or "")
        self._update()

    def _selected(self) -> o.OcppConfigKey | None:
        return next((k for k in self.keys if k.key == self.key.text()), None)

    def _update(self) -> None:
        k = self._selected()
        may = self.ctx.allowed("chargers.configure")
        self.change_button.setEnabled(
            may and k is not None and not k.readonly and not self.changing
        )
        self.value.setEnabled(may and k is not None and not k.readonly)

    def change(self) -> None:
        k = self._selected()
        if k is None or k.readonly or self.changing or not self.change_button.isEnabled():
            return
        self.changing = True
        self._update()
        client, name = self.ctx.client, self.name
        change = o.OcppConfigChange(k.key, self.value.text())

        def done(answer: o.OcppAnswer) -> None:
            self.changing = False
            self._say(self.tr("{0}={1}: {2}").format(change.key, change.value, answer.status))
            self.load_config()

        def failed(e: BaseException) -> None:
            self.changing = False
            self._failed(e)

        self.ctx.worker.run(lambda: client.change_ocpp_configuration(name, change), done, failed)

    # ---------------------------------------------------------------- message log

    def load_log(self) -> None:
        client, name = self.ctx.client, self.name
        self.ctx.worker.run(lambda: client.ocpp_log(name, LOG_ROWS), self._show_log, self._failed)

    def _show_log(self, rows: list[o.OcppMessageRow]) -> None:
        newest = list(reversed(rows))  # newest first: a fault's last words on top
        self.log.setRowCount(len(newest))
        for i, r in enumerate(newest):
            way = self.tr("charger → site") if r.direction == "in" else self.tr("site → charger")
            payload = (
                r.payload if len(r.payload) <= PAYLOAD_SHOWN else r.payload[:PAYLOAD_SHOWN] + "…"
            )
            cells = [r.at, way, r.kind, r.action or "", r.unique_id or "", payload]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == len(cells) - 1:
                    item.setToolTip(r.payload[:4000])
                self.log.setItem(i, j, item)
        self.log.horizontalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        self.log_loads += 1

    def logged(self) -> list[tuple[str, str, str]]:
        """(direction, kind, action) of each row shown, as a test reads them."""
        out = []
        for i in range(self.log.rowCount()):
            cells = [self.log.item(i, j) for j in (1, 2, 3)]
            out.append(tuple(c.text() if c is not None else "" for c in cells))
        return out  # type: ignore[return-value]

    # ---------------------------------------------------------------- messages

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b3261e;" if error else "")
        self.message.setText(text)

    def _failed(self, e: BaseException) -> None:
        self._say(line(e), True)
        self._update()
