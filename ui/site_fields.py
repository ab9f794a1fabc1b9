"""The seller's details and the site's time zone as form fields: asked by the first-run
wizard and kept in the Settings dialog. No receipt or invoice number is issued before the
seller's name, organisation number, address and (if registered for VAT) VAT number are
set; the time zone is the one the screen, the documents and the CLI's dates all use.

Only widgets: the values are checked and stored by the core (`billing.site`)."""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QWidget

# site setting key → its field's object name (the same words as `stationmgr site set`)
KEYS = (
    "seller_name",
    "seller_org_number",
    "seller_address",
    "seller_vat_number",
    "seller_vat_registered",
    "timezone",
)
DEFAULT_ZONE = "Europe/Stockholm"


class SellerFields(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Brf Solrosen"))
        self.org_number = QLineEdit()
        self.org_number.setPlaceholderText("NNNNNN-NNNN")
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Street 1; 123 45 Town (lines split by ;)"))
        self.vat_number = QLineEdit()
        self.vat_number.setPlaceholderText("SE556677889901")
        self.vat_registered = QCheckBox(self.tr("Registered for VAT"))
        self.vat_registered.setChecked(True)
        self.vat_registered.toggled.connect(self.vat_number.setEnabled)
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(z for z in available_timezones() if "/" in z))
        self.timezone.setCurrentText(DEFAULT_ZONE)
        for key, w in zip(KEYS, self._widgets(), strict=True):
            w.setObjectName(key)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Seller's name"), self.name)
        form.addRow(self.tr("Organisation number"), self.org_number)
        form.addRow(self.tr("Address"), self.address)
        form.addRow("", self.vat_registered)
        form.addRow(self.tr("VAT number"), self.vat_number)
        form.addRow(self.tr("Time zone"), self.timezone)

    def _widgets(self) -> tuple[QWidget, ...]:
        return (
            self.name,
            self.org_number,
            self.address,
            self.vat_number,
            self.vat_registered,
            self.timezone,
        )

    def values(self) -> dict[str, str]:
        """The fields as site settings (key → text)."""
        return {
            "seller_name": self.name.text().strip(),
            "seller_org_number": self.org_number.text().strip(),
            "seller_address": self.address.text().strip(),
            "seller_vat_number": self.vat_number.text().strip(),
            "seller_vat_registered": "yes" if self.vat_registered.isChecked() else "no",
            "timezone": self.timezone.currentText().strip() or DEFAULT_ZONE,
        }

    def load(self, values: dict[str, str]) -> None:
        self.name.setText(values.get("seller_name", ""))
        self.org_number.setText(values.get("seller_org_number", ""))
        self.address.setText(values.get("seller_address", ""))
        self.vat_number.setText(values.get("seller_vat_number", ""))
        self.vat_registered.setChecked(values.get("seller_vat_registered", "yes") != "no")
        self.timezone.setCurrentText(values.get("timezone") or DEFAULT_ZONE)
