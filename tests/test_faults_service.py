"""Acknowledging charger faults is a core service: role-checked and audited once, from the
GUI's writer job and from `stationmgr faults ack` alike (before, the GUI ran a raw UPDATE:
no check, no audit entry). And `add_tariff` audits itself, exactly once per version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from stationmgr import faults
from stationmgr.access.context import set_session_actor
from stationmgr.access.roles import Role, role_may
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cli import main
from stationmgr.errors import PermissionDenied, UserError
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, Fault
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries


def T(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC)


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()


def _site(db: Database) -> tuple[int, list[int]]:
    with db.session() as s:
        c = Charger(name="c1", driver="inproc", port="inproc://x")
        s.add(c)
        s.flush()
        bay = Bay(charger_id=c.id, connector=1, label="P1")
        s.add(bay)
        s.flush()
        rows = [
            Fault(bay_id=bay.id, charger_id=c.id, code=code, raised_at=T(h))
            for h, code in ((7, "GFCI"), (8, "OverTemperature"))
        ]
        s.add_all(rows)
        s.flush()
        return bay.id, [f.id for f in rows]


def test_attendant_acknowledges_a_bays_faults_audited_once(sqlite_db: Database) -> None:
    bay, ids = _site(sqlite_db)
    staff = add_staff(sqlite_db)
    with sqlite_db.session() as s:
        done = faults.acknowledge(s, NOW, bay_id=bay, actor=staff[Role.ATTENDANT])
    assert done == ids
    with sqlite_db.session() as s:
        seen = {
            (f.acknowledged_by, f.acknowledged_at is not None) for f in s.scalars(select(Fault))
        }
        assert seen == {("arne", True)}
        rows = faults.list_faults(s, bay)
    assert [r.code for r in rows] == ["OverTemperature", "GFCI"] and rows[0].bay == "P1"
    (entry,) = audit_entries(sqlite_db, action="faults.acknowledge")
    assert entry.operator == "arne" and entry.outcome == "ok" and entry.target == f"bay {bay}"
    # again: nothing left to acknowledge, nothing new in the trail
    with sqlite_db.session() as s:
        assert faults.acknowledge(s, NOW, bay_id=bay, actor=staff[Role.OWNER]) == []
    assert len(audit_entries(sqlite_db, action="faults.acknowledge")) == 1


def test_accountant_is_refused_and_the_refusal_is_audited(sqlite_db: Database) -> None:
    _bay, ids = _site(sqlite_db)
    staff = add_staff(sqlite_db)
    assert not role_may(Role.ACCOUNTANT, "faults.acknowledge")
    with pytest.raises(PermissionDenied), sqlite_db.session() as s:
        faults.acknowledge(s, NOW, fault_ids=ids[:1], actor=staff[Role.ACCOUNTANT])
    with sqlite_db.session() as s:
        assert all(f.acknowledged_at is None for f in s.scalars(select(Fault)))
    (entry,) = audit_entries(sqlite_db, action="faults.acknowledge")
    assert entry.operator == "astrid" and entry.outcome == "denied"


def test_unknown_fault_id_is_bad_input(sqlite_db: Database) -> None:
    _bay, ids = _site(sqlite_db)
    with pytest.raises(UserError, match="no fault with id 999"), sqlite_db.session() as s:
        faults.acknowledge(s, NOW, fault_ids=[ids[0], 999], operator="maria")
    with sqlite_db.session() as s:
        assert all(f.acknowledged_at is None for f in s.scalars(select(Fault)))


def test_cli_faults_ack_refuses_the_accountant_with_exit_3(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _bay, ids = _site(sqlite_db)
    add_staff(sqlite_db)
    db = ["--db", sqlite_db.url]
    try:
        monkeypatch.setenv("STATIONMGR_USER", USERS[Role.ACCOUNTANT])
        monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[Role.ACCOUNTANT])
        assert main([*db, "faults", "list"]) == 0
        assert "GFCI" in capsys.readouterr().out
        assert main([*db, "faults", "ack", "--bay", "P1"]) == 3
        monkeypatch.setenv("STATIONMGR_USER", USERS[Role.ATTENDANT])
        monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[Role.ATTENDANT])
        assert main([*db, "faults", "ack", "--id", str(ids[1])]) == 0
        assert "1 fault(s) acknowledged" in capsys.readouterr().out
    finally:
        set_session_actor(None)
    outcomes = [
        (e.operator, e.outcome) for e in audit_entries(sqlite_db, action="faults.acknowledge")
    ]
    assert outcomes == [("astrid", "denied"), ("arne", "ok")]


def test_add_tariff_is_audited_exactly_once_from_the_cli(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(sqlite_db)
    monkeypatch.setenv("STATIONMGR_USER", USERS[Role.OWNER])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[Role.OWNER])
    try:
        argv = ["--db", sqlite_db.url, "tariffs", "add", "Standard", "--per-kwh", "3.50"]
        assert main([*argv, "--valid-from", "2026-01-01"]) == 0
    finally:
        set_session_actor(None)
    (entry,) = audit_entries(sqlite_db, action="tariffs.edit")
    assert entry.operator == "olga" and "Standard" in (entry.target or "")


def test_add_tariff_service_audits_itself(sqlite_db: Database) -> None:
    staff = add_staff(sqlite_db)
    with sqlite_db.session() as s:
        row = add_tariff(
            s,
            TariffInput(name="Natt", valid_from=T(0), energy_minor_per_kwh=210),
            actor=staff[Role.OWNER],
        )  # fmt: skip
    (entry,) = audit_entries(sqlite_db, action="tariffs.edit")
    assert entry.target == f"tariff {row.id} Natt" and entry.operator == "olga"
