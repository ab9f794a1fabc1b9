"""Starting the desktop app: display check, QApplication, language, palette, the window.

`run_window(db, runtime, ...)` is shared by `stationmgr gui` and `stationmgr demo`: the site
runtime (`stationmgr.runtime`) is already running on its own thread; this builds the
window's site client and its live events (`local_client`), the worker pool and the main
window, runs the event loop, and tears it all down in order.
`run_window(None, None, client=RemoteClient(...))` is `stationmgr gui --site URL`: the window
is a client of a site service (no database, no engine here), and closing it leaves the site
running.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette

    from stationmgr.runtime import SiteRuntime

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


def make_app(argv: list[str] | None = None, lang: str | None = None) -> Any:
    """The QApplication, named (QSettings' location), translated (`lang`, else the
    setting or the system's), and themed."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from stationmgr import __version__
    from ui import i18n
    from ui.gcguard import GuiThreadCollector
    from ui.resources import icon

    app = QApplication.instance()
    if app is None:
        if not QCoreApplication.organizationName():  # a test or bench may have set its own
            QCoreApplication.setOrganizationName("stationmgr")
            QCoreApplication.setApplicationName("stationmgr")
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(argv or [sys.argv[0]])
        app.setDesktopFileName("stationmgr")
    if getattr(app, "gc_guard", None) is None:  # Qt objects die on the GUI thread only
        app.gc_guard = GuiThreadCollector(app)  # type: ignore[attr-defined]
    app.setWindowIcon(icon("stationmgr"))
    app.locale_ = i18n.install(app, lang)  # type: ignore[attr-defined]
    apply_theme(app)
    return app


def apply_theme(app: Any) -> None:
    """Light or dark as the system says (Qt ≥ 6.5 follows it); forced by the setting."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QPalette

    theme = str(QSettings().value("ui/theme", "system") or "system")
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+
        scheme = {
            "light": Qt.ColorScheme.Light,
            "dark": Qt.ColorScheme.Dark,
        }.get(theme, Qt.ColorScheme.Unknown)
        hints.setColorScheme(scheme)
    dark = theme == "dark" or (theme == "system" and hints.colorScheme() == Qt.ColorScheme.Dark)
    if dark:
        app.setStyle("Fusion")  # Fusion draws the dark palette well on every platform
        # A desktop without a platform theme (a bare X session, Windows' classic style)
        # ignores the colour scheme: the palette is set, so "Dark" is dark everywhere.
        if app.palette().color(QPalette.ColorRole.Window).lightness() > 128:
            app.setPalette(dark_palette())
    elif theme == "light" and app.palette().color(QPalette.ColorRole.Window).lightness() < 128:
        app.setStyle("Fusion")
        app.setPalette(app.style().standardPalette())


def dark_palette() -> QPalette:
    """Fusion's dark colours: grey windows, near-black fields, light text, blue selection."""
    from PySide6.QtGui import QColor, QPalette

    P, G = QPalette.ColorRole, QPalette.ColorGroup
    pal = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(230, 230, 230)
    for role, colour in (
        (P.Window, window),
        (P.WindowText, text),
        (P.Base, base),
        (P.AlternateBase, QColor(40, 40, 43)),
        (P.ToolTipBase, window),
        (P.ToolTipText, text),
        (P.PlaceholderText, QColor(140, 140, 140)),
        (P.Text, text),
        (P.Button, window),
        (P.ButtonText, text),
        (P.BrightText, QColor(255, 80, 80)),
        (P.Link, QColor(90, 160, 255)),
        (P.Highlight, QColor(42, 130, 218)),
        (P.HighlightedText, QColor(255, 255, 255)),
    ):
        pal.setColor(role, colour)
    for role in (P.Text, P.WindowText, P.ButtonText):
        pal.setColor(G.Disabled, role, QColor(120, 120, 120))
    return pal


def run_window(
    db: Any,
    runtime: SiteRuntime | None,
    screenshot: Path | None = None,
    screenshot_after_s: float = 4.0,
    page: str | None = None,
    bay: str | None = None,
    actor: str = "attendant",
    demo: bool = False,
    client: Any = None,
    operator: Any = None,
    dialog: str | None = None,
    size: tuple[int, int] | None = None,
    lang: str | None = None,
) -> int:
    """Show the main window on a running site until it is closed (or screenshotted).

    Who uses it: the sign-in of `ui.access` (first-run wizard, login; the demo site signs
    in as the labelled demo owner), then the idle lock. A screenshot run skips the sign-in.
    Returns 0 also when the person cancels the sign-in.

    `client` (a `RemoteClient`, `db` and `runtime` None): the window of a site service;
    `operator` who signed in already (from the environment), else the login dialog asks.
    A screenshot may show `dialog` open over its page (`ui.shots`), at `size` pixels, in
    `lang` ("en", "sv"; None: the setting)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    from ui.access import session as access
    from ui.context import AppContext
    from ui.mainwindow import MainWindow
    from ui.worker import Worker

    app = make_app(lang=lang)
    worker = Worker()
    if client is not None:  # a site service elsewhere
        from ui.sitebridge import SiteBridge

        ctx = AppContext(None, None, worker, actor=actor, locale=app.locale_)
        ctx.client = client
        ctx.operator = operator
        if operator is not None and operator.username:
            ctx.actor = operator.username
        ctx.site = SiteBridge(client)  # started once signed in (the stream needs the token)
    else:
        engine = runtime.engine if runtime is not None else None
        ctx = AppContext(db, engine, worker, actor=actor, locale=app.locale_)
        ctx.client, ctx.site = local_client(db, runtime)
        ctx.currency = _currency(db)
    sign_in = demo or screenshot is None
    if sign_in and access.begin(ctx, demo=demo) is None:  # cancelled: nothing to show
        close_context(ctx)
        return 0
    if ctx.remote:
        ctx.site.start()
    win = MainWindow(ctx, deferred=True)
    if screenshot is not None:
        from PySide6.QtCore import QSize

        from ui import shots

        win.persist_state = False  # a docs/test run leaves the user's window as it was
        win.resize(shots.window_size(size) if size else QSize(1280, 800))
        page = page or (shots.DIALOGS.get(dialog) if dialog else None) or "board"
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
        opened: list[Any] = []

        def shoot(tries: int = 50) -> None:
            """Open the dialog (once), wait for it to show what it read, then save."""
            nonlocal status
            if dialog and not opened:
                try:
                    opened.append(shots.open_dialog(win, dialog))
                except Exception as e:
                    log.error("could not open the %s dialog: %s", dialog, e)
                    status = 1
                    win.close()
                    return
            top = opened[0] if opened else None
            if top is not None and not shots.loaded(top) and tries > 0:
                QTimer.singleShot(200, lambda: shoot(tries - 1))
                return
            app.processEvents()
            if not shots.picture(win, top, size).save(str(screenshot)):
                log.error("could not write %s", screenshot)
                status = 1
            if top is not None:
                top.close()
            win.close()

        def ready() -> None:
            if not dialog and page in win.pages:
                shots.prepare(win, page)
            QTimer.singleShot(int(screenshot_after_s * 1000), shoot)

        win.pages_ready.connect(ready)
    try:
        app.exec()
    finally:
        for w in win.pages.values():
            stop = getattr(w, "shutdown", None)
            if callable(stop):
                stop()
        close_context(ctx)
        # Delete the window now, in order, while Qt is whole (not at interpreter exit).
        win.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return status


def local_client(db: Any, runtime: SiteRuntime | None) -> tuple[Any, Any]:
    """The in-process `SiteClient` on this database (and running site, if any), and its
    live events as Qt signals (None without a running site)."""
    from stationmgr.client.local import LocalClient
    from ui.sitebridge import SiteBridge

    engine = runtime.engine if runtime is not None else None
    on_change = None
    if runtime is not None:

        def on_change(kinds: frozenset[str]) -> None:
            runtime.changed(kinds)

    client = LocalClient(db, engine, on_change=on_change)
    return client, SiteBridge(client).start() if engine is not None else None


def close_context(ctx: Any) -> None:
    """Release what the launcher built for the window, in order: events, workers, the
    client."""
    if ctx.site is not None:
        ctx.site.close()
    ctx.worker.shutdown()
    if ctx.client is not None:
        if ctx.remote and getattr(ctx.client, "token", None):
            from contextlib import suppress

            with suppress(Exception):  # the token ends with the window; the site runs on
                ctx.client.logout()
        ctx.client.close()


def shutdown_app() -> None:
    """Destroy the QApplication before the interpreter exits (a command's last step):
    leaving it to garbage collection can crash inside Qt at exit."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        guard = getattr(app, "gc_guard", None)
        if guard is not None:
            guard.stop()
            app.gc_guard = None  # type: ignore[attr-defined]
        app.shutdown()


def _select_bay(board: Any, label: str) -> None:
    for bay_id, v in board.views.items():
        if v.snap.label == label:
            board.grid.select(bay_id)


def _currency(db: Any) -> str:
    from stationmgr.billing.tariffs import currency_of

    try:
        return currency_of(db)
    except Exception:  # the database cannot be read yet: the window says so later
        log.warning("could not read the site currency", exc_info=True)
        return "SEK"
