"""`stationmgr alerts list|ack` — the alert log, and acknowledging an alert (audited)."""

from __future__ import annotations

import argparse

from stationmgr.access.context import require
from stationmgr.alerts.events import TITLES, AlertKind
from stationmgr.alerts.service import AlertFilter, acknowledge_now, list_alerts
from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import UserError
from stationmgr.store.models import Bay, Charger


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("alerts", help="alerts: overrun, stalled, blocked bays, faults, …")
    s = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="alerts, open ones first, newest first")
    ls.add_argument("--open", action="store_true", help="only alerts not yet cleared")
    ls.add_argument("--unacknowledged", action="store_true", help="only alerts nobody has seen")
    ls.add_argument("--kind", choices=[str(k) for k in AlertKind])
    ls.add_argument("--limit", type=int, default=100)
    ls.set_defaults(func=list_cmd)
    ack = s.add_parser("ack", help="acknowledge an alert (by id)")
    ack.add_argument("alert", help="alert id (first column of `alerts list`)")
    ack.add_argument("--note", help="what was done about it")
    ack.add_argument("--operator", default="", help="your name (sites without operators)")
    ack.set_defaults(func=ack_cmd)


def _ts(dt: object) -> str:
    return "" if dt is None else dt.isoformat(timespec="seconds")  # type: ignore[attr-defined]


def list_cmd(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    db = open_db(args)
    with db.session() as s:
        require(None, "bays.view", s)
        bays = dict(s.query(Bay.id, Bay.label).all())
        chargers = dict(s.query(Charger.id, Charger.name).all())
        f = AlertFilter(open_only=args.open, unacknowledged=args.unacknowledged, kind=args.kind)
        rows = [
            [
                a.id,
                TITLES.get(AlertKind(a.kind), a.kind) if a.kind in set(AlertKind) else a.kind,
                bays.get(a.bay_id) or chargers.get(a.charger_id) or "",
                _ts(a.raised_at),
                f"{a.acknowledged_by} {_ts(a.acknowledged_at)}" if a.acknowledged_at else "",
                _ts(a.cleared_at) or "open",
                a.detail or "",
            ]
            for a in list_alerts(s, f, args.limit)
        ]
    print_table(rows, ["id", "alert", "where", "raised", "acknowledged", "cleared", "detail"])
    return 0


def ack_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        row = acknowledge_now(s, args.alert, args.operator, note=args.note)
        print(f"alert {row.id} acknowledged by {row.acknowledged_by}")
    return 0
