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
from stationmgr.sim.openevse_sim import FAULT_KINDS, FIRMWARES, OpenEVSESim
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
        "--firmware",
        default="8.2.1",
        help=f"firmware version whose RAPI replies to give ({', '.join(FIRMWARES)})",
    )
    p.add_argument(
        "--heartbeat",
        metavar="INTERVAL,FALLBACK",
        help="heartbeat supervision in EEPROM at boot, e.g. 5,6 (what the WiFi gateway leaves)",
    )
    p.add_argument("--echo", action="store_true", help="boot with command echo on")
    p.add_argument("--no-ammeter", action="store_true", help="build without AMMETER ($GG $NK)")
    p.add_argument("--bootlock", action="store_true", help="BOOTLOCK build: no charge until $SB")
    p.add_argument(
        "--three-phase", action="store_true", help="three-phase install (230 V per phase)"
    )
    p.add_argument(
        "--voltage",
        type=float,
        default=None,
        help="line voltage (default 240; 230 with --three-phase)",
    )
    p.add_argument(
        "--configured-voltage",
        type=float,
        default=None,
        help="voltage the firmware's meter assumes (default: the line voltage)",
    )
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
    heartbeat = _heartbeat(args.heartbeat)
    if args.firmware.upper().removeprefix("D") not in FIRMWARES:
        raise UserError(f"--firmware: one of {', '.join(FIRMWARES)}, not {args.firmware!r}")
    if heartbeat and FIRMWARES[args.firmware.upper().removeprefix("D")][1] < "5":
        raise UserError("--heartbeat: firmware before RAPI 5 has no heartbeat supervision")
    voltage = args.voltage or (230.0 if args.three_phase else 240.0)
    for name, v in (("--voltage", voltage), ("--configured-voltage", args.configured_voltage)):
        if v is not None and not 100 <= v <= 480:
            raise UserError(f"{name} is between 100 and 480 V")
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
        firmware=args.firmware,
        heartbeat=heartbeat,
        echo=args.echo,
        ammeter=not args.no_ammeter,
        bootlock=args.bootlock,
        phases=3 if args.three_phase else 1,
        voltage_v=voltage,
        configured_v=args.configured_voltage,
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


def _heartbeat(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        raise UserError(f"--heartbeat wants INTERVAL,FALLBACK (e.g. 5,6), not {text!r}")
    interval, fallback = (int(p) for p in parts)
    if not 0 <= interval <= 65535 or not 0 <= fallback <= 255:
        raise UserError("--heartbeat: interval 0..65535 s, fallback 0..255 A")
    return interval, fallback
