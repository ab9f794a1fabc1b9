"""Alert rules: which conditions hold at a bay or charger right now. Pure.

``bay_conditions(facts, now, cfg)`` and ``charger_conditions(...)`` return the set of
conditions that hold; the monitor raises an alert when a condition appears and clears it when
it is gone, so each rule only says *whether* and *since when*, never keeps state.

Thresholds live in site settings under the key ``alerts`` (``AlertConfig``, minutes unless
named ``_s``). The blocked-bay clock is the idle fee's clock: idle time starts at the last
moment energy flowed (``Transaction.charging_ended_at``); the bay counts as blocked once that
is ``blocked_grace_min`` ago — by default the idle grace of the session's tariff, the moment
the idle fee starts to run — and charging is known to be over (no flow for
``SessionConfig.idle_after_s``, the bay is Finishing).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

from stationmgr.alerts.events import AlertKind
from stationmgr.ocpp_words import BayStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """Alert thresholds (site setting ``alerts``)."""

    overrun_margin_min: float = 30.0  # overrun: beyond the expected end by this much …
    overrun_margin_pct: float = 25.0  # … or this share of the expected duration, if longer
    overrun_settle_min: float = 5.0  # the expectation is fixed after this much charging
    stalled_after_min: float = 10.0  # Charging, but the meter did not move for this long
    blocked_grace_min: float | None = None  # None: the tariff's idle grace, else the default
    blocked_default_grace_min: float = 15.0
    comm_lost_after_s: float = 0.0  # 0: as soon as the charger's coordinator gives up
    card_denied_count: int = 3  # refusals of one card at one bay …
    card_denied_window_min: float = 10.0  # … within this window
    disabled: tuple[str, ...] = ()  # alert kinds switched off


def alert_config_from(stored: dict[str, object] | None) -> AlertConfig:
    """The settings as stored; unknown keys and values of the wrong type are ignored."""
    base = AlertConfig()
    out: dict[str, object] = {}
    for f in dataclasses.fields(AlertConfig):
        if not stored or f.name not in stored:
            continue
        v = stored[f.name]
        try:
            if f.name == "disabled":
                out[f.name] = tuple(str(k) for k in v)  # type: ignore[union-attr]
            elif f.name == "blocked_grace_min" and v is None:
                out[f.name] = None
            elif f.name == "card_denied_count":
                out[f.name] = max(1, int(v))  # type: ignore[call-overload]
            else:
                out[f.name] = max(0.0, float(v))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            log.warning(
                "alerts setting %s=%r is not valid; using %r", f.name, v, getattr(base, f.name)
            )
    return dataclasses.replace(base, **out)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Condition:
    """One alert-worthy condition: its identity (kind, bay/charger, subject) and start."""

    kind: AlertKind
    bay_id: int | None
    charger_id: int | None
    subject: str | None
    since: float
    detail: str

    @property
    def key(self) -> tuple[str, int | None, int | None, str | None]:
        return (str(self.kind), self.bay_id, self.charger_id, self.subject)


@dataclass(frozen=True, slots=True)
class BayFacts:
    """What the monitor knows about one bay at one moment."""

    bay_id: int
    charger_id: int
    status: BayStatus
    online: bool
    plugged: bool
    fault: str | None = None
    fault_since: float | None = None
    tx_uid: str | None = None
    card_uid: str | None = None
    last_flow_at: float | None = None  # of the session on the bay, open or just ended
    meter_still_since: float | None = None  # Charging, but the meter has not moved since
    overrun_after: float | None = None  # the fixed expectation plus the margin
    expected_end: float | None = None
    finishing_since: float | None = None  # when the bay last became Finishing
    grace_s: float = 900.0  # idle grace before the bay counts as blocked
    refusals: tuple[tuple[str, float], ...] = field(default_factory=tuple)  # (card, time)


def _minutes(s: float) -> str:
    """A person's span: "under a minute", never "0 min"."""
    return "under a minute" if s < 60 else f"{s / 60:.0f} min"


