"""Settings: language and colour scheme (this PC's own, QSettings; they apply at the next
start), and, for whoever may read the site settings, the seller's details and the site's
time zone (the site's, through the site client: the same over `--site`, checked and
audited by the core; the time zone applies to the screen at once)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from stationmgr.errors import StationError
from ui import fmt
from ui.i18n import LANGUAGES
from ui.site_fields import KEYS, SellerFields

THEMES = ("system", "light", "dark")


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, client: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.client = client
        s = QSettings()
        self.language = QComboBox()
        self.language.addItem(self.tr("As the system"), "")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(s.value("ui/language", ""))))
        self.theme = QComboBox()
        for code, name in zip(
            THEMES, (self.tr("As the system"), self.tr("Light"), self.tr("Dark")), strict=True
        ):
            self.theme.addItem(name, code)
        self.theme.setCurrentIndex(max(0, self.theme.findData(s.value("ui/theme", "system"))))
        box = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.tr("&Language:"), self.language)
        form.addRow(self.tr("&Colours:"), self.theme)
        form.addRow(QLabel(self.tr("Changes apply when stationmgr starts next time.")))
        box.addLayout(form)
        self.seller: SellerFields | None = None
        self.stored: dict[str, str] = {}
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        if client is not None:
            try:  # settings.read: the owner and the accountant
                self.stored = {x.key: x.value for x in client.site_settings() if x.key in KEYS}
            except StationError:
                self.stored = {}
            if self.stored:
                group = QGroupBox(self.tr("Seller and time zone (the site's)"))
                self.seller = SellerFields()
                self.seller.load(self.stored)
                QVBoxLayout(group).addWidget(self.seller)
                box.addWidget(group)
        box.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def save_site(self) -> bool:
        """Store the changed site values (each checked and audited by the core)."""
        if self.seller is None:
            return True
        for key, value in self.seller.values().items():
            if value == self.stored.get(key, ""):
                continue
            try:
                self.stored[key] = self.client.set_site_setting(key, value).value
            except StationError as e:
                self.error.setText(str(e))
                return False
            if key == "timezone":
                fmt.set_site_zone(self.stored[key])
        return True

    def accept(self) -> None:
        if not self.save_site():
            return
        s = QSettings()
        s.setValue("ui/language", self.language.currentData())
        s.setValue("ui/theme", self.theme.currentData())
        super().accept()
