"""A site process for crash tests: the real engine plus one virtual charger whose state
(plugged, energy register) lives in a JSON file, like a physical device that outlives the PC.

    python -m tests.helpers.engine_child DB_URL STATE_FILE [--card UID] [--unplug-after S]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.ocpp_words import BayStatus
from stationmgr.sessions import SessionConfig
from stationmgr.sim.device import VirtualCharger
from stationmgr.sim.ev import EV
from stationmgr.store.db import InstanceLock, open_database


def save(path: Path, dev: VirtualCharger) -> None:
    c = dev.connectors[0]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"plugged": c.plugged, "energy_wh": c.energy_total_wh, "enabled": c.enabled})
    )
    os.replace(tmp, path)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("state", type=Path)
    p.add_argument("--card")
    p.add_argument("--unplug-after", type=float)
    p.add_argument("--speed", type=float, default=60.0)
    a = p.parse_args()
    state = json.loads(a.state.read_text())
    clock = WarpClock(a.speed)
    inproc.CLOCK[0] = clock
    dev = VirtualCharger()
    c = dev.connectors[0]
    c.energy_total_wh = state["energy_wh"]
    c.enabled = state.get("enabled", False)  # a charging box stays enabled across a PC crash
    if state["plugged"]:
        c.plug(EV(capacity_wh=200_000, soc=0.1), clock.now())
    inproc.VIRTUAL_CHARGERS["vc1"] = dev
    db = open_database(a.db)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with InstanceLock(db):
        eng = Engine(
            db,
            clock,
            EngineConfig(
                CoordinatorConfig(poll_interval_s=0.02), SessionConfig(sample_interval_s=5)
            ),
        )
        eng.start()
        try:
            t0 = time.monotonic()
            if a.card:
                while eng.bays[1].status is not BayStatus.PREPARING and not stop.is_set():
                    time.sleep(0.01)
                eng.present_card(a.card, 1).result(5)
            print("ready", flush=True)
            while not stop.wait(0.02):
                dev.tick(clock.now())
                if (
                    a.unplug_after is not None
                    and c.plugged
                    and time.monotonic() - t0 > a.unplug_after
                ):
                    c.unplug(clock.now())
                save(a.state, dev)
        finally:
            eng.stop()
            save(a.state, dev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
