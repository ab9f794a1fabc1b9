"""Swedish is complete: every text the sources mark is translated in the shipped catalogue,
and no fixed text of any page (buttons, headers, placeholders, group titles, tabs, menus,
who is signed in) stays English in the Swedish window."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
)

from stationmgr.store.db import open_database
from tests.ui_site import app_context, live_site

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "stationmgr_sv.ts"
BIN = Path(sys.executable).parent

# Texts that are the same word in both languages, or not words at all.
SAME = {
    "Per kWh",
    "OCPP…",
    "OCR",
    "#",
    "1",
    "2",
    "–",
    "P1",
    "P2",
    "Status",
    "Port",
    "Baud",
    "kWh",
    "CSV",
    "PDF",
    "SIE",
    "OK",
}


def _unfinished(ts: Path) -> list[tuple[str, str]]:
    out = []
    for ctx in ET.parse(ts).getroot():
        name = (ctx.findtext("name") or "").strip()
        for msg in ctx.findall("message"):
            tr = msg.find("translation")
            if name and tr is not None and tr.get("type") == "unfinished":
                out.append((name, msg.findtext("source") or ""))
    return out


def test_every_marked_text_has_a_swedish_translation(tmp_path: Path) -> None:
    """lupdate over today's sources finds nothing new and nothing untranslated."""
    ts = tmp_path / "sv.ts"
    shutil.copy(TS, ts)
    sources = sorted(str(p) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), *sources, "-ts", str(ts)], check=True, capture_output=True
    )
    assert _unfinished(ts) == [], "run scripts/i18n.py and translate these"


def test_the_shipped_catalogue_is_built_from_the_ts(tmp_path: Path) -> None:
    qm = tmp_path / "sv.qm"
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(qm)], check=True, capture_output=True
    )
    assert qm.read_bytes() == TS.with_suffix(".qm").read_bytes(), "run scripts/i18n.py"


def _fixed_texts(win) -> set[tuple[str, str, str]]:
    """(kind, page, text) of what a window shows that is not site data."""
    out: set[tuple[str, str, str]] = set()
    for key, page in win.pages.items():
        for w in [page, *page.findChildren(QAbstractButton)]:
            if isinstance(w, QAbstractButton) and w.text():
                out.add(("button", key, w.text()))
        for w in page.findChildren(QLineEdit):
            if w.placeholderText():
                out.add(("placeholder", key, w.placeholderText()))
        for w in page.findChildren(QGroupBox):
            if w.title():
                out.add(("group", key, w.title()))
        for w in page.findChildren(QTabWidget):
            out.update(("tab", key, w.tabText(i)) for i in range(w.count()))
        for w in page.findChildren(QAbstractItemView):
            model = w.model()
            for c in range(model.columnCount() if model is not None else 0):
                h = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
                if h:
                    out.add(("header", key, str(h)))
    for action in win.menuBar().actions():
        out.add(("menu", "", action.text()))
        for sub in action.menu().actions() if action.menu() else []:
            if sub.text():
                out.add(("menu", action.text(), sub.text()))
    for label in win.statusBar().findChildren(QLabel):
        if label.text() and not label.text()[:1].isdigit():  # not the clock
            out.add(("status bar", "", label.text()))
    return out


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[None]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().clear()
    yield


def _window_texts(qtbot, path: Path, lang: str) -> set[tuple[str, str, str]]:
    from stationmgr.access.context import demo_actor, set_session_actor
    from ui import i18n
    from ui.access.session import attach
    from ui.mainwindow import MainWindow

    app = QCoreApplication.instance()
    i18n.install(app, lang)
    db = open_database(f"sqlite:///{path}")
    set_session_actor(demo_actor())
    try:
        with live_site(db, bays=2) as site, app_context(db, site.runtime) as ctx:
            win = MainWindow(ctx)
            qtbot.addWidget(win)
            attach(win, ctx, idle_ms=3_600_000)  # the Session menu and who is signed in
            win.show()
            for key in list(win.pages):
                win.show_page(key)
            texts = _fixed_texts(win)
            for page in win.pages.values():
                getattr(page, "shutdown", lambda: None)()
            return texts
    finally:
        set_session_actor(None)
        db.dispose()
        for tr in app.findChildren(QTranslator):
            app.removeTranslator(tr)
        QLocale.setDefault(QLocale(QLocale.Language.English))


def test_no_fixed_text_stays_english_in_the_swedish_window(qtbot, tmp_path, settings) -> None:
    english = _window_texts(qtbot, tmp_path / "en.sqlite3", "en")
    swedish = _window_texts(qtbot, tmp_path / "sv.sqlite3", "sv")
    assert len(english) > 100  # the pages were there
    left = sorted(t for t in english & swedish if t[2].replace("&", "") not in SAME)
    assert left == [], left
