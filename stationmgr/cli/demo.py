"""`stationmgr demo` — the demo site (virtual chargers, cards, cars coming and going).

The core registers `demo` with `--headless`; the desktop plugin (`ui.commands`) adds the
window. Without the plugin, `demo` without `--headless` says so and exits 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from stationmgr.demo import run_headless
from stationmgr.store.db import Database, open_database


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "demo",
        help="open the demo site (a fresh demo database unless --db is given)",
        description="A virtual site: 4 OpenEVSE bays with card readers, 3 Heidelberg boxes "
        "on one bus, cards, cars arriving and leaving, the odd fault.",
    )
    p.add_argument("--speed", type=float, default=10.0, help="time warp (default 10)")
    p.add_argument("--headless", action="store_true", help="no window: run and print a summary")
    p.add_argument(
        "--duration",
        type=float,
        default=30.0,
        metavar="S",
        help="with --headless: run S real seconds (default 30)",
    )
    p.add_argument(
        "--virtual",
        choices=("serial", "inproc"),
        help="serial: protocol simulators on pseudo-terminals behind the real drivers "
        "(default on Linux/macOS); inproc: in-process chargers without a wire",
    )
    p.set_defaults(func=demo_cmd)


@contextmanager
def demo_database(url: str | None) -> Iterator[Database]:
    """The database named by --db, or a fresh one in a temporary directory (removed after)."""
    if url:
        db = open_database(url)
        try:
            yield db
        finally:
            db.dispose()
        return
    with tempfile.TemporaryDirectory(prefix="stationmgr-demo-") as tmp:
        db = open_database(f"sqlite:///{tmp}/demo.sqlite3")
        try:
            yield db
        finally:
            db.dispose()


def demo_cmd(args: argparse.Namespace) -> int:
    if not args.headless:
        print(
            "stationmgr: the desktop app is not installed (pip install 'stationmgr[gui]'); "
            "use `stationmgr demo --headless`",
            file=sys.stderr,
        )
        return 1
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a fresh database migrates
    with demo_database(args.db) as db:
        summary = run_headless(db, args.speed, args.duration, args.virtual)
    print(summary.text())
    return 0
