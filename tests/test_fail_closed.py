"""The engine side of issue 15: chargers fail closed, stops and restarts use fresh
readings, backoff is bounded and the blind spot is recorded (reliability defects 1, 4, 13,
14). The real engine on its thread with in-process virtual chargers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc, register_charger
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig, next_backoff
from stationmgr.ocpp_words import BayStatus
from stationmgr.sessions import SessionConfig
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import Charger, ChargerEvent, ChargeSession, UnattributedEnergy
from tests.site import build_site, wait_for

FAILSAFE_CALLS: list[tuple[str, float, float]] = []


class FailsafeInProc(inproc.InProcCharger):
    """An in-process charger that also has the Failsafe capability (records each setting)."""

    async def set_failsafe(self, timeout_s: float, fallback_a: float) -> None:
        self.device  # noqa: B018  (a silent charger raises, like a real one)
        FAILSAFE_CALLS.append((self.name, timeout_s, fallback_a))


register_charger(
    "inproc-failsafe",
    lambda config, _ports: FailsafeInProc(config.port.removeprefix("inproc://")),
)


def engine(db: Database, poll_s: float = 0.02, speed: float = 1.0) -> Engine:
    clock = WarpClock(speed)
    inproc.CLOCK[0] = clock
    cfg = EngineConfig(
        CoordinatorConfig(poll_interval_s=poll_s, backoff_min_s=0.05, backoff_max_s=0.2),
        SessionConfig(retap_guard_s=0.0),  # these stop by card at once (guard: test_sessions)
    )
    return Engine(db, clock, cfg)


def charger_rows(db: Database, **values: Any) -> None:
    with db.session() as s:
        s.execute(update(Charger).values(**values))


def test_engine_sets_each_chargers_failsafe_at_every_open(sqlite_db: Database) -> None:
    devs = build_site(sqlite_db, chargers=2)
    with sqlite_db.session() as s:
        one, two = s.scalars(select(Charger).order_by(Charger.id)).all()
        one.driver = two.driver = "inproc-failsafe"
        two.settings = {"offline": "safe_current", "offline_current_a": 8}
        names = one.name, two.name
    FAILSAFE_CALLS.clear()
    eng = engine(sqlite_db)
    eng.start()
    try:
        wait_for(lambda: len(FAILSAFE_CALLS) == 2, what="failsafe set at open")
        assert sorted(FAILSAFE_CALLS) == sorted([(names[0], 15.0, 0.0), (names[1], 15.0, 8.0)])
        devs[0].silent = True  # lost, then back: it may have rebooted, set it again
        wait_for(lambda: eng.bays[1].status is BayStatus.UNAVAILABLE, what="lost")
        devs[0].silent = False
        wait_for(lambda: len(FAILSAFE_CALLS) == 3, what="failsafe set again")
        assert FAILSAFE_CALLS[-1] == (names[0], 15.0, 0.0)
    finally:
        eng.stop()


def test_card_stop_reads_the_charger_before_it_closes(sqlite_db: Database) -> None:
    (dev,) = build_site(sqlite_db, chargers=1)
    eng = engine(sqlite_db, poll_s=3600)  # the last poll is as old as it gets
    eng.start()
    try:
        c = dev.connectors[0]
        coord = eng.coordinators[1]
        poke = lambda: eng._loop.call_soon_threadsafe(coord.poll_now)  # noqa: E731
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="available")
        c.plug(EV(capacity_wh=80_000, soc=0.2), eng.clock.now())
        poke()
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        polls = coord.polls
        assert eng.present_card("0A1B2C3D", 1).result(5).accepted
        wait_for(lambda: coord.polls > polls, what="the poll after the gate opened")
        start = eng.bays[1].tx.meter_start_wh  # type: ignore[union-attr]
        c.energy_total_wh += 230.0  # delivered since the last poll
        at_tap = c.energy_total_wh
        assert eng.present_card("0A1B2C3D", 1).result(15).accepted  # the same card: stop
        eng.drain()
    finally:
        eng.stop()
    with sqlite_db.session() as s:
        (row,) = s.scalars(select(ChargeSession)).all()
    assert row.stop_reason == "Local"
    assert row.meter_stop_wh >= at_tap and row.energy_wh >= at_tap - start


def test_tap_before_first_reading_after_restart_never_closes_at_stale_meter(
    sqlite_db: Database,
) -> None:
    (dev,) = build_site(sqlite_db, chargers=1)
    c = dev.connectors[0]
    eng = engine(sqlite_db)
    eng.start()
    try:
        c.plug(EV(capacity_wh=80_000, soc=0.2), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        assert eng.present_card("0A1B2C3D", 1).result(5).accepted
        eng.drain()
    finally:
        eng.stop()  # the session stays open in the database, as after a crash
    stored = c.energy_total_wh
    c.energy_total_wh += 230.0  # the car charged on while the engine was down
    c.session_ws += 230.0 * 3600  # in the same plug-in (the charger's proof)
    dev.silent = True  # and the charger is slow to answer after the restart
    eng = engine(sqlite_db)
    eng.start()
    try:
        # the tap waits for the charger's first reading; it does not come: nothing acts
        assert eng.present_card("0A1B2C3D", 1).result(30).accepted
        assert eng.bays[1].tx is not None
        dev.silent = False
        wait_for(lambda: eng.bays[1].status is not BayStatus.UNAVAILABLE, what="first reading")
        assert eng.present_card("0A1B2C3D", 1).result(15).accepted  # now it stops
        eng.drain()
    finally:
        eng.stop()
    with sqlite_db.session() as s:
        rows = s.scalars(select(ChargeSession)).all()
        refused = s.scalars(select(ChargerEvent.detail).where(ChargerEvent.kind == "card_refused"))
        assert any("first reading" in (d or "") for d in refused)
    (row,) = rows
    assert row.stop_reason == "Local"
    assert row.meter_stop_wh >= stored + 230.0  # not the stale stored meter


def test_energy_while_engine_down_without_session_is_stored(sqlite_db: Database) -> None:
    (dev,) = build_site(sqlite_db, chargers=1)
    c = dev.connectors[0]
    eng = engine(sqlite_db)
    eng.start()
    try:
        c.plug(EV(capacity_wh=80_000, soc=0.2), eng.clock.now())
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
        assert eng.present_card("0A1B2C3D", 1).result(5).accepted
        wait_for(lambda: (eng.bays[1].tx.energy_wh or 0) > 1, what="energy")  # type: ignore[union-attr]
        c.unplug(eng.clock.now())
        wait_for(lambda: eng.bays[1].tx is None, what="closed")
        eng.drain()
    finally:
        eng.stop()
    with sqlite_db.session() as s:
        (row,) = s.scalars(select(ChargeSession)).all()
        meter_stop = row.meter_stop_wh
    # while the engine is down the charger is enabled by hand and a car charges 400 Wh
    c.plug(EV(capacity_wh=80_000, soc=0.2), inproc.CLOCK[0].now())
    c.energy_total_wh = meter_stop + 400.0
    eng = engine(sqlite_db)
    eng.start()
    try:
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="seen")
        eng.drain()
    finally:
        eng.stop()
    with sqlite_db.session() as s:
        (outside,) = s.scalars(select(UnattributedEnergy)).all()
        # At least the 400 Wh charged while it was down; the car, still enabled, charges on
        # until the new engine's first reading gates it (a loaded machine reads later).
        assert outside.meter_from_wh == meter_stop
        assert 400.0 <= outside.energy_wh <= c.energy_total_wh - meter_stop
        assert outside.bay_id == 1 and outside.after_session_id is None
    assert not c.enabled  # gated until a card


def test_backoff_is_bounded_and_the_blind_spot_recorded(sqlite_db: Database) -> None:
    cfg = CoordinatorConfig()
    waits = [cfg.backoff_min_s]
    for _ in range(8):
        waits.append(next_backoff(waits[-1], cfg))
    assert max(waits) == cfg.backoff_max_s == 5.0
    (dev,) = build_site(sqlite_db, chargers=1)
    eng = engine(sqlite_db)
    eng.start()
    try:
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="available")
        dev.silent = True
        wait_for(lambda: eng.bays[1].status is BayStatus.UNAVAILABLE, what="lost")
        dev.silent = False
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="back")
        eng.drain()
    finally:
        eng.stop()
    with sqlite_db.session() as s:
        details = dict(s.execute(select(ChargerEvent.kind, ChargerEvent.detail)).all())
    assert "last reading" in details["comm_lost"]
    assert "unreachable for" in details["comm_restored"]
