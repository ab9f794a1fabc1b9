"""Add or edit a charger (driver, port, address, baud, bays) or a card reader (driver, port,
baud, which bay or the desk), through the site client: the form is read from the site, a
save is checked there (`stationmgr.site_setup`: the same rules as the CLI) and a refusal
shows inline. Charger and reader are named by their name, as in the site API.

Test connection and the port list touch this PC's serial ports: they are offered only on
the site's own PC. Over `--site` the ports are the site PC's, so the list is not filled
from this one and the probe is not offered (the site's own `stationmgr devices probe` is)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from stationmgr.client import models as m
from stationmgr.drivers import CHARGER_DRIVERS, READER_DRIVERS, DeviceConfig, load_all
from stationmgr.drivers.ports import serial_ports as list_serial_ports
from stationmgr.errors import StationError, UserError
from stationmgr.site_setup import check_line, default_baud
from ui.chargers.probe import (
    READER_TIMEOUT_S,
    failure_text,
    run_probe,
    run_reader_probe,
    snapshot_html,
    tap_html,
)
from ui.context import AppContext
from ui.forms import ERROR_STYLE, finish_dialog
from ui.history.times import line

REMOTE_PROBE = QT_TRANSLATE_NOOP(
    "ChargerDialog",
    "Test connection opens this PC's serial ports, and the charger is connected to the site's PC: "
    "run it there (`stationmgr devices probe`).",
)

REMOTE_READER_PROBE = QT_TRANSLATE_NOOP(
    "ReaderDialog",
    "Test connection opens this PC's serial ports, and the reader is connected to the site's PC: "
    "run it there (`stationmgr devices probe rdm6300 PORT`).",
)

COMMON_BAUDS = ("9600", "19200", "38400", "57600", "115200")


def serial_ports() -> list[tuple[str, str]]:
    """(device, description with VID:PID) for every serial port on this computer."""
    return [
        (
            p["port"],
            f"{p['description']} [{p['vid_pid']}]".strip() if p["vid_pid"] else p["description"],
        )
        for p in list_serial_ports()
    ]


class PortPicker(QWidget):
    """An editable list of this computer's serial ports (with descriptions), plus free text
    for anything pyserial opens: socket://host:port, rfc2217://…, a pty."""

    def __init__(self, parent: QWidget | None = None, local: bool = True) -> None:
        super().__init__(parent)
        self.local = local  # False: the ports are another PC's (the site's): no scan here
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.lineEdit().setPlaceholderText("/dev/ttyUSB0, COM3, socket://host:port")
        self.combo.activated.connect(self._picked)
        self.rescan = QPushButton(self.tr("Rescan"))
        self.rescan.setToolTip(self.tr("Look for serial ports again (after plugging an adapter)"))
        self.rescan.clicked.connect(self.scan)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo, 1)
        lay.addWidget(self.rescan)
        if not local:
            self.rescan.setVisible(False)
            self.combo.lineEdit().setPlaceholderText(
                self.tr("a port on the site's PC: /dev/ttyUSB0, COM3, socket://host:port")
            )
            return
        self.scan()

    def scan(self) -> None:
        if not self.local:
            return
        text = self.port()
        self.combo.clear()
        ports = serial_ports()
        for device, desc in ports:
            self.combo.addItem(f"{device}  —  {desc}" if desc else device, device)
            self.combo.setItemData(self.combo.count() - 1, desc, Qt.ItemDataRole.ToolTipRole)
        if not ports:
            self.combo.lineEdit().setPlaceholderText(
                self.tr("no serial port found: type a port or socket://host:port")
            )
        self.set_port(text)

    def _picked(self, index: int) -> None:
        device = self.combo.itemData(index)
        if device:
            self.combo.setEditText(device)

    def port(self) -> str:
        text = self.combo.currentText().strip()
        idx = self.combo.findText(text)
        if idx >= 0 and self.combo.itemData(idx):
            return str(self.combo.itemData(idx))
        return text.split("  —  ", 1)[0].strip()

    def set_port(self, port: str) -> None:
        self.combo.setCurrentIndex(-1)
        self.combo.setEditText(port)


