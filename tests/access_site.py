"""Operators for access tests: one per role on a real database, passwords kept only here."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import select

from stationmgr.access import operators
from stationmgr.access.context import Actor
from stationmgr.access.operators import authenticate, create_operator
from stationmgr.access.roles import Role
from stationmgr.store.db import Database
from stationmgr.store.models import AuditEntry

# Still argon2id, at a test's cost (the app uses the library's recommended cost): a test
# signs in dozens of times. Hashes carry their parameters, so either verifies the other's.
operators.HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)

# Test passwords; the database must never contain them (see test_access_operators).
PASSWORDS = {
    Role.OWNER: "owner-Pa55word!",
    Role.ATTENDANT: "attendant-Pa55word!",
    Role.ACCOUNTANT: "accountant-Pa55word!",
}
USERS = {Role.OWNER: "olga", Role.ATTENDANT: "arne", Role.ACCOUNTANT: "astrid"}


@dataclass
class Staff:
    actors: dict[Role, Actor]

    def __getitem__(self, role: Role) -> Actor:
        return self.actors[role]


def add_staff(db: Database) -> Staff:
    """The owner first (no login needed on a fresh site), then the others by the owner."""
    with db.session() as s:
        create_operator(s, USERS[Role.OWNER], Role.OWNER, PASSWORDS[Role.OWNER], "Olga Owner")
    owner = authenticate(db, USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with db.session() as s:
        for role in (Role.ATTENDANT, Role.ACCOUNTANT):
            create_operator(s, USERS[role], role, PASSWORDS[role], actor=owner)
    actors = {Role.OWNER: owner}
    for role in (Role.ATTENDANT, Role.ACCOUNTANT):
        actors[role] = authenticate(db, USERS[role], PASSWORDS[role])
    return Staff(actors)


def last_audit(db: Database) -> AuditEntry | None:
    with db.session() as s:
        return s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))


def audit_entries(db: Database, **where: object) -> list[AuditEntry]:
    with db.session() as s:
        q = select(AuditEntry).order_by(AuditEntry.id)
        for k, v in where.items():
            q = q.where(getattr(AuditEntry, k) == v)
        return list(s.scalars(q))
