"""Fault injection: sessions run through `stationmgr run` while the virtual OpenEVSE injects
each fault kind (GFCI, no ground, stuck relay, over temperature, silence, garbage bytes, bad
checksums, reboot with counter reset). The engine survives, every fault is stored once, and
each session closes with the energy the charger's counters show."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from stationmgr.ocpp_words import StopReason
from stationmgr.sim.ev import EV
from stationmgr.sim.site import SerialSite, SiteBay, wait_for
from stationmgr.store.models import Bay, ChargerEvent, Fault

ELECTRICAL = {
    "gfci": "GFCI",
    "noground": "NoGround",
    "stuckrelay": "StuckRelay",
    "overtemp": "OverTemperature",
}


def _small_ev() -> EV:
    return EV(capacity_wh=800, soc=0.5, max_power_w=7000, target_soc=0.8)


def _session_with(site: SerialSite, bay: SiteBay, kind: str) -> None:
    """One plug-in during which `kind` is injected; returns after unplug."""
    sim = bay.charger
    site.wait_gated(bay)
    ev = _small_ev()
    site.plug(bay, ev)
    site.start_session(bay)
    wait_for(lambda: sim.conn.power_w > 0, 10, "charging")
    time.sleep(0.5)
    if kind in ELECTRICAL:
        sim.inject(kind)
        # The engine ends the session on the fault and gates the charger.
        wait_for(lambda: sim.st.mode == "sleeping", 15, f"{kind}: gated after the fault")
        time.sleep(0.5)
        sim.clear()
        time.sleep(0.8)  # the clearing is seen
    elif kind == "silence":
        sim.inject("silence", 4.0)
        time.sleep(5.0)
    elif kind == "reboot":
        sim.set_paused(True)  # nothing flows between the last poll and the boot
        time.sleep(0.6)
        sim.inject("reboot")
        time.sleep(0.8)
        wait_for(lambda: sim.st.mode == "active", 10, "re-enabled after the boot")
        sim.set_paused(False)
    else:  # garbage, badsum: the driver retries; the link stays up
        sim.inject(kind, 2)
        wait_for(lambda: sim.st.garbage_left == 0 and sim.st.badsum_left == 0, 10, kind)
    if kind not in ELECTRICAL:
        wait_for(lambda: ev.full, 60, f"{kind}: car full")
    time.sleep(0.6)
    sim.unplug()
    time.sleep(1.0)  # the next car comes a while later


def test_each_fault_kind_during_sessions(tmp_path: Path) -> None:
    kinds = [
        ["gfci", "silence", "stuckrelay", "garbage"],
        ["noground", "reboot", "overtemp", "badsum"],
    ]
    with SerialSite(tmp_path, bays=2, sim_speed=40.0) as site:
        site.start_engine()

        def play(i: int) -> None:
            for kind in kinds[i]:
                _session_with(site, site.bays[i], kind)

        with ThreadPoolExecutor(2) as pool:
            for f in [pool.submit(play, i) for i in range(2)]:
                f.result()
        rows = wait_for(
            lambda: (r := site.sessions()) and len(r) == 8 and all(x.stopped_at for x in r) and r,
            20,
            "eight closed sessions",
        )
        assert site.engine is not None and site.engine.poll() is None, "the engine died"

        by_bay: dict[int, list] = {}
        for r in rows:
            by_bay.setdefault(r.bay_id, []).append(r)
        db = site.db()
        try:
            with db.session() as s:
                bay_ids = {b.label: b.id for b in s.scalars(select(Bay))}
                faults = list(s.scalars(select(Fault)))
                events = list(s.scalars(select(ChargerEvent)))
        finally:
            db.dispose()
        for i, bay in enumerate(site.bays):
            sessions = sorted(by_bay[bay_ids[bay.label]], key=lambda r: r.plugged_at)
            logs = bay.charger.st.sessions
            assert len(sessions) == len(logs) == 4
            for kind, row, log in zip(kinds[i], sessions, logs, strict=True):
                expected = log.counter_delta_wh
                assert expected and expected > 10, kind
                assert row.energy_wh == expected, (kind, row.energy_wh, expected)
                if kind in ELECTRICAL:
                    assert row.stop_reason == StopReason.OTHER
                    assert row.stop_detail == f"fault {ELECTRICAL[kind]}"
                else:
                    assert row.stop_reason == StopReason.EV_DISCONNECTED, kind
            assert [g.reboots for g in logs] == [int(k == "reboot") for k in kinds[i]]
        # Every electrical fault stored once, linked to its bay and session, and cleared.
        for code in ELECTRICAL.values():
            hits = [f for f in faults if f.code == code]
            assert len(hits) == 1, (code, hits)
            assert hits[0].session_id is not None and hits[0].cleared_at is not None
        # The silence: lost once, back once (charger 1). The reboot: one counter reset.
        lost = [e for e in events if e.kind == "comm_lost"]
        back = [e for e in events if e.kind == "comm_restored"]
        assert len(lost) == 1, [(e.charger_id, e.detail) for e in lost]
        assert len([e for e in back if e.charger_id == lost[0].charger_id]) == 2  # start + back
        resets = [e for e in events if e.kind == "counter_reset"]
        assert len(resets) == 1 and resets[0].session_id is not None
        assert "Traceback" not in site.engine_log()
