"""Two calls for the app launcher: `begin` signs someone in, `attach` locks the window.

    actor = begin(ctx, demo=is_demo)        # None: the person cancelled → quit
    if actor is None: return 0
    lock = attach(window, ctx)              # idle lock (site setting) and Ctrl+L

`ctx` is the app's context (`db`, `worker`, `actor`); `ctx.actor` becomes the signed-in
operator's username and the process's actor is set, so the core services see who acts.
"""

from __future__ import annotations

from typing import Any

from stationmgr.access.context import Actor, current_actor, demo_actor, set_session_actor
from ui.access.lock import SessionLock, install_session_lock
from ui.access.login import sign_in


def begin(ctx: Any, demo: bool = False, parent: Any = None) -> Actor | None:
    """Sign in (the demo site: the demo owner, no dialog). None if cancelled."""
    actor = demo_actor() if demo else sign_in(ctx.db, getattr(ctx, "worker", None), parent)
    if actor is not None:
        _adopt(ctx, actor)
    return actor


def _adopt(ctx: Any, actor: Actor) -> None:
    set_session_actor(actor)
    ctx.actor = actor.username


def window_title(base: str, actor: Actor | None) -> str:
    """The title names who is signed in, and says DEMO loudly on the demo site."""
    if actor is None:
        return base
    return f"{base} — {actor.label}" + (" — DEMO" if actor.demo else "")


def attach(
    window: Any, ctx: Any, idle_minutes: float | None = None, idle_ms: int | None = None
) -> SessionLock:
    """Install the session lock on `window`; a shift change updates `ctx.actor` and the
    window title."""
    base = window.windowTitle()
    lock = install_session_lock(
        window,
        current_actor,
        idle_minutes,
        db=ctx.db,
        worker=getattr(ctx, "worker", None),
        idle_ms=idle_ms,
    )
    window.setWindowTitle(window_title(base, current_actor()))

    def changed(actor: Actor) -> None:
        _adopt(ctx, actor)
        window.setWindowTitle(window_title(base, actor))

    lock.actor_changed.connect(changed)
    if current_actor() is not None and current_actor().demo:  # type: ignore[union-attr]
        lock.set_idle_ms(0)  # the demo site has nobody to lock out
    if hasattr(window, "menuBar"):
        add_session_menu(window, ctx, lock)
    return lock


class SessionMenu:
    """The window's "Session" menu: lock now, change password, operators (owner)."""

    def __init__(self, window: Any, ctx: Any, lock: SessionLock) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QAction

        def tr(text: str) -> str:
            return QCoreApplication.translate("session", text)

        self.window, self.ctx, self.lock = window, ctx, lock
        self.dialog: Any = None
        self.menu = window.menuBar().addMenu(tr("&Session"))
        self.menu.setObjectName("session_menu")
        self.menu.addAction(lock.lock_action)
        self.passwd = QAction(tr("Change password…"), window)
        self.passwd.triggered.connect(self.change_password)
        self.operators = QAction(tr("Operators…"), window)
        self.operators.triggered.connect(self.show_operators)
        self.menu.addAction(self.passwd)
        self.menu.addAction(self.operators)
        self.who: Any = None
        if hasattr(window, "statusBar"):
            from PySide6.QtWidgets import QLabel

            self.who = QLabel()
            self.who.setObjectName("signed_in")
            window.statusBar().addPermanentWidget(self.who)
        self.refresh()
        lock.unlocked.connect(lambda _a: self.refresh())

    def refresh(self) -> None:
        """Offer what the signed-in operator may use (after a shift change too)."""
        from ui.access import allowed

        actor = current_actor()
        self.passwd.setVisible(actor is not None and actor.operator_id is not None)
        self.operators.setVisible(allowed(actor, "operators.read"))
        if self.who is not None:
            self.who.setText(actor.label if actor else "")
            demo = actor is not None and actor.demo
            self.who.setStyleSheet(
                "background: #ffd54f; color: #000; padding: 0 6px; font-weight: bold"
                if demo
                else ""
            )

    def change_password(self) -> None:
        from ui.access.login import ChangePasswordDialog

        actor = current_actor()
        if actor is None:
            return
        self.dialog = ChangePasswordDialog(self.ctx.db, actor, self.window)
        self.dialog.open()

    def show_operators(self) -> None:
        from ui.access.operators_dialog import OperatorsDialog

        actor = current_actor()
        if actor is None:
            return
        self.dialog = OperatorsDialog(self.ctx.db, actor, self.window)
        self.dialog.open()


def add_session_menu(window: Any, ctx: Any, lock: SessionLock) -> SessionMenu:
    menu = SessionMenu(window, ctx, lock)
    window.session_menu = menu  # kept alive with the window
    return menu
