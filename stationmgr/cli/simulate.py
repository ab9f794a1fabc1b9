"""`stationmgr simulate KIND ...` — virtual chargers and card readers on a pty or TCP.

Each kind is a module listed in `SIMULATORS` (name → module path). Such a module provides

    HELP: str                                   # one line for `simulate --help`
    def add_arguments(parser) -> None           # its own options
    def run(args, endpoint) -> SimHandle        # start the device; return what to stop

where `SimHandle` has `control(line) -> str` and `stop()` (optionally `announce`, extra lines
to print, and `finished()`, true when a scenario has ended). This module adds the options every
simulator shares (``--tcp``, ``--link``, ``--baud``, ``--turnaround``, ``--speed``,
``--control``, ``--seed``), prints the port path as the first line of stdout (so a script
can read it), serves the control channel (a TCP socket and stdin) and stops cleanly on
SIGINT/SIGTERM. To add a simulator: write the module and add one line here.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from types import ModuleType

from stationmgr.cli.common import float_arg, int_arg
from stationmgr.errors import UserError
from stationmgr.sim.control import ControlServer, serve_stdin
from stationmgr.sim.transport import make_endpoint

# name → module with HELP, add_arguments(parser), run(args, endpoint)
SIMULATORS: dict[str, str] = {
    "openevse": "stationmgr.sim.openevse_cli",
    "reader": "stationmgr.sim.reader_cli",
    "heidelberg": "stationmgr.sim.modbus_cli",
    "evse-din": "stationmgr.sim.modbus_cli",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(SIMULATORS[name])


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("simulate", help="run a virtual charger or card reader (pty or TCP)")
    s = p.add_subparsers(dest="sim_kind", metavar="KIND", required=True)
    for name in SIMULATORS:
        mod = _module(name)
        sp = s.add_parser(name, help=mod.HELP)
        common = sp.add_argument_group("where and how fast")
        common.add_argument("--tcp", metavar="HOST:PORT", help="serve on TCP instead of a pty")
        common.add_argument("--link", metavar="PATH", help="keep a symlink to the pty here")
        common.add_argument(
            "--baud",
            type=int_arg("--baud", 0, 4_000_000),
            default=0,
            help="delay replies by the wire time at this baud",
        )
        common.add_argument(
            "--turnaround",
            type=float_arg("--turnaround", 0, 60),
            default=0.0,
            metavar="S",
            help="device answer delay",
        )
        common.add_argument(
            "--speed",
            type=float_arg("--speed", 0.01, 10_000),
            default=None,
            help="time warp factor",
        )
        common.add_argument(
            "--control",
            metavar="[HOST:]PORT",
            help="line-based control socket (commands as on stdin; `help` lists them)",
        )
        common.add_argument(
            "--seed", type=int_arg("--seed", 0), help="random seed (faults, garbage)"
        )
        mod.add_arguments(sp)
        sp.set_defaults(func=simulate_cmd)


def simulate_cmd(args: argparse.Namespace) -> int:
    mod = _module(args.sim_kind)
    if args.speed is not None and args.speed <= 0:
        raise UserError("--speed must be positive")
    if args.baud < 0 or args.turnaround < 0:
        raise UserError("--baud and --turnaround must not be negative")
    if args.tcp and (":" not in args.tcp or not args.tcp.rpartition(":")[2].isdigit()):
        raise UserError(f"--tcp wants HOST:PORT, not {args.tcp!r}")
    control_addr: tuple[str, int] | None = None
    if args.control:
        host, _, port = args.control.rpartition(":")
        if not port.isdigit():
            raise UserError(f"--control wants [HOST:]PORT, not {args.control!r}")
        control_addr = (host or "127.0.0.1", int(port))
    try:
        endpoint = make_endpoint(args.tcp, args.link)
    except OSError as e:
        raise UserError(f"cannot serve on {args.tcp or 'a pty'}: {e}") from None
    stop = threading.Event()
    handle = None
    control = None

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    # Before the port is announced: a caller may stop us as soon as it has read it.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        handle = mod.run(args, endpoint)
        print(endpoint.name, flush=True)
        if control_addr is not None:
            control = ControlServer(handle.control, *control_addr)
            print(f"control {control.address[0]}:{control.address[1]}", flush=True)
        for extra in getattr(handle, "announce", []):
            print(extra, flush=True)
        if sys.stdin is not None:
            threading.Thread(
                target=serve_stdin, args=(handle.control, stop), name="sim-stdin", daemon=True
            ).start()
        while not stop.wait(0.2):
            if getattr(handle, "finished", lambda: False)():
                break
    finally:
        if control is not None:
            control.close()
        if handle is not None:
            handle.stop()
        else:
            endpoint.close()
    return 0