# What a site owner reads in the Driver list (the id is what the site stores).
DRIVER_NAMES = {
    "openevse": QT_TRANSLATE_NOOP("DriverBox", "OpenEVSE (RAPI, serial)"),
    "heidelberg": QT_TRANSLATE_NOOP("DriverBox", "Heidelberg Energy Control (Modbus RTU)"),
    "evse-din": QT_TRANSLATE_NOOP("DriverBox", "EVSE-DIN / SimpleEVSE (Modbus RTU)"),
    "ocpp": QT_TRANSLATE_NOOP("DriverBox", "OCPP 1.6J charge point (network)"),
    "rdm6300": QT_TRANSLATE_NOOP("DriverBox", "RDM6300 125 kHz reader (serial)"),
    "id12": QT_TRANSLATE_NOOP("DriverBox", "ID-12 / ID-20 125 kHz reader (serial)"),
}
HIDDEN_DRIVERS = {"inproc"}  # the demo's and tests' chargers without a wire: not offered
MODBUS_DRIVERS = {"heidelberg", "evse-din"}  # a slave address on an RS-485 bus


class DriverBox(QComboBox):
    """The drivers by their names, the most common first; the chosen driver's id."""

    def __init__(self, drivers: list[str], first: str | None = None) -> None:
        super().__init__()
        offered = [d for d in drivers if d not in HIDDEN_DRIVERS]
        order = [d for d in DRIVER_NAMES if d in offered] + sorted(
            d for d in offered if d not in DRIVER_NAMES
        )
        for d in order:
            self.addItem(self._name(d), d)
        self.select(first if first in order else (order[0] if order else ""))

    @staticmethod
    def _name(driver: str) -> str:
        text = DRIVER_NAMES.get(driver)
        return QCoreApplication.translate("DriverBox", text) if text else driver

    def driver(self) -> str:
        return str(self.currentData() or "")

    def select(self, driver: str) -> None:
        """Choose `driver`; one not offered (not installed here, or internal) is added and
        shown by its id, so editing such a charger keeps it."""
        if not driver:
            return
        i = self.findData(driver)
        if i < 0:
            self.addItem(driver, driver)
            i = self.count() - 1
        self.setCurrentIndex(i)


class _BaudBox(QComboBox):
    def __init__(self) -> None:
        super().__init__()
        self.setEditable(True)
        self.addItem("")
        self.addItems(COMMON_BAUDS)

    def value(self) -> int | None:
        t = self.currentText().strip()
        if not t:
            return None
        if not t.isdigit():
            raise UserError(f"baud rate {t!r} is not a number")
        return int(t)

    def set_value(self, baud: int | None) -> None:
        self.setEditText("" if baud is None else str(baud))

    def set_default(self, baud: int | None) -> None:
        hint = f"driver default: {baud}" if baud else "driver default"
        self.lineEdit().setPlaceholderText(hint)


