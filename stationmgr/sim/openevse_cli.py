"""`stationmgr simulate openevse`: a virtual OpenEVSE (optionally with a bay reader and a
scenario day of arrivals)."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any

from stationmgr.clock import WarpClock
from stationmgr.errors import UserError
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import FAULT_KINDS, OpenEVSESim
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.scenario import ScenarioRunner, day_start, load_scenario
from stationmgr.sim.transport import PtyEndpoint, WireTime

HELP = "virtual OpenEVSE controller speaking RAPI"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plugged", action="store_true", help="start with a car plugged in")
    p.add_argument("--capacity-wh", type=float, default=60000, help="battery of that car")
    p.add_argument("--soc", type=float, default=0.3, help="its state of charge (0..1)")
    p.add_argument("--max-power-w", type=float, default=7400, help="its on-board charger")
    p.add_argument("--max-current", type=float, default=32, help="charger max amps")
    p.add_argument("--lifetime-wh", type=int, default=0, help="lifetime counter at start")
    p.add_argument("--auth-lock", action="store_true", help="firmware built with AUTH_LOCK")
    p.add_argument(
        "--fault-rate", type=float, default=0.0, help="probability of a random fault per second"
    )
    p.add_argument(
        "--faults",
        default=",".join(FAULT_KINDS),
        help=f"kinds for random faults (default all: {','.join(FAULT_KINDS)})",
    )
    p.add_argument("--fault-duration", type=float, default=5.0, metavar="S")
    p.add_argument("--scenario", metavar="FILE", help="JSON day of arrivals (see docs)")
    p.add_argument(
        "--reader-link", metavar="PATH", help="with --scenario: a bay card reader pty here"
    )


@dataclass
class Handle:
    sim: OpenEVSESim
    reader: ReaderSim | None = None
    runner: ScenarioRunner | None = None
    announce: list[str] = field(default_factory=list)

    def control(self, line: str) -> str:
        if line.split()[0].lower() == "tap" and self.reader is not None:
            return self.reader.control(line)
        return self.sim.control(line)

    def finished(self) -> bool:
        """After `quit`; a finished scenario leaves the charger running (Ctrl-C ends it)."""
        return self.sim._stop.is_set()

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        if self.reader is not None:
            self.reader.stop()
        self.sim.stop()


def run(args: argparse.Namespace, endpoint: Any) -> Handle:
    kinds = tuple(k.strip() for k in args.faults.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown:
        raise UserError(f"unknown fault kind(s) {', '.join(unknown)}")
    if not 0 <= args.fault_rate <= 1:
        raise UserError("--fault-rate is a probability per second (0..1)")
    if not 0 <= args.soc <= 1:
        raise UserError("--soc is between 0 and 1")
    scenario = load_scenario(args.scenario) if args.scenario else None
    speed = args.speed or (scenario.speed if scenario else None) or 1.0
    start = day_start(time.time()) + scenario.start_s if scenario else None
    sim = OpenEVSESim(
        endpoint,
        WarpClock(speed, start),
        wire=WireTime(args.baud, 10, args.turnaround),
        auth_lock=args.auth_lock,
        fault_rate=args.fault_rate,
        fault_kinds=kinds,
        fault_duration_s=args.fault_duration,
        max_current_a=args.max_current,
        seed=args.seed,
        lifetime_wh=args.lifetime_wh,
    )
    if args.plugged:
        sim.plug(EV(args.capacity_wh, args.soc, args.max_power_w))
    handle = Handle(sim.start())
    if scenario is not None:
        if args.reader_link or any(a.card for a in scenario.arrivals):
            handle.reader = ReaderSim(PtyEndpoint(args.reader_link), seed=args.seed).start()
            handle.announce.append(f"reader {handle.reader.endpoint.name}")
        handle.runner = ScenarioRunner(scenario, sim, handle.reader).start()
    return handle
