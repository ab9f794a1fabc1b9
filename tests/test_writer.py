"""The single writer cannot be wedged (issue 11, item 7; code review §1.10a).

Only a busy database is retried. A record whose handler raises — a stale alert uid, a bug
in an extension — is logged once, kept in `persist_failures` for the owner, published and
dropped; the rest of its batch commits, and nothing else waits on it: the next card at a
plugged bay opens the gate, `drain()` and `stop()` return. Real SQLite files, the real
engine with in-process virtual chargers; every wait is on a condition with a deadline.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from stationmgr import sessions as sm
from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.engine.journal import journal_path
from stationmgr.events import ChargerCommLost
from stationmgr.ocpp_words import AuthStatus, BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import Charger, ChargerEvent, ChargeSession, MeterSample
from stationmgr.store.persist import Persister
from tests.site import build_site, wait_for

CARD = "0A1B2C3D"


@dataclass(frozen=True)
class Poison:
    """A record whose handler raises something that is not a busy database."""

    why: str


def _refuse(_s: Any, rec: Poison) -> None:
    raise ValueError(f"refused: {rec.why}")


@dataclass(frozen=True)
class Slow:
    """A record whose handler blocks the writer thread until the test lets it go."""

    n: int


@contextmanager
def engine_on(db: Database, setup: Callable[[Engine], None]) -> Iterator[Engine]:
    """tests.site.running, with `setup(engine)` before the start (handlers, alerts)."""
    from stationmgr.sessions import SessionConfig

    clock = WarpClock(60.0)
    inproc.CLOCK[0] = clock
    cfg = EngineConfig(
        CoordinatorConfig(poll_interval_s=0.02, backoff_min_s=0.05, backoff_max_s=0.2),
        SessionConfig(continuity_gap_s=300.0),
    )
    engine = Engine(db, clock, cfg)
    setup(engine)
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


def sessions_in(db: Database) -> list[ChargeSession]:
    with db.sessions() as s:
        return list(s.scalars(select(ChargeSession)))


def _install_alerts(eng: Engine) -> None:
    from stationmgr.alerts.monitor import install

    install(eng)
    eng.persister.register(Poison, _refuse)


def _stale_ack(eng: Engine) -> object:
    from stationmgr.alerts.events import AlertAcknowledged

    return AlertAcknowledged("no-such-alert", "maria", eng.clock.now(), None)


def _value_error(eng: Engine) -> object:
    return Poison("a bug in an extension")


# ---------------------------------------------------------------- the writer test


@pytest.mark.parametrize(
    "poison", [_stale_ack, _value_error], ids=["stale-alert-uid", "handler-ValueError"]
)
def test_a_poisoned_record_does_not_delay_the_next_card_to_enable(
    sqlite_db: Database, poison: Callable[[Engine], object], capsys: pytest.CaptureFixture[str]
) -> None:
    (dev, _) = build_site(sqlite_db, cards=(CARD,))
    published: list[object] = []
    with engine_on(sqlite_db, _install_alerts) as eng:
        eng.bus.subscribe(published.append)
        c = dev.connectors[0]
        c.plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        eng.drain()
        written = eng.record(poison(eng))  # queued just before the card
        auth = eng.present_card(CARD, 1).result(10)
        assert auth.status is AuthStatus.ACCEPTED
        wait_for(lambda: c.enabled, what="the gate opened on the charger")
        coord = eng.coordinators[eng.bay_info[1].charger_id]
        polls = coord.polls
        wait_for(lambda: coord.polls >= polls + 20, what="the charger still polled")
        wait_for(lambda: sessions_in(sqlite_db), what="the session row committed")
        eng.drain(timeout=10)  # returns: nothing is retried forever
        assert written.result(10) is False  # dropped, not held
        assert not eng.writer.stalled  # a refused record is no busy database
    assert not eng.running  # stop() returned cleanly ...
    assert not journal_path(sqlite_db.url).exists()  # ... with everything in the database
    (row,) = sessions_in(sqlite_db)
    assert row.tx_uid == eng.bays[1].tx.uid and row.stopped_at is None

    # Kept for the owner, and published for the UI and the alerts.
    from stationmgr.cli import main
    from stationmgr.events import PersistFailed
    from stationmgr.store.models import PersistFailure

    with sqlite_db.sessions() as s:
        (failure,) = s.scalars(select(PersistFailure))
    expected = type(poison(eng)).__name__
    assert failure.record_type.endswith("." + expected)
    assert ("no alert" in failure.error) or ("ValueError: refused" in failure.error)
    assert ("no-such-alert" in failure.record) or ("a bug in an extension" in failure.record)
    (event,) = [e for e in published if isinstance(e, PersistFailed)]
    assert event.failure_id == failure.id and event.record_type == expected

    capsys.readouterr()
    assert main(["--db", sqlite_db.url, "db", "failures"]) == 0
    out = capsys.readouterr().out
    assert expected in out and str(failure.id) in out
    assert main(["--db", sqlite_db.url, "db", "info"]) == 0
    assert "failed records: 1" in capsys.readouterr().out


def test_a_failed_record_is_logged_once(sqlite_db: Database, caplog) -> None:  # type: ignore[no-untyped-def]
    build_site(sqlite_db)
    with engine_on(sqlite_db, _install_alerts) as eng:
        caplog.clear()
        assert eng.record(_stale_ack(eng)).result(10) is False
        eng.drain()
    lines = [
        r
        for r in caplog.records
        if "could not store a record of type AlertAcknowledged" in r.getMessage()
    ]
    assert len(lines) == 1 and "no alert" in lines[0].getMessage()


# ---------------------------------------------------------------- the writer alone


def _writer(db: Database, persister: Persister, journal: Path | None = None) -> Any:
    from stationmgr.engine.writer import Writer

    return Writer(db, persister, journal=journal)


def _charger_id(db: Database) -> int:
    build_site(db, chargers=1)
    with db.sessions() as s:
        return s.scalar(select(Charger.id))


def _tx(uid: str, bay_id: int = 1) -> sm.Transaction:
    auth = sm.Authorization(AuthStatus.ACCEPTED, card_uid=CARD)
    return sm.Transaction(uid, bay_id, auth, 1000.0, 1001.0, 50.0, 50.0, 50.0)


def test_a_batch_with_one_poisoned_record_commits_all_the_good_ones(any_db: Database) -> None:
    """One batch (one transaction): a session start, a bad record, then records that need
    the session's row id. The batch is rolled back and applied again record by record; the
    good ones all land, the session row and its sample included (no stale row id from the
    rolled-back attempt)."""
    sqlite_db = any_db
    cid = _charger_id(sqlite_db)
    p = Persister()
    p.register(Poison, _refuse)
    p.charger_of_bay[1] = cid

    async def go() -> list[Any]:
        w = _writer(sqlite_db, p)
        task = asyncio.create_task(w.run())
        try:
            tickets = [
                w.put(sm.TransactionStarted(_tx("tx-1"))),
                w.put(ChargerCommLost(cid, "vc", 1002.0, "first")),
                w.put(Poison("in the middle")),
                w.put(sm.MeterSampled("tx-1", 1, 1003.0, 60.0, 7000.0, (10.0,))),
                w.put(ChargerCommLost(cid, "vc", 1004.0, "last")),
            ]
            await asyncio.wait_for(w.drain(), 30)
            assert w.committed_seq == 1  # they really were one batch
            return tickets
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            w.close()

    tickets = asyncio.run(go())
    with sqlite_db.sessions() as s:
        (row,) = s.scalars(select(ChargeSession))
        assert row.tx_uid == "tx-1"
        (sample,) = s.scalars(select(MeterSample))
        assert sample.session_id == row.id and sample.energy_wh == 60
        details = [e.detail for e in s.scalars(select(ChargerEvent).order_by(ChargerEvent.id))]
        assert details == ["first", "last"]
    assert [t.done.result() for t in tickets] == [True, True, False, True, True]
    from stationmgr.store.models import PersistFailure

    with sqlite_db.sessions() as s:
        (failure,) = s.scalars(select(PersistFailure))
        assert failure.record_type.endswith(".Poison") and "in the middle" in failure.record


@pytest.mark.parametrize(
    "bad",
    [{0}, {8}, {4, 5}, {0, 3, 8}, set(range(9))],
    ids=lambda b: "bad-" + "-".join(map(str, sorted(b))),
)
def test_every_good_record_lands_wherever_the_bad_ones_are(any_db: Database, bad: set[int]) -> None:
    """The failing run is halved down to the record: first, last, neighbours, all bad."""
    sqlite_db = any_db
    cid = _charger_id(sqlite_db)
    p = Persister()
    p.register(Poison, _refuse)

    async def go() -> list[Any]:
        w = _writer(sqlite_db, p)
        task = asyncio.create_task(w.run())
        try:
            tickets = [
                w.put(Poison(f"#{i}") if i in bad else ChargerCommLost(cid, "vc", i, f"#{i}"))
                for i in range(9)
            ]
            await asyncio.wait_for(w.drain(), 30)
            return tickets
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            w.close()

    tickets = asyncio.run(go())
    from stationmgr.store.models import PersistFailure

    with sqlite_db.sessions() as s:
        details = [e.detail for e in s.scalars(select(ChargerEvent).order_by(ChargerEvent.id))]
        kept = [f.record for f in s.scalars(select(PersistFailure).order_by(PersistFailure.id))]
    assert details == [f"#{i}" for i in range(9) if i not in bad]
    assert len(kept) == len(bad) and all(any(f'"#{i}"' in k for k in kept) for i in bad)
    assert [t.done.result() for t in tickets] == [i not in bad for i in range(9)]


def _locked(path: str) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.fixture(params=["sqlite_db", "pg_db"])
def any_db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(request.param)


class _Holder:
    """Another client holding the lock the writer needs, until `release()`: SQLite's
    write lock (BEGIN IMMEDIATE), PostgreSQL's table lock on charger_events."""

    def __init__(self, db: Database) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        if db.is_sqlite:
            self._sqlite = _locked(db.url.split("///", 1)[1])
        else:
            from sqlalchemy import text

            self._pg = db.engine.connect()
            self._pg.execute(text("LOCK TABLE charger_events IN EXCLUSIVE MODE"))

    def release(self) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            self._pg.rollback()
            self._pg.close()
            self._pg = None


