"""`stationmgr audit list|export|verify` — the audit log (owner only)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from stationmgr.access import audit
from stationmgr.access.context import record
from stationmgr.cards import parse_date
from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import StationError, UserError

OUTCOMES = [audit.OK, audit.DENIED, audit.FAILED]


class ChainBroken(StationError):
    """The audit chain does not verify (exit status 1)."""


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="since", metavar="DATE", help="on or after DATE")
    p.add_argument("--to", dest="until", metavar="DATE", help="on or before DATE")
    p.add_argument("--operator", help="exact username")
    p.add_argument("--action", help="action or its prefix (e.g. cards, login, bays.remote_stop)")
    p.add_argument("--outcome", choices=OUTCOMES)
    p.add_argument("--target", help="part of the target (card, bay, operator)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="the audit log: who did what, when (owner)")
    s = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="list entries, newest first")
    _filters(ls)
    ls.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    ls.set_defaults(func=list_cmd)
    ex = s.add_parser("export", help="export entries as CSV, oldest first")
    _filters(ex)
    ex.add_argument("-o", "--output", help="file (default stdout)")
    ex.set_defaults(func=export_cmd)
    v = s.add_parser("verify", help="check the hash chain (also part of `stationmgr verify`)")
    v.set_defaults(func=verify_cmd, required_action="verify")


def audit_filter(args: argparse.Namespace) -> audit.AuditFilter:
    since = parse_date(args.since, "--from date")
    until = parse_date(args.until, "--to date")
    if until is not None and len(args.until.strip()) == 10:
        until = until + timedelta(days=1)
    if since and until and until <= since:
        raise UserError("--to is before --from")
    return audit.AuditFilter(
        since, until, args.operator or None, args.action or None, args.outcome, args.target
    )


def list_cmd(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    f = audit_filter(args)
    db = open_db(args)
    try:
        with db.session() as s:
            rows = [
                [
                    e.id,
                    e.ts.isoformat(timespec="seconds"),
                    e.operator or "-",
                    e.action,
                    e.target or "",
                    e.outcome,
                    (e.detail or "")[:60],
                ]
                for e in audit.list_entries(s, f, 0, args.limit)
            ]
    finally:
        db.dispose()
    print_table(rows, ["id", "ts", "operator", "action", "target", "outcome", "detail"])
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    f = audit_filter(args)
    db = open_db(args)
    try:
        with db.session() as s:
            if args.output:
                with open(args.output, "w", newline="", encoding="utf-8") as fh:
                    n = audit.export_csv(s, fh, f)
            else:
                n = audit.export_csv(s, sys.stdout, f)
            detail = f"{n} entries; {f.describe()}"
            record(s, "audit.export", args.output or "stdout", detail=detail)
    finally:
        db.dispose()
    if args.output:
        print(f"exported {n} audit entries to {args.output}", file=sys.stderr)
    return 0


def verify_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:
            result = audit.verify_chain(s)
    finally:
        db.dispose()
    if not result.ok:
        raise ChainBroken(str(result))
    print(str(result))
    return 0
