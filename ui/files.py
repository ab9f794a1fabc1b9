"""Where a file dialog opens: the folder last used for documents, else the user's
Documents folder (never the program's own folder, the dialogs' default)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

KEY = "ui/last_folder"


def documents_folder() -> str:
    """The last folder a document was saved to or opened from, if it still exists."""
    last = str(QSettings().value(KEY, "") or "")
    if last and os.path.isdir(last):
        return last
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and os.path.isdir(docs) else os.path.expanduser("~")


def suggested(name: str) -> str:
    """`name` in the documents folder: what a save dialog proposes."""
    return os.path.join(documents_folder(), name) if name else documents_folder()


def remember(path: str) -> None:
    if path:
        QSettings().setValue(KEY, os.path.dirname(os.path.abspath(path)))


def save_path(parent: QWidget, title: str, name: str, filters: str) -> str:
    """Ask where to save `name`; "" when cancelled. The chosen folder is remembered."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested(name), filters)
    remember(path)
    return path


def open_path(parent: QWidget, title: str, filters: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, documents_folder(), filters)
    remember(path)
    return path