class ChargerDialog(QDialog):
    """Add (name None) or edit a charger; `test` probes it without saving (on the site's
    PC only)."""

    def __init__(self, ctx: AppContext, name: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.charger_name = name
        self.saved_name: str | None = None
        self.loaded: m.ChargerConfig | None = None
        self.ready = name is None  # the form is filled (an edit reads it from the site)
        self.probing = False
        self.saving = False
        self.setWindowTitle(self.tr("Edit charger") if name else self.tr("Add a charger"))
        self.setMinimumWidth(560)
        load_all()

        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.driver = DriverBox(list(CHARGER_DRIVERS), first="openevse")
        self.port = PortPicker(local=not ctx.remote)
        self.address = QSpinBox()
        self.address.setRange(0, 247)
        self.address.setSpecialValueText(self.tr("none (point to point)"))
        self.address.setToolTip(self.tr("Modbus slave address on an RS-485 bus"))
        self.baud = _BaudBox()
        self.connectors = QSpinBox()
        self.connectors.setRange(1, 8)
        self.bays = QTableWidget(1, 1)
        self.bays.setHorizontalHeaderLabels([self.tr("Bay label")])
        self.bays.horizontalHeader().setStretchLastSection(True)
        self.bays.setMaximumHeight(150)
        self.enabled = QCheckBox(self.tr("Enabled (polled by the site)"))
        self.enabled.setChecked(True)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.result = QLabel()
        self.result.setObjectName("probeResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setMinimumHeight(48)

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Driver"), self.driver)
        form.addRow(self.tr("Port"), self.port)
        form.addRow(self.tr("Address"), self.address)
        form.addRow(self.tr("Baud"), self.baud)
        form.addRow(self.tr("Connectors"), self.connectors)
        form.addRow(self.tr("Bays"), self.bays)
        form.addRow("", self.enabled)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result, 1)
        form.addRow("", test_row)

        self.error, self.buttons = finish_dialog(self, form, self.save)

        self._auto: list[str] = []  # the labels we generated (replaced when the name changes)
        self.connectors.valueChanged.connect(self._resize_bays)
        self.driver.currentIndexChanged.connect(lambda _i: self._driver_changed())
        self.name.textChanged.connect(self._default_labels)
        self.test_button.clicked.connect(self.test)
        self._driver_changed()
        if ctx.remote:  # this PC's ports are not the site's
            self.test_button.setEnabled(False)
            self.test_button.setToolTip(self.tr(REMOTE_PROBE))
            self.result.setText(self.tr(REMOTE_PROBE))
        self._resize_bays(self.connectors.value())
        if name is not None:
            self._save_button().setEnabled(False)
            client = ctx.client
            ctx.worker.run(lambda: client.charger(name), self._load, self._load_failed)

    def _save_button(self) -> Any:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _driver_changed(self) -> None:
        """The driver's own baud as the hint; a Modbus box gets address 1 (the boxes'
        factory setting), a point-to-point link none."""
        d = self.driver.driver()
        self.baud.set_default(default_baud(d))
        modbus = d in MODBUS_DRIVERS
        self.address.setEnabled(modbus or self.address.value() != 0)
        if modbus and self.address.value() == 0:
            self.address.setValue(1)
        elif not modbus and d in DRIVER_NAMES:
            self.address.setValue(0)

    def _load_failed(self, e: BaseException) -> None:
        self.error.setText(self.tr("Could not read this charger: {0}").format(line(e)))

    def _load(self, c: m.ChargerConfig) -> None:
        self.loaded = c
        labels = list(c.bays) or [c.name]
        self.name.setText(c.name)
        self.driver.select(c.driver)
        self.port.set_port(c.port)
        self.address.setValue(c.address or 0)
        self.baud.set_value(c.baud)
        self.enabled.setChecked(c.enabled)
        self.bays.setRowCount(len(labels))
        for i, label in enumerate(labels):
            self.bays.setItem(i, 0, QTableWidgetItem(label))
        self.connectors.setValue(max(1, len(labels)))
        self._save_button().setEnabled(True)
        self.ready = True

    def _resize_bays(self, n: int) -> None:
        self.bays.setRowCount(n)
        self.bays.setVerticalHeaderLabels([str(i) for i in range(1, n + 1)])
        self._default_labels()

    def _default_label(self, connector: int, n: int) -> str:
        name = self.name.text().strip() or self.tr("Bay")
        return name if n == 1 else f"{name}-{connector}"

    def _default_labels(self) -> None:
        """Bay labels follow the name and connector count, except those the user typed."""
        n = self.bays.rowCount()
        auto = self._auto
        self._auto = [self._default_label(i + 1, n) for i in range(n)]
        for i in range(n):
            item = self.bays.item(i, 0)
            text = item.text().strip() if item is not None else ""
            if not text or text in auto:
                self.bays.setItem(i, 0, QTableWidgetItem(self._auto[i]))

    def labels(self) -> tuple[str, ...]:
        out = []
        for i in range(self.bays.rowCount()):
            item = self.bays.item(i, 0)
            out.append(item.text().strip() if item is not None else "")
        return tuple(out)

    def charger_input(self) -> m.ChargerConfig:
        """The form as the site API takes it (UserError: a baud that is not a number)."""
        return m.ChargerConfig(
            name=self.name.text(),
            driver=self.driver.driver(),
            port=self.port.port(),
            bays=list(self.labels()),
            address=self.address.value() or None,
            baud=self.baud.value(),
            settings=dict(self.loaded.settings) if self.loaded is not None else {},
            enabled=self.enabled.isChecked(),
        )

    # ---------------------------------------------------------------- test connection

    def test(self) -> None:
        """Probe the device on the worker; the dialog stays responsive meanwhile. Only on
        the site's own PC (the port is this PC's); never a port the running site polls."""
        if self.ctx.remote:
            self._show_result(f"<span style='{ERROR_STYLE}'>✗ {self.tr(REMOTE_PROBE)}</span>")
            return
        try:
            ch = self.charger_input()
            config = probe_config(ch)
        except StationError as e:
            self._show_result(f"<span style='{ERROR_STYLE}'>✗ {e}</span>")
            return
        self.test_button.setEnabled(False)
        self.probing = True
        self._show_result(self.tr("Testing {0} on {1}…").format(ch.driver, config.port))
        self.ctx.worker.run(
            probe_job(self.ctx.client, config, ch.driver),
            self._probe_done,
            lambda e: self._probe_failed(e, config),
        )

    def _probe_done(self, snap: dict[str, Any]) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self.snapshot = snap
        self._show_result(probe_ok_html(snap, self.ctx.locale))
        n = len(snap.get("connectors", []))
        if self.charger_name is None and n and n != self.connectors.value():
            self.connectors.setValue(n)  # the device says how many connectors it has

    def _probe_failed(self, e: BaseException, config: DeviceConfig) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self._show_result(probe_failed_html(e, config))

    def _show_result(self, html_text: str) -> None:
        self.result.setText(html_text)

    # ---------------------------------------------------------------- save

    def save(self) -> None:
        name, client = self.charger_name, self.ctx.client

        def call(ch: m.ChargerConfig) -> m.ChargerConfig:
            return client.add_charger(ch) if name is None else client.edit_charger(name, ch)

        _save(self, self.charger_input, call)


class ReaderDialog(QDialog):
    """Add or edit a serial card reader and choose where it is: a bay, or the desk."""

    def __init__(self, ctx: AppContext, name: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.reader_name = name
        self.saved_name: str | None = None
        self.loaded: m.ReaderConfig | None = None
        self.ready = False  # the bays (and, for an edit, the reader) read from the site
        self.saving = False
        self.setWindowTitle(self.tr("Edit card reader") if name else self.tr("Add a card reader"))
        self.setMinimumWidth(480)
        load_all()
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.driver = DriverBox(list(READER_DRIVERS), first="rdm6300")
        self.port = PortPicker(local=not ctx.remote)
        self.baud = _BaudBox()
        self.bay = QComboBox()
        self.bay.addItem(self.tr("Desk (enrolment)"), None)
        self.enabled = QCheckBox(self.tr("Enabled"))
        self.enabled.setChecked(True)
        self.probing = False
        self.probe_timeout = READER_TIMEOUT_S
        self.snapshot: dict[str, Any] | None = None
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setToolTip(self.tr("Open the port and show the next card held on it"))
        self.result = QLabel()
        self.result.setObjectName("probeResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setMinimumHeight(32)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Driver"), self.driver)
        form.addRow(self.tr("Port"), self.port)
        form.addRow(self.tr("Baud"), self.baud)
        form.addRow(self.tr("Reads cards for"), self.bay)
        form.addRow("", self.enabled)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result, 1)
        form.addRow("", test_row)
        self.error, self.buttons = finish_dialog(self, form, self.save)
        self.test_button.clicked.connect(self.test)
        if ctx.remote:  # this PC's ports are not the site's
            self.test_button.setEnabled(False)
            self.test_button.setToolTip(self.tr(REMOTE_READER_PROBE))
            self.result.setText(self.tr(REMOTE_READER_PROBE))
        self.driver.currentIndexChanged.connect(
            lambda _i: self.baud.set_default(default_baud(self.driver.driver()))
        )
        self.baud.set_default(default_baud(self.driver.driver()))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(False)
        client = ctx.client

        def read() -> tuple[list[m.BayLabel], m.ReaderConfig | None]:
            return client.bay_labels(), client.reader(name) if name is not None else None

        ctx.worker.run(read, self._load, self._load_failed)

    def _load_failed(self, e: BaseException) -> None:
        self.error.setText(self.tr("Could not read the card readers: {0}").format(line(e)))

    def _load(self, answer: tuple[list[m.BayLabel], m.ReaderConfig | None]) -> None:
        labels, r = answer
        for b in labels:
            self.bay.addItem(self.tr("Bay {0}").format(b.label), b.label)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        self.ready = True
        if r is None:
            return
        self.loaded = r
        self.name.setText(r.name)
        self.driver.select(r.driver)
        self.port.set_port(r.port)
        self.baud.set_value(r.baud)
        self.enabled.setChecked(r.enabled)
        self.bay.setCurrentIndex(max(0, self.bay.findData(r.bay)))

    def reader_input(self) -> m.ReaderConfig:
        return m.ReaderConfig(
            name=self.name.text(),
            driver=self.driver.driver(),
            port=self.port.port(),
            bay=self.bay.currentData(),
            baud=self.baud.value(),
            settings=dict(self.loaded.settings) if self.loaded is not None else {},
            enabled=self.enabled.isChecked(),
        )

    # ---------------------------------------------------------------- test connection

    def test(self) -> None:
        """Open the port with the chosen driver on the worker and show the next card held
        on it, or why not, in one line; the dialog stays responsive meanwhile. Only on the
        site's own PC; never a port the running site reads or polls."""
        if self.ctx.remote:
            self._show_result(
                f"<span style='{ERROR_STYLE}'>✗ {self.tr(REMOTE_READER_PROBE)}</span>"
            )
            return
        if self.probing:
            return
        try:
            r = self.reader_input()
            if not r.port.strip():
                raise UserError("choose or type a port first")
            port = check_line(r.port, r.baud).strip()
        except StationError as e:
            self._show_result(f"<span style='{ERROR_STYLE}'>✗ {e}</span>")
            return
        config = DeviceConfig(port, None, r.baud, dict(r.settings))
        self.test_button.setEnabled(False)
        self.probing = True
        self.snapshot = None
        self._show_result(
            self.tr("Testing {0} on {1}: hold a card on the reader…").format(r.driver, port)
        )
        client, driver, timeout = self.ctx.client, r.driver, self.probe_timeout

        def probe() -> dict[str, Any]:
            busy = port_in_use(client.devices(), port)
            if busy:
                raise UserError(busy)
            return run_reader_probe(config, driver, timeout)

        def failed(e: BaseException) -> None:
            self.probing = False
            self.test_button.setEnabled(True)
            text = failure_text(e, config, timeout)
            self._show_result(f"<span style='{ERROR_STYLE}'>✗ {html.escape(text)}</span>")

        self.ctx.worker.run(probe, self._probe_done, failed)

    def _probe_done(self, snap: dict[str, Any]) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self.snapshot = snap
        self._show_result("<span style='color:#1b6e20'>✓</span> " + tap_html(snap))

    def _show_result(self, html_text: str) -> None:
        self.result.setText(html_text)

    def save(self) -> None:
        name, client = self.reader_name, self.ctx.client

        def call(r: m.ReaderConfig) -> m.ReaderConfig:
            return client.add_reader(r) if name is None else client.edit_reader(name, r)

        _save(self, self.reader_input, call)


