"""`stationmgr demo` — the demo site (virtual chargers, cards, cars coming and going).

The core registers `demo` with `--headless`; the desktop plugin (`ui.commands`) adds the
window. Without the plugin, `demo` without `--headless` says so and exits 1.

The demo never touches a real site: it runs on a fresh temporary database, or on a `--db`
that is empty or that an earlier demo made (and then holds the instance lock, so never
beside a running engine). Given a site's database it refuses — one line, exit 2, for every
role — and the refusal is audited in that site's log; a run is audited in its own.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stationmgr.access import audit, sitekey
from stationmgr.access.context import current_actor, operator_name, record
from stationmgr.demo import foreign_site, run_headless
from stationmgr.errors import UserError
from stationmgr.store.db import Database, InstanceLock, open_database


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "demo",
        help="open the demo site (on a fresh database; --db only an empty or demo one)",
        description="A virtual site: 4 OpenEVSE bays with card readers, 3 Heidelberg boxes "
        "on one bus, 2 OCPP 1.6J charge points on the site's own OCPP endpoint (loopback), "
        "cards, cars arriving and leaving, the odd fault.",
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


def refuse_a_site(db: Database) -> None:
    """UserError (audited in the site's log) unless `db` is empty or the demo's own."""
    with db.session() as s:
        held = foreign_site(s)
    if held is None:
        return
    audit.append_now(
        db,
        operator_name(current_actor()),
        "demo.run",
        outcome=audit.DENIED,
        detail=f"refused: the database holds a site ({held})",
    )
    raise UserError(
        f"demo runs only on a database of its own: this one holds a site ({held}); "
        "run `stationmgr demo` without --db"
    )


def _audit_run(db: Database, where: str) -> None:
    with db.session() as s:
        record(s, "demo.run", None, None, None, detail=f"demo site on {where}")


@contextmanager
def demo_database(url: str | None) -> Iterator[Database]:
    """A fresh database in a temporary directory (removed after), or the --db one if it is
    empty or a demo's — never a site's (see `refuse_a_site`)."""
    if url:
        db = open_database(url)
        try:
            refuse_a_site(db)
            with InstanceLock(db):
                _audit_run(db, "its own database (--db)")
                yield db
        finally:
            db.dispose()
        return
    with (
        tempfile.TemporaryDirectory(prefix="stationmgr-demo-") as tmp,
        sitekey.throwaway_store(Path(tmp)),  # its audit key goes with it
    ):
        db = open_database(f"sqlite:///{tmp}/demo.sqlite3")
        try:
            _audit_run(db, "a fresh temporary database")
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
