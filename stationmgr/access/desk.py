"""Operator services for clients (the window, later the site API): each opens its own unit
of work on a `Database` and calls the checked, audited service in `operators`. Operators
leave as frozen rows, never as ORM objects or password hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stationmgr.access import operators
from stationmgr.access.context import Actor, protected
from stationmgr.access.roles import Role
from stationmgr.store.db import Database


@dataclass(frozen=True)
class OperatorRow:
    username: str
    display_name: str | None
    role: str
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def site_is_fresh(db: Database) -> bool:
    """No operators yet: the first-run wizard, not the login."""
    with db.session() as s:
        return not protected(s)


def idle_lock_minutes(db: Database) -> float:
    with db.session() as s:
        return operators.idle_lock_minutes(s)


def set_up_site(
    db: Database, site_name: str, username: str, password: str, display_name: str | None
) -> None:
    with db.session() as s:
        operators.set_up_site(s, site_name, username, password, display_name)


def change_password(db: Database, actor: Actor, old_password: str, new_password: str) -> None:
    with db.session() as s:
        operators.change_password(s, actor, old_password, new_password)


def operator_rows(db: Database, actor: Actor | None = None) -> list[OperatorRow]:
    """Every operator (`operators.read`)."""
    with db.session() as s:
        return [
            OperatorRow(
                o.username, o.display_name, o.role, o.active, o.locked_until, o.last_login_at
            )
            for o in operators.list_operators(s, actor=actor)
        ]


def create_operator(
    db: Database,
    username: str,
    role: Role | str,
    password: str,
    display_name: str | None = None,
    actor: Actor | None = None,
) -> None:
    with db.session() as s:
        operators.create_operator(s, username, role, password, display_name, actor=actor)


def reset_password(
    db: Database, username: str, new_password: str, actor: Actor | None = None
) -> None:
    with db.session() as s:
        operators.reset_password(s, username, new_password, actor=actor)


def set_role(db: Database, username: str, role: Role | str, actor: Actor | None = None) -> None:
    with db.session() as s:
        operators.set_role(s, username, role, actor=actor)


def set_active(db: Database, username: str, active: bool, actor: Actor | None = None) -> None:
    with db.session() as s:
        operators.set_active(s, username, active, actor=actor)
