"""`stationmgr sessions list` — the charging history, filtered, as a table or CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import timedelta

from sqlalchemy import or_, select

from stationmgr.cards import get_card, parse_date
from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import UserError
from stationmgr.store.models import Bay, CardHolder, ChargeSession
from stationmgr.store.queries import SessionFilter, bay_labels, list_sessions

COLUMNS = [
    "id",
    "tx_uid",
    "bay",
    "card",
    "holder",
    "plugged_at",
    "stopped_at",
    "energy_kwh",
    "plugged_min",
    "charging_min",
    "idle_min",
    "stop_reason",
    "stopped_by",
]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sessions", help="charging sessions (transactions)")
    s = p.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="list sessions, newest first")
    ls.add_argument("--from", dest="since", metavar="DATE", help="plugged in on or after DATE")
    ls.add_argument("--to", dest="until", metavar="DATE", help="plugged in on or before DATE")
    ls.add_argument("--bay", help="bay label or id")
    ls.add_argument("--card", help="card number in any spelling")
    ls.add_argument("--holder", help="holder name (part of it) or id")
    ls.add_argument("--open", action="store_true", help="only sessions still running")
    ls.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    ls.add_argument("--csv", action="store_true", help="CSV on stdout (all matching rows)")
    ls.set_defaults(func=list_cmd)


def _filter(s, args: argparse.Namespace) -> SessionFilter:  # type: ignore[no-untyped-def]
    since = parse_date(args.since, "--from date")
    until = parse_date(args.until, "--to date")
    if until is not None and args.until and len(args.until.strip()) == 10:
        until = until + timedelta(days=1)
    if since and until and until <= since:
        raise UserError("--to is before --from")
    bay_id = None
    if args.bay:
        by_id = Bay.id == int(args.bay) if args.bay.isdigit() else False
        bay_id = s.scalar(select(Bay.id).where(or_(Bay.label == args.bay, by_id)).limit(1))
        if bay_id is None:
            raise UserError(f"no bay {args.bay!r}")
    card_id = get_card(s, args.card).id if args.card else None
    holder_id = holder_name = None
    if args.holder:
        if args.holder.isdigit():
            if s.get(CardHolder, int(args.holder)) is None:
                raise UserError(f"no card holder with id {args.holder}")
            holder_id = int(args.holder)
        else:
            holder_name = args.holder
    return SessionFilter(since, until, bay_id, card_id, holder_id, holder_name, open_only=args.open)


def _row(r: ChargeSession, labels: dict[int, str]) -> list[object]:
    def minutes(v: int | None) -> str:
        return "" if v is None else f"{v / 60:.0f}"

    return [
        r.id,
        r.tx_uid,
        labels.get(r.bay_id, r.bay_id),
        r.card_uid or "guest",
        r.holder_name,
        r.plugged_at.isoformat(timespec="seconds"),
        r.stopped_at.isoformat(timespec="seconds") if r.stopped_at else "",
        f"{r.energy_wh / 1000:.3f}",
        minutes(r.plugged_s),
        minutes(r.charging_s),
        minutes(r.idle_s),
        r.stop_reason or ("running" if r.stopped_at is None else ""),
        r.stopped_by or "",
    ]


def list_cmd(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    db = open_db(args)
    with db.session() as s:
        f = _filter(s, args)
        labels = bay_labels(s)
        if args.csv:
            w = csv.writer(sys.stdout)
            w.writerow(COLUMNS)
            offset = 0
            while True:
                page = list_sessions(s, f, offset, 1000)
                for r in page:
                    w.writerow(_row(r, labels))
                if len(page) < 1000:
                    break
                offset += 1000
            return 0
        rows = [_row(r, labels) for r in list_sessions(s, f, 0, args.limit)]
    print_table(rows, COLUMNS)
    return 0
