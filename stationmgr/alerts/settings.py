"""The alert thresholds as a person edits them (`KEY=VALUE`), for every client: parsed and
checked here once, stored in the site setting `alerts`, shown as `key = value` lines."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from stationmgr.alerts.events import AlertKind
from stationmgr.alerts.monitor import load_alert_config
from stationmgr.alerts.rules import AlertConfig
from stationmgr.errors import UserError
from stationmgr.settings import check_values, get_setting, set_setting


def parse_values(pairs: list[str]) -> dict[str, object]:
    """`KEY=VALUE` pairs → validated setting values (UserError names the first bad one)."""
    fields = {f.name: f for f in dataclasses.fields(AlertConfig)}
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in fields:
            known = ", ".join(fields)
            raise UserError(f"unknown alert setting {pair[:40]!r}; known: {known}")
        if key == "disabled":
            kinds = [k.strip() for k in value.split(",") if k.strip()]
            bad = [k for k in kinds if k not in set(AlertKind)]
            if bad:
                raise UserError(f"unknown alert kind {bad[0]!r} in disabled")
            out[key] = kinds
        elif key == "blocked_grace_min" and value.lower() in ("", "tariff", "none", "null"):
            out[key] = None
        else:
            out.update(check_values("alerts", {key: value}))
    return out


def change(s: Session, pairs: list[str]) -> tuple[dict[str, object], dict[str, object]]:
    """Store the changed thresholds; (before, after) of the setting for the audit entry.
    Every pair is checked before anything is written."""
    changes = parse_values(pairs)
    before = dict(get_setting(s, "alerts", {}) or {})
    after = {**before, **changes}
    set_setting(s, "alerts", after)
    return before, after


def shown(s: Session) -> list[tuple[str, str]]:
    """Every threshold in force (defaults included), as the person reads it."""
    cfg = load_alert_config(s)
    out: list[tuple[str, str]] = []
    for f in dataclasses.fields(AlertConfig):
        value = getattr(cfg, f.name)
        if f.name == "blocked_grace_min" and value is None:
            value = "tariff (the idle fee's grace; else blocked_default_grace_min)"
        elif f.name == "disabled":
            value = ",".join(value) or "-"
        out.append((f.name, str(value)))
    return out
