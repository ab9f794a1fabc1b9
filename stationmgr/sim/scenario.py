"""A day of arrivals for a virtual charger: who plugs in when, with what car and card.

Scenario file (JSON)::

    {"speed": 60,                       # optional time warp (overridden by --speed)
     "start": "07:30",                  # optional: the simulated time of day to begin at
     "arrivals": [
       {"at": "08:05", "card": "0A1B2C3D", "capacity_wh": 60000, "soc": 0.35,
        "max_power_w": 7400, "target_soc": 0.9, "departure": "12:30",
        "tap_after_s": 30}
     ]}

Times are ``HH:MM[:SS]`` of the simulated day or seconds after the start. The car plugs in
at ``at``; the card (if any) is tapped on the bay's reader ``tap_after_s`` later (default
20 s); the car leaves at ``departure`` (default: one hour after it is full).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stationmgr.errors import UserError
from stationmgr.sim.ev import EV


@dataclass
class Arrival:
    at_s: float
    ev: EV
    card: str | None = None
    departure_s: float | None = None
    tap_after_s: float = 20.0


@dataclass
class Scenario:
    arrivals: list[Arrival]
    start_s: float = 0.0  # seconds after midnight
    speed: float | None = None


def _time(value: Any, what: str, start_s: float = 0.0) -> float:
    if isinstance(value, int | float):
        return start_s + float(value)
    if isinstance(value, str):
        parts = value.split(":")
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            nums = []
        if 2 <= len(nums) <= 3:
            h, m, s = (*nums, 0)[:3]
            return h * 3600 + m * 60 + s
    raise UserError(f"scenario: {what} {value!r} is neither HH:MM nor seconds")


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; raises UserError with the reason."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise UserError(f"scenario {path}: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("arrivals"), list):
        raise UserError(f"scenario {path}: needs an object with an 'arrivals' list")
    start = _time(data.get("start", 0), "start")
    out: list[Arrival] = []
    for i, a in enumerate(data["arrivals"], 1):
        if not isinstance(a, dict) or "at" not in a:
            raise UserError(f"scenario {path}: arrival {i} needs 'at'")
        try:
            ev = EV(
                capacity_wh=float(a.get("capacity_wh", 60000)),
                soc=float(a.get("soc", 0.3)),
                max_power_w=float(a.get("max_power_w", 7400)),
                target_soc=float(a.get("target_soc", 1.0)),
            )
            tap_after = float(a.get("tap_after_s", 20))
        except (TypeError, ValueError) as e:
            raise UserError(f"scenario {path}: arrival {i}: {e}") from None
        if not 0 <= ev.soc <= 1 or ev.capacity_wh <= 0 or ev.max_power_w <= 0:
            raise UserError(f"scenario {path}: arrival {i}: soc 0..1, positive sizes")
        dep = a.get("departure")
        out.append(
            Arrival(
                _time(a["at"], f"arrival {i} 'at'", start),
                ev,
                str(a["card"]) if a.get("card") else None,
                _time(dep, f"arrival {i} 'departure'", start) if dep is not None else None,
                tap_after,
            )
        )
    speed = data.get("speed")
    return Scenario(sorted(out, key=lambda x: x.at_s), start, float(speed) if speed else None)


def day_start(now: float) -> float:
    """Midnight (UTC) of the day `now` falls in."""
    d = datetime.fromtimestamp(now, UTC)
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


class ScenarioRunner:
    """Plays a scenario against a charger simulator (and a reader simulator for cards)."""

    def __init__(self, scenario: Scenario, charger: Any, reader: Any = None) -> None:
        self.scenario = scenario
        self.charger = charger
        self.reader = reader
        self.midnight = day_start(charger.clock.now())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.done = threading.Event()

    def _wait_until(self, sim_s: float) -> bool:
        while not self._stop.is_set():
            if self.charger.clock.now() - self.midnight >= sim_s:
                return True
            time.sleep(0.02)
        return False

    def run(self) -> None:
        for a in self.scenario.arrivals:
            if not self._wait_until(a.at_s):
                return
            self.charger.plug(a.ev)
            if a.card and self.reader is not None:
                if not self._wait_until(a.at_s + a.tap_after_s):
                    return
                self.reader.tap(a.card)
            dep = a.departure_s
            if dep is None:
                # leave an hour after full: poll the car
                while not self._stop.is_set() and not a.ev.full:
                    time.sleep(0.05)
                dep = self.charger.clock.now() - self.midnight + 3600
            if not self._wait_until(dep):
                return
            self.charger.unplug()
        self.done.set()

    def start(self) -> ScenarioRunner:
        self._thread = threading.Thread(target=self.run, name="sim-scenario", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
