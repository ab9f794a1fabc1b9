"""`stationmgr db create|upgrade|info|compact|failures`.

`db create` is the one command that makes a new site database at a named `--db`; every
other command refuses a SQLite path that does not exist (a typo is not a new empty site).
"""

from __future__ import annotations

import argparse

from stationmgr.cli.common import int_arg
from stationmgr.errors import UserError
from stationmgr.store.db import current_revision, default_url, sqlite_path
from stationmgr.store.retention import DEFAULT_KEEP_RAW_DAYS, DEFAULT_RESOLUTION_S


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("db", help="database maintenance")
    s = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    s.add_parser("create", help="make a new, empty site database at --db").set_defaults(
        func=create,
        requires_login=False,  # a new database has no operators yet
    )
    s.add_parser("upgrade", help="apply migrations (also done at every start)").set_defaults(
        func=upgrade, requires_login=False
    )
    s.add_parser("info", help="where the database is and its schema revision").set_defaults(
        func=info
    )
    c = s.add_parser("compact", help="downsample old sessions' meter samples now")
    c.add_argument(
        "--keep-raw-days", type=int_arg("--keep-raw-days", 0, 36500), default=DEFAULT_KEEP_RAW_DAYS
    )
    c.add_argument(
        "--resolution",
        type=int_arg("--resolution", 1, 86400),
        default=DEFAULT_RESOLUTION_S,
        metavar="SECONDS",
    )
    c.set_defaults(func=compact)
    f = s.add_parser(
        "failures", help="records the engine could not store (newest first; owner only)"
    )
    f.add_argument("--limit", type=int_arg("--limit", 1, 100000), default=50)
    f.add_argument("--json", action="store_true", help="full records as JSON")
    f.set_defaults(func=failures)


def create(args: argparse.Namespace) -> int:
    from stationmgr.store.db import open_database

    url = args.db or default_url()
    path = sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        raise UserError(f"a database exists at {path} already (`db upgrade` migrates it)")
    db = open_database(url, create=True)
    try:
        print(f"created database {url} at revision {current_revision(db)}")
    finally:
        db.dispose()
    return 0


def upgrade(args: argparse.Namespace) -> int:
    from stationmgr.store.db import open_database

    db = open_database(args.db, upgrade=False, create=not args.db)
    before = current_revision(db)
    from stationmgr.store.db import upgrade_database

    upgrade_database(db)
    after = current_revision(db)
    print(f"database at revision {after}" + ("" if before == after else f" (was {before})"))
    return 0


def info(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import db_info

    return local(db_info)(args)


def failures(args: argparse.Namespace) -> int:
    """What the engine's writer dropped because a record's handler raised."""
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import db_failures

    return local(db_failures)(args)


def compact(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import db_compact

    return local(db_compact)(args)
