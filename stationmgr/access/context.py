"""The acting operator and the permission check every core service makes.

An `Actor` is who is signed in. Services take it explicitly (`actor=`) or find the one set
around the call: `with acting(actor): ...` for a unit of work, or `set_session_actor(actor)`
for the whole process (the CLI after its login, the GUI after its login dialog).

A database without any operator (a fresh one) has nothing to protect: every action is
allowed and no login is asked for. From the first operator on, an action without a valid
actor is refused. The role is re-read from the database at each check, so disabling an
operator or changing a role takes effect at once, even for someone already signed in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.access import audit
from stationmgr.access.roles import ACTIONS, Role, canonical, role_may, roles_for
from stationmgr.errors import PermissionDenied
from stationmgr.store.models import Operator

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

DEMO_USERNAME = "demo"


@dataclass(frozen=True)
class Actor:
    """Who is signed in (as of the login; the role is re-checked at every action)."""

    username: str
    role: Role
    operator_id: int | None = None
    display_name: str | None = None
    demo: bool = False
    must_change_password: bool = False

    @property
    def label(self) -> str:
        if self.demo:
            return "Demo owner (demo site, no login)"
        name = self.display_name or self.username
        return f"{name} ({self.role.value})"


def demo_actor() -> Actor:
    """The automatic login of the demo site: an owner, labelled as demo everywhere.

    It is accepted only on a database without operators (a demo site has none); on a
    protected site it is refused like anyone who has not signed in.
    """
    return Actor(DEMO_USERNAME, Role.OWNER, None, "Demo owner", demo=True)


_context_actor: ContextVar[Actor | None] = ContextVar("stationmgr_actor", default=None)
_session_actor: Actor | None = None


def current_actor() -> Actor | None:
    """The actor set around this call, else the process's signed-in actor, else None."""
    return _context_actor.get() or _session_actor


def set_session_actor(actor: Actor | None) -> None:
    """Sign the whole process in (or out, with None): the CLI and the GUI after a login."""
    global _session_actor
    _session_actor = actor


@contextmanager
def acting(actor: Actor | None) -> Iterator[Actor | None]:
    """Run the block as `actor` (this thread/task only)."""
    token = _context_actor.set(actor)
    try:
        yield actor
    finally:
        _context_actor.reset(token)


def protected(s: Session) -> bool:
    """Whether the site has any operator, i.e. whether logins and permissions apply."""
    return s.scalar(select(Operator.id).limit(1)) is not None


def allowed(actor: Actor | None, action: str) -> bool:
    """Whether the GUI should offer `action` to `actor` (no database access; for hiding).

    The service still checks (`require`); this only keeps menus honest.
    """
    if actor is None:
        return False
    return role_may(actor.role, action)


def operator_name(actor: Actor | None) -> str | None:
    """The name an audit entry records for `actor`."""
    return None if actor is None else actor.username


def _refusal(s: Session, actor: Actor | None, action: str) -> str | None:
    what = ACTIONS[action]
    if actor is None:
        return f"sign in first: this site has operators, and {what} needs a login"
    if actor.demo:
        return "the demo login works only on a site without operators; sign in"
    role = actor.role
    if actor.operator_id is not None:
        row = s.get(Operator, actor.operator_id)
        if row is None or row.username != actor.username:
            return f"operator {actor.username!r} no longer exists"
        if not row.active:
            return f"operator {actor.username!r} is disabled"
        if row.must_change_password and not actor.must_change_password:
            # The owner reset the password after this sign-in (someone else may know the
            # old one): a token or window signed in before it acts no more.
            return f"the password of {actor.username!r} was reset since this sign-in; sign in again"
        role = Role(row.role)
    elif not actor.demo:
        return f"{actor.username!r} is not a signed-in operator"
    if not role_may(role, action):
        who = ", ".join(r.value for r in roles_for(action))
        return f"{actor.username} ({role.value}) may not {what} (allowed for: {who})"
    return None


def require(
    actor: Actor | None,
    action: str,
    s: Session,
    target: str | None = None,
) -> Actor | None:
    """Check that `actor` (or the current actor) may do `action`; return the actor.

    On refusal: an audit entry (outcome `denied`) is committed in a unit of work of its
    own, then `PermissionDenied` is raised with a message naming who, what and which roles
    may. Call it before writing anything in `s` (the refusal's own write must not wait for
    the caller's).
    """
    action = canonical(action)
    if action not in ACTIONS:
        raise KeyError(f"undeclared action {action!r}: add it to access.roles.ACTIONS")
    actor = actor or current_actor()
    if not protected(s):
        return actor
    refusal = _refusal(s, actor, action)
    if refusal is None:
        return actor
    # The refusal is audited below and raised to the caller, who says it once (the CLI's
    # one error line, the API's 403): a log line too would say it twice on a terminal.
    log.debug("refused: %s", refusal)
    audit.append_now(
        s.get_bind(),
        operator_name(actor),
        action,
        target=target,
        outcome=audit.DENIED,
        detail=refusal,
    )
    raise PermissionDenied(f"permission denied: {refusal}")


def record(
    s: Session,
    action: str,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
    actor: Actor | None = None,
    detail: str | None = None,
) -> None:
    """Audit a change made in `s`, by `actor` (or the current actor), in the same unit of
    work as the change."""
    actor = actor or current_actor()
    audit.append(s, operator_name(actor), action, target, before, after, detail=detail)


def requires(action: str) -> Callable[[F], F]:
    """Decorator for a service `fn(s, ...)` whose first argument is the unit of work:
    checks `action` for the current actor (or an `actor=` keyword) before it runs.

        @requires("tariffs.edit")
        def add_tariff(s, ..., actor=None): ...
    """

    def deco(fn: F) -> F:
        @wraps(fn)
        def wrapper(s: Session, *args: Any, **kwargs: Any) -> Any:
            require(kwargs.get("actor"), action, s)
            return fn(s, *args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco
