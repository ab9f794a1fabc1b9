"""Site settings: one JSON value per key in `site_settings`, with typed defaults.

The structured settings (`alerts` thresholds, `session` behaviour) have a typed schema with
ranges (`drivers.options.Setting`, the same as a driver's): a value is checked when a person
sets it (`check_values`, one UserError line naming the key: `stalled_after_min=nan` is
refused), and a stored value that does not pass is logged once and replaced by its default
when the engine loads it, so a bad row never stops `stationmgr run`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from stationmgr.drivers.options import Setting
from stationmgr.errors import UserError
from stationmgr.sessions import SessionConfig
from stationmgr.store.models import SiteSetting

log = logging.getLogger(__name__)

DAY_MIN = 24 * 60.0
DAY_S = 24 * 3600.0

ALERT_SETTINGS: tuple[Setting, ...] = (
    Setting("overrun_margin_min", float, 30.0, 0, DAY_MIN, doc="overrun after the expected end"),
    Setting("overrun_margin_pct", float, 25.0, 0, 1000, doc="… or this share of it, if longer"),
    Setting("overrun_settle_min", float, 5.0, 0, DAY_MIN, doc="expectation fixed after this"),
    Setting("stalled_after_min", float, 10.0, 0, DAY_MIN, doc="Charging without energy"),
    Setting("blocked_grace_min", float, None, 0, DAY_MIN, doc="none: the tariff's idle grace"),
    Setting("blocked_default_grace_min", float, 15.0, 0, DAY_MIN, doc="blocked bay grace"),
    Setting("comm_lost_after_s", float, 0.0, 0, DAY_S, doc="0: when the charger gives up"),
    Setting("card_denied_count", int, 3, 1, 1000, doc="refusals of one card at one bay …"),
    Setting("card_denied_window_min", float, 10.0, 0, DAY_MIN, doc="… within this window"),
)

SESSION_SETTINGS: tuple[Setting, ...] = (
    Setting("card_window_s", float, 120.0, 0, DAY_S, doc="a tap before plug-in counts this long"),
    Setting("idle_after_s", float, 300.0, 1, DAY_S, doc="no flow this long: idle"),
    Setting("flow_threshold_w", float, 50.0, 0, 100_000, doc="power counted as flowing"),
    Setting("sample_interval_s", float, 10.0, 1, DAY_S, doc="meter samples while flowing"),
    Setting("idle_sample_interval_s", float, 300.0, 1, DAY_S, doc="meter samples while idle"),
    Setting("retap_stops", bool, True, doc="the same card again stops its session"),
    Setting(
        "retap_guard_s",
        float,
        5.0,
        0,
        600,
        doc="the same card again this soon after its start is the start repeated, not a stop",
    ),
    Setting("stop_on_fault", bool, True, doc="a charger fault ends the session"),
    Setting("gate_resend_s", float, 5.0, 0.1, DAY_S, doc="re-assert a gate the charger ignores"),
    Setting(
        "continuity_gap_s",
        float,
        10.0,
        0,
        3600,
        doc="a session without proof of its plug-in resumes only across a gap this short",
    ),
)

SCHEMAS: dict[str, tuple[Setting, ...]] = {"alerts": ALERT_SETTINGS, "session": SESSION_SETTINGS}


def get_setting(s: Session, key: str, default: Any = None) -> Any:
    row = s.get(SiteSetting, key)
    return default if row is None else row.value


def set_setting(s: Session, key: str, value: Any) -> None:
    row = s.get(SiteSetting, key)
    if row is None:
        s.add(SiteSetting(key=key, value=value))
    else:
        row.value = value


def check_values(key: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The given values of the structured setting `key`, typed and in range (only the keys
    given); UserError with one line naming the first bad one."""
    by_name = {spec.name: spec for spec in SCHEMAS[key]}
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is None:
            raise UserError(f"unknown {key} setting {name!r}; known: {', '.join(by_name)}")
        out[name] = spec.parse(value)
    return out


def loaded_values(key: str, stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored values that pass the schema; a bad one is logged and left out (its
    default applies), an unknown key is ignored. Never raises: this runs at start-up."""
    by_name = {spec.name: spec for spec in SCHEMAS[key]}
    out: dict[str, Any] = {}
    for name, value in (stored or {}).items() if isinstance(stored, Mapping) else ():
        spec = by_name.get(name)
        if spec is None:
            continue
        try:
            out[name] = spec.parse(value)
        except UserError as e:
            log.warning("site setting %s: %s; using the default %r", key, e, spec.default)
    return out


def load_session_config(s: Session) -> SessionConfig:
    """The site's session behaviour; unknown keys are ignored, missing or bad ones default."""
    values = loaded_values("session", get_setting(s, "session", {}))
    names = {f.name for f in dataclasses.fields(SessionConfig)}
    return SessionConfig(**{k: v for k, v in values.items() if k in names and v is not None})
