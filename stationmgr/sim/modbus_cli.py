"""`stationmgr simulate heidelberg|evse-din`: a bus of virtual Modbus RTU boxes.

Plugged into `stationmgr.cli.simulate` (one module for both models; the model is the
`simulate` kind). `--baud` turns on wire-time delays (0: none; the model's usual speed is
19200 for Heidelberg, 9600 for EVSE-DIN), `--turnaround` is each box's answer delay (0: the
model's own, 100 ms / 200 ms). Control commands: see `modbus_sim.COMMANDS_HELP`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

from stationmgr.clock import Clock, SystemClock, WarpClock
from stationmgr.errors import UserError
from stationmgr.sim.modbus_boxes import HEC_LAYOUTS
from stationmgr.sim.modbus_sim import (
    COMMANDS_HELP,
    FAULT_KINDS,
    MODELS,
    ModbusBusSim,
    Probabilities,
    WireTiming,
    control,
    parse_slaves,
)

HELP = "virtual Modbus RTU charger boxes on one bus (slave ids, faults, wire time)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--slaves", default="1", help="slave ids on the bus: 1,2,5 or 1-8")
    p.add_argument("--plug", metavar="SLAVES", help="boxes with a car plugged in at start")
    p.add_argument("--garbage-p", type=float, default=0.0, help="probability of a noisy reply")
    p.add_argument("--bad-crc-p", type=float, default=0.0, help="probability of a bad CRC")
    p.add_argument("--silence-p", type=float, default=0.0, help="probability of no reply")
    p.add_argument(
        "--fault-rate", type=float, default=0.0, help="chance per second of a random device fault"
    )
    p.add_argument(
        "--faults",
        default="E,F,error,overtemp,silence,reboot",
        help="kinds for random faults (default: %(default)s)",
    )
    p.add_argument("--fault-duration", type=float, default=5.0, metavar="S")
    if p.prog.endswith("heidelberg"):
        p.add_argument(
            "--layout",
            default="1.0.8",
            choices=sorted(HEC_LAYOUTS),
            help="register layout (input 4): registers it lacks answer exception 02",
        )
        p.add_argument(
            "--c1",
            action="store_true",
            help="a car that wants energy while refused shows C1 (6), not B1",
        )
    else:
        p.add_argument(
            "--mode",
            default="1",
            choices=("1", "0.01"),
            help="current unit in A (0.01: register 2005 bit 7 set, as evcc/openWB leave it)",
        )
        p.add_argument("--firmware", type=int, default=17, help="register 1005 (default 17)")
        p.add_argument("--pp", type=int, default=32, help="PP limit in A, register 1003 (0: no PP)")
        p.add_argument(
            "--boot-current",
            type=int,
            default=0,
            help="register 2000: current offered after power-on (A; 0 = off)",
        )


@dataclass
class Handle:
    bus: ModbusBusSim

    @property
    def announce(self) -> list[str]:
        lines = [f"slaves {','.join(str(s) for s in sorted(self.bus.boxes))}"]
        box = next(iter(self.bus.boxes.values()))
        variant = box.variant() if hasattr(box, "variant") else ""
        return lines + ([variant] if variant else [])

    def control(self, line: str) -> str:
        if line.strip().lower() == "help":
            return "ok " + COMMANDS_HELP.replace("\n", " | ")
        answer = control(self.bus, line)
        if not answer.get("ok"):
            return f"error {answer.get('error', 'failed')}"
        rest = {k: v for k, v in answer.items() if k != "ok"}
        return "ok" + (" " + json.dumps(rest) if rest else "")

    def stop(self) -> None:
        self.bus.stop()


def box_options(args: argparse.Namespace) -> dict[str, Any]:
    """The model's own variant options as box keyword arguments."""
    if args.sim_kind == "heidelberg":
        return {"layout": HEC_LAYOUTS[args.layout], "asks_when_refused": args.c1}
    if not 0 <= args.pp <= 80 or not 0 <= args.boot_current <= 80 or args.firmware < 0:
        raise UserError("--pp and --boot-current are 0…80 A, --firmware is not negative")
    return {
        "firmware": args.firmware,
        "precise": args.mode == "0.01",
        "pp_limit_a": args.pp,
        "boot_current_a": args.boot_current,
    }


def run(args: argparse.Namespace, endpoint: Any) -> Handle:
    model = args.sim_kind
    cls, _default_baud, bits, default_turn = MODELS[model]
    try:
        slaves = parse_slaves(args.slaves)
        plugged = parse_slaves(args.plug) if args.plug else []
    except ValueError as e:
        raise UserError(str(e)) from None
    kinds = tuple(k.strip() for k in args.faults.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown or not kinds:
        raise UserError(
            f"unknown fault kind(s) {', '.join(unknown)} (known: {', '.join(FAULT_KINDS)})"
        )
    probs = Probabilities(
        args.silence_p,
        args.garbage_p,
        args.bad_crc_p,
        args.fault_rate,
        kinds,
        args.fault_duration,
    )
    chances = (probs.silence, probs.garbage, probs.bad_crc, probs.fault_rate)
    if any(not 0 <= p <= 1 for p in chances) or probs.fault_duration_s <= 0:
        raise UserError("fault probabilities are between 0 and 1, durations positive")
    if any(s not in slaves for s in plugged):
        raise UserError("--plug names a slave id that is not on the bus")
    clock: Clock = SystemClock() if not args.speed or args.speed == 1 else WarpClock(args.speed)
    timing = WireTiming(
        baud=args.baud or 19200,
        bits_per_char=bits,
        turnaround_s=args.turnaround or default_turn,
        wire=bool(args.baud),
    )
    bus = ModbusBusSim(
        [cls(s, **box_options(args)) for s in slaves], clock, timing, probs, args.seed
    )
    bus.serve_endpoint(endpoint)
    for s in plugged:
        bus.plug(s)
    return Handle(bus.start())
