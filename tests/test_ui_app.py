"""The desktop app as a user starts it: the main window and its pages, `stationmgr demo`
headless and with `--screenshot`, and the one-line message without a display."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QLabel

from stationmgr.store.db import Database
from tests.ui_site import app_context, live_site

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stationmgr", *args],
        cwd=ROOT,
        env=e,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def settings(tmp_path: Path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("stationmgr-test")
    QCoreApplication.setApplicationName("stationmgr-test")
    QSettings().clear()
    yield QSettings()


def test_main_window_pages_shortcuts_and_state(qtbot, sqlite_db: Database, settings) -> None:
    from ui.mainwindow import MainWindow

    with live_site(sqlite_db, bays=2) as site, app_context(sqlite_db, site.runtime) as ctx:
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        assert list(win.pages)[:2] == ["board", "history"]
        win.add_page("extra", "Extra", QLabel("x"), "page")
        with pytest.raises(ValueError):
            win.add_page("extra", "Again", QLabel("y"))
        shortcuts = {a.shortcut().toString() for a in win.actions()}
        assert {"Ctrl+1", "Ctrl+2"} <= shortcuts
        win.notify("Fault on P1", "GFCI")  # the tray too, where the desktop has one
        assert win.statusBar().currentMessage() == "Fault on P1: GFCI"
        win.show_page("history")
        win.resize(1000, 700)
        win.save_state()
        for page in win.pages.values():
            getattr(page, "shutdown", lambda: None)()
        win2 = MainWindow(ctx)
        qtbot.addWidget(win2)
        assert win2.current_page() == "history"
        for page in win2.pages.values():
            getattr(page, "shutdown", lambda: None)()


def test_menus_follow_the_sidebar_and_help_is_last(qtbot, sqlite_db: Database, settings) -> None:
    from ui.access.session import attach
    from ui.mainwindow import MainWindow

    with live_site(sqlite_db, bays=1) as site, app_context(sqlite_db, site.runtime) as ctx:
        win = MainWindow(ctx, deferred=True)
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.pages_ready, timeout=30_000):
            win.load_rest()
        attach(win, ctx, idle_ms=3_600_000)
        titles = [a.text().replace("&", "") for a in win.menuBar().actions()]
        assert titles == ["File", "View", "Session", "Help"]
        sidebar = [win.nav.item(i).text() for i in range(win.nav.count())]
        pages = [a.text() for a in win.view_menu.actions() if a in win._page_actions.values()]
        assert pages == sidebar and len(pages) >= 7
        for page in win.pages.values():
            getattr(page, "shutdown", lambda: None)()


def test_deferred_pages_arrive_in_sidebar_order(qtbot, sqlite_db: Database, settings) -> None:
    from ui.mainwindow import MainWindow

    with live_site(sqlite_db, bays=1) as site, app_context(sqlite_db, site.runtime) as ctx:
        win = MainWindow(ctx, deferred=True)
        qtbot.addWidget(win)
        assert list(win.pages) == ["board"]  # the board first, at once
        win.show_page("history")  # not there yet: shown when it arrives
        with qtbot.waitSignal(win.pages_ready, timeout=30_000):
            win.load_rest()
        assert win._keys[:2] == ["board", "history"]
        assert win.current_page() == "history"
        by_key = {k: a.shortcut().toString() for k, a in win._page_actions.items()}
        assert by_key["board"] == "Ctrl+1" and by_key["history"] == "Ctrl+2"
        for page in win.pages.values():
            getattr(page, "shutdown", lambda: None)()


def test_display_problem_is_detected_before_qt(monkeypatch) -> None:
    from ui.app import display_problem

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert "no display" in (display_problem() or "")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_problem() is None
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    assert display_problem() is None


def test_gui_without_display_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        "QT_QPA_PLATFORM": "",
        "DISPLAY": "",
        "WAYLAND_DISPLAY": "",
        "STATIONMGR_HOME": str(tmp_path),
    }
    r = run_cli("--db", f"sqlite:///{tmp_path / 's.sqlite3'}", "gui", env=env)
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0, r.stderr
    assert "no display" in r.stderr and "Traceback" not in r.stderr


def test_demo_headless_prints_a_summary(tmp_path: Path) -> None:
    r = run_cli(
        "demo",
        "--headless",
        "--duration",
        "4",
        "--speed",
        "60",
        env={"STATIONMGR_HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "demo site: 9 bays" in out and "OCPP 1.6J charge points" in out
    started = int(out.split("sessions started: ")[1].split()[0])
    assert started >= 4  # the opening scene starts sessions on most bays
    assert "energy delivered:" in out and "faults:" in out
    kwh = float(out.split("energy delivered: ")[1].split()[0])
    assert kwh > 0


def test_demo_headless_refuses_bad_speed(tmp_path: Path) -> None:
    r = run_cli("demo", "--headless", "--speed", "0", env={"STATIONMGR_HOME": str(tmp_path)})
    assert r.returncode == 2
    assert r.stderr.strip().startswith("stationmgr: error:") and "speed" in r.stderr


def test_demo_screenshot_writes_a_png(tmp_path: Path) -> None:
    shot = tmp_path / "board.png"
    r = run_cli(
        "demo",
        "--speed",
        "30",
        "--screenshot",
        str(shot),
        "--screenshot-after",
        "3",
        env={"QT_QPA_PLATFORM": "offscreen", "STATIONMGR_HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 800)


def test_demo_with_an_unknown_page_is_bad_input(tmp_path: Path) -> None:
    shot = tmp_path / "x.png"
    r = run_cli(
        "demo",
        "--screenshot",
        str(shot),
        "--page",
        "bogus",
        env={"QT_QPA_PLATFORM": "offscreen", "STATIONMGR_HOME": str(tmp_path)},
    )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "stationmgr: error: no page 'bogus': one of board, history, alerts, cards, billing, "
        "chargers, capacity, audit"
    ]
    assert not shot.exists()


def test_dark_colours_are_dark_without_a_platform_theme(qapp, settings) -> None:
    """Offscreen (like a bare X session) has no platform theme to follow the colour scheme:
    the setting still makes the window dark, and Light brings the standard palette back."""
    from PySide6.QtGui import QPalette

    from ui.app import apply_theme

    style, palette = qapp.style().name(), qapp.palette()
    window = QPalette.ColorRole.Window
    try:
        settings.setValue("ui/theme", "dark")
        apply_theme(qapp)
        assert qapp.palette().color(window).lightness() < 100
        assert qapp.palette().color(QPalette.ColorRole.Text).lightness() > 180
        settings.setValue("ui/theme", "light")
        apply_theme(qapp)
        assert qapp.palette().color(window).lightness() > 180
    finally:
        qapp.setStyle(style)
        qapp.setPalette(palette)


def test_swedish_catalogue_translates_the_board(qapp) -> None:
    from PySide6.QtCore import QLocale

    from stationmgr.ocpp_words import BayStatus
    from ui import fmt, i18n
    from ui.board.tiles import status_word

    loc = i18n.install(qapp, "sv")
    try:
        assert status_word(BayStatus.CHARGING) == "Laddar"
        assert status_word(BayStatus.FINISHING) == "Klar – står kvar"
        assert loc.language() == QLocale.Language.Swedish
        assert fmt.kwh(loc, 12345) == "12,35 kWh"
        assert fmt.money(loc, 84400, "SEK").replace("\u00a0", " ") == "844,00 kr"
    finally:
        for tr in qapp.findChildren(__import__("PySide6.QtCore").QtCore.QTranslator):
            qapp.removeTranslator(tr)
        QLocale.setDefault(QLocale(QLocale.Language.English))
    assert status_word(BayStatus.CHARGING) == "Charging"
    assert fmt.money(QLocale("en_GB"), 844, "SEK") == "8.44 SEK"


def test_qt_void_calls_do_not_leak_references_to_none(qapp) -> None:
    """PySide6 6.12.0 under Python 3.11 dropped a reference to None on every void call;
    the app died after some thousand paints. The pinned version must not."""
    from PySide6.QtGui import QColor, QImage, QPainter

    img = QImage(8, 8, QImage.Format.Format_ARGB32)
    p = QPainter(img)
    try:
        before = sys.getrefcount(None)
        for _ in range(2000):
            p.setPen(QColor("white"))
            p.drawLine(0, 0, 1, 1)
        after = sys.getrefcount(None)
    finally:
        p.end()
    assert before - after < 100


def test_gui_screenshot_on_an_empty_site(tmp_path: Path) -> None:
    """A fresh install's first run: the default database in the data directory is made
    (a named `--db` that does not exist would be refused)."""
    shot = tmp_path / "empty.png"
    r = run_cli(
        "gui",
        "--screenshot",
        str(shot),
        "--screenshot-after",
        "1",
        env={"QT_QPA_PLATFORM": "offscreen", "STATIONMGR_HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "stationmgr.sqlite3").is_file()


def test_main_window_over_a_site_service_shows_the_board_and_the_sites_time(
    qtbot, sqlite_db: Database, settings
) -> None:
    """Over a site service (no engine here) the window offers the remote-capable pages, the
    board first, and its status clock runs from the bays' snapshots."""
    from ui.mainwindow import MainWindow

    with (
        live_site(sqlite_db, bays=2) as site,
        app_context(sqlite_db, site.runtime, client="remote") as ctx,
    ):
        assert ctx.engine is None and ctx.db is None
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        assert next(iter(win.pages)) == "board"
        qtbot.waitUntil(lambda: len(win.pages["board"].views) == 2, timeout=15_000)
        win._tick_status()
        text = win.clock_label.text()
        assert text and "history only" not in text and "waiting" not in text
        for page in win.pages.values():
            getattr(page, "shutdown", lambda: None)()


def test_the_window_is_titled_with_the_site_name_from_the_wizard(
    qtbot, sqlite_db: Database, settings
) -> None:
    """Review finding 21: the site name given at the first run never reached the window."""
    from stationmgr.settings import set_setting
    from ui.mainwindow import MainWindow

    with live_site(sqlite_db, bays=1) as site, app_context(sqlite_db, site.runtime) as ctx:
        win = MainWindow(ctx, pages=[])
        qtbot.addWidget(win)
        assert win.windowTitle() == "stationmgr — charging site"  # no name yet
        with sqlite_db.session() as s:
            set_setting(s, "site_name", "Brf Solgården")
        named = MainWindow(ctx, pages=[])
        qtbot.addWidget(named)
        assert named.windowTitle() == "Brf Solgården — stationmgr"
