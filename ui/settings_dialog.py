"""Settings: language and colour scheme (both apply at the next start). They are this PC's
own (QSettings), not the site's: the same over `--site`, nothing goes through the client."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from ui.i18n import LANGUAGES

THEMES = ("system", "light", "dark")


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
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
        form = QFormLayout(self)
        form.addRow(self.tr("&Language:"), self.language)
        form.addRow(self.tr("&Colours:"), self.theme)
        form.addRow(QLabel(self.tr("Changes apply when stationmgr starts next time.")))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        s = QSettings()
        s.setValue("ui/language", self.language.currentData())
        s.setValue("ui/theme", self.theme.currentData())
        super().accept()
