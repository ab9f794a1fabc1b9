"""Starting the desktop app: display check, QApplication, language, palette, the window.

`run_window(db, engine, ...)` is shared by `stationmgr gui` and `stationmgr demo`: the engine
is already running on its own thread; this builds the bridge, the worker pool and the main
window, runs the event loop, and tears it all down in order.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def display_problem() -> str | None:
    """Why no window can open here, or None. Checked before QApplication exists (Qt would
    abort the process with a core dump instead of a message)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS:
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return (
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            "use `stationmgr run` or `stationmgr demo --headless` on a server, or set "
            "QT_QPA_PLATFORM=offscreen"
        )
    return None


def make_app(argv: list[str] | None = None) -> Any:
    """The QApplication, named (QSettings' location), translated, and themed."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from stationmgr import __version__
    from ui import i18n
    from ui.resources import icon

    app = QApplication.instance()
    if app is None:
        if not QCoreApplication.organizationName():  # a test or bench may have set its own
            QCoreApplication.setOrganizationName("stationmgr")
            QCoreApplication.setApplicationName("stationmgr")
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(argv or [sys.argv[0]])
        app.setDesktopFileName("stationmgr")
    app.setWindowIcon(icon("stationmgr"))
    app.locale_ = i18n.install(app)  # type: ignore[attr-defined]
    apply_theme(app)
    return app


def apply_theme(app: Any) -> None:
    """Light or dark as the system says (Qt ≥ 6.5 follows it); forced by the setting."""
    from PySide6.QtCore import QSettings, Qt

    theme = str(QSettings().value("ui/theme", "system") or "system")
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+
        scheme = {
            "light": Qt.ColorScheme.Light,
            "dark": Qt.ColorScheme.Dark,
        }.get(theme, Qt.ColorScheme.Unknown)
        hints.setColorScheme(scheme)
    if theme == "dark" or (theme == "system" and hints.colorScheme() == Qt.ColorScheme.Dark):
        app.setStyle("Fusion")  # Fusion draws the dark palette well on every platform


def run_window(
    db: Any,
    engine: Any,
    screenshot: Path | None = None,
    screenshot_after_s: float = 4.0,
    page: str | None = None,
    bay: str | None = None,
    actor: str = "attendant",
    demo: bool = False,
) -> int:
    """Show the main window on a running engine until it is closed (or screenshotted).

    Who uses it: the sign-in of `ui.access` (first-run wizard, login; the demo site signs
    in as the labelled demo owner), then the idle lock. A screenshot run skips the sign-in.
    Returns 0 also when the person cancels the sign-in."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    from ui.bridge import EngineBridge
    from ui.context import AppContext
    from ui.mainwindow import MainWindow
    from ui.worker import Worker

    app = make_app()
    worker = Worker()
    bridge = EngineBridge(engine.bus) if engine is not None else None
    ctx = AppContext(db, engine, bridge, worker, actor=actor, locale=app.locale_)
    ctx.currency = _currency(db)
    access = _access()
    sign_in = access is not None and (demo or screenshot is None)
    if sign_in and access.begin(ctx, demo=demo) is None:  # cancelled: nothing to show
        if bridge is not None:
            bridge.close()
        worker.shutdown()
        return 0
    win = MainWindow(ctx, deferred=True)
    if screenshot is not None:
        win.persist_state = False  # a docs/test run leaves the user's window as it was
        win.resize(1280, 800)
        page = page or "board"
    if page:
        win.show_page(page)

        def check_page() -> None:
            if page not in win.pages:
                log.error("no page %r (pages: %s)", page, ", ".join(win.pages))

        win.pages_ready.connect(check_page)
    board = win.pages.get("board")
    if bay and board is not None:
        QTimer.singleShot(800, lambda: _select_bay(board, bay))
    board_alert = getattr(board, "alert", None)
    if board_alert is not None:
        board_alert.connect(win.notify)
    if sign_in:
        win.session_lock = access.attach(win, ctx)
    win.show()
    QTimer.singleShot(0, win.load_rest)  # the other pages, after the first paint
    status = 0

    if screenshot is not None:

        def shoot() -> None:
            nonlocal status
            app.processEvents()
            if not win.grab().save(str(screenshot)):
                log.error("could not write %s", screenshot)
                status = 1
            win.close()

        win.pages_ready.connect(lambda: QTimer.singleShot(int(screenshot_after_s * 1000), shoot))
    try:
        app.exec()
    finally:
        for w in win.pages.values():
            stop = getattr(w, "shutdown", None)
            if callable(stop):
                stop()
        if bridge is not None:
            bridge.close()
        worker.shutdown()
        # Delete the window now, in order, while Qt is whole (not at interpreter exit).
        win.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return status


def shutdown_app() -> None:
    """Destroy the QApplication before the interpreter exits (a command's last step):
    leaving it to garbage collection can crash inside Qt at exit."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.shutdown()


def _access() -> Any:
    """`ui.access.session` (sign-in and lock) when the access module is installed."""
    try:
        from ui.access import session
    except ImportError:
        return None
    return session


def _select_bay(board: Any, label: str) -> None:
    for bay_id, v in board.views.items():
        if v.snap.label == label:
            board.grid.select(bay_id)


def _currency(db: Any) -> str:
    try:
        from stationmgr.billing.tariffs import site_currency

        with db.session() as s:
            return site_currency(s)
    except Exception:
        return "SEK"
