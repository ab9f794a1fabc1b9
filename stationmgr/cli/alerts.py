"""`stationmgr alerts list|ack` — the alert log, and acknowledging an alert (audited)."""

from __future__ import annotations

import argparse

from stationmgr.alerts.events import AlertKind
from stationmgr.alerts.service import acknowledge_now
from stationmgr.cli.common import int_arg, open_db


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("alerts", help="alerts: overrun, stalled, blocked bays, faults, …")
    s = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="alerts, open ones first, newest first")
    ls.add_argument("--open", action="store_true", help="only alerts not yet cleared")
    ls.add_argument("--unacknowledged", action="store_true", help="only alerts nobody has seen")
    ls.add_argument("--kind", choices=[str(k) for k in AlertKind])
    ls.add_argument("--limit", type=int_arg("--limit", 1), default=100)
    ls.set_defaults(func=list_cmd)
    ack = s.add_parser("ack", help="acknowledge an alert (by id)")
    ack.add_argument("alert", help="alert id (first column of `alerts list`)")
    ack.add_argument("--note", help="what was done about it")
    ack.add_argument("--operator", default="", help="your name (sites without operators)")
    ack.set_defaults(func=ack_cmd)
    cfg = s.add_parser("config", help="show or set the alert thresholds (site setting `alerts`)")
    cfg.add_argument("values", nargs="*", metavar="KEY=VALUE", help="e.g. stalled_after_min=15")
    cfg.set_defaults(func=config_cmd)


def _ts(dt: object) -> str:
    return "" if dt is None else dt.isoformat(timespec="seconds")  # type: ignore[attr-defined]


def list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.alerts_list)."""
    from stationmgr.cli.remote import alerts_list, local

    return local(alerts_list)(args)


def ack_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        row = acknowledge_now(s, args.alert, args.operator, note=args.note)
        print(f"alert {row.id} acknowledged by {row.acknowledged_by}")
    return 0


def config_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.site_admin.alerts_config)."""
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import alerts_config

    return local(alerts_config)(args)
