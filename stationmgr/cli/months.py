"""Month close and the ledger's anchors.

    stationmgr months close YYYY-MM      close a month (accountant, owner; audited; in order)
    stationmgr months list               the closed months, their totals, codes and file hashes
    stationmgr anchors export [--to F]   append the ledger head's code to the anchor file
    stationmgr anchors where             the anchor file and the current head code

A close also appends its line (head code, SIE and CSV hashes) to the anchor file when one
is set (`site set anchor_file PATH`), after the close has committed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import UserError


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
    from stationmgr.billing.anchors import anchor_path, append_line, line_for
    from stationmgr.billing.months import close_month, closed
    from stationmgr.billing.site import parse_month

    year, month = parse_month(args.month)
    db = open_db(args)
    try:
        with db.session() as s:
            info = close_month(s, args.month)
        with db.session() as s:
            path = anchor_path(s)
            row = closed(s, year, month)
        anchored = ""
        if path is not None and row is not None:
            try:
                append_line(path, line_for(info.closed_at, info.head_code, row))
                anchored = f"; anchored in {path}"
            except UserError as e:  # the close stands; say what to do
                anchored = f"; NOT anchored ({e}): run `stationmgr anchors export`"
    finally:
        db.dispose()
    print(
        f"{info.month} closed: {info.entries} ledger entries, total "
        f"{info.total_minor / 100:.2f}, {info.sie_vouchers} SIE vouchers, ledger "
        f"{info.head_code}{anchored}"
    )
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.months import list_closed

    db = open_db(args)
    try:
        with db.session() as s:
            rows = list_closed(s)
    finally:
        db.dispose()
    print_table(
        [
            [
                r.month,
                r.closed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                r.closed_by or "-",
                r.entries,
                f"{r.total_minor / 100:.2f}",
                r.sie_vouchers,
                r.head_code,
                r.sie_sha256[:12],
            ]
            for r in rows
        ],
        ["month", "closed", "by", "entries", "total", "vouchers", "ledger", "sie sha256"],
    )
    return 0


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
