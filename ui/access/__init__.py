"""Sign-in for the desktop app: first-run wizard, login dialog, idle lock, operators admin,
audit view, and `allowed()` for hiding what a role cannot do.

The main window needs three calls::

    actor = sign_in(db, worker)                 # wizard on a fresh site, else the login dialog
    lock = install_session_lock(window, lambda: actor, idle_minutes=10, db=db)
    button.setVisible(allowed(actor, "cards.add"))

The demo site signs in as `demo_actor()` (labelled as demo; refused on a site with operators).
Permissions are enforced by the core services; hiding is only courtesy.
"""

from __future__ import annotations

from stationmgr.access.context import Actor, current_actor, demo_actor
from stationmgr.access.roles import Role, role_may

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


def _role_of(actor: Actor | str | None) -> Role | None:
    if actor is None:
        return None
    if isinstance(actor, Actor):
        return actor.role
    signed_in = current_actor()
    if signed_in is not None and signed_in.username == actor:
        return signed_in.role
    try:
        return Role(actor)  # a role name stands for itself (the app's placeholder actor)
    except ValueError:
        return None


def allowed(actor: Actor | str | None, action: str) -> bool:
    """Whether to offer `action` to `actor` (an Actor, or the signed-in username)."""
    role = _role_of(actor)
    if role is None:
        return False
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
