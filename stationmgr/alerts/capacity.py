"""Capacity reports for a date range: how long bays are really occupied, and by whom.

``capacity_report(s, first_day, last_day)`` returns a ``CapacityReport`` for the local days
``first_day`` … ``last_day`` (both included, the site's time zone). Definitions, so the
numbers can be checked by hand:

- **Sessions in the period** are those plugged in during it; per-day counts and energy go by
  the local day of plug-in. Per-bay plugged / charging / idle time and the idle rankings sum
  the stored durations of those sessions (SQL-side ``SUM … GROUP BY``), and a bay's shares
  divide them by the period's length.
- **Occupancy heat-map**: for each weekday × local hour of day, the share of bay-time that a
  car was plugged in (0–1): plugged seconds falling in those hours (sessions clipped to the
  period; a running one counts up to ``now``) ÷ (bays × seconds of those hours in the period).
- **Typical duration**: the median plugged, charging and idle time of the period's finished
  sessions, by bay and by card group (guest starts and cards without a group as "no group").
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr.billing.site import site_tz
from stationmgr.clock import to_epoch
from stationmgr.errors import UserError
from stationmgr.store.models import Bay, CardGroup, ChargeSession

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_DAYS = 3660


@dataclass(frozen=True)
class BayUse:
    bay_id: int
    label: str
    sessions: int
    energy_wh: float
    plugged_s: int
    charging_s: int
    idle_s: int
    period_s: float

    def share(self, seconds: float) -> float:
        return seconds / self.period_s if self.period_s else 0.0

    @property
    def plugged_share(self) -> float:
        return self.share(self.plugged_s)

    @property
    def charging_share(self) -> float:
        return self.share(self.charging_s)

    @property
    def idle_share(self) -> float:
        return self.share(self.idle_s)


@dataclass(frozen=True)
class DayUse:
    day: date
    sessions: int
    energy_wh: float


@dataclass(frozen=True)
class Typical:
    name: str
    sessions: int
    plugged_s: float  # medians
    charging_s: float
    idle_s: float


@dataclass(frozen=True)
class IdleRank:
    name: str  # bay label, or card number with its holder
    sessions: int
    idle_s: int


@dataclass
class CapacityReport:
    first_day: date
    last_day: date
    tz: str
    start: datetime  # UTC
    end: datetime  # UTC, exclusive
    bays: list[BayUse] = field(default_factory=list)
    days: list[DayUse] = field(default_factory=list)
    heatmap: list[list[float]] = field(default_factory=list)  # [weekday][hour] 0..1
    by_bay: list[Typical] = field(default_factory=list)
    by_group: list[Typical] = field(default_factory=list)
    idle_bays: list[IdleRank] = field(default_factory=list)
    idle_cards: list[IdleRank] = field(default_factory=list)

    @property
    def sessions(self) -> int:
        return sum(d.sessions for d in self.days)

    @property
    def energy_wh(self) -> float:
        return sum(d.energy_wh for d in self.days)

    @property
    def period_s(self) -> float:
        return (self.end - self.start).total_seconds()


def local_bounds(first_day: date, last_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local days first … last (inclusive) as a UTC [start, end)."""
    if last_day < first_day:
        raise UserError("the period ends before it starts")
    if (last_day - first_day).days >= MAX_DAYS:
        raise UserError(f"a capacity report covers at most {MAX_DAYS} days")
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=tz)
    nxt = last_day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def capacity_report(
    s: Session,
    first_day: date,
    last_day: date,
    tz: ZoneInfo | None = None,
    now: float | None = None,
    top: int = 5,
) -> CapacityReport:
    tz = tz or site_tz(s)
    start, end = local_bounds(first_day, last_day, tz)
    rep = CapacityReport(first_day, last_day, str(tz.key), start, end)
    in_period = (ChargeSession.plugged_at >= start, ChargeSession.plugged_at < end)
    labels = dict(s.execute(select(Bay.id, Bay.label).order_by(Bay.label)).all())
    period_s = rep.period_s

    # Per bay: SQL-side sums over the period's sessions.
    sums = {
        r.bay_id: r
        for r in s.execute(
            select(
                ChargeSession.bay_id,
                func.count(ChargeSession.id).label("n"),
                func.coalesce(func.sum(ChargeSession.energy_wh), 0.0).label("wh"),
                func.coalesce(func.sum(ChargeSession.plugged_s), 0).label("plugged"),
                func.coalesce(func.sum(ChargeSession.charging_s), 0).label("charging"),
                func.coalesce(func.sum(ChargeSession.idle_s), 0).label("idle"),
            )
            .where(*in_period)
            .group_by(ChargeSession.bay_id)
        )
    }
    for bay_id, label in labels.items():
        r = sums.get(bay_id)
        rep.bays.append(
            BayUse(
                bay_id,
                label,
                int(r.n) if r else 0,
                float(r.wh) if r else 0.0,
                int(r.plugged) if r else 0,
                int(r.charging) if r else 0,
                int(r.idle) if r else 0,
                period_s,
            )
        )

    # Per local day: one indexed aggregate per day (DST-proof, any database).
    d = first_day
    while d <= last_day:
        d0, d1 = local_bounds(d, d, tz)
        n, wh = s.execute(
            select(
                func.count(ChargeSession.id), func.coalesce(func.sum(ChargeSession.energy_wh), 0.0)
            ).where(ChargeSession.plugged_at >= d0, ChargeSession.plugged_at < d1)
        ).one()
        rep.days.append(DayUse(d, int(n), float(wh)))
        d += timedelta(days=1)

    rep.heatmap = _heatmap(s, start, end, tz, len(labels), now)

    # Typical durations (medians of finished sessions), by bay and by card group.
    groups = dict(s.execute(select(CardGroup.id, CardGroup.name)).all())
    per_bay: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    per_group: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for bay_id, group_id, p, c, i in s.execute(
        select(
            ChargeSession.bay_id,
            ChargeSession.group_id,
            ChargeSession.plugged_s,
            ChargeSession.charging_s,
            ChargeSession.idle_s,
        ).where(*in_period, ChargeSession.stopped_at.is_not(None))
    ):
        row = (p or 0, c or 0, i or 0)
        per_bay[bay_id].append(row)
        per_group[groups.get(group_id, "no group") if group_id else "no group"].append(row)
    rep.by_bay = [_typical(labels[b], per_bay[b]) for b in labels if per_bay.get(b)]
    rep.by_group = [_typical(g, per_group[g]) for g in sorted(per_group)]

    # Most idle time: bays, and cards (SQL-side, ranked).
    idle_sum = func.coalesce(func.sum(ChargeSession.idle_s), 0)
    rep.idle_bays = [
        IdleRank(labels.get(b, str(b)), int(n), int(idle))
        for b, n, idle in s.execute(
            select(ChargeSession.bay_id, func.count(ChargeSession.id), idle_sum)
            .where(*in_period)
            .group_by(ChargeSession.bay_id)
            .having(idle_sum > 0)
            .order_by(idle_sum.desc(), ChargeSession.bay_id)
            .limit(top)
        )
    ]
    rep.idle_cards = [
        IdleRank(f"{uid} ({holder})" if holder else uid, int(n), int(idle))
        for uid, holder, n, idle in s.execute(
            select(
                ChargeSession.card_uid,
                func.max(ChargeSession.holder_name),
                func.count(ChargeSession.id),
                idle_sum,
            )
            .where(*in_period, ChargeSession.card_uid.is_not(None))
            .group_by(ChargeSession.card_uid)
            .having(idle_sum > 0)
            .order_by(idle_sum.desc(), ChargeSession.card_uid)
            .limit(top)
        )
    ]
    return rep


