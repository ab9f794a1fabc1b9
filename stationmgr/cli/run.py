"""`stationmgr run` — the engine, headless, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from stationmgr.alerts.monitor import install as install_alerts
from stationmgr.cli.common import open_db
from stationmgr.clock import SystemClock, WarpClock
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.errors import UserError
from stationmgr.store.db import InstanceLock

log = logging.getLogger("stationmgr.run")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="run the site headless (logs to stderr)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between polls (default 1)")
    p.add_argument("--speed", type=float, default=1.0, help="time warp (simulations only)")
    p.set_defaults(func=run_cmd)


def run_cmd(args: argparse.Namespace) -> int:
    if args.poll <= 0 or args.speed <= 0:
        raise UserError("--poll and --speed must be positive")
    db = open_db(args)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    clock = SystemClock() if args.speed == 1 else WarpClock(args.speed)
    with InstanceLock(db):
        engine = Engine(db, clock, EngineConfig(CoordinatorConfig(poll_interval_s=args.poll)))
        install_alerts(engine)
        engine.start()
        log.info("running %d charger(s), %d bay(s)", len(engine.coordinators), len(engine.bays))
        try:
            while not stop.wait(0.5):
                if not engine.running:
                    log.error("engine stopped unexpectedly")
                    return 1
        finally:
            engine.stop()
            db.dispose()
    log.info("stopped cleanly")
    return 0
