"""Month close and the ledger's anchors.

    stationmgr months close YYYY-MM      close a month (accountant, owner; audited; in order)
    stationmgr months list               the closed months, their totals, codes and file hashes
    stationmgr anchors export [--to F]   append the ledger head's code to the anchor file
    stationmgr anchors where             the anchor file and the current head code

A close also appends its line (head code, SIE and CSV hashes) to the anchor file when one
is set (`site set anchor_file PATH`), after the close has committed. `months` also works
over `--site`; `anchors` is local by nature (the file is on this machine's disks).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from stationmgr.cli.common import open_db, print_table

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("months", help="close a month for the bookkeeping; list closed months")
    m = p.add_subparsers(dest="months_command", metavar="ACTION", required=True)
    c = m.add_parser("close", help="close a month: nothing dated in it changes afterwards")
    c.add_argument("month", metavar="YYYY-MM")
    c.set_defaults(func=close_cmd, required_action="months.close")
    ls = m.add_parser("list", help="the closed months")
    ls.set_defaults(func=list_cmd, required_action="billing.export")

    p = sub.add_parser("anchors", help="the ledger's head code, kept outside the database")
    a = p.add_subparsers(dest="anchors_command", metavar="ACTION", required=True)
    ex = a.add_parser("export", help="append the ledger head's code to the anchor file")
    ex.add_argument("--to", metavar="FILE", help="this file instead of the anchor_file setting")
    ex.set_defaults(func=export_cmd, required_action="anchors.export")
    wh = a.add_parser("where", help="the anchor file and the current head code")
    wh.set_defaults(func=where_cmd, required_action="settings.read")


def close_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (`months_close`)."""
    from stationmgr.cli.remote import local

    return local(months_close)(args)


def list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (`months_list`)."""
    from stationmgr.cli.remote import local

    return local(months_list)(args)


def months_close(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.site import parse_month
    from stationmgr.client.admin_models import MonthCloseRequest

    parse_month(args.month)
    r = client.close_month(MonthCloseRequest(args.month))
    print(
        f"{r.month} closed: {r.entries} ledger entries, total {r.total_minor / 100:.2f}, "
        f"{r.sie_vouchers} SIE vouchers, ledger {r.head_code}" + (f"; {r.note}" if r.note else "")
    )
    return 0


def months_list(args: argparse.Namespace, client: SiteClient) -> int:
    print_table(
        [
            [
                r.month,
                r.closed_at[:16].replace("T", " "),
                r.closed_by or "-",
                r.entries,
                f"{r.total_minor / 100:.2f}",
                r.sie_vouchers,
                r.head_code,
                r.sie_sha256[:12],
            ]
            for r in client.closed_months()
        ],
        ["month", "closed (UTC)", "by", "entries", "total", "vouchers", "ledger", "sie sha256"],
    )
    return 0


MONTHS = {("months", "close"): months_close, ("months", "list"): months_list}


def export_cmd(args: argparse.Namespace) -> int:
    from stationmgr.access.context import record, require
    from stationmgr.billing.anchors import export_anchor
    from stationmgr.store.models import utcnow

    db = open_db(args)
    try:
        with db.session() as s:
            actor = require(None, "anchors.export", s)
            done = export_anchor(s, utcnow(), Path(args.to) if args.to else None)
            record(s, "anchors.export", str(done.path), None, {"line": done.line}, actor=actor)
    finally:
        db.dispose()
    print(f"{done.line} → {done.path}")
    return 0


def where_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.anchors import anchor_path, head_code

    db = open_db(args)
    try:
        with db.session() as s:
            path, code = anchor_path(s), head_code(s)
    finally:
        db.dispose()
    print(f"anchor file: {path or 'not set (stationmgr site set anchor_file PATH)'}")
    print(f"ledger head: {code}")
    return 0
