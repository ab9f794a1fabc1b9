"""Reconciliation: a charger's own energy counter against the sessions billed on it.

Every session stores the counter at its start and stop (meter start/stop, Wh). Between two
consecutive sessions on a bay the counter should not move: if it did, that energy was
delivered outside any session (unbilled). So, per bay and period,

    counter advance = Σ session energy + Σ gaps between consecutive sessions

where a gap that contains a counter reset (a reboot: the register restarted) is counted
from the reset's own readings (before → after) when the engine recorded them; a counter
that went backwards without a recorded reset is listed as an unexplained reset. Sessions on
one bay whose transactions overlap in time (the second authorised before the first stopped:
two transactions for one connector) are listed too; two sessions in one plug-in (a card
stop, then another card) follow each other and do not overlap. The sessions bracketing the
period (the last before it, the first after it) are included so energy delivered at the
edges is not lost. Energy after the last session ever recorded on a bay becomes visible at
the next session's start.

Energy the engine itself recorded as delivered outside a session (`UnattributedEnergy`: a
plug-in it could not prove after a gap in observation, or a bay with no session) is listed
with its reason; each gap says how much of it is so recorded. Comm gaps (the charger could
not be seen) are listed too: they are where such energy comes from.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.store.models import Bay, Charger, ChargerEvent, ChargeSession, UnattributedEnergy

TOLERANCE_WH = 1.0  # registers are read as floats; less than a watt-hour is noise
_RESET = re.compile(r"(-?[\d.]+)\s*→\s*(-?[\d.]+)")


@dataclass(frozen=True)
class Gap:
    """Energy the counter advanced between two sessions on a bay (unbilled)."""

    bay: str
    after_session: int | None
    before_session: int | None
    start: datetime
    end: datetime
    energy_wh: float
    recorded_wh: float = 0.0  # of which the engine recorded as outside a session


@dataclass(frozen=True)
class Outside:
    """Energy the engine recorded as delivered outside any session, and why."""

    bay: str
    start: datetime
    end: datetime
    energy_wh: float
    reason: str
    after_session: int | None


@dataclass(frozen=True)
class Blind:
    """A stretch of time the charger could not be seen (comm lost → restored)."""

    start: datetime
    end: datetime | None  # None: not back by the end of the period


@dataclass(frozen=True)
class Overlap:
    bay: str
    first_session: int
    second_session: int
    seconds: float


@dataclass(frozen=True)
class Reset:
    bay: str
    at: datetime
    before_wh: float | None
    after_wh: float | None
    session_id: int | None
    recorded: bool  # False: the counter went backwards and no reset was recorded


@dataclass
class ChargerReconciliation:
    charger: str
    sessions: int = 0
    sessions_wh: float = 0.0
    unbilled_wh: float = 0.0
    gaps: list[Gap] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)
    resets: list[Reset] = field(default_factory=list)
    outside: list[Outside] = field(default_factory=list)
    blind: list[Blind] = field(default_factory=list)

    @property
    def outside_wh(self) -> float:
        return sum(o.energy_wh for o in self.outside)

    @property
    def counter_advance_wh(self) -> float:
        return self.sessions_wh + self.unbilled_wh

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.overlaps and not any(not r.recorded for r in self.resets)


def _bay_sessions(s: Session, bay_id: int, start: datetime, end: datetime) -> list[ChargeSession]:
    base = select(ChargeSession).where(
        ChargeSession.bay_id == bay_id, ChargeSession.stopped_at.is_not(None)
    )
    inside = list(
        s.scalars(
            base.where(ChargeSession.plugged_at >= start, ChargeSession.plugged_at < end).order_by(
                ChargeSession.plugged_at, ChargeSession.id
            )
        )
    )
    before = s.scalar(
        base.where(ChargeSession.plugged_at < start)
        .order_by(ChargeSession.plugged_at.desc(), ChargeSession.id.desc())
        .limit(1)
    )
    after = s.scalar(
        base.where(ChargeSession.plugged_at >= end)
        .order_by(ChargeSession.plugged_at, ChargeSession.id)
        .limit(1)
    )
    return ([before] if before else []) + inside + ([after] if after else [])


def _resets(s: Session, bay_id: int, t0: datetime, t1: datetime) -> list[ChargerEvent]:
    return list(
        s.scalars(
            select(ChargerEvent)
            .where(
                ChargerEvent.bay_id == bay_id,
                ChargerEvent.kind == "counter_reset",
                ChargerEvent.ts >= t0,
                ChargerEvent.ts <= t1,
            )
            .order_by(ChargerEvent.ts)
        )
    )


def _readings(ev: ChargerEvent) -> tuple[float | None, float | None]:
    m = _RESET.search(ev.detail or "")
    return (float(m.group(1)), float(m.group(2))) if m else (None, None)


def reconcile(
    s: Session,
    start: datetime,
    end: datetime,
    charger: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ChargerReconciliation]:
    """One result per charger (or only the one named), for sessions plugged in [start, end)."""
    q = select(Charger).order_by(Charger.name)
    if charger:
        q = q.where(Charger.name == charger)
    chargers = list(s.scalars(q))
    out = []
    for n, ch in enumerate(chargers, 1):
        rec = ChargerReconciliation(ch.name)
        for bay in s.scalars(select(Bay).where(Bay.charger_id == ch.id).order_by(Bay.connector)):
            _reconcile_bay(s, bay, start, end, rec)
        rec.blind = _blind(s, ch.id, start, end)
        out.append(rec)
        if progress is not None:
            progress(n, len(chargers))
    return out


def _outside(s: Session, bay: Bay, t0: datetime, t1: datetime) -> list[Outside]:
    rows = s.scalars(
        select(UnattributedEnergy)
        .where(
            UnattributedEnergy.bay_id == bay.id,
            UnattributedEnergy.to_ts > t0,
            UnattributedEnergy.from_ts < t1,
        )
        .order_by(UnattributedEnergy.from_ts, UnattributedEnergy.id)
    )
    return [
        Outside(bay.label, u.from_ts, u.to_ts, u.energy_wh, u.reason, u.after_session_id)
        for u in rows
    ]


def _blind(s: Session, charger_id: int, start: datetime, end: datetime) -> list[Blind]:
    """comm_lost → comm_restored pairs that touch the period, in order."""
    events = s.scalars(
        select(ChargerEvent)
        .where(
            ChargerEvent.charger_id == charger_id,
            ChargerEvent.kind.in_(("comm_lost", "comm_restored")),
            ChargerEvent.ts < end,
        )
        .order_by(ChargerEvent.ts, ChargerEvent.id)
    )
    out: list[Blind] = []
    lost: datetime | None = None
    for ev in events:
        if ev.kind == "comm_lost" and lost is None:
            lost = ev.ts
        elif ev.kind == "comm_restored" and lost is not None:
            if ev.ts >= start:
                out.append(Blind(lost, ev.ts))
            lost = None
    if lost is not None:
        out.append(Blind(lost, None))
    return out


def _reconcile_bay(
    s: Session, bay: Bay, start: datetime, end: datetime, rec: ChargerReconciliation
) -> None:
    rows = sorted(_bay_sessions(s, bay.id, start, end), key=lambda r: (r.authorized_at, r.id))
    outside = _outside(s, bay, start, end)
    rec.outside.extend(outside)
    for r in rows:
        if start <= r.plugged_at < end:
            rec.sessions += 1
            rec.sessions_wh += r.energy_wh
            if r.meter_resets:
                for ev in _resets(s, bay.id, r.plugged_at, r.stopped_at or r.plugged_at):
                    b, a = _readings(ev)
                    rec.resets.append(Reset(bay.label, ev.ts, b, a, r.id, True))
    for a, b in itertools.pairwise(rows):
        assert a.stopped_at is not None
        # A transaction runs from its authorisation to its stop (the plug-in may be older:
        # a second session in the same plug-in starts when its card is accepted).
        if b.authorized_at < a.stopped_at:
            secs = (a.stopped_at - b.authorized_at).total_seconds()
            if start <= b.plugged_at < end or start <= a.plugged_at < end:
                rec.overlaps.append(Overlap(bay.label, a.id, b.id, secs))
            continue
        if a.stopped_at >= end or b.authorized_at < start:
            continue  # a gap wholly outside the period
        events = _resets(s, bay.id, a.stopped_at, b.authorized_at)
        last = a.meter_stop_wh if a.meter_stop_wh is not None else a.meter_last_wh
        moved = 0.0
        known = True
        for ev in events:
            before, after = _readings(ev)
            rec.resets.append(Reset(bay.label, ev.ts, before, after, None, True))
            if before is None or after is None:
                known = False
                continue
            moved += max(0.0, before - last)
            last = after
        delta = b.meter_start_wh - last
        if delta < -TOLERANCE_WH and known:
            # The counter went backwards and nobody saw the reset: what came after it is
            # b's meter start (counted from zero), what came before it is unknown.
            rec.resets.append(Reset(bay.label, b.plugged_at, last, None, None, False))
            delta = b.meter_start_wh
        moved += max(0.0, delta)
        if moved > TOLERANCE_WH:
            recorded = sum(
                o.energy_wh for o in outside if a.stopped_at <= o.start and o.end <= b.authorized_at
            )
            rec.unbilled_wh += moved
            rec.gaps.append(
                Gap(bay.label, a.id, b.id, a.stopped_at, b.authorized_at, moved, recorded)
            )


def findings(r: ChargerReconciliation) -> list[str]:
    """What to look at for one charger, one line each (the CLI prints them, the API sends
    them): energy outside any session, blind periods, overlaps, counter resets."""
    out: list[str] = []
    for g in r.gaps:
        recorded = f"; {g.recorded_wh / 1000:.3f} kWh recorded, below" if g.recorded_wh else ""
        out.append(
            f"{r.charger} {g.bay}: {g.energy_wh / 1000:.3f} kWh outside any session between "
            f"{g.start:%Y-%m-%d %H:%M} and {g.end:%Y-%m-%d %H:%M} UTC "
            f"(after session {g.after_session}, before session {g.before_session}{recorded})"
        )
    for u in r.outside:
        after = f", after session {u.after_session}" if u.after_session else ""
        out.append(
            f"{r.charger} {u.bay}: {u.energy_wh / 1000:.3f} kWh delivered outside a session "
            f"{u.start:%Y-%m-%d %H:%M:%S} to {u.end:%H:%M:%S} UTC ({u.reason}{after})"
        )
    for b in r.blind:
        until = f"{b.end:%Y-%m-%d %H:%M:%S} UTC" if b.end else "the end of the period"
        out.append(
            f"{r.charger}: could not be seen from {b.start:%Y-%m-%d %H:%M:%S} UTC to {until}"
        )
    for o in r.overlaps:
        out.append(
            f"{r.charger} {o.bay}: sessions {o.first_session} and {o.second_session} "
            f"overlap by {o.seconds / 60:.0f} min"
        )
    for x in r.resets:
        what = "counter reset" if x.recorded else "counter went backwards (no reset recorded)"
        out.append(f"{r.charger} {x.bay}: {what} at {x.at:%Y-%m-%d %H:%M} UTC")
    return out
