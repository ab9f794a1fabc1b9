"""Continuity across a gap in observation: the same plug-in, a new one, or cannot tell.

When the engine could not watch a bay (it was down, the link was lost, the charger
rebooted) a car may have left and another arrived. A session resumes only when the charger
proves it is the same plug-in, from its own clock and energy for the current plug-in
(`ConnectorReading.session_elapsed_s` / `session_energy_wh`, both reset by the device at a
new plug-in), compared with what was last stored with the session's meter:

- **new plug-in** (proven): either value went backwards, or the charger's session energy
  moved differently from its energy register (a new plug-in restarted the session energy
  while the register counted on);
- **same plug-in** (proven): the session energy was already above the tolerance and moved
  exactly as the register did, or the charger's plug-in clock is longer than the whole
  gap (a car plugged in during the gap cannot have been there longer than the gap);
- **unproven**: the device offers no such values (Heidelberg, EVSE-DIN, inproc), it
  rebooted (its memory of the plug-in is gone), or the values prove nothing (no energy yet).

What the session machine does with the verdict (resume, or close at the last sure reading
and record the rest as energy outside a session) is in `sessions.py`; the rule per device
is written down in docs/devices/README.md ("Continuity after a gap").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stationmgr.drivers.api import ConnectorReading

ENERGY_TOLERANCE_WH = 2.0  # the register and the session energy are rounded differently
ELAPSED_TOLERANCE_S = 2.0  # the charger's clock and ours tick apart by a second or so


class Continuity(StrEnum):
    SAME = "same"
    NEW = "new"
    UNPROVEN = "unproven"


@dataclass(frozen=True, slots=True)
class LastSure:
    """The last reading a session is sure of: when, the register, the charger's own proof."""

    at: float
    meter_wh: float
    elapsed_s: float | None = None
    session_wh: float | None = None


def judge(
    last: LastSure,
    now: float,
    reading: ConnectorReading,
    energy_wh: float | None,
    rebooted: bool = False,
) -> Continuity:
    """Is the bay's car, as the charger reports it now, the plug-in of `last`?"""
    if rebooted:
        return Continuity.UNPROVEN
    elapsed, session = reading.session_elapsed_s, reading.session_energy_wh
    has_elapsed = elapsed is not None and last.elapsed_s is not None
    has_session = session is not None and last.session_wh is not None
    if has_elapsed and elapsed < last.elapsed_s - ELAPSED_TOLERANCE_S:  # type: ignore[operator]
        return Continuity.NEW
    consistent = False
    if has_session:
        if session < last.session_wh - ENERGY_TOLERANCE_WH:  # type: ignore[operator]
            return Continuity.NEW
        if energy_wh is not None:
            advance = energy_wh - last.meter_wh
            moved = session - last.session_wh  # type: ignore[operator]
            if abs(advance - moved) > ENERGY_TOLERANCE_WH:
                return Continuity.NEW
            consistent = True
    if consistent and last.session_wh > ENERGY_TOLERANCE_WH:  # type: ignore[operator]
        return Continuity.SAME
    # The charger's clock alone proves a new plug-in (it went backwards), never the same
    # one: it cannot be compared with ours (a charge time longer than the gap was faked by
    # a clock running faster than ours; the kill test found a merged session).
    return Continuity.UNPROVEN


def may_resume(verdict: Continuity, gap_s: float, tolerance_s: float) -> bool:
    """Resume on proof; without proof only across a gap too short for a car to be swapped."""
    if verdict is Continuity.SAME:
        return True
    if verdict is Continuity.NEW:
        return False
    return gap_s <= tolerance_s
