"""The real engine on its thread with in-process virtual chargers and a warped clock."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from stationmgr import sessions as sm
from stationmgr.events import BaySnapshot, ChargerCommLost, ChargerCommRestored
from stationmgr.ocpp_words import AuthStatus, BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.models import ChargerEvent, ChargeSession, Fault, MeterSample
from tests.site import build_site, running, wait_for


def closed(db) -> list[ChargeSession]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return list(s.scalars(select(ChargeSession).where(ChargeSession.stopped_at.is_not(None))))


def test_full_session_card_samples_idle_unplug(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    (dev, _) = build_site(sqlite_db)
    seen: list[object] = []
    with running(sqlite_db, speed=120, idle_after_s=120) as eng:
        eng.bus.subscribe(seen.append)
        c = dev.connectors[0]
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="available")
        assert not c.enabled  # gated until a card
        c.plug(EV(capacity_wh=10_000, soc=0.97), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        auth = eng.present_card("0169552957", 1).result(5)
        assert auth.status is AuthStatus.ACCEPTED
        wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING, what="charging")
        assert c.enabled
        wait_for(lambda: eng.bays[1].status is BayStatus.FINISHING, what="idle", timeout=30)
        c.unplug(eng.clock.now())
        wait_for(lambda: eng.bays[1].tx is None and eng.bays[1].status is BayStatus.AVAILABLE)
        wait_for(lambda: not c.enabled, what="the gate closed after the session")
        eng.drain()
    (row,) = closed(sqlite_db)
    assert row.stop_reason == "EVDisconnected"
    assert row.energy_wh == pytest.approx(row.meter_stop_wh - row.meter_start_wh, abs=0.01)
    assert row.energy_wh == pytest.approx(c.energy_total_wh, abs=1.0)
    assert row.plugged_s == row.waiting_s + row.charging_s + row.idle_s
    assert row.idle_s >= 100 and row.charging_s > 0
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count(MeterSample.id))) >= 3
    assert any(isinstance(e, sm.TransactionStopped) for e in seen)
    assert any(isinstance(e, BaySnapshot) and e.status is BayStatus.CHARGING for e in seen)


def test_guest_start_and_attendant_stop(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    (dev, _) = build_site(sqlite_db)
    with running(sqlite_db) as eng:
        dev.connectors[0].plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING)
        eng.remote_start(1, "maria", "forgot card").result(5)
        wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING)
        eng.remote_stop(1, "maria").result(5)
        wait_for(lambda: eng.bays[1].tx is None)
        eng.drain()
    (row,) = closed(sqlite_db)
    assert row.start_kind == "guest" and row.started_by == "maria"
    assert row.guest_reason == "forgot card" and row.card_id is None
    assert row.stop_reason == "Remote" and row.stopped_by == "maria"


def test_concurrent_session_limit_across_bays(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    devs = build_site(sqlite_db, chargers=2)
    with running(sqlite_db) as eng:
        for d in devs:
            d.connectors[0].plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[2].status is BayStatus.PREPARING)
        assert eng.present_card("0A1B2C3D", 1).result(5).accepted
        second = eng.present_card("0A1B2C3D", 2).result(5)
        assert second.status is AuthStatus.CONCURRENT_TX
        assert eng.present_card("DEADBEEF", 2).result(5).status is AuthStatus.INVALID
        eng.drain()
    with sqlite_db.session() as s:
        kinds = list(
            s.scalars(select(ChargerEvent.code).where(ChargerEvent.kind == "card_refused"))
        )
    assert kinds == ["ConcurrentTx", "Invalid"]


def test_silent_charger_unavailable_logged_once_and_recovers(sqlite_db, caplog) -> None:  # type: ignore[no-untyped-def]
    (dev, _) = build_site(sqlite_db)
    events: list[object] = []
    caplog.set_level(logging.WARNING, logger="stationmgr.engine.coordinator")
    with running(sqlite_db) as eng:
        eng.bus.subscribe(events.append, ChargerCommLost, ChargerCommRestored)
        dev.connectors[0].plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING)
        eng.present_card("0A1B2C3D", 1).result(5)
        wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING)
        dev.silent = True
        wait_for(lambda: eng.bays[1].status is BayStatus.UNAVAILABLE)
        wait_for(lambda: eng.coordinators[1].failures >= 4, what="retries")
        assert eng.bays[1].tx is not None  # the session stays open while we cannot see
        dev.silent = False
        wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING)
        eng.drain()
    lost = [r for r in caplog.records if "does not answer" in r.getMessage()]
    back = [r for r in caplog.records if "answers again" in r.getMessage()]
    assert len(lost) == 1 and len(back) == 1
    assert [type(e) for e in events][-2:] == [ChargerCommLost, ChargerCommRestored]
    assert sum(isinstance(e, ChargerCommLost) for e in events) == 1


def test_fault_stored_once_and_session_closed(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    (dev, _) = build_site(sqlite_db)
    with running(sqlite_db) as eng:
        c = dev.connectors[0]
        c.plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING)
        eng.present_card("0A1B2C3D", 1).result(5)
        wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING)
        c.fault = "GFCI"
        wait_for(lambda: eng.bays[1].status is BayStatus.FAULTED)
        wait_for(lambda: eng.coordinators[1].polls > 20)
        c.fault = None
        wait_for(lambda: eng.bays[1].status is BayStatus.FINISHING)
        eng.drain()
    (row,) = closed(sqlite_db)
    assert row.stop_reason == "Other" and "GFCI" in row.stop_detail
    with sqlite_db.session() as s:
        (fault,) = s.scalars(select(Fault)).all()
    assert fault.code == "GFCI" and fault.cleared_at is not None and fault.session_id == row.id


def test_out_of_order_bay_refuses_cards(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    (dev, _) = build_site(sqlite_db)
    with running(sqlite_db) as eng:
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE)
        eng.set_out_of_order(1, True, "maria").result(5)
        assert eng.bays[1].status is BayStatus.UNAVAILABLE
        dev.connectors[0].plug(EV(), eng.clock.now())
        eng.present_card("0A1B2C3D", 1).result(5)
        assert eng.bays[1].tx is None


def test_busy_database_holds_records_and_loses_none(sqlite_db, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Another program holds the SQLite write lock longer than the busy timeout: the
    charger is told at once (the start is journaled), the writer holds its records and
    retries; the session is complete once the lock is gone."""
    import sqlite3

    import stationmgr.store.db as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 100)
    caplog.set_level(logging.WARNING, logger="stationmgr.engine.writer")
    (dev, _) = build_site(sqlite_db)
    sqlite_db.engine.dispose()  # new connections get the short busy timeout
    path = sqlite_db.url.split("///", 1)[1]
    with running(sqlite_db) as eng:
        c = dev.connectors[0]
        c.plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING)
        eng.drain()
        holder = sqlite3.connect(path, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            auth = eng.present_card("0A1B2C3D", 1).result(15)  # does not wait for the lock
            assert auth.accepted
            wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING)
            wait_for(lambda: eng.writer.stalled, what="the writer found the database busy")
            c.unplug(eng.clock.now())
            wait_for(lambda: eng.bays[1].tx is None)
        finally:
            holder.rollback()
            holder.close()
        eng.drain()
    assert any("database busy" in r.getMessage() for r in caplog.records)  # it did wait
    (row,) = closed(sqlite_db)
    assert row.stop_reason == "EVDisconnected"
    assert row.energy_wh == pytest.approx(c.energy_total_wh, abs=1.0)