def _typical(name: str, rows: list[tuple[int, int, int]]) -> Typical:
    return Typical(
        name,
        len(rows),
        statistics.median(r[0] for r in rows),
        statistics.median(r[1] for r in rows),
        statistics.median(r[2] for r in rows),
    )


def _heatmap(
    s: Session, start: datetime, end: datetime, tz: ZoneInfo, n_bays: int, now: float | None
) -> list[list[float]]:
    """Weekday × hour occupancy share; intervals are split at local hour boundaries."""
    occupied = [[0.0] * 24 for _ in range(7)]
    available = [[0.0] * 24 for _ in range(7)]
    t0, t1 = to_epoch(start), to_epoch(end)
    for a, b in _hours(t0, t1, tz):
        wd, h = _slot(a, tz)
        available[wd][h] += (b - a) * n_bays
    q = select(ChargeSession.plugged_at, ChargeSession.stopped_at).where(
        ChargeSession.plugged_at < end,
        (ChargeSession.stopped_at.is_(None)) | (ChargeSession.stopped_at > start),
    )
    for plugged, stopped in s.execute(q):
        a = max(to_epoch(plugged), t0)
        if stopped is not None:
            b = to_epoch(stopped)
        elif now is not None:
            b = now
        else:
            continue
        b = min(b, t1)
        for x, y in _hours(a, b, tz):
            wd, h = _slot(x, tz)
            occupied[wd][h] += y - x
    return [
        [occupied[w][h] / available[w][h] if available[w][h] else 0.0 for h in range(24)]
        for w in range(7)
    ]


def _slot(t: float, tz: ZoneInfo) -> tuple[int, int]:
    d = datetime.fromtimestamp(t, tz)
    return d.weekday(), d.hour


def _hours(a: float, b: float, tz: ZoneInfo) -> list[tuple[float, float]]:
    """[a, b) cut at the site's local hour boundaries."""
    out = []
    t = a
    while t < b:
        hour_start = datetime.fromtimestamp(t, tz).replace(minute=0, second=0, microsecond=0)
        y = min(b, hour_start.timestamp() + 3600.0)  # real seconds: DST-proof
        out.append((t, y))
        t = y
    return out
