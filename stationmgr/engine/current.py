"""How much current a charger may offer: one rule, in one place.

A charger never offers more than the smallest of what the installation, the device and the
cable allow; a session offers the smallest of that and its card's limit:

    allowed  = min(installation_max_a, device max, cable/PP limit)   (the ones known)
    session  = min(allowed, card limit)                              (None: allowed)

The installation maximum (the circuit's rating, charger setting `installation_max_a`) is the
one limit the device cannot tell us. Where the device cannot tell its own maximum either
(an EVSE-DIN board whose PP register reads below 6 A) and no installation maximum is set,
nothing is safe: the charger is refused (`refusal`), never offered the device's top of range.

Currents are floored to 0.1 A so a driver that rounds to its own resolution never rounds up
past a limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CurrentLimits:
    """What is known about one connector's limits (None: not known / not set)."""

    installation_max_a: float | None = None
    device_max_a: float | None = None  # ChargerInfo.max_current_a from open()
    device_min_a: float = 6.0
    cable_max_a: float | None = None  # the plugged cable's rating (PP), when reported


def floor_a(amps: float) -> float:
    """Down to the 0.1 A step (with a little room for binary fractions like 10.0000001)."""
    return math.floor(amps * 10 + 1e-6) / 10


def refusal(limits: CurrentLimits) -> str | None:
    """Why this charger must not charge at all, or None when some current is safe."""
    if limits.installation_max_a is None and limits.device_max_a is None:
        return (
            "the charger cannot tell its maximum current and no installation maximum is "
            "set: set installation_max_a (the circuit's rating in A)"
        )
    top = allowed_max_a(limits)
    if top is not None and top < limits.device_min_a:
        return (
            f"the charger's minimum current {limits.device_min_a:g} A is above what the "
            f"installation and cable allow ({top:g} A)"
        )
    return None


def allowed_max_a(limits: CurrentLimits) -> float | None:
    """The most this connector may ever offer; None when nothing is known (refuse)."""
    known = [a for a in (limits.installation_max_a, limits.device_max_a, limits.cable_max_a) if a]
    if limits.installation_max_a is None and limits.device_max_a is None:
        return None
    return floor_a(min(known))


def session_current_a(limits: CurrentLimits, card_max_a: float | None) -> float | None:
    """The current a session offers: min(allowed, card limit); None: must not charge.

    A card limit below the device's minimum is raised to that minimum (the device cannot
    offer less and still charge; the minimum is within the allowed maximum, see `refusal`).
    """
    if refusal(limits) is not None:
        return None
    top = allowed_max_a(limits)
    assert top is not None
    amps = top if card_max_a is None else min(top, floor_a(card_max_a))
    return max(amps, limits.device_min_a)
