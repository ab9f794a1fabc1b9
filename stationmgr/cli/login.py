"""The CLI's sign-in: run before a command's handler by `cli.main`.

A database without operators needs no login. Otherwise the credentials come from the
environment (`STATIONMGR_USER`, `STATIONMGR_PASSWORD`) or from a prompt on the terminal,
never from an argument (other users can read a process's arguments). The signed-in operator
is the process's actor for the command's duration; `COMMAND_ACTIONS` adds a permission
check for commands whose service does not check one itself (reads, the engine).

A command opts out of the login with `parser.set_defaults(requires_login=False)` (database
upgrade, simulators); `NO_LOGIN_COMMANDS` lists whole command groups that never need one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from stationmgr.access import audit
from stationmgr.access.context import Actor, protected, record, require, set_session_actor
from stationmgr.access.operators import LoginFailed, authenticate
from stationmgr.cli.common import open_db
from stationmgr.clock import SystemClock, to_datetime
from stationmgr.errors import DatabaseBusy, PermissionDenied, UserError
from stationmgr.store.db import LOCKED, Database

ENV_USER = "STATIONMGR_USER"
ENV_PASSWORD = "STATIONMGR_PASSWORD"
NO_LOGIN_COMMANDS = {"sim", "simulate", "simulator"}
OWN_DATABASE_COMMANDS = {"demo"}  # without --db they make a fresh database of their own

# (command, action) -> permission, for commands whose service checks none itself.
COMMAND_ACTIONS: dict[tuple[str, str | None], str] = {
    ("run", None): "site.run",
    ("db", "info"): "db.maintain",
    ("cards", "list"): "cards.read",
    ("cards", "show"): "cards.read",
    ("sessions", "list"): "sessions.read",
    ("audit", "list"): "audit.read",
    ("audit", "export"): "audit.export",
    ("operators", "list"): "operators.read",
    ("operators", "policy"): "settings.edit",
    ("verify", None): "verify",
    ("chargers", "list"): "chargers.read",
    ("readers", "list"): "chargers.read",
    # site_setup checks these again; checked here first so a refused operator learns
    # nothing about which devices exist (an allowed check writes nothing).
    ("chargers", "add"): "chargers.add",
    ("readers", "add"): "chargers.add",
    ("chargers", "remove"): "chargers.remove",
    ("readers", "remove"): "chargers.remove",
    ("db", "compact"): "db.maintain",
    ("db", "failures"): "db.maintain",
    ("report", None): "sessions.export",
    ("alerts", "list"): "bays.view",
    ("faults", "list"): "bays.view",
}

# Changing commands whose code writes the database itself (no service that audits): the
# CLI audits them after they succeed, with their arguments as the "after". (`chargers` and
# `readers` add/remove are not here: `site_setup` audits them, a disabled charger as an edit.)
AUDIT_AT_BOUNDARY: set[tuple[str, str | None]] = {
    ("db", "compact"),
}
# Exports are audited too, whichever command makes them (a service that audits its own
# export is not doubled: see `_audit_on_success`).
EXPORTS = {
    "sessions.export",
    "billing.export",
    "audit.export",
    "cards.export",
    "statements.create",
}
_NOT_ARGUMENTS = {"func", "requires_login", "required_action", "db", "verbose", "command"}


def command_path(args: argparse.Namespace) -> tuple[str, str | None]:
    cmd = getattr(args, "command", None) or ""
    return cmd, getattr(args, f"{cmd}_command", None)


def command_action(args: argparse.Namespace) -> str | None:
    """The permission the command needs at the CLI boundary (None: its service checks)."""
    explicit = getattr(args, "required_action", None)
    if explicit:
        return explicit
    path = command_path(args)
    if path == ("sessions", "list") and getattr(args, "csv", False):
        return "sessions.export"
    return COMMAND_ACTIONS.get(path) or COMMAND_ACTIONS.get((path[0], None))


def _tty_prompt(prompt: str) -> str:
    """Read a line from the terminal itself (stdin may carry a CSV file)."""
    try:
        with open("/dev/tty", "r+", encoding="utf-8") as tty:
            tty.write(prompt)
            tty.flush()
            return tty.readline().strip()
    except OSError:
        raise LoginFailed(
            f"login needed: set {ENV_USER} and {ENV_PASSWORD}, or run in a terminal"
        ) from None


def _has_tty() -> bool:
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return False


def credentials() -> tuple[str, str]:
    """The username and password from the environment, else from the terminal."""
    user = os.environ.get(ENV_USER, "").strip()
    password = os.environ.get(ENV_PASSWORD)
    if (not user or password is None) and not _has_tty():
        raise LoginFailed(
            f"login needed: set {ENV_USER} and {ENV_PASSWORD} (this site has operators)"
        )
    if not user:
        user = _tty_prompt("stationmgr user: ")
    if password is None:
        password = getpass.getpass(f"password for {user}: ")
    return user, password


def new_password(prompt: str = "new password") -> str:
    """A new password from `STATIONMGR_NEW_PASSWORD` or typed twice on the terminal."""
    env = os.environ.get("STATIONMGR_NEW_PASSWORD")
    if env is not None:
        return env
    if not _has_tty():
        raise UserError("no terminal to type a password: set STATIONMGR_NEW_PASSWORD")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} again: ") != first:
        raise UserError("the two passwords differ")
    return first


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[Actor | None]:
    """Sign in for the command (if the site has operators) and check its permission."""
    if not getattr(args, "requires_login", True) or command_path(args)[0] in NO_LOGIN_COMMANDS:
        yield None
        return
    if command_path(args)[0] in OWN_DATABASE_COMMANDS and not getattr(args, "db", None):
        yield None  # a fresh database of its own: nothing to protect
        return
    action = command_action(args)
    reading = _read_only(action)
    # A read signs in with a short wait for the write lock: another program holding it
    # (a backup, a stuck tool) must not hold up `sessions list` (see read_only_login).
    own = command_path(args)[0] in OWN_DATABASE_COMMANDS  # demo: makes its own database
    db = open_db(args, create=own, busy_timeout_ms=200 if reading else None)
    try:
        with db.session() as s:
            needs_login = protected(s)
        actor: Actor | None = None
        if needs_login:
            user, password = credentials()
            try:
                actor = authenticate(db, user, password, channel="cli")
            except DatabaseBusy:
                if not reading:
                    raise
                actor = read_only_login(db, user, password)
            if actor.must_change_password and command_path(args) != ("operators", "passwd"):
                raise PermissionDenied(
                    f"permission denied: the password of {actor.username!r} was reset; "
                    "change it first with `stationmgr operators passwd`"
                )
        if action is not None:
            with db.session() as s:
                require(actor, action, s)
    finally:
        db.dispose()
    if action is not None and (command_path(args) in AUDIT_AT_BOUNDARY or action in EXPORTS):
        _audit_on_success(args, action)
    set_session_actor(actor)
    try:
        yield actor
    finally:
        set_session_actor(None)


def _read_only(action: str | None) -> bool:
    return action is not None and (action.endswith(".read") or action == "bays.view")


def read_only_login(db: Database, user: str, password: str) -> Actor:
    """Sign in for a read while another program holds the database's write lock: a right
    password lets the read go ahead (it changes nothing); the login cannot be recorded
    now, and the command says so. Anything else is refused as when the lock is free."""
    from stationmgr.access.operators import _verify
    from stationmgr.access.roles import Role
    from stationmgr.store.models import Operator

    name = (user or "").strip().lower()
    with db.sessions() as s:
        row = s.scalar(select(Operator).where(Operator.username == name)) if name else None
    ok = (
        row is not None
        and row.password_hash is not None
        and row.active
        and not row.must_change_password
        and (row.locked_until is None or row.locked_until <= to_datetime(SystemClock().now()))
        and _verify(row.password_hash, password)
    )
    if not ok or row is None:
        raise DatabaseBusy(LOCKED)
    print(
        "stationmgr: note: the database is locked by another program; signed in to read, "
        "this login is not in the audit log",
        file=sys.stderr,
    )
    return Actor(row.username, Role(row.role), row.id, row.display_name)


def _audit_on_success(args: argparse.Namespace, action: str) -> None:
    """Wrap the handler: once it returns 0, audit the action with its arguments — unless
    the service it called has audited it already (no double entries)."""
    handler = args.func
    path = command_path(args)

    def audited(a: argparse.Namespace) -> int:
        db = open_db(a)
        try:
            with db.session() as s:
                before_id = audit.last_id(s)
            status = int(handler(a) or 0)
            if status == 0:
                after = {
                    k: v
                    for k, v in vars(a).items()
                    if k not in _NOT_ARGUMENTS and not k.endswith("_command")
                }
                target = str(after.get("name") or "") or None
                with db.session() as s:
                    if not audit.has_since(s, before_id, action):
                        detail = " ".join(p for p in path if p)
                        record(s, action, target, None, after, detail=detail)
        finally:
            db.dispose()
        return status

    args.func = audited