def overrun_margin_s(expected_duration_s: float, cfg: AlertConfig) -> float:
    return max(cfg.overrun_margin_min * 60.0, cfg.overrun_margin_pct / 100.0 * expected_duration_s)


def blocked_since(last_flow_at: float, grace_s: float, idle_after_s: float) -> float:
    """When a finished car starts to block its bay: the idle fee's grace after the last
    flow, but never before the engine knows charging is over (``idle_after_s``)."""
    return last_flow_at + max(grace_s, idle_after_s)


def bay_conditions(
    f: BayFacts, now: float, cfg: AlertConfig, idle_after_s: float
) -> list[Condition]:
    out: list[Condition] = []
    if f.fault:
        out.append(
            Condition(
                AlertKind.FAULT,
                f.bay_id,
                f.charger_id,
                f.fault,
                f.fault_since if f.fault_since is not None else now,
                f"the charger reports fault {f.fault}",
            )
        )
    if (
        f.status is BayStatus.CHARGING
        and f.meter_still_since is not None
        and now - f.meter_still_since >= cfg.stalled_after_min * 60.0
    ):
        since = f.meter_still_since + cfg.stalled_after_min * 60.0
        out.append(
            Condition(
                AlertKind.STALLED,
                f.bay_id,
                f.charger_id,
                f.tx_uid,
                since,
                f"Charging, but no energy for {_minutes(now - f.meter_still_since)}",
            )
        )
    if f.plugged and f.status is BayStatus.FINISHING and f.last_flow_at is not None:
        since = blocked_since(f.last_flow_at, f.grace_s, idle_after_s)
        if f.finishing_since is not None:  # e.g. Faulted in between: blocked from then on
            since = max(since, f.finishing_since)
        if now >= since:
            out.append(
                Condition(
                    AlertKind.BLOCKED,
                    f.bay_id,
                    f.charger_id,
                    f.tx_uid,
                    since,
                    f"charging ended {_minutes(now - f.last_flow_at)} ago, car still plugged",
                )
            )
    if (
        f.tx_uid is not None
        and f.overrun_after is not None
        and f.status in (BayStatus.CHARGING, BayStatus.SUSPENDED_EV, BayStatus.SUSPENDED_EVSE)
        and now >= f.overrun_after
    ):
        out.append(
            Condition(
                AlertKind.OVERRUN,
                f.bay_id,
                f.charger_id,
                f.tx_uid,
                f.overrun_after,
                f"still charging {_minutes(now - f.overrun_after)} past the expected end "
                "plus margin",
            )
        )
    out.extend(card_denied(f, now, cfg))
    return [c for c in out if str(c.kind) not in cfg.disabled]


def card_denied(f: BayFacts, now: float, cfg: AlertConfig) -> list[Condition]:
    """A card refused ``card_denied_count`` times within the window at this bay; it holds
    until the window has passed since its last refusal."""
    window = cfg.card_denied_window_min * 60.0
    by_card: dict[str, list[float]] = {}
    for card, at in f.refusals:
        by_card.setdefault(card, []).append(at)
    out = []
    for card, times in sorted(by_card.items()):
        times.sort()
        last = times[-1]
        if now - last >= window:
            continue
        for i in range(len(times) - cfg.card_denied_count + 1):
            j = i + cfg.card_denied_count - 1
            if times[j] - times[i] < window:
                n = sum(1 for t in times if last - t < window)
                out.append(
                    Condition(
                        AlertKind.CARD_DENIED,
                        f.bay_id,
                        f.charger_id,
                        card,
                        times[j],
                        f"card {card} refused {n} times in {cfg.card_denied_window_min:.0f} min",
                    )
                )
                break
    return out


def charger_conditions(
    charger_id: int, name: str, offline_since: float | None, now: float, cfg: AlertConfig
) -> list[Condition]:
    if offline_since is None or str(AlertKind.COMM_LOST) in cfg.disabled:
        return []
    since = offline_since + cfg.comm_lost_after_s
    if now < since:
        return []
    return [
        Condition(
            AlertKind.COMM_LOST,
            None,
            charger_id,
            None,
            since,
            f"charger {name} has not answered for {_minutes(now - offline_since)}",
        )
    ]
