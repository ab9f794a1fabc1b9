"""Add or edit a charger (driver, port, address, baud, bays) or a card reader (driver, port,
baud, which bay or the desk). Rules live in `stationmgr.site_setup`; refusals show inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
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
from sqlalchemy import select

from stationmgr.drivers import CHARGER_DRIVERS, READER_DRIVERS, DeviceConfig, load_all
from stationmgr.drivers.ports import serial_ports as list_serial_ports
from stationmgr.errors import StationError, UserError
from stationmgr.site_setup import (
    ChargerInput,
    ReaderInput,
    add_charger,
    add_reader,
    check_line,
    default_baud,
    update_charger,
    update_reader,
)
from stationmgr.store.models import Bay, CardReaderDevice, Charger
from ui.chargers.probe import failure_text, run_probe, snapshot_html
from ui.context import AppContext
from ui.forms import ERROR_STYLE, finish_dialog

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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.scan()

    def scan(self) -> None:
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
    """Add (charger_id None) or edit a charger; `test` probes it without saving."""

    def __init__(
        self, ctx: AppContext, charger_id: int | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.charger_id = charger_id
        self.saved_id: int | None = None
        self.probing = False
        self.setWindowTitle(self.tr("Edit charger") if charger_id else self.tr("Add a charger"))
        self.setMinimumWidth(560)
        load_all()

        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.driver = QComboBox()
        self.driver.addItems(sorted(CHARGER_DRIVERS))
        self.port = PortPicker()
        self.address = QSpinBox()
        self.address.setRange(0, 247)
        self.address.setSpecialValueText(self.tr("none (point to point; Modbus drivers use 1)"))
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
        self.driver.currentTextChanged.connect(lambda d: self.baud.set_default(default_baud(d)))
        self.name.textChanged.connect(self._default_labels)
        self.test_button.clicked.connect(self.test)
        self.baud.set_default(default_baud(self.driver.currentText()))
        if charger_id is not None:
            self._load(charger_id)
        self._resize_bays(self.connectors.value())

    def _load(self, charger_id: int) -> None:
        with self.ctx.db.session() as s:
            c = s.get(Charger, charger_id)
            if c is None:
                self.error.setText(self.tr("This charger no longer exists."))
                self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
                return
            labels = [b.label for b in c.bays]
            self.name.setText(c.name)
            if self.driver.findText(c.driver) < 0:
                self.driver.addItem(c.driver)  # a driver not installed here: keep it shown
            self.driver.setCurrentText(c.driver)
            self.port.set_port(c.port)
            self.address.setValue(c.address or 0)
            self.baud.set_value(c.baud)
            self.enabled.setChecked(c.enabled)
        self.bays.setRowCount(len(labels))
        for i, label in enumerate(labels):
            self.bays.setItem(i, 0, QTableWidgetItem(label))
        self.connectors.setValue(max(1, len(labels)))

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

    def charger_input(self) -> ChargerInput:
        return ChargerInput(
            name=self.name.text(),
            driver=self.driver.currentText(),
            port=self.port.port(),
            bays=self.labels(),
            address=self.address.value() or None,
            baud=self.baud.value(),
            settings=self._settings(),
            enabled=self.enabled.isChecked(),
        )

    def _settings(self) -> dict[str, Any]:
        if self.charger_id is None:
            return {}
        with self.ctx.db.session() as s:
            c = s.get(Charger, self.charger_id)
            return dict(c.settings or {}) if c is not None else {}

    # ---------------------------------------------------------------- test connection

    def test(self) -> None:
        """Probe the device on the worker; the dialog stays responsive meanwhile."""
        try:
            ch = self.charger_input()
            if not ch.port.strip():
                raise UserError("choose or type a port first")
            ch.port = check_line(ch.port, ch.baud)
            busy = self._port_in_use_by_engine(ch.port)
            if busy:
                raise UserError(busy)
        except StationError as e:
            self._show_result(f"<span style='{ERROR_STYLE}'>✗ {e}</span>")
            return
        config = DeviceConfig(ch.port.strip(), ch.address, ch.baud, ch.settings)
        self.test_button.setEnabled(False)
        self.probing = True
        self._show_result(self.tr("Testing {0} on {1}…").format(ch.driver, config.port))
        self.ctx.worker.run(
            lambda: run_probe(config, ch.driver),
            self._probe_done,
            lambda e: self._probe_failed(e, config),
        )

    def _port_in_use_by_engine(self, port: str) -> str | None:
        eng = self.ctx.engine
        if eng is None or not eng.running:
            return None
        with self.ctx.db.session() as s:
            q = select(Charger.name).where(Charger.port == port.strip(), Charger.enabled)
            name = s.scalar(q)
        if name is None:
            return None
        return f"the running site polls {port} (charger {name}); its bays show live on the board"

    def _probe_done(self, snap: dict[str, Any]) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self.snapshot = snap
        self._show_result(
            "<span style='color:#1b6e20'>✓</span> " + snapshot_html(snap, self.ctx.locale)
        )
        n = len(snap.get("connectors", []))
        if self.charger_id is None and n and n != self.connectors.value():
            self.connectors.setValue(n)  # the device says how many connectors it has

    def _probe_failed(self, e: BaseException, config: DeviceConfig) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self._show_result(f"<span style='{ERROR_STYLE}'>✗ {failure_text(e, config)}</span>")

    def _show_result(self, html_text: str) -> None:
        self.result.setText(html_text)

    # ---------------------------------------------------------------- save

    def save(self) -> None:
        _save(self, self.charger_input, add_charger, update_charger, self.charger_id)


class ReaderDialog(QDialog):
    """Add or edit a serial card reader and choose where it is: a bay, or the desk."""

    def __init__(
        self, ctx: AppContext, reader_id: int | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.reader_id = reader_id
        self.saved_id: int | None = None
        self.setWindowTitle(
            self.tr("Edit card reader") if reader_id else self.tr("Add a card reader")
        )
        self.setMinimumWidth(480)
        load_all()
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.driver = QComboBox()
        self.driver.addItems(sorted(READER_DRIVERS))
        self.port = PortPicker()
        self.baud = _BaudBox()
        self.bay = QComboBox()
        self.bay.addItem(self.tr("Desk (enrolment)"), None)
        with ctx.db.session() as s:
            for label in s.scalars(select(Bay.label).order_by(Bay.label)):
                self.bay.addItem(self.tr("Bay {0}").format(label), label)
        self.enabled = QCheckBox(self.tr("Enabled"))
        self.enabled.setChecked(True)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Driver"), self.driver)
        form.addRow(self.tr("Port"), self.port)
        form.addRow(self.tr("Baud"), self.baud)
        form.addRow(self.tr("Reads cards for"), self.bay)
        form.addRow("", self.enabled)
        self.error, self.buttons = finish_dialog(self, form, self.save)
        self.driver.currentTextChanged.connect(lambda d: self.baud.set_default(default_baud(d)))
        self.baud.set_default(default_baud(self.driver.currentText()))
        if reader_id is not None:
            self._load(reader_id)

    def _load(self, reader_id: int) -> None:
        with self.ctx.db.session() as s:
            r = s.get(CardReaderDevice, reader_id)
            if r is None:
                self.error.setText(self.tr("This card reader no longer exists."))
                return
            label = s.scalar(select(Bay.label).where(Bay.id == r.bay_id)) if r.bay_id else None
            self.name.setText(r.name)
            if self.driver.findText(r.driver) < 0:
                self.driver.addItem(r.driver)
            self.driver.setCurrentText(r.driver)
            self.port.set_port(r.port)
            self.baud.set_value(r.baud)
            self.enabled.setChecked(r.enabled)
        self.bay.setCurrentIndex(max(0, self.bay.findData(label)))

    def reader_input(self) -> ReaderInput:
        return ReaderInput(
            name=self.name.text(),
            driver=self.driver.currentText(),
            port=self.port.port(),
            bay=self.bay.currentData(),
            baud=self.baud.value(),
            enabled=self.enabled.isChecked(),
        )

    def save(self) -> None:
        _save(self, self.reader_input, add_reader, update_reader, self.reader_id)


def _save(
    dialog: Any,
    build: Callable[[], Any],
    add: Callable[[Any, Any], Any],
    update: Callable[[Any, int, Any], Any],
    row_id: int | None,
) -> None:
    """Validate and write through the site-setup service; an error stays in the dialog."""
    dialog.error.clear()
    try:
        data = build()
        with dialog.ctx.db.session() as s:
            row = add(s, data) if row_id is None else update(s, row_id, data)
            dialog.saved_id = row.id
    except StationError as e:
        dialog.error.setText(str(e))
        return
    dialog.accept()
