"""A site for kill tests: OpenEVSE and Heidelberg simulators in their own processes, card
readers on ptys, a real `stationmgr run` that is SIGKILLed at random, and drivers who come
and go with their own cards (also while the engine is down: swaps).

Ground truth is the chargers' own counters: the OpenEVSE simulator's per-plug-in log, and
for Heidelberg the installation counter read on the control port just before each plug-in
and just after each unplug (no energy flows without a car). `check()` compares every
plug-in with the sessions and the energy recorded outside a session.

Used by tests/test_kill_continuity.py (a few kills) and bench/kill_continuity.py (50).
Every process is reaped in `close()`.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from stationmgr.cli import main as cli_main
from stationmgr.settings import set_setting
from stationmgr.sim.control import send_control
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.site import wait_for
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import open_database
from stationmgr.store.models import ChargeSession, UnattributedEnergy

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "stationmgr"]
SESSION = {
    "idle_after_s": 2.0,
    "sample_interval_s": 1.0,
    "idle_sample_interval_s": 2.0,
    "gate_resend_s": 1.0,
    # The drivers here swap cars within a second of the engine going down, far faster than
    # people: a gap this short already needs the charger's proof (docs/devices/README.md).
    "continuity_gap_s": 0.3,
}
MODBUS = {"parity": "N", "turnaround_ms": 2, "timeout_ms": 500}
EV_POWER_W = 3700


@dataclass
class PlugIn:
    car: str
    card: str  # as stored (canonical uid)
    before_wh: float | None = None  # the counter at plug-in (Heidelberg; OpenEVSE: its log)
    after_wh: float | None = None


@dataclass
class KillBay:
    label: str
    kind: str  # openevse | heidelberg
    control: tuple[str, int]
    slave: int | None
    reader: ReaderSim
    cars: dict[str, str]  # car name → reader text (10 hex: version + card)
    car: str | None = None  # plugged now
    plugins: list[PlugIn] = field(default_factory=list)
    left_at: float = 0.0  # monotonic time of the last unplug

    def send(self, line: str) -> str:
        answer = send_control(self.control, line)
        if not answer.startswith("ok"):
            raise AssertionError(f"{self.label}: {line!r} → {answer}")
        return answer

    def counter(self) -> float:
        """The Heidelberg installation counter as the driver reads it (whole Wh)."""
        status = json.loads(self.send(f"status {self.slave}")[3:])
        return float(int(status["boxes"][0]["energy_total_wh"]))

    def requests(self) -> int:
        """How many requests the Heidelberg box has answered (the engine's polls)."""
        status = json.loads(self.send(f"status {self.slave}")[3:])
        return int(status["boxes"][0]["requests"])

    def plug(self, car: str) -> None:
        before = self.counter() if self.kind == "heidelberg" else None
        ev = f"{0.2:.2f} 60000 {EV_POWER_W}"
        if self.kind == "heidelberg":
            self.send(f"plug {self.slave} {ev}")
        else:
            self.send(f"plug capacity_wh=60000 soc=0.2 max_power_w={EV_POWER_W}")
        self.car = car
        self.plugins.append(PlugIn(car, self.cars[car][2:], before))

    def unplug(self) -> None:
        self.send(f"unplug {self.slave}" if self.kind == "heidelberg" else "unplug")
        self.left_at = time.monotonic()
        if self.kind == "heidelberg":
            self.plugins[-1].after_wh = self.counter()
        self.car = None

    def tap(self) -> None:
        assert self.car is not None
        self.reader.tap(self.cars[self.car], 0.15)


class KillSite:
    """Two processes of simulators, one engine process, `bays` readers in this process."""

    def __init__(self, tmp: Path, seed: int = 1, poll_s: float = 0.2, speed: float = 10) -> None:
        self.tmp = tmp
        self.url = f"sqlite:///{tmp / 'site.sqlite3'}"
        self.poll_s = poll_s
        self.speed = speed  # the simulators' energy runs this much faster (the engine: real)
        self.rng = random.Random(seed)
        self.procs: list[subprocess.Popen[str]] = []
        self.engine: subprocess.Popen[bytes] | None = None
        self.engine_starts = 0
        self.kills = 0
        self.swaps = 0
        self.log_path = tmp / "engine.log"
        self.bays: list[KillBay] = []
        try:
            self._start_simulators()
            self._configure()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ set-up

    def _sim(self, *argv: str) -> tuple[str, tuple[str, int]]:
        proc = subprocess.Popen(
            [*CLI, "simulate", *argv, "--control", "0", "--speed", str(self.speed)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.procs.append(proc)
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        control = proc.stdout.readline().strip()
        if not port or not control.startswith("control "):
            raise AssertionError(f"simulator {argv[0]} did not start ({port!r}, {control!r})")
        host, _, cport = control.split()[1].rpartition(":")
        return port, (host, int(cport))

    def _start_simulators(self) -> None:
        link = self.tmp / "evse1"
        _, evse_control = self._sim("openevse", "--link", str(link))
        bus, bus_control = self._sim("heidelberg", "--tcp", "127.0.0.1:0", "--slaves", "1,2")
        self.evse_port, self.bus_port = str(link), bus
        specs = [("E1", "openevse", evse_control, None), ("H1", "heidelberg", bus_control, 1)]
        specs.append(("H2", "heidelberg", bus_control, 2))
        for i, (label, kind, control, slave) in enumerate(specs, 1):
            reader = ReaderSim(PtyEndpoint(self.tmp / f"reader{i}"), repeat_s=0.05).start()
            cars = {f"{label}-{c}": f"00{0x1A2B3C00 + 16 * i + n:08X}" for n, c in enumerate("AB")}
            self.bays.append(KillBay(label, kind, control, slave, reader, cars))

    def cli(self, *argv: str) -> None:
        if cli_main(["--db", self.url, *argv]) != 0:
            raise AssertionError(f"stationmgr {' '.join(argv)} failed")

    def _configure(self) -> None:
        modbus = [a for k, v in MODBUS.items() for a in ("--set", f"{k}={v}")]
        evse = ["--driver", "openevse", "--port", self.evse_port, "--bays", "E1"]
        self.cli("db", "create")  # a named --db is never made implicitly
        self.cli("chargers", "add", "evse1", *evse)
        for slave in (1, 2):
            hec = ["--driver", "heidelberg", "--port", self.bus_port, "--address", str(slave)]
            self.cli("chargers", "add", f"hec{slave}", *hec, "--bays", f"H{slave}", *modbus)
        for i, bay in enumerate(self.bays, 1):
            port = str(self.tmp / f"reader{i}")
            rdm = ["--driver", "rdm6300", "--port", port, "--set", "release_s=0.3"]
            self.cli("readers", "add", f"reader{i}", *rdm, "--bay", bay.label)
            for car, text in bay.cars.items():
                self.cli("cards", "add", text[2:], "--holder", f"Driver of {car}")
        db = open_database(self.url, upgrade=False)
        try:
            with db.session() as s:
                set_setting(s, "session", SESSION)
        finally:
            db.dispose()

    # ------------------------------------------------------------ the engine process

    def start_engine(self) -> None:
        env = dict(os.environ)
        env.pop("STATIONMGR_USER", None)
        with open(self.log_path, "ab") as log:
            self.engine = subprocess.Popen(
                [*CLI, "--db", self.url, "run", "--poll", str(self.poll_s)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        self.engine_starts += 1
        wait_for(
            lambda: self.engine_log().count("stationmgr.run: running ") >= self.engine_starts,
            60,
            "the engine to start",
        )

    def kill_engine(self, sig: int = signal.SIGKILL) -> None:
        if self.engine is not None and self.engine.poll() is None:
            self.engine.send_signal(sig)
            try:
                self.engine.wait(20)
            except subprocess.TimeoutExpired:
                self.engine.kill()
                self.engine.wait(10)
        if sig == signal.SIGKILL:
            self.kills += 1
        self.engine = None

    def engine_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # ------------------------------------------------------------ what the database says

    def rows(self) -> tuple[list[ChargeSession], list[UnattributedEnergy], dict[int, str]]:
        db = open_database(self.url, upgrade=False)
        try:
            with db.session() as s:
                sessions = list(s.scalars(select(ChargeSession).order_by(ChargeSession.id)))
                outside = list(s.scalars(select(UnattributedEnergy)))
                labels = {b.id: b.label for b in _bays(s)}
                s.expunge_all()
                return sessions, outside, labels
        finally:
            db.dispose()

    def open_session_card(self, bay: KillBay) -> str | None:
        sessions, _, labels = self.rows()
        for r in sessions:
            if r.stopped_at is None and labels[r.bay_id] == bay.label:
                return r.card_uid or "?"
        return None

    # ------------------------------------------------------------ the drivers

    def start_charging(self, bay: KillBay, timeout: float = 30.0) -> bool:
        """Tap the car's card until its session is open (a tap is missed while the engine
        restarts or the bay waits for its first reading)."""
        assert bay.car is not None
        card = bay.cars[bay.car][2:]
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.open_session_card(bay) == card:
                return True
            if self.open_session_card(bay) is None:
                bay.tap()
            try:
                wait_for(lambda: self.open_session_card(bay) == card, 3.0, "session")
                return True
            except AssertionError:
                continue
        return False

    def live_step(self, bay: KillBay) -> None:
        """One thing a driver at this bay does while the engine runs. A car that leaves is
        gone for a few polls before the next arrives (pacing: no car is swapped in 0.2 s;
        swaps the engine cannot see are the down steps' job)."""
        if bay.car is None and time.monotonic() - bay.left_at < 3 * self.poll_s:
            time.sleep(3 * self.poll_s)
        r = self.rng.random()
        if bay.car is None:
            bay.plug(self.rng.choice(list(bay.cars)))
            self.start_charging(bay)
        elif self.open_session_card(bay) is None:
            if r < 0.5:
                self.start_charging(bay)
            else:
                bay.unplug()
        elif r < 0.2:  # stop with the card, stay a moment, leave
            bay.tap()
        elif r < 0.5:
            bay.unplug()

    def down_step(self, bay: KillBay) -> None:
        """While the engine is down: a swap (car leaves, another arrives, nobody taps), a car
        that leaves, one that arrives, or nothing."""
        r = self.rng.random()
        if bay.car is not None and r < 0.5:
            other = next(c for c in bay.cars if c != bay.car)
            bay.unplug()
            bay.plug(other)
            self.swaps += 1
        elif bay.car is not None and r < 0.65:
            bay.unplug()
        elif bay.car is None and r < 0.8:
            bay.plug(self.rng.choice(list(bay.cars)))

    def run(self, kills: int, live_steps: tuple[int, int] = (1, 3)) -> None:
        self.start_engine()
        for _ in range(kills):
            for _ in range(self.rng.randint(*live_steps)):
                for bay in self.rng.sample(self.bays, len(self.bays)):
                    self.live_step(bay)
            time.sleep(self.rng.uniform(0.2, 1.5))  # workload: charge a random while
            self.kill_engine(signal.SIGKILL)
            for bay in self.bays:
                self.down_step(bay)
            self.start_engine()
        for bay in self.bays:
            if bay.car is not None:
                bay.unplug()
        wait_for(lambda: all(self.open_session_card(b) is None for b in self.bays), 60, "closed")
        # The engine must see each unplug before it stops: energy that flowed with no session
        # is recorded at the unplug (or at the next start, which this run does not have).
        for bay in self.bays:
            if bay.kind == "heidelberg":
                seen = bay.requests() + 6  # a few polls of this box after its unplug
                wait_for(lambda b=bay, n=seen: b.requests() >= n, 60, f"{bay.label} polled")
        self.kill_engine(signal.SIGTERM)

    # ------------------------------------------------------------ the verdict

    def truth(self, bay: KillBay) -> list[tuple[float, float, str]]:
        """Each plug-in as (counter at plug-in, counter at unplug, card)."""
        if bay.kind == "heidelberg":
            return [(p.before_wh or 0.0, p.after_wh or 0.0, p.card) for p in bay.plugins]
        logs = json.loads(bay.send("sessions")[3:])
        assert len(logs) == len(bay.plugins), (bay.label, len(logs), len(bay.plugins))
        return [
            (float(g["lifetime_before_wh"]), float(g["lifetime_after_wh"]), p.card)
            for g, p in zip(logs, bay.plugins, strict=True)
        ]

    def check(self) -> dict[str, Any]:
        """Every plug-in is its own session(s) on its own card, or energy outside a session;
        sessions + outside = the counter's advance. Returns the figures."""
        sessions, outside, labels = self.rows()
        figures: dict[str, Any] = {"kills": self.kills, "swaps": self.swaps, "bays": {}}
        problems: list[str] = []
        for bay in self.bays:
            mine = [r for r in sessions if labels[r.bay_id] == bay.label]
            out = [u for u in outside if u.bay_id is not None and labels[u.bay_id] == bay.label]
            plugins = self.truth(bay)
            wrong_card_wh = 0.0
            merged = 0
            for r in mine:
                if r.stopped_at is None:
                    problems.append(f"{bay.label}: session {r.id} left open")
                lo, hi = r.meter_start_wh, r.meter_stop_wh or r.meter_last_wh
                touched = [p for p in plugins if _overlap(lo, hi, p[0], p[1]) > 1.0]
                if len(touched) > 1:
                    merged += 1
                for p in touched:
                    if p[2] != r.card_uid:
                        wrong_card_wh += _overlap(lo, hi, p[0], p[1])
            uncovered = []
            for lo, hi, _card in plugins:
                covered = sum(
                    _overlap(r.meter_start_wh, r.meter_stop_wh or 0, lo, hi) for r in mine
                ) + sum(_overlap(u.meter_from_wh, u.meter_to_wh, lo, hi) for u in out)
                n = sum(
                    1 for r in mine if _overlap(r.meter_start_wh, r.meter_stop_wh or 0, lo, hi) > 0
                )
                if abs((hi - lo) - covered) > 1.0 * max(1, n):
                    uncovered.append((lo, hi, round(covered, 1)))
            advance = plugins[-1][1] - plugins[0][0] if plugins else 0.0
            in_sessions = sum(r.energy_wh for r in mine)
            in_outside = sum(u.energy_wh for u in out)
            diff = in_sessions + in_outside - advance
            figures["bays"][bay.label] = {
                "plug_ins": len(plugins),
                "sessions": len(mine),
                "outside_records": len(out),
                "counter_wh": round(advance, 1),
                "sessions_wh": round(in_sessions, 1),
                "outside_wh": round(in_outside, 1),
                "diff_wh": round(diff, 1),
                "merged_sessions": merged,
                "wrong_card_wh": round(wrong_card_wh, 1),
                "uncovered_plug_ins": len(uncovered),
            }
            if merged or wrong_card_wh > 1.0:
                problems.append(f"{bay.label}: {merged} merged, {wrong_card_wh:.0f} Wh wrong card")
            if uncovered:
                problems.append(f"{bay.label}: plug-ins not accounted for: {uncovered}")
            if abs(diff) > 1.0 * max(1, len(mine)):
                problems.append(f"{bay.label}: sessions + outside − counter = {diff:.1f} Wh")
        figures["problems"] = problems
        return figures

    def close(self) -> None:
        try:
            self.kill_engine(signal.SIGTERM)
        finally:
            for bay in self.bays:
                bay.reader.stop()
            for proc in self.procs:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(10)
                if proc.stdout is not None:
                    proc.stdout.close()

    def __enter__(self) -> KillSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _bays(s: Any) -> list[Any]:
    from stationmgr.store.models import Bay

    return list(s.scalars(select(Bay)))
