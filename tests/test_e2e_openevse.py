"""End to end: `stationmgr run` with chargers configured in the database drives virtual
OpenEVSE chargers on ptys through full sessions: card → enable → samples → end of charge →
idle → unplug → a stored transaction whose energy equals the charger's counter delta."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from stationmgr.ocpp_words import StopReason
from stationmgr.sim.ev import EV
from stationmgr.sim.site import FAST_SESSIONS, SerialSite, wait_for
from stationmgr.store.models import ChargerEvent, ChargeSession, MeterSample
from tests.helpers.openevse import engine_polled
from tests.helpers.wait import wait_until


def _events(site: SerialSite) -> list[str]:
    db = site.db()
    try:
        with db.session() as s:
            return [e.kind for e in s.scalars(select(ChargerEvent).order_by(ChargerEvent.id))]
    finally:
        db.dispose()


def _idled(site: SerialSite, idle_s: float, samples: int) -> bool:
    """Every open session has been seen idle for `idle_s` (engine time) and has `samples`
    meter samples stored."""
    db = site.db()
    try:
        with db.session() as s:
            rows = list(s.scalars(select(ChargeSession).where(ChargeSession.stopped_at.is_(None))))
            if len(rows) != len(site.bays):
                return False
            for r in rows:
                if r.charging_ended_at is None or r.last_seen_at is None:
                    return False
                if (r.last_seen_at - r.charging_ended_at).total_seconds() < idle_s:
                    return False
                n = s.scalar(
                    select(func.count())
                    .select_from(MeterSample)
                    .where(MeterSample.session_id == r.id)
                )
                if (n or 0) < samples:
                    return False
            return True
    finally:
        db.dispose()


def test_two_bays_full_sessions_through_the_engine(tmp_path: Path) -> None:
    with SerialSite(tmp_path, bays=2, sim_speed=30.0) as site:
        site.start_engine()
        for bay in site.bays:
            site.wait_gated(bay)
        # A car that plugs in is not charged before its card is tapped.
        for i, bay in enumerate(site.bays):
            ev = EV(capacity_wh=1500, soc=0.6, max_power_w=7000 - 1000 * i, target_soc=0.9)
            site.plug(bay, ev)
        wait_for(lambda: all(b.charger.st.mode == "sleeping" for b in site.bays), 5, "asleep")
        assert all(b.charger.conn.power_w == 0 for b in site.bays)

        for bay in site.bays:
            site.start_session(bay)
        wait_for(lambda: all(b.charger.conn.power_w > 0 for b in site.bays), 10, "charging")
        # End of charge: the car is full and stops drawing; the bay idles; then unplug.
        wait_for(lambda: all(b.charger.conn.ev.full for b in site.bays), 60, "cars full")
        # The engine has recorded at least idle_after_s (2 s of its time) of idling and
        # three samples per session before the cars leave.
        wait_until(lambda: _idled(site, 2.0, samples=3), what="two idle sessions recorded")
        for bay in site.bays:
            bay.charger.unplug()

        rows = wait_for(
            lambda: (r := site.sessions()) and len(r) == 2 and all(x.stopped_at for x in r) and r,
            20,
            "two closed sessions",
        )
        db = site.db()
        try:
            for bay, row in zip(site.bays, rows, strict=True):
                log = bay.charger.st.sessions[-1]
                counter_delta = log.lifetime_after_wh - log.lifetime_before_wh
                assert counter_delta > 200
                assert row.energy_wh == counter_delta
                assert abs(row.energy_wh - log.ws_at_unplug / 3600) < 1
                assert row.stop_reason == StopReason.EV_DISCONNECTED
                assert row.card_uid is not None and row.holder_name.startswith("Driver")
                assert row.charging_s and row.charging_s > 0
                assert row.idle_s and row.idle_s >= 2
                with db.session() as s:
                    n = s.scalar(
                        select(func.count())
                        .select_from(MeterSample)
                        .where(MeterSample.session_id == row.id)
                    )
                assert n >= 3
        finally:
            db.dispose()
        # After the session the bay is gated again.
        wait_for(lambda: all(b.charger.st.mode == "sleeping" for b in site.bays), 10, "gated")
        assert "Traceback" not in site.engine_log()


def test_usb_adapters_pulled_and_plugged_back_during_a_session(tmp_path: Path) -> None:
    # The card stops the session seconds after it started: no repeat guard (test_sessions).
    session = {**FAST_SESSIONS, "retap_guard_s": 0.0}
    with SerialSite(tmp_path, bays=1, sim_speed=10.0, session=session) as site:
        bay = site.bays[0]
        bay.charger.log_commands = True  # to wait for the engine's polls
        site.start_engine()
        site.wait_gated(bay)
        site.plug(bay, EV(capacity_wh=50_000, soc=0.3, max_power_w=7000))
        site.start_session(bay)
        wait_for(lambda: bay.charger.conn.power_w > 0, 10, "charging")
        # The charger's adapter goes: the bay becomes Unavailable, the car keeps charging.
        bay.charger.set_port(False)
        bay.reader.endpoint.unplug()  # type: ignore[attr-defined]
        wait_until(lambda: _events(site)[-1:] == ["comm_lost"], what="the charger missed")
        bay.charger.set_port(True)
        bay.reader.endpoint.replug()  # type: ignore[attr-defined]
        db = site.db()
        try:
            from stationmgr.store.models import ChargerEvent

            def events() -> list[str]:
                with db.session() as s:
                    return [
                        e.kind for e in s.scalars(select(ChargerEvent).order_by(ChargerEvent.id))
                    ]

            wait_for(
                lambda: events()[-1:] == ["comm_restored"] and "comm_lost" in events(),
                30,
                "the charger to answer again",
            )
            assert events() == ["comm_restored", "comm_lost", "comm_restored"]
            # The reader is back too: the same card stops the session (Local). The car
            # pauses first, so nothing flows between the stop and the relay opening.
            bay.charger.set_paused(True)
            engine_polled(bay.charger)
            bay.reader.tap(bay.card, 0.15)
            wait_for(lambda: bay.charger.st.mode == "sleeping", 30, "stopped by the card")
            bay.charger.unplug()
            (row,) = wait_for(lambda: [r for r in site.sessions() if r.stopped_at], 10, "closed")
            assert row.stop_reason == StopReason.LOCAL
            log = bay.charger.st.sessions[0]
            # Stopped by card while plugged: the register at the stop is what it shows.
            assert abs(row.energy_wh - log.counter_delta_wh) <= 1
        finally:
            db.dispose()
        log_text = site.engine_log()
        assert log_text.count("does not answer") == 1 and log_text.count("answers again") == 1
