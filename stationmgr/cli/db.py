"""`stationmgr db upgrade|info`."""

from __future__ import annotations

import argparse

from stationmgr.cli.common import open_db
from stationmgr.errors import UserError
from stationmgr.store.db import current_revision, integrity_ok, open_database
from stationmgr.store.models import utcnow
from stationmgr.store.retention import DEFAULT_KEEP_RAW_DAYS, DEFAULT_RESOLUTION_S, downsample


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("db", help="database maintenance")
    s = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    s.add_parser("upgrade", help="apply migrations (also done at every start)").set_defaults(
        func=upgrade, requires_login=False
    )
    s.add_parser("info", help="where the database is and its schema revision").set_defaults(
        func=info
    )
    c = s.add_parser("compact", help="downsample old sessions' meter samples now")
    c.add_argument("--keep-raw-days", type=int, default=DEFAULT_KEEP_RAW_DAYS)
    c.add_argument("--resolution", type=int, default=DEFAULT_RESOLUTION_S, metavar="SECONDS")
    c.set_defaults(func=compact)


def upgrade(args: argparse.Namespace) -> int:
    db = open_database(args.db, upgrade=False)
    before = current_revision(db)
    from stationmgr.store.db import upgrade_database

    upgrade_database(db)
    after = current_revision(db)
    print(f"database at revision {after}" + ("" if before == after else f" (was {before})"))
    return 0


def info(args: argparse.Namespace) -> int:
    db = open_db(args)
    print(f"url: {db.engine.url.render_as_string(hide_password=True)}")
    print(f"revision: {current_revision(db)}")
    print(f"integrity: {'ok' if integrity_ok(db) else 'FAILED'}")
    return 0


def compact(args: argparse.Namespace) -> int:
    if args.keep_raw_days < 0 or args.resolution < 1:
        raise UserError("--keep-raw-days must be ≥ 0 and --resolution ≥ 1")
    db = open_db(args)
    with db.session() as s:
        n = downsample(s, utcnow(), args.keep_raw_days, args.resolution)
    print(f"removed {n} old sample(s)")
    return 0
