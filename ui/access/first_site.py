"""The first-run wizard's optional steps, after the owner exists: the first tariff, the
first charger (with Test connection) and the first card, then what the site now has.

Each step can be skipped; what a step creates goes through the site client as the new
owner (`add_tariff`, `add_charger`, `add_card`), so the core checks and audits it exactly as
the Tariffs, Chargers and Cards pages do. A step is a commit page: once saved, Back cannot
undo it (the audit log says it happened)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from stationmgr.billing.tariffs import (
    TariffInput,
    parse_money,
    parse_unit_price,
    parse_vat,
    per_kwh_text,
)
from stationmgr.client import models as m
from stationmgr.client.accounts import new_tariff
from stationmgr.drivers import CHARGER_DRIVERS, DeviceConfig, load_all
from stationmgr.errors import StationError, UserError
from ui.cards.tapfield import TapField
from ui.chargers.dialogs import (
    MODBUS_DRIVERS,
    DriverBox,
    PortPicker,
    probe_config,
    probe_failed_html,
    probe_job,
    probe_ok_html,
)
from ui.fmt import money
from ui.forms import ERROR_STYLE
from ui.oneline import error_line

if TYPE_CHECKING:
    from ui.access.wizard import FirstRunWizard


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setStyleSheet("color: #b00020")
    label.setWordWrap(True)
    return label


class SetupStep(QWizardPage):
    """A step the owner may skip (the wizard's Skip button): `save()` creates what the
    page shows through the wizard's client and returns a line for the summary."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.w = wizard
        self.skipped = False
        self.done: str | None = None  # the summary's line once saved
        self.error = _error_label()
        self.setCommitPage(True)

    def validatePage(self) -> bool:
        if self.skipped or self.done is not None:
            return True
        try:
            self.done = self.save()
        except (StationError, ValueError) as e:
            self.error.setText(error_line(e))
            return False
        self.error.clear()
        return True

    def save(self) -> str:
        raise NotImplementedError

    def skip(self) -> None:
        self.skipped = True
        self.error.clear()


class TariffStep(SetupStep):
    """The site's default tariff, valid from now in site time (sessions today are priced
    by it; later versions are added on the Tariffs page)."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("The first tariff"))
        self.setSubTitle(
            self.tr(
                "What charging costs here, net of VAT. It applies from now on; later prices "
                "are added as new versions under Tariffs."
            )
        )
        self.tz: tzinfo = UTC
        self.name = QLineEdit(self.tr("Standard"))
        self.per_kwh = QLineEdit("0")
        self.start_fee = QLineEdit("0")
        self.vat = QLineEdit("25")
        self.currency = QLineEdit("SEK")
        self.currency.setMaxLength(3)
        self.valid_from = QLabel()
        self.valid_from.setObjectName("valid_from")
        for name, w in (
            ("tariff_name", self.name),
            ("per_kwh", self.per_kwh),
            ("start_fee", self.start_fee),
            ("vat", self.vat),
            ("currency", self.currency),
        ):
            w.setObjectName(name)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("TariffEditor", "Name"), self.name)
        form.addRow(QCoreApplication.translate("TariffEditor", "Price per kWh"), self.per_kwh)
        form.addRow(QCoreApplication.translate("TariffEditor", "Start fee"), self.start_fee)
        form.addRow(QCoreApplication.translate("TariffEditor", "VAT %"), self.vat)
        form.addRow(QCoreApplication.translate("TariffEditor", "Currency"), self.currency)
        form.addRow(QCoreApplication.translate("TariffEditor", "Valid from"), self.valid_from)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addStretch(1)

    def initializePage(self) -> None:
        """The site's time zone as the seller step stored it (read through the client)."""
        try:
            self.tz = ZoneInfo(self.w.client.tariffs().timezone)
        except (StationError, ZoneInfoNotFoundError, ValueError):
            self.tz = UTC
        here = datetime.now(self.tz).strftime("%Y-%m-%d %H:%M")
        self.valid_from.setText(self.tr("now ({0} site time)").format(here))

    def tariff_input(self) -> TariffInput:
        kwh = parse_unit_price(self.per_kwh.text().strip() or "0")
        return TariffInput(
            name=self.name.text(),
            valid_from=datetime.now(UTC).replace(second=0, microsecond=0),
            currency=self.currency.text(),
            energy_minor_per_kwh=kwh[0],
            energy_e4_per_kwh=kwh[1],
            start_fee_minor=parse_money(self.start_fee.text().strip() or "0", "start fee"),
            vat_bp=parse_vat(self.vat.text()),
        ).validate()

    def save(self) -> str:
        t = self.tariff_input()
        self.w.client.add_tariff(new_tariff(t))
        loc = QLocale()
        price = (
            money(loc, t.energy_minor_per_kwh, t.currency)
            if t.energy_e4_per_kwh is None
            else per_kwh_text(t.energy_minor_per_kwh, t.energy_e4_per_kwh, t.currency)
        )
        return self.tr("Tariff {0}: {1} per kWh, start fee {2}, VAT {3} %").format(
            t.name, price, money(loc, t.start_fee_minor, t.currency), loc.toString(t.vat_bp / 100)
        )


class ChargerStep(SetupStep):
    """The first charger: the Add-charger dialog's drivers, port list and Test connection
    (the same probe, on the worker), and its bays' labels."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("The first charger"))
        self.setSubTitle(
            self.tr(
                "Where the charger is connected and what its bays are called. Test the "
                "connection before you save; more chargers are added under Chargers."
            )
        )
        load_all()
        self.probing = False
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("e.g. North wall"))
        self.driver = DriverBox(list(CHARGER_DRIVERS), first="openevse")
        self.port = PortPicker(local=True)
        self.address = QSpinBox()
        self.address.setRange(0, 247)
        self.address.setSpecialValueText(
            QCoreApplication.translate("ChargerDialog", "none (point to point)")
        )
        self.address.setToolTip(
            QCoreApplication.translate("ChargerDialog", "Modbus slave address on an RS-485 bus")
        )
        self.bays = QLineEdit("P1")
        self.bays.setToolTip(self.tr("One label per connector, separated by commas"))
        self._auto_bays = "P1"
        self.test_button = QPushButton(
            QCoreApplication.translate("ChargerDialog", "Test connection")
        )
        self.result = QLabel()
        self.result.setObjectName("probeResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setMinimumHeight(40)
        for name, w in (("charger_name", self.name), ("bays", self.bays)):
            w.setObjectName(name)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("ChargerDialog", "Name"), self.name)
        form.addRow(QCoreApplication.translate("ChargerDialog", "Driver"), self.driver)
        form.addRow(QCoreApplication.translate("ChargerDialog", "Port"), self.port)
        form.addRow(QCoreApplication.translate("ChargerDialog", "Address"), self.address)
        form.addRow(QCoreApplication.translate("ChargerDialog", "Bays"), self.bays)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.result, 1)
        form.addRow("", test_row)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addStretch(1)
        self.driver.currentIndexChanged.connect(lambda _i: self._driver_changed())
        self.test_button.clicked.connect(self.test)
        self._driver_changed()

    def _driver_changed(self) -> None:
        """A Modbus box gets address 1 (its factory setting), a point-to-point link none."""
        modbus = self.driver.driver() in MODBUS_DRIVERS
        self.address.setEnabled(modbus)
        self.address.setValue(1 if modbus else 0)

    def labels(self) -> list[str]:
        return [b.strip() for b in self.bays.text().split(",") if b.strip()]

    def charger_input(self) -> m.ChargerConfig:
        return m.ChargerConfig(
            name=self.name.text(),
            driver=self.driver.driver(),
            port=self.port.port(),
            bays=self.labels(),
            address=self.address.value() or None,
        )

    def test(self) -> None:
        """Test connection, as the Add-charger dialog does it (the port is this PC's)."""
        try:
            ch = self.charger_input()
            config = probe_config(ch)
        except StationError as e:
            self.result.setText(f"<span style='{ERROR_STYLE}'>✗ {e}</span>")
            return
        self.test_button.setEnabled(False)
        self.probing = True
        self.result.setText(
            QCoreApplication.translate("ChargerDialog", "Testing {0} on {1}…").format(
                ch.driver, config.port
            )
        )
        self.w.worker.run(
            probe_job(self.w.client, config, ch.driver),
            self._probe_done,
            lambda e: self._probe_failed(e, config),
        )

    def _probe_done(self, snap: dict[str, Any]) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self.result.setText(probe_ok_html(snap, self.locale()))
        n = len(snap.get("connectors", []))
        if n and self.bays.text().strip() == self._auto_bays:  # the device has n connectors
            self._auto_bays = ", ".join(f"P{i}" for i in range(1, n + 1))
            self.bays.setText(self._auto_bays)

    def _probe_failed(self, e: BaseException, config: DeviceConfig) -> None:
        self.probing = False
        self.test_button.setEnabled(True)
        self.result.setText(probe_failed_html(e, config))

    def save(self) -> str:
        if self.probing:
            raise UserError("wait for the connection test to finish")
        ch = self.charger_input()
        if not ch.bays:
            raise UserError("give the charger at least one bay label")
        saved = self.w.client.add_charger(ch)
        return self.tr("Charger {0} with bays {1}").format(saved.name, ", ".join(saved.bays))


class CardStep(SetupStep):
    """The first card: its number typed, read by a keyboard-wedge reader into the field,
    or tapped on a serial desk reader of this site; and who holds it."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("The first card"))
        self.setSubTitle(
            self.tr(
                "A card that may charge here, and who holds it. More cards are enrolled under "
                "Cards."
            )
        )
        self.number = TapField()
        self.number.setObjectName("card_number")
        self.number.setPlaceholderText(self.tr("Type the card's number"))
        self.holder = QLineEdit()
        self.holder.setObjectName("holder")
        self.holder.setPlaceholderText(self.tr("e.g. Maria Nilsson"))
        self.hint = QLabel()
        self.hint.setObjectName("desk_hint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        self.number.tapped.connect(lambda _t: self.holder.setFocus())
        self.desk: Any = None
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("CardDialog", "Card number"), self.number)
        form.addRow(QCoreApplication.translate("CardDialog", "Holder"), self.holder)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.hint)
        box.addWidget(self.error)
        box.addStretch(1)

    def initializePage(self) -> None:
        """A serial desk reader configured on this site: listen to it (the engine's taps
        when the site runs here, else the reader itself)."""
        try:
            desks = [r.name for r in self.w.client.readers() if r.bay is None and r.enabled]
        except StationError:
            desks = []
        if not desks or self.desk is not None:
            return
        from ui.cards.desk import DeskTaps

        self.desk = DeskTaps(self)
        self.desk.tapped.connect(self.tapped)
        engine = getattr(self.w.client, "engine", None)
        if engine is not None and engine.running:
            self.desk.follow_bus(engine.bus)
        else:
            self.desk.open_readers(self.w.db)
        self.number.setPlaceholderText(self.tr("Tap a card at the desk reader, or type its number"))
        self.hint.setText(self.tr("Desk reader: {0}").format(", ".join(desks)))
        self.hint.show()

    def tapped(self, uid: str, _raw: str = "", _reader: str = "") -> None:
        self.number.setText(uid)
        self.holder.setFocus()

    def stop_desk(self) -> None:
        if self.desk is not None:
            self.desk.stop()
            self.desk = None

    def validatePage(self) -> bool:
        ok = super().validatePage()
        if ok:
            self.stop_desk()
        return ok

    def save(self) -> str:
        if not self.number.text().strip():
            raise UserError("type the card's number, or tap the card")
        holder = self.holder.text().strip() or None
        card = self.w.client.add_card(m.NewCard(uid=self.number.text().strip(), holder=holder))
        return self.tr("Card {0} ({1})").format(card.uid, holder or self.tr("no holder"))


# What the summary says of a skipped step (context "ReadyPage").
LATER = {
    "tariff": QT_TRANSLATE_NOOP(
        "ReadyPage", "No tariff yet: add one under Tariffs before the first session is billed."
    ),
    "charger": QT_TRANSLATE_NOOP("ReadyPage", "No charger yet: add one under Chargers."),
    "card": QT_TRANSLATE_NOOP("ReadyPage", "No card yet: enrol cards under Cards."),
}


class ReadyPage(QWizardPage):
    """What the site has now, and where to add what was skipped."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(self.tr("Ready"))
        self.setSubTitle(self.tr("The site is set up. Everything here can be changed later."))
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addStretch(1)

    def initializePage(self) -> None:
        lines = []
        for key, step in self.w.steps.items():
            if step.done is not None:
                lines.append("✓ " + step.done)
            else:
                lines.append("– " + self.tr(LATER[key]))
        self.summary.setText("\n".join(lines))