def test_a_busy_database_is_still_retried_and_nothing_is_dropped(any_db: Database) -> None:
    """Another client holds the lock (SQLite's write lock; a PostgreSQL table lock, met by
    the writer's lock timeout): the writer holds the record, retrying, never stores it as
    failed; once the lock goes, it lands."""
    sqlite_db = any_db
    cid = _charger_id(sqlite_db)
    p = Persister()

    async def go() -> bool:
        w = _writer(sqlite_db, p)
        task = asyncio.create_task(w.run())
        holder = await asyncio.to_thread(_Holder, sqlite_db)
        try:
            # The session's insert may succeed before the locked table is met (PostgreSQL):
            # the retry must not take the rolled-back row for one already stored.
            started = w.put(sm.TransactionStarted(_tx("tx-held")))
            ticket = w.put(ChargerCommLost(cid, "vc", 1002.0, "while locked"))
            async with asyncio.timeout(30):
                while not w.stalled:
                    await asyncio.sleep(0.01)
            assert not ticket.done.done()  # held, not dropped
            holder.release()
            ok = await asyncio.wait_for(ticket, 30) and await started
            assert not w.stalled and w.failed == 0
            return ok
        finally:
            holder.release()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            w.close()

    assert asyncio.run(go()) is True
    from stationmgr.store.models import PersistFailure

    with sqlite_db.sessions() as s:
        assert [e.detail for e in s.scalars(select(ChargerEvent))] == ["while locked"]
        assert [r.tx_uid for r in s.scalars(select(ChargeSession))] == ["tx-held"]
        assert s.scalar(select(func.count(PersistFailure.id))) == 0


