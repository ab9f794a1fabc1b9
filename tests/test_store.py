"""Storage on a real SQLite file and a real PostgreSQL server: migrations, pragmas, rows."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from stationmgr.cards import CardInput, add_card
from stationmgr.errors import UserError
from stationmgr.store.db import InstanceLock, current_revision, integrity_ok, open_database
from stationmgr.store.models import Bay, Charger, ChargeSession, MeterSample
from stationmgr.store.queries import (
    SessionFilter,
    count_sessions,
    list_sessions,
    session_samples,
    session_totals,
)
from stationmgr.store.schema import metadata

TABLES = {
    "chargers",
    "bays",
    "card_holders",
    "card_groups",
    "cards",
    "sessions",
    "meter_samples",
    "charger_events",
    "faults",
    "tariffs",
    "operators",
    "audit_entries",
    "site_settings",
    "card_readers",
}


def test_migrations_create_every_table(any_db) -> None:  # type: ignore[no-untyped-def]
    names = set(inspect(any_db.engine).get_table_names())
    assert names >= TABLES
    assert current_revision(any_db) is not None


def test_migration_matches_models(any_db) -> None:  # type: ignore[no-untyped-def]
    """Fails when a model changed without `scripts/regen_migration.py`."""
    with any_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    summary = [d[0] + " " + str(getattr(d[1], "name", d[1:3])) for d in diff[:8]]
    assert diff == [], f"models and migration differ: run scripts/regen_migration.py: {summary}"


def test_upgrade_is_idempotent(any_db) -> None:  # type: ignore[no-untyped-def]
    rev = current_revision(any_db)
    again = open_database(any_db.url if "***" not in any_db.url else str(any_db.engine.url))
    assert current_revision(again) == rev
    again.dispose()


def _site(s) -> int:  # type: ignore[no-untyped-def]
    c = Charger(name="c1", driver="inproc", port="inproc://c1", settings={"x": "å"})
    s.add(c)
    s.flush()
    b = Bay(charger_id=c.id, connector=1, label="B1")
    s.add(b)
    s.flush()
    return b.id


def test_session_rows_round_trip_aware_utc(any_db) -> None:  # type: ignore[no-untyped-def]
    t = datetime(2026, 3, 1, 8, 0, 0, 123000, tzinfo=UTC)
    with any_db.session() as s:
        bay_id = _site(s)
        row = ChargeSession(
            tx_uid="1-1",
            bay_id=bay_id,
            plugged_at=t,
            authorized_at=t,
            meter_start_wh=10.5,
            meter_last_wh=10.5,
            segment_start_wh=10.5,
            holder_name="Åsa Öberg",
        )
        s.add(row)
        s.flush()
        for i in range(5):
            s.add(
                MeterSample(
                    session_id=row.id,
                    ts=t + timedelta(seconds=10 * i),
                    energy_wh=10 + i,
                    power_w=7000,
                    current_l1_ma=10100,
                )
            )
    with any_db.session() as s:
        got = s.scalar(select(ChargeSession))
        assert got.plugged_at == t and got.plugged_at.tzinfo is not None
        assert got.holder_name == "Åsa Öberg"
        curve = session_samples(s, got.id)
        assert [e for _, e, _ in curve] == [10, 11, 12, 13, 14]
        assert count_sessions(s, SessionFilter(open_only=True)) == 1
        assert session_totals(s, SessionFilter()).sessions == 1
        assert list_sessions(s, SessionFilter(since=t + timedelta(hours=1))) == []


def test_foreign_keys_enforced(any_db) -> None:  # type: ignore[no-untyped-def]
    t = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError), any_db.session() as s:
        s.add(
            ChargeSession(
                tx_uid="x",
                bay_id=999,
                plugged_at=t,
                authorized_at=t,
                meter_start_wh=0,
                meter_last_wh=0,
                segment_start_wh=0,
            )
        )


def test_duplicate_card_refused_in_any_spelling(any_db) -> None:  # type: ignore[no-untyped-def]
    with any_db.session() as s:
        add_card(s, CardInput(uid="0A1B2C3D", holder="Anna"))
    with pytest.raises(UserError), any_db.session() as s:
        add_card(s, CardInput(uid="169552957"))


def test_sqlite_pragmas_and_private_file(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    with sqlite_db.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    assert integrity_ok(sqlite_db)
    path = Path(sqlite_db.url.split("///", 1)[1])
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_instance_lock_refuses_second_engine(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    with InstanceLock(sqlite_db), pytest.raises(UserError, match="in use"):
        InstanceLock(sqlite_db).acquire()
    with InstanceLock(sqlite_db):
        pass


def test_instance_lock_on_postgres(pg_db) -> None:  # type: ignore[no-untyped-def]
    with InstanceLock(pg_db), pytest.raises(UserError, match="in use"):
        InstanceLock(pg_db).acquire()


def test_fast_head_check_agrees_with_alembic(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from alembic.script import ScriptDirectory

    from stationmgr.store.db import alembic_config, script_head

    head = ScriptDirectory.from_config(alembic_config(sqlite_db)).get_current_head()
    assert script_head() == head == current_revision(sqlite_db)
