"""End to end: `stationmgr run` with chargers configured in the database drives virtual
OpenEVSE chargers on ptys through full sessions: card → enable → samples → end of charge →
idle → unplug → a stored transaction whose energy equals the charger's counter delta."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from stationmgr.ocpp_words import StopReason
from stationmgr.sim.ev import EV
from stationmgr.sim.site import SerialSite, wait_for
from stationmgr.store.models import MeterSample


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
        time.sleep(3.0)  # idle_after_s = 2 s of engine time
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