def test_busy_is_told_apart_from_a_refused_write(sqlite_db: Database) -> None:
    from stationmgr.errors import DatabaseBusy, UserError
    from stationmgr.store.db import busy_error

    path = sqlite_db.url.split("///", 1)[1]
    holder = _locked(path)
    try:
        with pytest.raises(DatabaseBusy, match="locked") as caught, sqlite_db.session() as s:
            s.connection().exec_driver_sql("PRAGMA busy_timeout=50")
            s.add(ChargerEvent(ts=sm_now(), kind="x"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not isinstance(caught.value, UserError)  # a handler's UserError is not "busy"
    with pytest.raises(OperationalError) as other, sqlite_db.session() as s:
        s.connection().exec_driver_sql("SELECT * FROM no_such_table")
    assert busy_error(other.value) is None  # the write's own fault: never retried


def sm_now() -> Any:
    from stationmgr.store.models import utcnow

    return utcnow()


def test_an_unregistered_record_type_raises_at_put(sqlite_db: Database) -> None:
    from stationmgr.store.persist import UnregisteredRecord

    @dataclass(frozen=True)
    class Nobody:
        x: int

    async def go() -> None:
        w = _writer(sqlite_db, Persister())
        try:
            with pytest.raises(UnregisteredRecord, match="Nobody"):
                w.put(Nobody(1))
            assert not w._pending  # nothing half-queued
        finally:
            w.close()

    asyncio.run(go())
    build_site(sqlite_db)
    with engine_on(sqlite_db, lambda e: None) as eng, pytest.raises(UnregisteredRecord):
        eng.record(Nobody(2))  # in the caller's thread, not lost on the loop


def test_a_second_handler_for_a_record_type_is_refused() -> None:
    p = Persister()
    p.register(Poison, _refuse)
    p.register(Poison, _refuse)  # the same again: harmless
    with pytest.raises(ValueError, match="already"):
        p.register(Poison, lambda s, r: None)
    with pytest.raises(ValueError, match="already"):
        p.register(sm.MeterSampled, lambda s, r: None)  # built-ins are in the same registry


# ---------------------------------------------------------------- per-record completion


def test_own_records_are_durable_while_another_records_handler_is_stuck(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """The writer thread is stuck in another record's handler: this bay's session start is
    journaled (safe, the charger may act) without waiting for it, and commits after it."""
    cid = _charger_id(sqlite_db)
    release = threading.Event()
    entered = threading.Event()

    def stuck(_s: Any, _rec: Slow) -> None:
        entered.set()
        release.wait(60)

    p = Persister()
    p.register(Slow, stuck)
    p.charger_of_bay[1] = cid

    async def go() -> None:
        w = _writer(sqlite_db, p, journal=tmp_path / "site.journal")
        await w.start()
        task = asyncio.create_task(w.run())
        try:
            other = w.put(Slow(1))
            await asyncio.wait_for(asyncio.to_thread(entered.wait, 30), 40)
            mine = w.put(sm.TransactionStarted(_tx("tx-mine")))
            await asyncio.wait_for(w.durable([mine]), 30)  # journaled, not committed
            assert not mine.done.done() and not other.done.done()
            release.set()
            assert await asyncio.wait_for(mine, 30) is True
            assert await asyncio.wait_for(other, 30) is True
        finally:
            release.set()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            w.close()

    asyncio.run(go())
    assert [r.tx_uid for r in sessions_in(sqlite_db)] == ["tx-mine"]


def test_a_card_opens_the_gate_while_another_bays_record_is_stuck(sqlite_db: Database) -> None:
    devs = build_site(sqlite_db, chargers=2, cards=(CARD,))
    release = threading.Event()
    entered = threading.Event()

    def stuck(_s: Any, _rec: Slow) -> None:
        entered.set()
        release.wait(60)

    try:
        with engine_on(sqlite_db, lambda e: e.persister.register(Slow, stuck)) as eng:
            c = devs[0].connectors[0]
            c.plug(EV(), eng.clock.now())
            wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
            eng.drain()
            eng.record(Slow(2))
            wait_for(entered.is_set, what="the writer thread stuck in the other handler")
            assert eng.present_card(CARD, 1).result(10).accepted
            wait_for(lambda: c.enabled, what="the gate opened while the writer was stuck")
            assert sessions_in(sqlite_db) == []  # not committed yet: it was the journal
            release.set()
            eng.drain()
    finally:
        release.set()
    assert len(sessions_in(sqlite_db)) == 1


def test_a_journaled_poisoned_record_is_replayed_as_a_failure_not_held_forever(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """A stale alert acknowledgement journaled during a stall, then a crash: the next
    start-up replays the journal, keeps that record as failed and applies the rest; it is
    not taken for a busy database (held and retried at every start)."""
    from stationmgr.alerts.events import AlertAcknowledged
    from stationmgr.alerts.monitor import persist_acknowledged

    cid = _charger_id(sqlite_db)
    journal = tmp_path / "site.journal"

    def persister() -> Persister:
        p = Persister()
        p.register(AlertAcknowledged, persist_acknowledged)
        p.charger_of_bay[1] = cid
        return p

    async def crash_during_stall() -> None:
        w = _writer(sqlite_db, persister(), journal=journal)
        await w.start()
        task = asyncio.create_task(w.run())
        holder = await asyncio.to_thread(_Holder, sqlite_db)
        try:
            w.put(sm.TransactionStarted(_tx("tx-journaled")))
            w.put(AlertAcknowledged("no-such-alert", "maria", 1005.0, None))
            w.put(ChargerCommLost(cid, "vc", 1006.0, "after the bad one"))
            async with asyncio.timeout(30):
                while not w.stalled:
                    await asyncio.sleep(0.01)
            await asyncio.wait_for(w.durable(), 30)
        finally:
            task.cancel()  # the process dies: nothing more is written
            await asyncio.gather(task, return_exceptions=True)
            holder.release()
            w.close()

    async def restart() -> tuple[int, int]:
        w = _writer(sqlite_db, persister(), journal=journal)
        try:
            n = await asyncio.wait_for(w.start(), 30)
            return n, getattr(w, "failed", -1)
        finally:
            w.close()

    asyncio.run(crash_during_stall())
    assert journal.stat().st_size > 0 and sessions_in(sqlite_db) == []
    replayed, failed = asyncio.run(restart())
    with sqlite_db.sessions() as s:
        assert [r.tx_uid for r in s.scalars(select(ChargeSession))] == ["tx-journaled"]
        assert [e.detail for e in s.scalars(select(ChargerEvent))] == ["after the bad one"]
    assert (replayed, failed) == (3, 1)
    from stationmgr.store.models import PersistFailure

    with sqlite_db.sessions() as s:
        (failure,) = s.scalars(select(PersistFailure))
    assert "no alert" in failure.error and "no-such-alert" in failure.record
    assert not journal.exists() or journal.stat().st_size == 0  # applied: nothing held


@dataclass(frozen=True)
class Flaky:
    """A record whose write meets a busy database the first `busy` times."""

    busy: int


def test_a_busy_database_during_isolation_commits_nothing_twice(any_db: Database) -> None:
    """The isolation pass is one transaction: when the database turns busy halfway (after
    good records went through their savepoints), all of it is rolled back and retried — no
    good record is committed early (SQLite's driver would commit a first savepoint on its
    release if no transaction were open), none twice, the bad one stored once."""
    from stationmgr.errors import DatabaseBusy

    cid = _charger_id(any_db)
    calls = {"n": 0}

    def flaky(_s: Any, rec: Flaky) -> None:
        calls["n"] += 1
        if calls["n"] <= rec.busy:
            raise DatabaseBusy("the database is locked by another instance")

    p = Persister()
    p.register(Poison, _refuse)
    p.register(Flaky, flaky)

    async def go() -> list[Any]:
        w = _writer(any_db, p)
        task = asyncio.create_task(w.run())
        try:
            tickets = [
                w.put(ChargerCommLost(cid, "vc", 1.0, "A")),
                w.put(Poison("between")),
                w.put(ChargerCommLost(cid, "vc", 2.0, "B")),
                w.put(Flaky(busy=2)),
            ]
            await asyncio.wait_for(w.drain(), 60)
            return tickets
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            w.close()

    tickets = asyncio.run(go())
    from stationmgr.store.models import PersistFailure

    with any_db.sessions() as s:
        details = [e.detail for e in s.scalars(select(ChargerEvent).order_by(ChargerEvent.id))]
        failures = s.scalar(select(func.count(PersistFailure.id)))
    assert details == ["A", "B"] and failures == 1
    assert calls["n"] == 3  # busy twice, retried, then written
    assert [t.done.result() for t in tickets] == [True, False, True, True]
