"""A site process for crash tests: the real engine plus one virtual charger whose state
(plugged, energy register) lives in a JSON file, like a physical device that outlives the PC.

    python -m tests.helpers.engine_child DB_URL STATE_FILE [--card UID] [--unplug-after S]

The file is the device's non-volatile memory: every change to the connector is written
(atomically, by rename) under the same lock as the change itself, and readings are taken
under that lock too. So whatever the engine has read — and may have stored — is already on
disk when a SIGKILL lands: the device's counter never goes back behind the database, as a
real charger's would not.
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
from typing import Any

from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.drivers.api import ConnectorReading
from stationmgr.engine import EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.ocpp_words import BayStatus
from stationmgr.runtime import build_runtime
from stationmgr.sessions import SessionConfig
from stationmgr.sim.device import VirtualCharger, VirtualConnector
from stationmgr.sim.ev import EV
from stationmgr.store.db import InstanceLock, open_database


def save(path: Path, c: VirtualConnector) -> None:
    now = inproc.CLOCK[0].now()
    tmp = path.with_suffix(".tmp")
    # The device's own memory of the plug-in (its clock and energy) outlives the PC too.
    elapsed = None if c.plugged_since is None else now - c.plugged_since
    state = {"plugged": c.plugged, "energy_wh": c.energy_total_wh, "enabled": c.enabled}
    tmp.write_text(json.dumps({**state, "session_ws": c.session_ws, "elapsed_s": elapsed}))
    os.replace(tmp, path)


class NonVolatileConnector(VirtualConnector):
    """A connector whose every change reaches the state file before anyone can read it.

    The engine's driver ticks the device on its own thread while this process's main loop
    ticks it too; without this, a reading taken (and stored by the engine) between a tick
    and the next save is lost by a SIGKILL, and the restarted device reports less energy
    than the database already holds.
    """

    lock = threading.RLock()
    state_path: Path

    def _changed(self, change: Any, *args: Any) -> None:
        with self.lock:
            change(self, *args)
            save(self.state_path, self)

    def tick(self, now: float) -> None:
        self._changed(VirtualConnector.tick, now)

    def plug(self, ev: EV, now: float) -> None:
        self._changed(VirtualConnector.plug, ev, now)

    def unplug(self, now: float) -> None:
        self._changed(VirtualConnector.unplug, now)

    def set_enabled(self, enabled: bool, now: float) -> None:
        self._changed(VirtualConnector.set_enabled, enabled, now)

    def set_current(self, amps: float, now: float) -> None:
        self._changed(VirtualConnector.set_current, amps, now)

    def reboot(self, now: float) -> None:
        self._changed(VirtualConnector.reboot, now)

    def reading(self, register: str = "total") -> ConnectorReading:
        with self.lock:
            return super().reading(register)


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
    c = NonVolatileConnector(
        energy_total_wh=state["energy_wh"],
        enabled=state.get("enabled", False),  # a charging box stays enabled across a PC crash
    )
    c.state_path = a.state
    dev = VirtualCharger(connectors=[c])
    with c.lock:  # restore the device's memory whole before the file is written again
        if state["plugged"]:
            VirtualConnector.plug(c, EV(capacity_wh=200_000, soc=0.1), clock.now())
            c.plugged_since = clock.now() - (state.get("elapsed_s") or 0.0)
        c.session_ws = state.get("session_ws", 0.0)  # kept after unplug until the next plug-in
        save(a.state, c)
    inproc.VIRTUAL_CHARGERS["vc1"] = dev
    db = open_database(a.db)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with InstanceLock(db):
        runtime = build_runtime(
            db,
            clock,
            config=EngineConfig(
                CoordinatorConfig(poll_interval_s=0.02), SessionConfig(sample_interval_s=5)
            ),
            alerts=False,
        )
        eng = runtime.engine
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
        finally:
            eng.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
