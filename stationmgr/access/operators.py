"""Operator accounts: create, sign in, change and reset passwords, lock out, disable.

Passwords are stored only as argon2id hashes (argon2-cffi). Repeated failures lock the
account for a while (`LoginPolicy`); a success clears the count. Every login, failed ones
too, leaves an audit entry. Sign-in runs in its own unit of work so a failure's count and
trace are committed although the login itself is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from stationmgr.access import audit, sitekey
from stationmgr.access.context import Actor, operator_name, record, require
from stationmgr.access.roles import Role, parse_role
from stationmgr.clock import Clock, SystemClock, to_datetime
from stationmgr.errors import PermissionDenied, UserError
from stationmgr.store.db import Database
from stationmgr.store.models import Operator

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
HASHER = PasswordHasher()  # argon2id, the library's recommended cost
_DUMMY_HASH = HASHER.hash("stationmgr: equalises the time an unknown username takes")


@dataclass(frozen=True)
class LoginPolicy:
    min_length: int = 10
    max_failures: int = 5  # this many wrong passwords in a row lock the account...
    lockout_minutes: float = 15.0  # ...for this long


POLICY = LoginPolicy()
POLICY_SETTING = "login_policy"
# field -> (lowest, highest) an owner may set
POLICY_LIMITS: dict[str, tuple[float, float]] = {
    "min_length": (8, 128),
    "max_failures": (3, 50),
    "lockout_minutes": (1, 24 * 60),
}


def load_policy(s: Session) -> LoginPolicy:
    """The site's login policy (site setting `login_policy`), defaults for what is unset."""
    from stationmgr.settings import get_setting

    stored = get_setting(s, POLICY_SETTING, {}) or {}
    values = {k: v for k, v in stored.items() if k in POLICY_LIMITS}
    try:
        return LoginPolicy(
            int(values.get("min_length", POLICY.min_length)),
            int(values.get("max_failures", POLICY.max_failures)),
            float(values.get("lockout_minutes", POLICY.lockout_minutes)),
        )
    except (TypeError, ValueError):
        return POLICY


def set_policy(s: Session, changes: dict[str, float], actor: Actor | None = None) -> LoginPolicy:
    """Change the login policy (owner: `settings.edit`); audited with before and after."""
    from stationmgr.settings import set_setting

    actor = require(actor, "settings.edit", s, target=POLICY_SETTING)
    before = load_policy(s).__dict__
    after = dict(before)
    for key, value in changes.items():
        if key not in POLICY_LIMITS:
            raise UserError(f"unknown policy setting {key!r}")
        low, high = POLICY_LIMITS[key]
        if not low <= value <= high:
            raise UserError(f"{key.replace('_', ' ')} must be between {low:g} and {high:g}")
        after[key] = value
    set_setting(s, POLICY_SETTING, after)
    record(s, "settings.edit", POLICY_SETTING, before, after, actor=actor)
    return load_policy(s)


class LoginFailed(PermissionDenied):
    """Wrong credentials, a locked or a disabled account (exit status 3)."""


IDLE_LOCK_SETTING = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10.0


