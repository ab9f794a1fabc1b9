"""Soak: the engine process is killed (SIGKILL) at random moments during live simulated
sessions and restarted, more than 20 times. No plug-in is lost or merged with another: each
has its own session(s) on its own card, and each bay's sessions plus its energy outside a
session equal the charger's counter (within 1 Wh per session).

Drivers behave like people: they plug in, tap their card (again, if the charger does not
start — e.g. while the program restarts — or stops: a session the charger could not prove
after a long restart is closed, see docs/devices/README.md), leave when the car is full, and
the next car comes once the bay is free again.
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
from stationmgr.store.models import Bay, UnattributedEnergy

KILLS = 22


def _closed_sessions_of(site: SerialSite, bay_id: int) -> int:
    return sum(1 for r in site.sessions() if r.bay_id == bay_id and r.stopped_at is not None)


def _story(bay: SiteBay, mine: list, logs: list, taps: dict, site: SerialSite) -> str:
    """What a failure needs to be understood: the bay's sessions beside its plug-ins."""
    lines = [f"{bay.label}: {len(mine)} sessions for taps {taps[bay.label]}"]
    lines += [
        f"  session {r.id}: card {r.card_uid} authorized {r.authorized_at} stopped {r.stopped_at}"
        f" {r.stop_reason} {r.energy_wh:.1f} Wh"
        for r in mine
    ]
    lines += [f"  plug-in {g.__dict__}" for g in logs]
    lines += [
        f"  {who} {what} at {when}"
        for who, what, when in site.happened
        if who in (bay.label, "engine")
    ]
    lines.append(f"  engine log: {site.log_path}")
    return "\n".join(lines)


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
        taps: dict[str, list[int]] = {label: [] for label in bay_ids}  # sessions per plug-in

        def open_session(bay: SiteBay) -> bool:
            return any(
                r.bay_id == bay_ids[bay.label] and r.stopped_at is None for r in site.sessions()
            )

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
                    site.start_session(bay, 60, lambda bay=bay: open_session(bay))
                    started = 1
                    end = time.monotonic() + 120
                    while not ev.full:
                        try:
                            wait_for(lambda ev=ev: ev.full, 5, "car full")
                        except AssertionError:
                            if time.monotonic() > end:
                                raise
                            # Charging stopped with no session: tap again, as a driver would.
                            if bay.charger.st.mode == "sleeping" and not open_session(bay):
                                site.start_session(bay, 60, lambda bay=bay: open_session(bay))
                                started += 1
                    taps[bay.label].append(started)
                    time.sleep(r.uniform(0.1, 0.8))
                    bay.charger.unplug()
                    n = sum(taps[bay.label])
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
        db = site.db()
        try:
            with db.session() as s:
                outside = list(s.scalars(select(UnattributedEnergy)))
        finally:
            db.dispose()
        total = 0
        for bay in site.bays:
            logs = [g for g in bay.charger.st.sessions if g.unplugged_at is not None]
            mine = sorted(
                (r for r in rows if r.bay_id == bay_ids[bay.label]), key=lambda r: r.authorized_at
            )
            assert len(logs) == plugins[bay.label] == len(taps[bay.label]), bay.label
            # none lost, none extra
            assert len(mine) == sum(taps[bay.label]), _story(bay, mine, logs, taps, site)
            counter = 0.0
            for log, n in zip(logs, taps[bay.label], strict=True):
                group, mine = mine[:n], mine[n:]
                delta = log.counter_delta_wh
                assert delta is not None and delta > 0
                # Never more than this plug-in delivered: no other car's energy merged in.
                assert sum(r.energy_wh for r in group) <= delta + n, (bay.label, group, delta)
                counter += delta
                for r in group:  # Local: a driver's re-tap landed on the session it started
                    assert r.stop_reason in (
                        StopReason.EV_DISCONNECTED,
                        StopReason.POWER_LOSS,
                        StopReason.LOCAL,
                    )
            in_sessions = sum(r.energy_wh for r in rows if r.bay_id == bay_ids[bay.label])
            elsewhere = sum(u.energy_wh for u in outside if u.bay_id == bay_ids[bay.label])
            n_sessions = sum(taps[bay.label])
            assert abs(in_sessions + elsewhere - counter) <= n_sessions, (
                bay.label,
                in_sessions,
                elsewhere,
                counter,
            )
            total += len(logs)
        assert total >= 9
        assert site.engine_starts == KILLS + 1
