"""SetChargingProfile: the current-limit capability for OCPP chargers (Smart Charging).

The same rule as for serial chargers (`engine.current`): no current above the charger's
installation maximum (setting `installation_max_a`, the circuit's rating), and a session
offers the smallest of that and its card's limit.

- ChargePointMaxProfile (connector 0): the installation maximum, for the charger as a whole.
- TxDefaultProfile (connector 0): what every transaction gets unless told otherwise, stored
  by the charger, so it stays within its circuit while it cannot reach the site — the
  installation maximum, or the charger's safe current (`offline=safe_current`,
  `offline_current_a`) when the owner chose one.
- TxProfile at StartTransaction: the session's own current when it differs from the
  default (a card with `max_current_a`, or the full maximum over a lower safe default).

Sent after boot (or a reconnect) and whenever the charger's settings change. Limits are
whole amps, rounded down (never up past a limit), and every profile is built by `profile()`,
which refuses a limit above the ceiling it is given: the one choke point a test checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stationmgr.drivers import check_settings
from stationmgr.errors import UserError

CHARGE_POINT_MAX = "ChargePointMaxProfile"
TX_DEFAULT = "TxDefaultProfile"
TX = "TxProfile"
_IDS = {CHARGE_POINT_MAX: 1, TX_DEFAULT: 2}
TX_ID_BASE = 100  # a TxProfile's id: TX_ID_BASE + connector (a new one replaces the old)


def whole_a(amps: float) -> int:
    """Down to whole amps, strictly: 15.9999999 is 15 (never a hair above a limit)."""
    return math.floor(amps)


@dataclass(frozen=True, slots=True)
class Plan:
    """One charger's limits in whole amps (None: nothing to send for it)."""

    installation_max_a: int | None
    tx_default_a: int | None

    def tx_a(self, card_max_a: float | None) -> int | None:
        """A session's current: min(installation maximum, card limit); None when the
        default profile already says it (nothing to send)."""
        if self.installation_max_a is None:
            return whole_a(card_max_a) if card_max_a else None
        amps = self.installation_max_a
        if card_max_a:
            amps = min(amps, whole_a(card_max_a))
        return None if amps == self.tx_default_a else amps


def plan(settings: dict[str, Any] | None) -> Plan:
    """The limits from an OCPP charger row's settings (checked like `chargers set`)."""
    try:
        s = check_settings("ocpp", settings)
    except UserError:
        s = {}
    top = s.get("installation_max_a")
    if top is None:
        return Plan(None, None)
    inst = whole_a(top)
    default = inst
    if s.get("offline") == "safe_current" and s.get("offline_current_a"):
        default = min(inst, whole_a(s["offline_current_a"]))
    return Plan(inst, default)


def _now_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def profile(
    purpose: str,
    connector: int,
    limit_a: int,
    ceiling_a: int | None,
    at: float,
    transaction_id: int | None = None,
) -> dict[str, Any]:
    """A SetChargingProfile request; ValueError for a limit above `ceiling_a` (the
    installation maximum) — never sent."""
    if ceiling_a is not None and limit_a > ceiling_a:
        raise ValueError(f"{purpose} of {limit_a} A is above the installation maximum")
    if limit_a <= 0:
        raise ValueError(f"{purpose} of {limit_a} A")
    schedule: dict[str, Any] = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": float(limit_a)}],
    }
    prof: dict[str, Any] = {
        "chargingProfileId": _IDS.get(purpose, TX_ID_BASE + connector),
        "stackLevel": 0,
        "chargingProfilePurpose": purpose,
        "chargingSchedule": schedule,
    }
    if purpose == CHARGE_POINT_MAX:
        prof["chargingProfileKind"] = "Absolute"  # from now on, with no end
        schedule["startSchedule"] = _now_text(at)
    else:
        prof["chargingProfileKind"] = "Relative"  # from each transaction's start
    if transaction_id is not None:
        prof["transactionId"] = transaction_id
    return {"connectorId": connector, "csChargingProfiles": prof}


def charger_profiles(p: Plan, at: float) -> list[dict[str, Any]]:
    """ChargePointMaxProfile and TxDefaultProfile for a charger (none without an
    installation maximum: the charger keeps its own)."""
    if p.installation_max_a is None:
        return []
    out = [profile(CHARGE_POINT_MAX, 0, p.installation_max_a, p.installation_max_a, at)]
    if p.tx_default_a is not None:
        out.append(profile(TX_DEFAULT, 0, p.tx_default_a, p.installation_max_a, at))
    return out


def tx_profile(
    p: Plan, connector: int, transaction_id: int, card_max_a: float | None, at: float
) -> dict[str, Any] | None:
    amps = p.tx_a(card_max_a)
    if amps is None:
        return None
    return profile(TX, connector, amps, p.installation_max_a, at, transaction_id)