def idle_lock_minutes(s: Session) -> float:
    """Minutes without input before the desktop app locks its window (0: never)."""
    from stationmgr.settings import get_setting

    try:
        return max(0.0, float(get_setting(s, IDLE_LOCK_SETTING, DEFAULT_IDLE_LOCK_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(s: Session, minutes: float, actor: Actor | None = None) -> None:
    from stationmgr.settings import set_setting

    actor = require(actor, "settings.edit", s, target=IDLE_LOCK_SETTING)
    if not 0 <= minutes <= 8 * 60:
        raise UserError("the idle lock must be between 0 (off) and 480 minutes")
    before = idle_lock_minutes(s)
    set_setting(s, IDLE_LOCK_SETTING, minutes)
    record(s, "settings.edit", IDLE_LOCK_SETTING, before, minutes, actor=actor)


def check_username(name: str) -> str:
    name = (name or "").strip().lower()
    if not USERNAME_RE.match(name):
        raise UserError(
            f"invalid username {name!r}: 2–40 characters, lower-case letters, digits, '.', "
            "'_' or '-', starting with a letter or digit"
        )
    return name


def check_password(password: str, username: str = "", policy: LoginPolicy = POLICY) -> str:
    """Refuse a password that is too short or is the username."""
    if len(password) < policy.min_length:
        raise UserError(f"the password must be at least {policy.min_length} characters long")
    if username and password.strip().lower() == username.lower():
        raise UserError("the password must not be the username")
    return password


def get_operator(s: Session, username: str) -> Operator:
    row = s.scalar(select(Operator).where(Operator.username == username.strip().lower()))
    if row is None:
        raise UserError(f"no operator {username!r}")
    return row


def list_operators(s: Session, actor: Actor | None = None) -> list[Operator]:
    require(actor, "operators.read", s)
    return list(s.scalars(select(Operator).order_by(Operator.username)))


def _public(row: Operator) -> dict[str, object]:
    """What an audit entry may show of an operator (never the hash)."""
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "active": row.active,
    }


def _active_owners(s: Session) -> int:
    q = select(func.count(Operator.id)).where(Operator.role == Role.OWNER, Operator.active)
    return s.scalar(q) or 0


def create_operator(
    s: Session,
    username: str,
    role: Role | str,
    password: str,
    display_name: str | None = None,
    actor: Actor | None = None,
    clock: Clock | None = None,
) -> Operator:
    """Add an operator. The very first one must be an owner and needs no login."""
    username = check_username(username)
    try:
        role = parse_role(str(role))
    except ValueError as e:
        raise UserError(str(e)) from None
    first = s.scalar(select(Operator.id).limit(1)) is None
    if first and role is not Role.OWNER:
        raise UserError("the first operator must be an owner (--role owner)")
    actor = require(actor, "operators.manage", s, target=username)
    check_password(password, username, load_policy(s))
    if s.scalar(select(Operator.id).where(Operator.username == username)) is not None:
        raise UserError(f"operator {username!r} exists already")
    now = to_datetime((clock or SystemClock()).now())
    row = Operator(
        username=username,
        role=role.value,
        display_name=(display_name or "").strip() or None,
        password_hash=HASHER.hash(password),
        active=True,
        failed_logins=0,
        created_at=now,
        password_changed_at=now,
        must_change_password=False,
    )
    s.add(row)
    s.flush()
    record(s, "operators.add", username, None, _public(row), actor=actor)
    return row


def set_up_site(
    s: Session,
    site_name: str,
    username: str,
    password: str,
    display_name: str | None = None,
    clock: Clock | None = None,
) -> Operator:
    """First run: name the site and create its owner, in one unit of work."""
    from stationmgr.settings import get_setting, set_setting

    site_name = (site_name or "").strip()
    if not site_name or len(site_name) > 120:
        raise UserError("the site needs a name (at most 120 characters)")
    if s.scalar(select(Operator.id).limit(1)) is not None:
        raise UserError("this site is set up already: sign in")
    row = create_operator(s, username, Role.OWNER, password, display_name, clock=clock)
    before = get_setting(s, "site_name")
    set_setting(s, "site_name", site_name)
    if get_setting(s, "seller_name") is None:  # receipts name the site until told otherwise
        set_setting(s, "seller_name", site_name)
    owner = Actor(row.username, Role.OWNER, row.id, row.display_name)
    record(s, "settings.edit", "site_name", before, site_name, actor=owner, detail="first run")
    return row


def authenticate(
    db: Database,
    username: str,
    password: str,
    clock: Clock | None = None,
    policy: LoginPolicy | None = None,
    channel: str = "cli",
) -> Actor:
    """Sign in: the Actor, or LoginFailed with one clear reason. Always audited."""
    clock = clock or SystemClock()
    now = to_datetime(clock.now())
    name = (username or "").strip().lower()
    with db.session() as s:
        policy = policy or load_policy(s)
        row = s.scalar(select(Operator).where(Operator.username == name)) if name else None
        reason: str | None = None
        if row is None or not row.password_hash:
            _burn(password)
            reason = "unknown username or wrong password"
            # Never the text itself: it may be a password typed into the name field.
            detail = f"unknown username (fingerprint {sitekey.fingerprint(s, name)})"
            name = ""
        elif row.locked_until is not None and row.locked_until > now:
            reason = _locked_reason(name, row.failed_logins, row.locked_until)
            detail = "locked"
        elif not row.active:
            reason = f"operator {name!r} is disabled"
            detail = "disabled"
        elif not _verify(row.password_hash, password):
            # One statement reads and increments, so parallel guesses each count (a
            # read-modify-write in Python let 16 parallel guesses leave the count at 2).
            failures = s.execute(
                update(Operator)
                .where(Operator.id == row.id)
                .values(failed_logins=func.coalesce(Operator.failed_logins, 0) + 1)
                .returning(Operator.failed_logins),
                execution_options={"synchronize_session": False},
            ).scalar_one()
            detail = f"wrong password ({failures} in a row)"
            reason = "unknown username or wrong password"
            if failures >= policy.max_failures:
                until = now + timedelta(minutes=policy.lockout_minutes)
                s.execute(
                    update(Operator)
                    .where(Operator.id == row.id)
                    .where(Operator.locked_until.is_(None) | (Operator.locked_until <= now))
                    .values(locked_until=until),
                    execution_options={"synchronize_session": False},
                )
                detail += f"; locked until {until.isoformat(timespec='seconds')}"
                reason = (
                    f"too many failed logins: account {name!r} is locked for "
                    f"{policy.lockout_minutes:g} minutes"
                )
        else:
            # The right password: clear the count, unless a parallel guess locked the
            # account meanwhile (one conditional statement, like the increment).
            cleared = s.execute(
                update(Operator)
                .where(Operator.id == row.id)
                .where(Operator.locked_until.is_(None) | (Operator.locked_until <= now))
                .values(failed_logins=0, locked_until=None, last_login_at=now),
                execution_options={"synchronize_session": False},
            ).rowcount
            if not cleared:
                s.refresh(row)
                reason = _locked_reason(name, row.failed_logins, row.locked_until)
                detail = "locked"
        if reason is not None:
            audit.append(
                s,
                name or None,
                "login",
                target=channel,
                outcome=audit.FAILED,
                detail=detail,
                now=clock.now(),
            )
            # commit the count and the trace, then refuse
            s.commit()
            raise LoginFailed(f"login failed: {reason}")
        assert row is not None and row.password_hash is not None
        s.refresh(row)
        if HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = HASHER.hash(password)
        audit.append(s, row.username, "login", target=channel, now=clock.now())
        return Actor(
            row.username,
            Role(row.role),
            row.id,
            row.display_name,
            must_change_password=row.must_change_password,
        )


def _locked_reason(name: str, failures: int | None, until: object) -> str:
    when = until.strftime("%Y-%m-%d %H:%M") if hasattr(until, "strftime") else "later"
    return f"account {name!r} is locked after {failures} failed logins until {when} UTC"


def _burn(password: str) -> None:
    """Spend the time a real verification takes, so unknown names are not told apart."""
    _verify(_DUMMY_HASH, password + "\0")


def _verify(hash_: str, password: str) -> bool:
    try:
        return HASHER.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(
    s: Session,
    actor: Actor,
    old_password: str,
    new_password: str,
    clock: Clock | None = None,
) -> None:
    """An operator changes their own password (the old one is asked again)."""
    row = s.get(Operator, actor.operator_id) if actor.operator_id is not None else None
    if row is None or not row.active or row.username != actor.username:
        raise PermissionDenied(f"permission denied: {actor.username!r} cannot change a password")
    if not row.password_hash or not _verify(row.password_hash, old_password):
        audit.append_now(
            s.get_bind(),
            actor.username,
            "operators.passwd",
            target=actor.username,
            outcome=audit.FAILED,
            detail="the current password was wrong",
        )
        raise LoginFailed("the current password is wrong")
    check_password(new_password, row.username, load_policy(s))
    if _verify(row.password_hash, new_password):
        raise UserError("the new password is the same as the current one")
    row.password_hash = HASHER.hash(new_password)
    row.password_changed_at = to_datetime((clock or SystemClock()).now())
    row.must_change_password = False
    record(s, "operators.passwd", row.username, actor=actor, detail="changed by the operator")


def reset_password(
    s: Session,
    username: str,
    new_password: str,
    actor: Actor | None = None,
    clock: Clock | None = None,
) -> Operator:
    """The owner sets a new password (to be changed at next login); unlocks the account."""
    actor = require(actor, "operators.manage", s, target=username)
    row = get_operator(s, username)
    check_password(new_password, row.username, load_policy(s))
    row.password_hash = HASHER.hash(new_password)
    row.password_changed_at = to_datetime((clock or SystemClock()).now())
    row.must_change_password = actor is None or actor.username != row.username
    row.failed_logins = 0
    row.locked_until = None
    record(s, "operators.reset", row.username, actor=actor, detail="password reset; unlocked")
    return row


def set_active(s: Session, username: str, active: bool, actor: Actor | None = None) -> Operator:
    """Disable (or re-enable) an operator; the last active owner cannot be disabled."""
    actor = require(actor, "operators.manage", s, target=username)
    row = get_operator(s, username)
    before = _public(row)
    if not active and row.active and row.role == Role.OWNER and _active_owners(s) <= 1:
        raise UserError(f"{row.username!r} is the last active owner and cannot be disabled")
    row.active = active
    if active:
        row.failed_logins = 0
        row.locked_until = None
    action = "operators.enable" if active else "operators.disable"
    record(s, action, row.username, before, _public(row), actor=actor)
    return row


def set_role(s: Session, username: str, role: Role | str, actor: Actor | None = None) -> Operator:
    """Change an operator's role; the last active owner keeps being an owner."""
    actor = require(actor, "operators.manage", s, target=username)
    try:
        role = parse_role(str(role))
    except ValueError as e:
        raise UserError(str(e)) from None
    row = get_operator(s, username)
    before = _public(row)
    if row.role == Role.OWNER and role is not Role.OWNER and row.active and _active_owners(s) <= 1:
        raise UserError(f"{row.username!r} is the last active owner and must stay an owner")
    row.role = role.value
    record(s, "operators.role", row.username, before, _public(row), actor=actor)
    return row


__all__ = [
    "HASHER",
    "POLICY",
    "LoginFailed",
    "LoginPolicy",
    "authenticate",
    "change_password",
    "check_password",
    "create_operator",
    "list_operators",
    "operator_name",
    "reset_password",
    "set_active",
    "set_role",
]