def _save(dialog: Any, build: Callable[[], Any], call: Callable[[Any], Any]) -> None:
    """Validate here what only the form knows, then save through the site client on the
    worker (the site checks the rest and audits); an error stays in the dialog, which
    closes only once the site has it."""
    if dialog.saving:
        return
    dialog.error.clear()
    try:
        data = build()
    except StationError as e:
        dialog.error.setText(str(e))
        return
    dialog.saving = True

    def done(saved: Any) -> None:
        dialog.saving = False
        dialog.saved_name = saved.name
        dialog.accept()

    def failed(e: BaseException) -> None:
        dialog.saving = False
        dialog.error.setText(line(e))

    dialog.ctx.worker.run(lambda: call(data), done, failed)


def probe_config(ch: m.ChargerConfig) -> DeviceConfig:
    """What Test connection opens for the form's charger (UserError: no port, a bad line)."""
    if not ch.port.strip():
        raise UserError("choose or type a port first")
    port = check_line(ch.port, ch.baud).strip()
    return DeviceConfig(port, ch.address, ch.baud, dict(ch.settings))


def probe_job(client: Any, config: DeviceConfig, driver: str) -> Callable[[], dict[str, Any]]:
    """Test connection as a job for the worker: never a port the running site polls (the
    Add-charger dialog and the first-run wizard share it)."""

    def probe() -> dict[str, Any]:
        busy = port_in_use(client.devices(), config.port)
        if busy:
            raise UserError(busy)
        return run_probe(config, driver)

    return probe


def probe_ok_html(snap: dict[str, Any], locale: Any) -> str:
    return "<span style='color:#1b6e20'>✓</span> " + snapshot_html(snap, locale)


def probe_failed_html(e: BaseException, config: DeviceConfig) -> str:
    return f"<span style='{ERROR_STYLE}'>✗ {failure_text(e, config)}</span>"


def port_in_use(rows: m.DeviceRows, port: str) -> str | None:
    """Why Test connection must not open `port`: the running site polls it."""
    if not rows.running:
        return None
    for c in rows.chargers:
        if c.enabled and c.port.strip() == port:
            return (
                f"the running site polls {port} (charger {c.name}); its bays show live on the board"
            )
    for r in rows.readers:
        if r.enabled and r.port.strip() == port:
            return f"the running site reads cards on {port} (reader {r.name}); tap one at its bay"
    return None
