"""Expected end of a running session: when will this car leave the bay?

Public API (used by the board, the alert monitor and the rotation hint):

- ``estimate_end(progress, card=None, bay=None) -> Estimate`` — pure; ``Estimate.end_at`` is
  the expected unplug time (epoch seconds), ``charge_end_at`` the expected end of energy flow.
- ``summarize(rows) -> HistorySummary`` — pure; the few robust figures the estimator needs
  from past finished sessions (``history.py`` feeds it from the database).
- ``naive_end(progress, bay)`` — the fallback the benchmark compares against: the bay's
  typical (median) plugged time, whatever this session looks like.

Method, in the order it is applied:

1. **Reference behaviour.** The card's history (its last finished sessions) is blended with
   the bay's: each figure is ``w·card + (1−w)·bay`` with ``w = min(1, n/3)``, so one odd
   visit does not dominate and three visits are the card's own habit. A session with no
   card history (a new card, a guest) is given the bay's typical session — plug-in plus
   the bay's median plugged time — and a bay with no history the site defaults
   (``DEFAULT``); steps 2–3 still give it an expected end of charging.
2. **Energy still wanted** = the reference's median energy minus what was delivered so far.
   A car that already took more than usual gets a tail of 15 % of its usual energy.
3. **Expected end of charging** = now + energy still wanted ÷ power now (or the reference's
   mean charging power while the car does not draw yet). When charging is over (the bay is
   Finishing) it is the last moment energy flowed.
4. **Expected departure.** Drivers are of two kinds, and their history says which: some
   leave on a schedule (work, shopping: their plugged time varies little), some leave when
   the car is full (their idle time after charging varies little). The smaller median
   absolute deviation picks the model: ``plugged_at + median plugged time`` (never before
   the expected end of charging) or ``expected end of charging + median idle time``.
5. An open session ends no earlier than ``now``.

Medians and deviations (not means) because a forgotten car that stayed the weekend must not
move every later estimate by days.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_POWER_W = 50.0  # below this the car is not drawing (SessionConfig.flow_threshold_w)
OWN_HABIT_N = 3  # sessions after which a card's own figures are used unblended
TAIL_FRACTION = 0.15  # energy still expected when a car already exceeded its usual


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """Robust figures of past finished sessions of one card, one bay or the site."""

    n: int = 0
    energy_wh: float = 0.0  # median energy per session
    plugged_s: float = 0.0  # median plug-in → unplug
    idle_s: float = 0.0  # median last energy flow → unplug
    plugged_mad_s: float = 0.0  # median absolute deviation of plugged_s
    idle_mad_s: float = 0.0  # median absolute deviation of idle_s
    power_w: float = 0.0  # median of energy ÷ charging time

    @property
    def empty(self) -> bool:
        return self.n == 0


# Site defaults when neither the card nor the bay has any history: a two-hour visit,
# 15 kWh at 7 kW, leaving 15 minutes after the car is full.
DEFAULT = HistorySummary(
    n=1,
    energy_wh=15_000.0,
    plugged_s=7_200.0,
    idle_s=900.0,
    plugged_mad_s=3_600.0,
    idle_mad_s=3_600.0,
    power_w=7_000.0,
)


@dataclass(frozen=True, slots=True)
class PastSession:
    """One finished session as history needs it (seconds and Wh)."""

    energy_wh: float
    plugged_s: float
    charging_s: float
    idle_s: float


@dataclass(frozen=True, slots=True)
class SessionProgress:
    """A running session at the moment of the estimate."""

    plugged_at: float
    now: float
    energy_wh: float = 0.0  # delivered so far
    power_w: float | None = None  # power now
    charging_ended_at: float | None = None  # last moment energy flowed
    finished: bool = False  # charging is over (the bay is Finishing)


@dataclass(frozen=True, slots=True)
class Estimate:
    end_at: float  # expected unplug (epoch seconds)
    charge_end_at: float  # expected end of energy flow
    energy_wh: float  # expected energy of the whole session
    basis: str  # "card", "bay" or "default": whose history decided
    model: str  # "schedule" (a usual time), "full" (when charged) or "typical" (the bay's)

    @property
    def latest_at(self) -> float:
        """The later of the expected unplug and the expected end of charging."""
        return max(self.end_at, self.charge_end_at)

    def remaining_s(self, now: float) -> float:
        return max(0.0, self.end_at - now)


def _mad(values: Sequence[float], centre: float) -> float:
    return statistics.median(abs(v - centre) for v in values) if values else 0.0


def summarize(rows: Iterable[PastSession]) -> HistorySummary:
    """Medians and deviations of finished sessions (empty → ``HistorySummary()``)."""
    rows = list(rows)
    if not rows:
        return HistorySummary()
    plugged = [r.plugged_s for r in rows]
    idle = [r.idle_s for r in rows]
    powers = [r.energy_wh * 3600.0 / r.charging_s for r in rows if r.charging_s > 60]
    p_med, i_med = statistics.median(plugged), statistics.median(idle)
    return HistorySummary(
        n=len(rows),
        energy_wh=statistics.median(r.energy_wh for r in rows),
        plugged_s=p_med,
        idle_s=i_med,
        plugged_mad_s=_mad(plugged, p_med),
        idle_mad_s=_mad(idle, i_med),
        power_w=statistics.median(powers) if powers else 0.0,
    )


def blend(card: HistorySummary | None, prior: HistorySummary) -> HistorySummary:
    """A card's figures, pulled towards the prior (its bay's) while it has few sessions."""
    if card is None or card.empty:
        return prior
    w = min(1.0, card.n / OWN_HABIT_N)

    def mix(a: float, b: float) -> float:
        return w * a + (1.0 - w) * b

    return HistorySummary(
        n=card.n,
        energy_wh=mix(card.energy_wh, prior.energy_wh),
        plugged_s=mix(card.plugged_s, prior.plugged_s),
        idle_s=mix(card.idle_s, prior.idle_s),
        plugged_mad_s=mix(card.plugged_mad_s, prior.plugged_mad_s),
        idle_mad_s=mix(card.idle_mad_s, prior.idle_mad_s),
        power_w=mix(card.power_w, prior.power_w) if card.power_w else prior.power_w,
    )


def estimate_end(
    progress: SessionProgress,
    card: HistorySummary | None = None,
    bay: HistorySummary | None = None,
) -> Estimate:
    """The expected end of a running session (see the module docstring for the method)."""
    p = progress
    prior = bay if bay is not None and not bay.empty else DEFAULT
    ref = blend(card, prior)
    basis = (
        "card"
        if card is not None and not card.empty
        else ("bay" if prior is not DEFAULT else "default")
    )

    # Energy still wanted and the end of charging.
    expected_wh = ref.energy_wh
    if p.energy_wh >= expected_wh:
        expected_wh = p.energy_wh + TAIL_FRACTION * ref.energy_wh
    if p.finished:
        charge_end = p.charging_ended_at if p.charging_ended_at is not None else p.now
        expected_wh = p.energy_wh
    else:
        power = p.power_w if p.power_w is not None and p.power_w > MIN_POWER_W else 0.0
        power = power or ref.power_w or DEFAULT.power_w
        charge_end = p.now + (expected_wh - p.energy_wh) * 3600.0 / power

    # Departure: on a schedule, or when full — whichever the history says is steadier.
    if basis != "card":  # nothing known about this driver: the bay's typical session
        end = p.plugged_at + ref.plugged_s
        return Estimate(max(end, p.now), charge_end, expected_wh, basis, "typical")
    if ref.plugged_mad_s <= ref.idle_mad_s:
        model = "schedule"
        end = max(p.plugged_at + ref.plugged_s, charge_end)
    else:
        model = "full"
        end = charge_end + ref.idle_s
    return Estimate(max(end, p.now), charge_end, expected_wh, basis, model)


def naive_end(progress: SessionProgress, bay: HistorySummary | None) -> float:
    """The bay's typical session: plug-in + its median plugged time (no later than now)."""
    typical = bay.plugged_s if bay is not None and not bay.empty else DEFAULT.plugged_s
    return max(progress.plugged_at + typical, progress.now)


@dataclass(frozen=True, slots=True)
class FreeUp:
    """One line of the rotation hint."""

    bay_id: int
    label: str
    free_at: float  # expected unplug (now for a free bay)
    free_now: bool
    basis: str


def rotation_hint(
    bays: Iterable[tuple[int, str, Estimate | None, bool]], now: float, limit: int = 3
) -> list[FreeUp]:
    """The bays expected to free up soonest: ``(bay_id, label, estimate, usable)`` in.

    A free, usable bay (``estimate`` None) comes first; bays that cannot take a car (faulted,
    out of order, offline: ``usable`` False) are left out.
    """
    out = []
    for bay_id, label, est, usable in bays:
        if not usable:
            continue
        if est is None:
            out.append(FreeUp(bay_id, label, now, True, "free"))
        else:
            out.append(FreeUp(bay_id, label, max(now, est.end_at), False, est.basis))
    out.sort(key=lambda f: (not f.free_now, f.free_at, f.label))
    return out[:limit]
