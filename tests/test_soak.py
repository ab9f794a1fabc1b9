"""Soak: the engine process is killed (SIGKILL) at random moments during live simulated
sessions and restarted, more than 20 times. No session is lost, and each session's energy
equals the charger's counter delta within 1 Wh.

Drivers behave like people: they plug in, tap their card (again, if the charger does not
start — e.g. while the program restarts), leave when the car is full, and the next car comes
once the bay is free again.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.ocpp_words import StopReason
from stationmgr.sim.ev import EV
from stationmgr.sim.site import SerialSite, SiteBay, wait_for
from stationmgr.store.models import Bay

KILLS = 22


def _closed_sessions_of(site: SerialSite, bay_id: int) -> int:
    return sum(1 for r in site.sessions() if r.bay_id == bay_id and r.stopped_at is not None)


@pytest.mark.slow
def test_sigkill_the_engine_during_sessions(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    with SerialSite(tmp_path, bays=3, sim_speed=40.0) as site:
        db = site.db()
        try:
            with db.session() as s:
                bay_ids = {b.label: b.id for b in s.scalars(select(Bay))}
        finally:
            db.dispose()
        site.start_engine()
        site.wait_engine_ready()
        stop = threading.Event()
        errors: list[BaseException] = []
        plugins = dict.fromkeys(bay_ids, 0)

        def driver(bay: SiteBay, seed: int) -> None:
            r = random.Random(seed)
            try:
                while not stop.is_set():
                    site.wait_gated(bay, 60)
                    ev = EV(
                        capacity_wh=600, soc=r.uniform(0.4, 0.6), max_power_w=7000, target_soc=0.8
                    )
                    site.plug(bay, ev)
                    plugins[bay.label] += 1
                    site.start_session(bay, 60)
                    wait_for(lambda ev=ev: ev.full, 60, "car full")
                    time.sleep(r.uniform(0.1, 0.8))
                    bay.charger.unplug()
                    n = plugins[bay.label]
                    wait_for(
                        lambda n=n: _closed_sessions_of(site, bay_ids[bay.label]) >= n,
                        60,
                        f"{bay.label}: session {n} closed",
                        step=0.2,
                    )
                    time.sleep(r.uniform(0.1, 0.5))
            except BaseException as e:  # surfaced below
                errors.append(e)
                stop.set()

        threads = [
            threading.Thread(target=driver, args=(b, i), name=f"driver-{b.label}")
            for i, b in enumerate(site.bays)
        ]
        for t in threads:
            t.start()
        kills = 0
        try:
            while kills < KILLS and not errors:
                time.sleep(rng.uniform(0.3, 2.5))
                site.kill_engine(signal.SIGKILL)
                kills += 1
                time.sleep(rng.uniform(0.0, 0.8))
                site.start_engine()
                site.wait_engine_ready()
        finally:
            stop.set()
            for t in threads:
                t.join(120)
        assert not errors, errors
        assert kills >= 20

        rows = site.sessions()
        assert all(r.stopped_at is not None for r in rows)
        total = 0
        for bay in site.bays:
            logs = [g for g in bay.charger.st.sessions if g.unplugged_at is not None]
            mine = sorted(
                (r for r in rows if r.bay_id == bay_ids[bay.label]), key=lambda r: r.authorized_at
            )
            assert len(mine) == len(logs) == plugins[bay.label], bay.label  # none lost
            for row, log in zip(mine, logs, strict=True):
                delta = log.counter_delta_wh
                assert delta is not None and delta > 0
                assert abs(row.energy_wh - delta) <= 1.0, (bay.label, row.energy_wh, delta)
                assert row.stop_reason in (StopReason.EV_DISCONNECTED, StopReason.POWER_LOSS)
            total += len(mine)
        assert total >= 9
        assert site.engine_starts == KILLS + 1
