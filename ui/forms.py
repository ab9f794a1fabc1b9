"""What every edit dialog shares: status colours and the error line + Save/Cancel footer."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

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
