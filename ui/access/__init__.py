"""Sign-in for the desktop app: first-run wizard, login dialog, idle lock, operators admin,
audit view, and `allowed()` for hiding what a role cannot do.

The app launcher needs two calls (`ui.access.session`)::

    actor = begin(ctx, demo=is_demo)   # wizard on a fresh site, else the login dialog
    lock = attach(window, ctx)         # idle lock (site setting idle_lock_minutes), Ctrl+L

or the parts: `sign_in(db, worker)`, `install_session_lock(window, actor_provider, ...)`.
Widgets hide what a role cannot do with `allowed(actor, "cards.add")`.

The demo site signs in as `demo_actor()` (labelled as demo; refused on a site with operators).
Permissions are enforced by the core services; hiding is only courtesy.
"""

from __future__ import annotations

from stationmgr.access.context import Actor, current_actor, demo_actor
from stationmgr.access.roles import role_may

__all__ = [
    "Actor",
    "AuditView",
    "ChangePasswordDialog",
    "FirstRunWizard",
    "LoginDialog",
    "OperatorsDialog",
    "SessionLock",
    "allowed",
    "demo_actor",
    "install_session_lock",
    "sign_in",
]


def allowed(actor: Actor | str | None, action: str) -> bool:
    """Whether to offer `action` to `actor`: an Actor, or the signed-in operator's username.

    A bare name while nobody is signed in in this process (a fresh site without operators,
    where the core allows everything) offers everything; the core services decide anyway.
    """
    if actor is None:
        return False
    if isinstance(actor, Actor):
        role = actor.role
    else:
        signed_in = current_actor()
        if signed_in is None:
            return True
        if signed_in.username != actor:
            return False
        role = signed_in.role
    try:
        return role_may(role, action)
    except KeyError:
        return False


def __getattr__(name: str) -> object:  # Qt classes load only when used
    if name in ("LoginDialog", "ChangePasswordDialog", "sign_in"):
        from ui.access import login

        return getattr(login, name)
    if name == "FirstRunWizard":
        from ui.access.wizard import FirstRunWizard

        return FirstRunWizard
    if name in ("SessionLock", "install_session_lock"):
        from ui.access import lock

        return getattr(lock, name)
    if name == "OperatorsDialog":
        from ui.access.operators_dialog import OperatorsDialog

        return OperatorsDialog
    if name == "AuditView":
        from ui.access.audit_view import AuditView

        return AuditView
    raise AttributeError(name)
