"""`stationmgr run` — the site headless (`stationmgr.runtime`: the engine with billing,
alerts and the activity log at INFO), until SIGINT or SIGTERM. SIGHUP (`systemctl reload`)
applies the configuration as stored now (chargers, readers, cards, tariffs, settings
changed by another program, e.g. `stationmgr chargers add`), without a restart.

With `--listen` the service announces itself for its database (`service.discovery`), so a
`stationmgr gui` on the same PC attaches to it; the announcement goes when it stops."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from stationmgr.cli.common import float_arg, open_db
from stationmgr.clock import SystemClock, WarpClock
from stationmgr.engine import EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.errors import StationError, UserError
from stationmgr.events import CONFIG_KINDS
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.store.db import Database, InstanceLock

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.ocpp.endpoint import OcppServer
    from stationmgr.service.server import SiteServer

log = logging.getLogger("stationmgr.run")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="run the site headless (logs to stderr)")
    p.add_argument(
        "--poll",
        type=float_arg("--poll", 0.01, 3600),
        default=1.0,
        help="seconds between polls (default 1)",
    )
    p.add_argument(
        "--speed",
        type=float_arg("--speed", 0.01, 10_000),
        default=1.0,
        help="time warp (simulations only)",
    )
    p.add_argument(
        "--listen",
        nargs="?",
        const="127.0.0.1:8742",
        metavar="HOST:PORT",
        help="serve the site API (default 127.0.0.1:8742; beyond loopback: TLS, always)",
    )
    p.add_argument("--tls", action="store_true", help="TLS also on loopback")
    p.add_argument("--url-file", metavar="FILE", help="write the API's URL here once serving")
    p.add_argument(
        "--ocpp-listen",
        metavar="HOST:PORT",
        help="accept OCPP 1.6J charge points at ws://HOST:PORT/ocpp/<ChargePointId> (default off)",
    )
    p.add_argument(
        "--ocpp-url-file", metavar="FILE", help="write the OCPP endpoint's URL here once serving"
    )
    p.add_argument(
        "--ocpp-tls",
        action="store_true",
        help="serve OCPP as wss:// with the site certificate (security profile 2 with a "
        "charger password; see docs/devices/ocpp.md for installing it on a charger)",
    )
    p.set_defaults(func=run_cmd)


def run_cmd(args: argparse.Namespace) -> int:
    if args.poll <= 0 or args.speed <= 0:
        raise UserError("--poll and --speed must be positive")
    if getattr(args, "ocpp_tls", False) and not args.ocpp_listen:
        raise UserError("--ocpp-tls needs --ocpp-listen HOST:PORT")
    db = open_db(args)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    reload = threading.Event()
    if hasattr(signal, "SIGHUP"):  # not on Windows
        signal.signal(signal.SIGHUP, lambda _signum, _frame: reload.set())
    clock = SystemClock() if args.speed == 1 else WarpClock(args.speed)
    with InstanceLock(db):
        config = EngineConfig(CoordinatorConfig(poll_interval_s=args.poll))
        runtime = build_runtime(db, clock, config=config)
        engine = runtime.engine
        runtime.start()
        log.info("running %d charger(s), %d bay(s)", len(engine.coordinators), len(engine.bays))
        ocpp = serve_ocpp(args, engine)
        server = serve(args, db, engine)
        announced = _announce(db, server)
        if ocpp is not None and args.ocpp_url_file:
            Path(args.ocpp_url_file).write_text(f"{ocpp.url}\n", encoding="utf-8")
        if server is not None and args.url_file:
            # The ready signal for scripts: written last, once `gui` can find the service too.
            Path(args.url_file).write_text(f"{server.url}\n", encoding="utf-8")
        try:
            while not stop.wait(0.5):
                if not engine.running:
                    log.error("engine stopped unexpectedly")
                    return 1
                if reload.is_set():
                    reload.clear()
                    _reload(runtime)
        finally:
            if announced is not None:
                from stationmgr.service.discovery import withdraw

                withdraw(announced)
            if server is not None:
                server.stop()
            if ocpp is not None:
                ocpp.stop()
            runtime.stop()
            db.dispose()
    log.info("stopped cleanly")
    return 0


def serve_ocpp(args: argparse.Namespace, engine: Engine) -> OcppServer | None:
    """The OCPP 1.6J endpoint on the engine's loop, when `--ocpp-listen` was given."""
    if not args.ocpp_listen:
        return None
    from stationmgr.ocpp.endpoint import OcppServer
    from stationmgr.service.server import parse_listen

    try:
        listen = parse_listen(args.ocpp_listen)
        server = OcppServer(engine, listen, tls=bool(getattr(args, "ocpp_tls", False)))
        server.start()
    except OSError as e:
        engine.stop()
        raise StationError(f"cannot listen on {args.ocpp_listen}: {e.strerror or e}") from None
    except BaseException:
        engine.stop()
        raise
    return server


def serve(args: argparse.Namespace, db: Database, engine: Engine) -> SiteServer | None:
    """The site API on the engine's loop, when `--listen` was given (see stationmgr.service)."""
    if args.listen is None:
        return None
    from stationmgr.service.server import SiteServer, parse_listen

    try:
        server = SiteServer(db, engine, parse_listen(args.listen, args.tls))
        server.start()
    except OSError as e:
        engine.stop()
        raise StationError(f"cannot listen on {args.listen}: {e.strerror or e}") from None
    except BaseException:
        engine.stop()
        raise
    return server


def _announce(db: Database, server: SiteServer | None) -> Path | None:
    """Write the service file for `gui` to find (a failure only costs the discovery)."""
    if server is None or server.url is None:
        return None
    from stationmgr.service.discovery import announce

    try:
        return announce(db.url, server.url, server.fingerprint)
    except OSError as e:
        log.warning("could not write the service file (gui will not find this service): %s", e)
        return None


def _reload(runtime: SiteRuntime) -> None:
    log.info("received SIGHUP, applying the stored configuration")
    try:
        runtime.changed(CONFIG_KINDS).result(60)
    except Exception:  # the site keeps running on what it had
        log.exception("the configuration could not be applied")
