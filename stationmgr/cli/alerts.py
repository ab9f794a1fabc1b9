"""`stationmgr alerts list|ack` — the alert log, and acknowledging an alert (audited)."""

from __future__ import annotations

import argparse
import dataclasses

from stationmgr.access.context import record, require
from stationmgr.alerts.events import TITLES, AlertKind
from stationmgr.alerts.monitor import load_alert_config
from stationmgr.alerts.rules import AlertConfig
from stationmgr.alerts.service import AlertFilter, acknowledge_now, list_alerts
from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import UserError
from stationmgr.settings import get_setting, set_setting
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
    cfg = s.add_parser("config", help="show or set the alert thresholds (site setting `alerts`)")
    cfg.add_argument("values", nargs="*", metavar="KEY=VALUE", help="e.g. stalled_after_min=15")
    cfg.set_defaults(func=config_cmd)


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


def parse_values(pairs: list[str]) -> dict[str, object]:
    """`KEY=VALUE` pairs → validated setting values (UserError names the first bad one)."""
    fields = {f.name: f for f in dataclasses.fields(AlertConfig)}
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in fields:
            known = ", ".join(fields)
            raise UserError(f"unknown alert setting {pair!r}; known: {known}")
        if key == "disabled":
            kinds = [k.strip() for k in value.split(",") if k.strip()]
            bad = [k for k in kinds if k not in set(AlertKind)]
            if bad:
                raise UserError(f"unknown alert kind {bad[0]!r} in disabled")
            out[key] = kinds
        elif key == "blocked_grace_min" and value.lower() in ("", "tariff", "none", "null"):
            out[key] = None
        else:
            try:
                number = float(value)
            except ValueError:
                raise UserError(f"{key} must be a number, not {value!r}") from None
            if number < 0 or (key == "card_denied_count" and number < 1):
                raise UserError(f"{key} must be at least {1 if key == 'card_denied_count' else 0}")
            out[key] = int(number) if key == "card_denied_count" else number
    return out


def config_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        if args.values:
            changes = parse_values(args.values)
            require(None, "settings.edit", s)
            before = dict(get_setting(s, "alerts", {}) or {})
            after = {**before, **changes}
            set_setting(s, "alerts", after)
            record(s, "settings.edit", "alerts", before, after)
        cfg = load_alert_config(s)
    for f in dataclasses.fields(AlertConfig):
        value = getattr(cfg, f.name)
        if f.name == "blocked_grace_min" and value is None:
            value = "tariff (the idle fee's grace; else blocked_default_grace_min)"
        elif f.name == "disabled":
            value = ",".join(value) or "-"
        print(f"{f.name} = {value}")
    return 0
