"""Who may do what: operators, roles, the acting operator, the audit log and secrets.

Permissions are checked in the core services (`context.require`), which the CLI and the GUI
both go through; the GUI additionally hides what a role cannot do (`context.allowed`).
"""

from stationmgr.access.context import (
    Actor,
    acting,
    allowed,
    current_actor,
    demo_actor,
    protected,
    require,
    set_session_actor,
)
from stationmgr.access.roles import ACTIONS, Role

__all__ = [
    "ACTIONS",
    "Actor",
    "Role",
    "acting",
    "allowed",
    "current_actor",
    "demo_actor",
    "protected",
    "require",
    "set_session_actor",
]
