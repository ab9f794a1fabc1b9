"""The engine's side of continuity and fail-closed behaviour (the pure rules are in
`stationmgr/continuity.py` and `sessions.py`).

- `accounted_meters`: per bay, the last counter reading the database accounts for, so energy
  delivered while the engine was down on a bay with no session is recorded at start-up;
- `failsafe_plan`: what a charger does on its own when the site stops commanding it, from
  the common settings `offline` (stop | safe_current) and `offline_current_a`;
- `needs_fresh_reading`: which bay events must wait for a fresh reading of the charger
  (a stop must not close at a meter up to one poll old, a restored bay not at its stored one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.clock import to_epoch
from stationmgr.drivers import check_settings
from stationmgr.store.models import ChargeSession, UnattributedEnergy

DEFAULT_FAILSAFE_TIMEOUT_S = 15.0  # Heidelberg's own watchdog default; polls come far faster


@dataclass(frozen=True, slots=True)
class FailsafePlan:
    """`Failsafe.set_failsafe(timeout_s, fallback_a)`: 0 A stops charging."""

    timeout_s: float
    fallback_a: float


def failsafe_plan(
    driver: str, settings: dict[str, Any] | None, timeout_s: float = DEFAULT_FAILSAFE_TIMEOUT_S
) -> FailsafePlan:
    """From a charger row's settings (checked against the driver's schema: UserError)."""
    typed = check_settings(driver, settings)
    if typed.get("offline") == "safe_current":
        return FailsafePlan(timeout_s, float(typed.get("offline_current_a") or 6.0))
    return FailsafePlan(timeout_s, 0.0)


def accounted_meters(s: Session) -> dict[int, tuple[float, float]]:
    """bay id → (when, meter Wh) of the latest closed session's stop or outside-energy record."""
    out: dict[int, tuple[float, float]] = {}
    last_stop = (
        select(ChargeSession.bay_id, func.max(ChargeSession.stopped_at).label("at"))
        .where(ChargeSession.stopped_at.is_not(None))
        .group_by(ChargeSession.bay_id)
        .subquery()
    )
    rows = s.execute(
        select(ChargeSession.bay_id, ChargeSession.stopped_at, ChargeSession.meter_stop_wh).join(
            last_stop,
            (ChargeSession.bay_id == last_stop.c.bay_id)
            & (ChargeSession.stopped_at == last_stop.c.at),
        )
    )
    for bay_id, at, meter in rows:
        if meter is not None:
            out[bay_id] = (to_epoch(at), float(meter))
    last_out = (
        select(UnattributedEnergy.bay_id, func.max(UnattributedEnergy.to_ts).label("at"))
        .where(UnattributedEnergy.bay_id.is_not(None))
        .group_by(UnattributedEnergy.bay_id)
        .subquery()
    )
    rows = s.execute(
        select(
            UnattributedEnergy.bay_id, UnattributedEnergy.to_ts, UnattributedEnergy.meter_to_wh
        ).join(
            last_out,
            (UnattributedEnergy.bay_id == last_out.c.bay_id)
            & (UnattributedEnergy.to_ts == last_out.c.at),
        )
    )
    for bay_id, at, meter in rows:
        when = to_epoch(at)
        if bay_id not in out or when >= out[bay_id][0]:
            out[bay_id] = (when, float(meter))
    return out


def needs_fresh_reading(bay: sm.BayState, event: sm.Event) -> bool:
    """Read the charger before this event: it may close a session, or the bay was restored
    (or its charger not read yet, or lost): a tap then waits for a reading first."""
    if bay.recovering or not bay.online:
        return True
    if bay.tx is None:
        return False
    match event:
        case sm.CardPresented() | sm.RemoteStop() | sm.Deauthorize():
            return True
        case sm.SetOutOfOrder(out_of_order=True):
            return True
    return False
