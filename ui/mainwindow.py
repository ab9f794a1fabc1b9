"""The main window: a sidebar of pages (bay board first), menus, shortcuts, status bar, tray.

Pages come from the registry in `ui.pages`; `add_page()` adds one at run time. Geometry,
window state and the last page are remembered in QSettings.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QWidget,
)

from stationmgr import __version__
from ui import fmt
from ui.board.clock import SiteClock
from ui.context import AppContext
from ui.pages import PAGE_MODULES, PageSpec, load_pages
from ui.resources import icon

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    page_changed = Signal(str)

    pages_ready = Signal()  # every registered page is in (after a deferred start)

    def __init__(
        self, ctx: AppContext, pages: list[PageSpec] | None = None, deferred: bool = False
    ) -> None:
        """`pages`: these pages (tests); None: the registry's. `deferred`: build only the
        first registered page now and the rest after the window has painted (`load_rest`):
        the attendant sees the board at once while the other pages' imports load."""
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(self.tr("stationmgr — charging site"))
        self._use_site_zone()
        self._orders: list[int] = []
        self._wanted_page: str | None = None
        self.persist_state = True  # window geometry and page saved in QSettings at close
        self._deferred = PAGE_MODULES[1:] if deferred and pages is None else []
        self.setWindowIcon(icon("stationmgr"))
        self.setObjectName("MainWindow")
        self._keys: list[str] = []
        self._page_actions: dict[str, QAction] = {}
        self.pages: dict[str, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(150)
        self.nav.setSpacing(2)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_row)

        self._build_menus()
        self.clock_label = QLabel()
        self._site_clock = SiteClock()
        self.statusBar().addPermanentWidget(self.clock_label)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self._tick_status)
        self._status_timer.start(1000)
        self._tick_status()

        if pages is None:
            pages = load_pages(PAGE_MODULES[:1]) if self._deferred else load_pages()
        for spec in pages:
            self._build(spec)
        if not self._deferred:
            QTimer.singleShot(0, self.pages_ready.emit)

        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon("stationmgr"), self)
            self.tray.setToolTip("stationmgr")
            self.tray.activated.connect(lambda _r: self._bring_up())
            menu = QMenu(self)
            menu.addAction(self.tr("Show stationmgr"), self._bring_up)
            menu.addSeparator()
            menu.addAction(self.tr("Quit"), self.close)
            self.tray.setContextMenu(menu)
            self.tray.messageClicked.connect(self._bring_up)
            self.tray.show()
        self.restore_state()

    # ------------------------------------------------------------ pages

    def _build(self, spec: PageSpec) -> None:
        if self.ctx.remote and not spec.remote:
            log.info("page %s is not available over a site service yet; not shown", spec.key)
            return
        try:
            widget = spec.factory(self.ctx)
        except Exception:
            log.exception("page %s failed to build; skipped", spec.key)
            return
        self.add_page(spec.key, spec.title(), widget, spec.icon, spec.order)

    def load_rest(self) -> None:
        """Import and build the remaining pages after the first paint, one per turn of the
        event loop (on this thread: importing Qt-using modules elsewhere is not safe)."""
        queue, self._deferred = list(self._deferred), []

        def next_page() -> None:
            if not queue:
                self.pages_ready.emit()
                return
            for spec in load_pages([queue.pop(0)]):
                self._build(spec)
            QTimer.singleShot(0, next_page)

        next_page()

    def add_page(
        self,
        key: str,
        title: str,
        widget: QWidget,
        icon_name: str = "page",
        order: int | None = None,
    ) -> None:
        """Add a page to the sidebar at its `order` (default: last) and to View ▸ pages;
        the first nine get Ctrl+1…9 in sidebar order."""
        if key in self.pages:
            raise ValueError(f"a page {key!r} is already there")
        order = order if order is not None else (max(self._orders, default=0) + 1)
        pos = sum(1 for o in self._orders if o <= order)
        current = self.current_page()
        self.pages[key] = widget
        self._keys.insert(pos, key)
        self._orders.insert(pos, order)
        self.stack.insertWidget(pos, widget)
        item = QListWidgetItem(icon(icon_name) if icon_name else QIcon(), title)
        item.setSizeHint(QSize(140, 36))
        self.nav.blockSignals(True)
        self.nav.insertItem(pos, item)
        self.nav.blockSignals(False)
        act = QAction(title, self)
        act.triggered.connect(lambda _c=False, k=key: self.show_page(k))
        self._page_actions[key] = act
        # View lists the pages in the sidebar's order (after full screen and a separator).
        later = [self._page_actions[k] for k in self._keys[pos + 1 :] if k in self._page_actions]
        if later:
            self.view_menu.insertAction(later[0], act)
        else:
            self.view_menu.addAction(act)
        self.addAction(act)
        for n, k in enumerate(self._keys, 1):
            self._page_actions[k].setShortcut(
                QKeySequence(f"Ctrl+{n}") if n <= 9 else QKeySequence()
            )
        if current is not None:
            self._select(current)
        elif self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        if self._wanted_page == key:
            self._wanted_page = None
            self.show_page(key)

    def show_page(self, key: str) -> None:
        if key not in self._keys:
            self._wanted_page = key  # shown when it arrives
            return
        self._wanted_page = None  # the latest wish wins
        self._select(key)

    def _select(self, key: str) -> None:
        row = self._keys.index(key)
        self.nav.setCurrentRow(row)
        self.stack.setCurrentIndex(row)

    def current_page(self) -> str | None:
        row = self.nav.currentRow()
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self._keys):
            self.stack.setCurrentIndex(row)
            self.page_changed.emit(self._keys[row])

    # ------------------------------------------------------------ menus and status

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcuts(
            [
                QKeySequence("Ctrl+,"),
                *QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences),
            ]
        )
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = bar.addMenu(self.tr("&View"))
        full = QAction(self.tr("&Full screen"), self)
        full.setShortcuts(
            [QKeySequence("F11"), *QKeySequence.keyBindings(QKeySequence.StandardKey.FullScreen)]
        )
        full.triggered.connect(
            lambda: self.showNormal() if self.isFullScreen() else self.showFullScreen()
        )
        self.view_menu.addAction(full)
        self.view_menu.addSeparator()
        help_menu = bar.addMenu(self.tr("&Help"))
        self.help_menu = help_menu  # stays last: the Session menu goes before it
        about = QAction(self.tr("&About stationmgr"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About stationmgr"),
            self.tr("stationmgr {0}\nMonitor and run a small EV charging site.").format(
                __version__
            ),
        )

    def _use_site_zone(self) -> None:
        """Show every time in the site's zone (its `timezone`, as documents and the CLI)."""
        from ui import fmt

        client = getattr(self.ctx, "client", None)
        try:
            info = client.site_info() if client is not None else None
        except Exception:  # an unreachable site: local time until the next start
            info = None
        fmt.set_site_zone(info.timezone if info is not None else None)
        if info is not None and info.name:  # the name the owner gave it in the wizard
            self.setWindowTitle(self.tr("{0} — stationmgr").format(info.name))

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        SettingsDialog(self, getattr(self.ctx, "client", None)).exec()

    def _tick_status(self) -> None:
        """The site's time, from its bays' snapshots (no engine here over a site service):
        the newest snapshot's `at`, run on by this PC's clock; and whether the site is
        reachable."""
        site = self.ctx.site
        if site is None:
            self.clock_label.setText(self.tr("site not running: history only"))
            return
        newest = max((b.at for b in site.latest.values()), default="")
        if newest:
            from ui.board.state import epoch

            self._site_clock.saw(epoch(newest) or 0.0)
        if not self._site_clock.known:
            text = self.tr("waiting for the site…")
        else:
            text = fmt.when(self.ctx.locale, self._site_clock.now(), seconds=True)
        if not site.connected and site.last_error:
            text = self.tr("site not reachable") + " · " + text
        self.clock_label.setText(text)

    def _bring_up(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def notify(self, title: str, text: str) -> None:
        """An alert: in the status bar, and as a tray message when a tray exists."""
        self.statusBar().showMessage(f"{title}: {text}", 15_000)
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 10_000)

    # ------------------------------------------------------------ state

    def restore_state(self) -> None:
        s = QSettings()
        geo = s.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        page = s.value("window/page")
        if isinstance(page, str) and page:
            self.show_page(page)

    def save_state(self) -> None:
        if not self.persist_state:
            return
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        if self.current_page():
            s.setValue("window/page", self.current_page())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        for w in self.pages.values():
            stop = getattr(w, "shutdown", None)
            if callable(stop):
                stop()
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)
        app = QApplication.instance()
        if app is not None:
            QTimer.singleShot(0, app.quit)


__all__ = ["MainWindow", "Qt"]


def _keys(own: str, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """Our shortcut plus the platform's own for the same thing, without duplicates."""
    out = [QKeySequence(own)]
    for k in QKeySequence.keyBindings(standard):
        if k.toString() not in {o.toString() for o in out}:
            out.append(k)
    return out
