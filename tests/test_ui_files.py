"""File dialogs open where documents are, never in the program's folder, and come back to
the folder last used."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from ui import files


def test_save_dialog_proposes_documents_then_the_last_folder(qapp, tmp_path: Path) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().remove(files.KEY)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    first = files.suggested("sessions.csv")
    assert os.path.dirname(first) in (docs, os.path.expanduser("~"))
    assert os.path.dirname(first) != os.getcwd() or os.getcwd() == os.path.expanduser("~")
    (tmp_path / "books").mkdir()
    files.remember(str(tmp_path / "books" / "audit.csv"))
    assert files.suggested("cards.csv") == str(tmp_path / "books" / "cards.csv")
    files.remember("")  # a cancelled dialog changes nothing
    assert files.documents_folder() == str(tmp_path / "books")
    (tmp_path / "books").rmdir()  # a folder that went away: back to Documents
    assert files.documents_folder() in (docs, os.path.expanduser("~"))
    QSettings().remove(files.KEY)
