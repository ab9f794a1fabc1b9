"""What every edit dialog shares: status colours and the error line + Save/Cancel footer."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #b3261e;"
WARN_STYLE = "color: #8a5300;"
OK_STYLE = "color: #1b6e20;"


def finish_dialog(
    dialog: QDialog, form: QFormLayout, on_save: object
) -> tuple[QLabel, QDialogButtonBox]:
    """Lay out `form`, an inline error line and Save/Cancel (Save calls `on_save`; the dialog
    validates and stays open on an error, so nothing is half-saved)."""
    error = QLabel()
    error.setObjectName("error")
    error.setStyleSheet(ERROR_STYLE)
    error.setWordWrap(True)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addLayout(form)
    lay.addWidget(error)
    lay.addWidget(buttons)
    return error, buttons


def fit_on_screen(window: QWidget, width: int, height: int) -> None:
    """Resize `window` to `width`×`height`, or less where its screen is smaller (a 1366×768
    laptop at 125 % has 1093×614 to give, its taskbar and the title bar not counted)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, room.width() - 40)
        height = min(height, room.height() - 80)
    window.resize(width, height)


def whole_placeholder(*edits: QLineEdit) -> None:
    """Each field at least as wide as its placeholder (in the language shown) and its clear
    button: a hint cut to "Innehavarens na…" tells nobody what to type."""
    for edit in edits:
        fm = edit.fontMetrics()
        edit.setMinimumWidth(fm.horizontalAdvance(edit.placeholderText()) + 2 * fm.height() + 12)
