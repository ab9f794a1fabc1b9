"""Two calls for the app launcher: `begin` signs someone in, `attach` locks the window.

    actor = begin(ctx, demo=is_demo)        # None: the person cancelled → quit
    if actor is None: return 0
    lock = attach(window, ctx)              # idle lock (site setting) and Ctrl+L

`ctx` is the app's context (`client`, `worker`, `actor`; `db` for this PC's own sign-in:
the first-run wizard and the login check); `ctx.actor` becomes the signed-in operator's
username and the process's actor is set, so the core services see who acts. A window
attached to a site service (`ctx.remote`) signs in over `ctx.client` instead: the service
holds the operator (its token), and `ctx.operator` is its `m.Operator`. The Session menu's
dialogs (change password, operators) go through `ctx.client` in both cases.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from stationmgr.access.context import Actor, current_actor, demo_actor, set_session_actor
from ui.access.lock import SessionLock, install_session_lock
from ui.access.login import sign_in, sign_in_client
from ui.access.words import role_word


def begin(ctx: Any, demo: bool = False, parent: Any = None) -> Any:
    """Sign in (the demo site: the demo owner, no dialog). None if cancelled."""
    if getattr(ctx, "remote", False):
        if ctx.operator is None:  # not signed in from the environment already
            op = sign_in_client(ctx.client, getattr(ctx, "worker", None), parent)
            if op is None:
                return None
            _adopt(ctx, op)
        return ctx.operator
    actor = (
        demo_actor()
        if demo
        else sign_in(ctx.db, getattr(ctx, "worker", None), parent, getattr(ctx, "client", None))
    )
    if actor is not None:
        _adopt(ctx, actor)
    return actor


def _adopt(ctx: Any, actor: Any) -> None:
    if isinstance(actor, Actor):
        set_session_actor(actor)
    else:  # the service's m.Operator: the service knows who acts (the client's token)
        ctx.operator = actor
    ctx.actor = actor.username or ctx.actor


def _label(actor: Any) -> str:
    """Who is signed in, as the title and the status bar say it: "Name (role)"."""
    if getattr(actor, "demo", False):
        return QCoreApplication.translate("session", "Demo owner (demo site, no login)")
    name = getattr(actor, "display_name", None) or getattr(actor, "username", None) or ""
    role = getattr(actor, "role", None)
    return f"{name} ({role_word(role)})" if role else str(name)


def window_title(base: str, actor: Actor | None) -> str:
    """The title names who is signed in, and says DEMO loudly on the demo site."""
    if actor is None or not (getattr(actor, "username", None) or getattr(actor, "demo", False)):
        return base
    return f"{base} — {_label(actor)}" + (" — DEMO" if getattr(actor, "demo", False) else "")


def attach(
    window: Any, ctx: Any, idle_minutes: float | None = None, idle_ms: int | None = None
) -> SessionLock:
    """Install the session lock on `window`; a shift change updates `ctx.actor` and the
    window title."""
    base = window.windowTitle()
    remote = getattr(ctx, "remote", False)
    who = (lambda: ctx.operator) if remote else current_actor
    lock = install_session_lock(
        window,
        who,
        idle_minutes,
        db=ctx.db,
        worker=getattr(ctx, "worker", None),
        idle_ms=idle_ms,
        client=ctx.client if remote else None,
    )
    window.setWindowTitle(window_title(base, who()))

    def changed(actor: Actor) -> None:
        _adopt(ctx, actor)
        window.setWindowTitle(window_title(base, actor))

    lock.actor_changed.connect(changed)
    if getattr(who(), "demo", False):
        lock.set_idle_ms(0)  # the demo site has nobody to lock out
    if hasattr(window, "menuBar"):
        add_session_menu(window, ctx, lock)
    return lock


class SessionMenu:
    """The window's "Session" menu: lock now, change password, operators (owner)."""

    def __init__(self, window: Any, ctx: Any, lock: SessionLock) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QAction

        self.window, self.ctx, self.lock = window, ctx, lock
        self.dialog: Any = None
        bar = window.menuBar()
        self.menu = bar.addMenu(QCoreApplication.translate("session", "&Session"))
        help_menu = getattr(window, "help_menu", None)
        if help_menu is not None:  # File, View, Session, Help: Help stays last
            bar.insertMenu(help_menu.menuAction(), self.menu)
        self.menu.setObjectName("session_menu")
        self.menu.addAction(lock.lock_action)
        self.passwd = QAction(QCoreApplication.translate("session", "Change password…"), window)
        self.passwd.triggered.connect(self.change_password)
        self.operators = QAction(QCoreApplication.translate("session", "Operators…"), window)
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

        if getattr(self.ctx, "remote", False):  # over a site service: its operator
            op = self.ctx.operator
            signed_in = op is not None and bool(op.username)
            self.passwd.setVisible(signed_in)
            self.operators.setVisible(signed_in and self.ctx.allowed("operators.read"))
            if self.who is not None:
                self.who.setText(_label(op) if signed_in else "")
            return
        actor = current_actor()
        self.passwd.setVisible(actor is not None and actor.operator_id is not None)
        self.operators.setVisible(allowed(actor, "operators.read"))
        if self.who is not None:
            self.who.setText(_label(actor) if actor else "")
            demo = actor is not None and actor.demo
            self.who.setStyleSheet(
                "background: #ffd54f; color: #000; padding: 0 6px; font-weight: bold"
                if demo
                else ""
            )

    def _signed_in(self) -> Any:
        """Who the dialogs act for: the site service's operator, or this process's."""
        if getattr(self.ctx, "remote", False):
            op = self.ctx.operator
            return op if op is not None and op.username else None
        return current_actor()

    def change_password(self) -> None:
        """One's own password, through the window's site client (on its worker)."""
        from ui.access.login import ChangePasswordDialog

        actor = self._signed_in()
        if actor is None:
            return
        worker = getattr(self.ctx, "worker", None)
        self.dialog = ChangePasswordDialog(self.ctx.client, actor, self.window, worker=worker)
        self.dialog.open()

    def show_operators(self) -> None:
        """The operators dialog on the window's site client (the core checks the role)."""
        from ui.access.operators_dialog import OperatorsDialog

        actor = self._signed_in()
        if actor is None:
            return
        worker = getattr(self.ctx, "worker", None)
        self.dialog = OperatorsDialog(self.ctx.client, actor, self.window, worker)
        self.dialog.open()


def add_session_menu(window: Any, ctx: Any, lock: SessionLock) -> SessionMenu:
    menu = SessionMenu(window, ctx, lock)
    window.session_menu = menu  # kept alive with the window
    return menu
