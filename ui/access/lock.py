"""The session lock: after some idle time, or on demand (Ctrl+L), the window's content is
hidden until someone signs in again — the same operator, or the next shift's.

The engine keeps running underneath; only the window is locked. The idle time is a site
setting (`idle_lock_minutes`, default 10; 0 turns the idle lock off). A window attached to
a site service re-signs over its client (`client.login`: the service's lockout policy); it
locks after the default idle time there (the setting is read on the site's own PC).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from stationmgr.access import desk
from stationmgr.access.context import Actor, set_session_actor
from ui.access.login import LoginDialog

if TYPE_CHECKING:
    from stationmgr.store.db import Database

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


DEFAULT_IDLE_MINUTES = 10.0  # the site setting's default


def idle_minutes_setting(db: Database) -> float:
    return desk.idle_lock_minutes(db)


class SessionLock(QObject):
    """Locks `window` after `idle_ms` without keyboard or mouse input, or on `lock()`."""

    locked = Signal()
    unlocked = Signal(object)  # the Actor who signed in
    actor_changed = Signal(object)  # a different operator took over

    def __init__(
        self,
        window: QWidget,
        actor_provider: Callable[[], Actor | None],
        db: Database,
        idle_ms: int,
        worker: Any = None,
        client: Any = None,
    ) -> None:
        super().__init__(window)
        self.client = client
        self.window = window
        self.actor_provider = actor_provider
        self.db = db
        self.worker = worker
        self.is_locked = False
        self.activity = 0  # input events seen (each one restarts the idle timer)
        self.dialog: LoginDialog | None = None
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_idle_ms(idle_ms)
        self.lock_action = QAction(self.tr("Lock now"), window)
        self.lock_action.setObjectName("lock_now")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock)
        window.addAction(self.lock_action)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_idle_ms(self, idle_ms: int) -> None:
        """0 turns the idle lock off (locking on demand still works)."""
        self.idle_ms = max(0, int(idle_ms))
        self.timer.stop()
        if self.idle_ms and not self.is_locked:
            self.timer.start(self.idle_ms)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.is_locked and event.type() in _ACTIVITY:
            self.activity += 1
            if self.idle_ms:
                self.timer.start(self.idle_ms)
        return False

    def _content(self) -> list[QWidget]:
        w = self.window
        if isinstance(w, QMainWindow):
            parts: list[QWidget | None] = [w.centralWidget(), w.menuBar()]
            return [p for p in parts if p is not None and p.isVisibleTo(w)]
        return [
            c
            for c in w.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if c.isVisibleTo(w)
        ]

    def lock(self) -> None:
        """Hide the window's content and ask for a login (idempotent)."""
        if self.is_locked:
            return
        self.is_locked = True
        self.timer.stop()
        self._hidden = self._content()
        for part in self._hidden:
            part.hide()
        actor = self.actor_provider()
        name = (actor.username or "") if actor and not getattr(actor, "demo", False) else ""
        self.dialog = LoginDialog(
            self.db,
            self.worker,
            self.window,
            username=name,
            title=self.tr("Locked — stationmgr"),
            note=self.tr(
                "The window is locked; the site keeps running. Sign in to continue, or "
                "sign in as yourself to take over the shift."
            ),
            channel="gui-unlock",
            client=self.client,
        )
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.signed_in.connect(self._unlock)
        self.dialog.rejected.connect(self._keep_locked)
        self.locked.emit()
        self.dialog.open()

    def _keep_locked(self) -> None:
        """Cancelling the unlock dialog does not unlock: it comes back."""
        if self.is_locked and self.dialog is not None:
            QTimer.singleShot(0, self.dialog.open)

    def _unlock(self, actor: Any) -> None:
        before = self.actor_provider()
        self.is_locked = False
        for part in self._hidden:
            part.show()
        self._hidden = []
        if self.dialog is not None:
            self.dialog.rejected.disconnect(self._keep_locked)
            self.dialog.deleteLater()
            self.dialog = None
        if self.idle_ms:
            self.timer.start(self.idle_ms)
        if before is None or before.username != actor.username:
            if isinstance(actor, Actor):  # over a client, the service holds who it is
                set_session_actor(actor)
            self.actor_changed.emit(actor)
        self.unlocked.emit(actor)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.timer.stop()


def install_session_lock(
    window: QWidget,
    actor_provider: Callable[[], Actor | None],
    idle_minutes: float | None = None,
    db: Database | None = None,
    worker: Any = None,
    idle_ms: int | None = None,
    client: Any = None,
) -> SessionLock:
    """Install the lock on `window` (one call). `idle_minutes` None: the site setting;
    `idle_ms` overrides both (tests). Ctrl+L locks at once."""
    if db is None and client is None:
        db = window.ctx.db  # type: ignore[attr-defined]
    if idle_ms is None:
        if idle_minutes is None:
            idle_minutes = idle_minutes_setting(db) if db is not None else DEFAULT_IDLE_MINUTES
        idle_ms = round(idle_minutes * 60_000)
    return SessionLock(window, actor_provider, db, idle_ms, worker, client)  # type: ignore[arg-type]
