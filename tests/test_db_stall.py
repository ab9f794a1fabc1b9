"""A database stall does not stall the chargers (issue 15, item 4).

Another program holds the SQLite write lock (`BEGIN IMMEDIATE` on a second real
connection) while cars start and stop: the chargers are told at once (the start/stop is in
the write-ahead journal), the database gets exactly the sessions the engine decided once
the lock is gone, a SIGKILL during the stall loses nothing and replays once, and reads
(`sessions list`) do not wait behind the lock.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr import sessions as sm
from stationmgr.cards import CardInput, add_card
from stationmgr.engine.journal import decode, journal_path, read_lines
from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database, data_dir, integrity_ok, open_database
from stationmgr.store.models import Bay, Charger, ChargeSession, MeterSample
from tests.site import build_site, running, wait_for

ROOT = Path(__file__).resolve().parents[1]
CARD = "0A1B2C3D"


@contextmanager
def write_lock(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A second real connection holding the database's write lock until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def raw_sessions(path: Path | str) -> list[tuple[str, float, float | None]]:
    """Sessions as a plain reader connection sees them (works while the lock is held)."""
    c = sqlite3.connect(path)
    try:
        return c.execute(
            "SELECT tx_uid, meter_start_wh, meter_stop_wh FROM sessions ORDER BY id"
        ).fetchall()
    finally:
        c.close()


def test_start_and_stop_reach_the_charger_while_the_database_is_locked(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    (dev, _) = build_site(sqlite_db, cards=(CARD,))
    path = sqlite_db.url.split("///", 1)[1]
    decided: list[object] = []
    with running(sqlite_db) as eng:
        eng.bus.subscribe(
            lambda r: (
                decided.append(r)
                if isinstance(r, sm.TransactionStarted | sm.TransactionStopped)
                else None
            )
        )
        c = dev.connectors[0]
        c.plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        eng.drain()
        with write_lock(path):
            assert eng.present_card(CARD, 1).result(15).accepted
            wait_for(lambda: c.enabled, what="the gate opened on the charger during the lock")
            wait_for(lambda: (eng.bays[1].tx.energy_wh or 0) > 5, what="energy flowing")
            eng.present_card(CARD, 1).result(15)  # the same card again: stop
            wait_for(lambda: not c.enabled, what="the gate closed on the charger during the lock")
            wait_for(lambda: eng.bays[1].tx is None, what="session stopped")
            wait_for(lambda: eng.writer.stalled, what="the writer found the database busy")
            assert raw_sessions(path) == []  # nothing committed: the lock really held
        eng.drain()
    started, stopped = decided
    assert isinstance(started, sm.TransactionStarted) and isinstance(stopped, sm.TransactionStopped)
    with sqlite_db.session() as s:
        (row,) = s.scalars(select(ChargeSession))  # one session, no phantom start/stop pairs
    assert row.tx_uid == started.tx.uid == stopped.tx.uid
    assert row.meter_start_wh == started.tx.meter_start_wh
    assert row.meter_stop_wh == stopped.tx.meter_stop_wh
    assert row.stop_reason == "Local"
    assert row.energy_wh == pytest.approx(row.meter_stop_wh - row.meter_start_wh, abs=0.01)
    assert row.energy_wh > 5
    assert integrity_ok(sqlite_db)


def test_attendant_start_and_stop_answer_during_the_lock_and_are_audited(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from stationmgr.store.models import AuditEntry

    (dev, _) = build_site(sqlite_db, cards=(CARD,))
    path = sqlite_db.url.split("///", 1)[1]
    with running(sqlite_db) as eng:
        c = dev.connectors[0]
        c.plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        eng.drain()
        with write_lock(path):
            eng.remote_start(1, "maria", "forgot card").result(15)
            wait_for(lambda: c.enabled, what="the gate opened during the lock")
            eng.remote_stop(1, "maria").result(15)
            wait_for(lambda: not c.enabled, what="the gate closed during the lock")
            assert raw_sessions(path) == []
        eng.drain()
    with sqlite_db.session() as s:
        (row,) = s.scalars(select(ChargeSession))
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert row.start_kind == "guest" and row.stop_reason == "Remote"
    assert [a for a in actions if a.startswith("bays.")] == [
        "bays.remote_start",
        "bays.remote_stop",
    ]


def test_postgresql_a_locked_table_does_not_hold_the_charger(pg_db) -> None:  # type: ignore[no-untyped-def]
    """The same on PostgreSQL: another client locks the sessions table against writes
    (reads still work); the start and stop reach the charger, the journal lives in the
    data directory, and the session is written once the lock is gone."""
    from sqlalchemy import text

    (dev, _) = build_site(pg_db, cards=(CARD,))
    journal = journal_path(pg_db.url)
    assert journal.parent == data_dir() and "stationmgr" not in journal.name  # no password
    with running(pg_db) as eng:
        c = dev.connectors[0]
        c.plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        eng.drain()
        with pg_db.engine.connect() as holder:
            holder.execute(text("LOCK TABLE sessions IN EXCLUSIVE MODE"))
            assert eng.present_card(CARD, 1).result(15).accepted
            wait_for(lambda: c.enabled, what="the gate opened during the lock")
            wait_for(lambda: (eng.bays[1].tx.energy_wh or 0) > 5, what="energy flowing")
            eng.present_card(CARD, 1).result(15)
            wait_for(lambda: not c.enabled, what="the gate closed during the lock")
            assert journaled_starts(journal)  # durable locally while the table is locked
            with pg_db.engine.connect() as reader:  # reads do not wait
                assert reader.execute(text("SELECT count(*) FROM sessions")).scalar() == 0
            holder.rollback()
        eng.drain()
    with pg_db.session() as s:
        (row,) = s.scalars(select(ChargeSession))
    assert row.stop_reason == "Local" and row.energy_wh > 5
    assert not journal.exists()


# ---------------------------------------------------------------- SIGKILL during a stall


def spawn(url: str, state: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.engine_child", url, str(state), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def stop(proc: subprocess.Popen[str], kill: bool = False) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    proc.wait(20)
    assert proc.stdout is not None
    proc.stdout.close()


def journaled_starts(path: Path) -> list[str]:
    return [
        rec.tx.uid
        for _, records in read_lines(path)
        for rec in map(decode, records)
        if isinstance(rec, sm.TransactionStarted)
    ]


@pytest.fixture
def site(tmp_path: Path) -> tuple[str, Path, Path]:
    db_path = tmp_path / "site.sqlite3"
    url = f"sqlite:///{db_path}"
    db = open_database(url)
    with db.session() as s:
        c = Charger(name="vc1", driver="inproc", port="inproc://vc1")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid=CARD, holder="Anna"))
    db.dispose()
    state = tmp_path / "device.json"
    state.write_text(json.dumps({"plugged": True, "energy_wh": 1000.0}))
    return url, state, db_path


@pytest.mark.parametrize("kill", [True, False], ids=["SIGKILL", "SIGTERM"])
def test_sigkill_during_a_stall_then_restart_replays_the_journal_once(site, kill) -> None:  # type: ignore[no-untyped-def]
    """Killed (or stopped: a stop does not wait for the lock) while the database is locked,
    after the charger was enabled: the next start-up puts the journaled session in the
    database, once."""
    url, state, db_path = site
    journal = journal_path(url)
    assert journal == db_path.with_name("site.sqlite3.journal")
    with write_lock(db_path):
        proc = spawn(url, state, "--card", CARD)
        try:
            wait_for(
                lambda: json.loads(state.read_text()).get("enabled"),
                timeout=30,
                what="the charger enabled while the database is locked",
            )
            wait_for(lambda: journaled_starts(journal), what="the start in the journal")
        finally:
            stop(proc, kill=kill)
        assert raw_sessions(db_path) == []  # the database never had it
    (uid,) = journaled_starts(journal)

    def one_session() -> ChargeSession:
        db = open_database(url)
        try:
            with db.session() as s:
                rows = list(s.scalars(select(ChargeSession)))
                samples = s.scalar(select(func.count(MeterSample.id)))
            assert integrity_ok(db)
        finally:
            db.dispose()
        assert [r.tx_uid for r in rows] == [uid]
        assert samples is not None
        return rows[0]

    for _ in range(2):  # the first start-up replays, the second finds nothing to replay
        proc = spawn(url, state)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            row = one_session()
            assert row.meter_start_wh == 1000
        finally:
            stop(proc)
    one_session()
    assert not journal.exists()  # a clean stop leaves no journal


def test_restart_while_still_locked_runs_on_the_journal(site) -> None:  # type: ignore[no-untyped-def]
    """Killed during a stall and restarted before the lock is gone: the engine starts at
    once, knows the journaled session (it keeps recording it or closes it — it is not a
    stranger's car), and the database gets it exactly once when the lock goes."""
    import threading

    url, state, db_path = site
    journal = journal_path(url)
    with write_lock(db_path):
        proc = spawn(url, state, "--card", CARD)
        try:
            wait_for(lambda: json.loads(state.read_text()).get("enabled"), timeout=30)
            wait_for(lambda: journaled_starts(journal), what="the start in the journal")
        finally:
            stop(proc, kill=True)
        (uid,) = journaled_starts(journal)
        started = next(
            rec.tx
            for _, recs in read_lines(journal)
            for rec in map(decode, recs)
            if isinstance(rec, sm.TransactionStarted)
        )
        proc = spawn(url, state)
        lines: list[str] = []
        assert proc.stdout is not None
        out = proc.stdout
        reader = threading.Thread(target=lambda: lines.extend(out), daemon=True)
        reader.start()
        try:
            wait_for(lambda: "ready\n" in lines, timeout=30, what="the engine started locked")
            assert raw_sessions(db_path) == []  # still locked: nothing written yet
        except BaseException:
            stop(proc, kill=True)
            raise
    try:
        db = open_database(url)
        try:

            def known() -> bool:
                with db.session() as s:
                    rows = list(s.scalars(select(ChargeSession)))
                if not rows:
                    return False
                (row,) = rows
                assert row.tx_uid == uid and row.meter_start_wh == 1000
                return row.stopped_at is not None or row.meter_last_wh > started.meter_last_wh

            wait_for(known, timeout=30, what="the restarted engine carried the session on")
        finally:
            db.dispose()
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(20)
        reader.join(10)
        out.close()
    assert [r[0] for r in raw_sessions(db_path)] == [uid]


# ---------------------------------------------------------------- reads during a stall


def test_sessions_list_returns_while_the_database_is_locked(tmp_path: Path) -> None:
    db_path = tmp_path / "site.sqlite3"
    url = f"sqlite:///{db_path}"
    db = open_database(url)
    with db.session() as s:
        c = Charger(name="vc1", driver="inproc", port="inproc://vc1")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
    db.dispose()
    env = dict(os.environ, STATIONMGR_NEW_PASSWORD="owner-pass-123")
    cli = [sys.executable, "-m", "stationmgr", "--db", url]
    subprocess.run(
        [*cli, "operators", "add", "anna", "--role", "owner"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    env = dict(os.environ, STATIONMGR_USER="anna", STATIONMGR_PASSWORD="owner-pass-123")
    with write_lock(db_path):
        p = subprocess.run(
            [*cli, "sessions", "list"], env=env, capture_output=True, text=True, timeout=60
        )
        wrong = dict(env, STATIONMGR_PASSWORD="not-the-password")
        refused = subprocess.run(
            [*cli, "sessions", "list"], env=wrong, capture_output=True, text=True, timeout=60
        )
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0].split()[:3] == ["id", "tx_uid", "bay"]
    assert "this login is not in the audit log" in p.stderr  # the owner is told
    assert refused.returncode == 2 and refused.stdout == ""  # a wrong password reads nothing


# ---------------------------------------------------------------- the journal file itself


def test_journal_round_trip_torn_tail_and_damage(sqlite_db, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    """Records come back with their types; a half-written last line (never acknowledged)
    is ignored; a damaged journal is set aside, said in an ERROR line, and the writer runs."""
    import asyncio
    import dataclasses

    from stationmgr.engine.journal import Journal, encode
    from stationmgr.engine.writer import Writer
    from stationmgr.ocpp_words import AuthStatus, StopReason

    auth = sm.Authorization(AuthStatus.ACCEPTED, card_id=1, card_uid=CARD, holder_name="Åsa")
    tx = sm.Transaction("t-1", 1, auth, 10.0, 11.0, 1000.0, 1234.5, 1000.0)
    tx = dataclasses.replace(tx, stop_reason=StopReason.LOCAL, meter_stop_wh=1234.5)
    sample = sm.MeterSampled("t-1", 1, 12.0, 1234.5, 7000.0, (10.0, 0.0, 0.0))
    for rec in (sm.TransactionStopped(tx), sample):
        assert decode(json.loads(json.dumps(encode(rec)))) == rec
    path = tmp_path / "x.journal"
    j = Journal(path)
    j.append(1, [sm.TransactionStarted(tx)])
    j.close()
    with open(path, "ab") as f:
        f.write(b'{"seq":2,"records":[')  # the process died while writing this line
    assert [seq for seq, _ in read_lines(path)] == [1]

    path.write_bytes(b'{"seq":1,"records":[{"$type":"os:system","f":{}}]}\n')
    caplog.set_level(logging.ERROR, logger="stationmgr.engine.journal")

    async def start() -> int:
        w = Writer(sqlite_db, journal=path)
        try:
            return await w.start()
        finally:
            w.close()

    assert asyncio.run(start()) == 0
    assert path.with_name("x.journal.unreplayed-1").exists()
    assert any("could not be replayed" in r.getMessage() for r in caplog.records)


def test_db_info_names_the_journals_that_were_not_replayed(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records in a set-aside journal are not in the database: the owner sees where."""
    from stationmgr.cli import main
    from stationmgr.engine.journal import journal_path, set_aside

    path = journal_path(sqlite_db.url)
    assert main(["--db", sqlite_db.url, "db", "info"]) == 0
    assert "journals not replayed: 0" in capsys.readouterr().out
    path.write_bytes(b'{"seq":1,"records":[{"$type":"os:system","f":{}}]}\n')
    kept = set_aside(path, "a test")
    assert main(["--db", sqlite_db.url, "db", "info"]) == 0
    out = capsys.readouterr().out
    assert "journals not replayed: 1" in out and str(kept) in out
