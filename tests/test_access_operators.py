"""Operator accounts: first owner, argon2id hashes, lockout, password change and reset, and
no plaintext password anywhere in the database file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.access import audit
from stationmgr.access.operators import (
    POLICY,
    LoginFailed,
    authenticate,
    change_password,
    create_operator,
    reset_password,
    set_active,
    set_role,
)
from stationmgr.access.roles import Role
from stationmgr.clock import ManualClock
from stationmgr.errors import UserError
from stationmgr.store.db import open_database
from stationmgr.store.models import AuditEntry, Operator
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_database(f"sqlite:///{tmp_path / 'ops.sqlite3'}")
    yield d
    d.dispose()


def test_first_operator_must_be_an_owner_and_input_is_checked(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s, pytest.raises(UserError, match="first operator must be an owner"):
        create_operator(s, "arne", Role.ATTENDANT, "long-enough-pw")
    with db.session() as s, pytest.raises(UserError, match="at least 10 characters"):
        create_operator(s, "olga", Role.OWNER, "short")
    with db.session() as s, pytest.raises(UserError, match="must not be the username"):
        create_operator(s, "olgaolgaolga", Role.OWNER, "OlgaOlgaOlga")
    with db.session() as s, pytest.raises(UserError, match="invalid username"):
        create_operator(s, "Olga Owner!", Role.OWNER, "long-enough-pw")
    with db.session() as s, pytest.raises(UserError, match="unknown role"):
        create_operator(s, "olga", "boss", "long-enough-pw")
    with db.session() as s:
        assert s.scalar(select(Operator)) is None
    with db.session() as s:
        row = create_operator(s, "Olga", "owner", "long-enough-pw")
    assert row.username == "olga" and row.password_hash.startswith("$argon2id$")
    with db.session() as s, pytest.raises(Exception, match="sign in first"):
        create_operator(s, "mallory", Role.OWNER, "long-enough-pw")  # no login: refused


def test_login_success_and_failures_are_audited(db) -> None:  # type: ignore[no-untyped-def]
    staff = add_staff(db)
    assert staff[Role.ATTENDANT].role is Role.ATTENDANT
    with pytest.raises(LoginFailed, match="unknown username or wrong password"):
        authenticate(db, "arne", "not-his-password")
    with pytest.raises(LoginFailed, match="unknown username or wrong password"):
        authenticate(db, "nobody", "whatever-password")
    logins = audit_entries(db, action="login")
    assert [(e.operator, e.outcome) for e in logins[-2:]] == [
        ("arne", audit.FAILED),
        (None, audit.FAILED),  # a name that is no operator is never stored as typed
    ]
    assert "wrong password (1 in a row)" in logins[-2].detail
    assert "unknown username" in logins[-1].detail and "nobody" not in logins[-1].detail
    assert all(e.outcome == audit.OK for e in logins[:-2])


def test_lockout_after_repeated_failures_then_released_by_time(db) -> None:  # type: ignore[no-untyped-def]
    add_staff(db)
    clock = ManualClock(2_000_000_000.0)
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(LoginFailed, match="wrong password"):
            authenticate(db, "arne", "guess-guess-guess", clock=clock)
    with pytest.raises(LoginFailed, match="locked for 15 minutes"):
        authenticate(db, "arne", "guess-guess-guess", clock=clock)
    # The right password does not help while locked.
    clock.advance(POLICY.lockout_minutes * 60 - 1)
    with pytest.raises(LoginFailed, match="is locked"):
        authenticate(db, "arne", PASSWORDS[Role.ATTENDANT], clock=clock)
    # Others are not affected.
    authenticate(db, "olga", PASSWORDS[Role.OWNER], clock=clock)
    clock.advance(2)
    actor = authenticate(db, "arne", PASSWORDS[Role.ATTENDANT], clock=clock)
    assert actor.username == "arne"
    with db.session() as s:
        row = s.scalar(select(Operator).where(Operator.username == "arne"))
        assert row.failed_logins == 0 and row.locked_until is None
    details = [e.detail for e in audit_entries(db, action="login", outcome=audit.FAILED)]
    assert any("locked until" in d for d in details) and details[-1] == "locked"


def test_owner_reset_unlocks_and_forces_a_change(db) -> None:  # type: ignore[no-untyped-def]
    staff = add_staff(db)
    clock = ManualClock(2_000_000_000.0)
    for _ in range(POLICY.max_failures):
        with pytest.raises(LoginFailed):
            authenticate(db, "astrid", "guess-guess-guess", clock=clock)
    with db.session() as s:
        reset_password(s, "astrid", "temporary-pass-1", actor=staff[Role.OWNER])
    actor = authenticate(db, "astrid", "temporary-pass-1", clock=clock)
    assert actor.must_change_password
    with db.session() as s:
        change_password(s, actor, "temporary-pass-1", "astrids-own-pass")
    assert not authenticate(db, "astrid", "astrids-own-pass", clock=clock).must_change_password
    (e,) = audit_entries(db, action="operators.reset")
    assert (e.operator, e.target) == ("olga", "astrid")


def test_password_change(db) -> None:  # type: ignore[no-untyped-def]
    staff = add_staff(db)
    arne = staff[Role.ATTENDANT]
    with db.session() as s, pytest.raises(LoginFailed, match="current password is wrong"):
        change_password(s, arne, "not-the-password", "brand-new-password")
    with db.session() as s, pytest.raises(UserError, match="at least"):
        change_password(s, arne, PASSWORDS[Role.ATTENDANT], "short")
    with db.session() as s, pytest.raises(UserError, match="same as the current"):
        change_password(s, arne, PASSWORDS[Role.ATTENDANT], PASSWORDS[Role.ATTENDANT])
    with db.session() as s:
        change_password(s, arne, PASSWORDS[Role.ATTENDANT], "brand-new-password")
    with pytest.raises(LoginFailed):
        authenticate(db, "arne", PASSWORDS[Role.ATTENDANT])
    assert authenticate(db, "arne", "brand-new-password").username == "arne"
    outcomes = [(e.operator, e.outcome) for e in audit_entries(db, action="operators.passwd")]
    assert outcomes == [("arne", audit.FAILED), ("arne", audit.OK)]


def test_last_owner_stays_and_disabled_cannot_log_in(db) -> None:  # type: ignore[no-untyped-def]
    staff = add_staff(db)
    owner = staff[Role.OWNER]
    with db.session() as s, pytest.raises(UserError, match="last active owner"):
        set_active(s, "olga", False, actor=owner)
    with db.session() as s, pytest.raises(UserError, match="last active owner"):
        set_role(s, "olga", Role.ATTENDANT, actor=owner)
    with db.session() as s:
        set_active(s, "arne", False, actor=owner)
    with pytest.raises(LoginFailed, match="disabled"):
        authenticate(db, "arne", PASSWORDS[Role.ATTENDANT])
    (e,) = audit_entries(db, action="operators.disable")
    assert e.before["active"] is True and e.after["active"] is False
    assert "password_hash" not in e.after


def test_no_plaintext_password_in_the_database_file(tmp_path: Path) -> None:
    """Every password the tests used — accepted, wrong, reset, changed — is absent from the
    bytes of the SQLite file and its WAL."""
    db = open_database(f"sqlite:///{tmp_path / 'scan.sqlite3'}")
    try:
        staff = add_staff(db)
        used = [*PASSWORDS.values(), "wrong-guess-1234", "reset-pass-5678", "changed-pass-9012"]
        with pytest.raises(LoginFailed):
            authenticate(db, USERS[Role.ACCOUNTANT], "wrong-guess-1234")
        with db.session() as s:
            reset_password(s, "arne", "reset-pass-5678", actor=staff[Role.OWNER])
        arne = authenticate(db, "arne", "reset-pass-5678")
        with db.session() as s:
            change_password(s, arne, "reset-pass-5678", "changed-pass-9012")
        with db.session() as s:
            hashes = list(s.scalars(select(Operator.password_hash)))
            assert s.scalar(select(AuditEntry.id).limit(1)) is not None
        assert hashes and all(h.startswith("$argon2id$") for h in hashes)
        files = list(tmp_path.glob("scan.sqlite3*"))
        blobs = b"".join(f.read_bytes() for f in files)  # before the checkpoint: WAL too
    finally:
        db.dispose()
    blobs += (tmp_path / "scan.sqlite3").read_bytes()
    assert b"$argon2id$" in blobs  # the scan does see the hashes...
    for pw in used:
        for enc in (pw.encode("utf-8"), pw.encode("utf-16-le")):
            assert enc not in blobs, f"plaintext password {pw!r} found in the database file"


def test_the_owner_sets_the_login_policy(db) -> None:  # type: ignore[no-untyped-def]
    from stationmgr.access.operators import (
        idle_lock_minutes,
        load_policy,
        set_idle_lock_minutes,
        set_policy,
    )
    from stationmgr.errors import PermissionDenied

    staff = add_staff(db)
    with db.session() as s, pytest.raises(PermissionDenied):
        set_policy(s, {"max_failures": 3}, actor=staff[Role.ATTENDANT])
    with db.session() as s, pytest.raises(UserError, match="between 3 and 50"):
        set_policy(s, {"max_failures": 1}, actor=staff[Role.OWNER])
    with db.session() as s:
        set_policy(s, {"max_failures": 3, "min_length": 12}, actor=staff[Role.OWNER])
        set_idle_lock_minutes(s, 2.5, actor=staff[Role.OWNER])
    with db.session() as s:
        assert load_policy(s).max_failures == 3 and idle_lock_minutes(s) == 2.5
        with pytest.raises(UserError, match="at least 12"):
            reset_password(s, "arne", "eleven-char", actor=staff[Role.OWNER])
    clock = ManualClock(2_000_000_000.0)
    for _ in range(2):
        with pytest.raises(LoginFailed, match="wrong password"):
            authenticate(db, "arne", "guess-guess-guess", clock=clock)
    with pytest.raises(LoginFailed, match="locked for 15 minutes"):
        authenticate(db, "arne", "guess-guess-guess", clock=clock)
    (e,) = [
        e
        for e in audit_entries(db, action="settings.edit")
        if e.target == "login_policy" and e.outcome == "ok"
    ]
    assert e.before["max_failures"] == 5 and e.after["max_failures"] == 3


def test_a_password_typed_as_the_username_is_not_recorded(db) -> None:  # type: ignore[no-untyped-def]
    add_staff(db)
    with pytest.raises(LoginFailed):
        authenticate(db, "Owner-Pa55word!", "")
    (e,) = audit_entries(db, outcome=audit.FAILED)
    assert e.operator is None and "Pa55" not in (e.detail or "")
