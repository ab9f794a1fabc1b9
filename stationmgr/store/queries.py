"""Read queries shared by the CLI, the GUI and reports (indexed, paged)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from stationmgr.clock import to_epoch
from stationmgr.store.models import Bay, CardHolder, ChargeSession, MeterSample


@dataclass(frozen=True)
class SessionFilter:
    """History filters; every field optional. `since`/`until` bound the plug-in time."""

    since: datetime | None = None
    until: datetime | None = None
    bay_id: int | None = None
    card_id: int | None = None
    holder_id: int | None = None
    holder_name: str | None = None
    stop_reason: str | None = None
    open_only: bool = False


def _where(q: Select, f: SessionFilter) -> Select:  # type: ignore[type-arg]
    if f.since is not None:
        q = q.where(ChargeSession.plugged_at >= f.since)
    if f.until is not None:
        q = q.where(ChargeSession.plugged_at < f.until)
    if f.bay_id is not None:
        q = q.where(ChargeSession.bay_id == f.bay_id)
    if f.card_id is not None:
        q = q.where(ChargeSession.card_id == f.card_id)
    if f.holder_id is not None:
        q = q.where(ChargeSession.holder_id == f.holder_id)
    if f.holder_name:
        # Resolve the name among holders first (a small table), so the session query stays
        # on the (holder_id, plugged_at) index.
        like = f"%{f.holder_name}%"
        ids = select(CardHolder.id).where(CardHolder.name.ilike(like)).scalar_subquery()
        q = q.where(ChargeSession.holder_id.in_(ids))
    if f.stop_reason:
        q = q.where(ChargeSession.stop_reason == f.stop_reason)
    if f.open_only:
        q = q.where(ChargeSession.stopped_at.is_(None))
    return q


# Columns the history may be sorted by (plug-in time uses its index; others sort per page).
SORT_COLUMNS = {
    "plugged_at": ChargeSession.plugged_at,
    "stopped_at": ChargeSession.stopped_at,
    "bay": ChargeSession.bay_id,
    "card": ChargeSession.card_uid,
    "holder": ChargeSession.holder_name,
    "energy": ChargeSession.energy_wh,
    "plugged_s": ChargeSession.plugged_s,
    "charging_s": ChargeSession.charging_s,
    "idle_s": ChargeSession.idle_s,
    "stop_reason": ChargeSession.stop_reason,
}


def list_sessions(
    s: Session,
    f: SessionFilter,
    offset: int = 0,
    limit: int = 100,
    newest_first: bool = True,
    sort: str = "plugged_at",
) -> list[ChargeSession]:
    """One page of sessions, newest plug-in first (uses the plugged_at indexes); `sort`
    names another column of SORT_COLUMNS (`newest_first` then means descending)."""
    q = _where(select(ChargeSession), f)
    col = SORT_COLUMNS[sort]
    order = col.desc() if newest_first else col
    q = q.order_by(order, ChargeSession.id.desc()).offset(offset).limit(limit)
    return list(s.scalars(q))


def count_sessions(s: Session, f: SessionFilter) -> int:
    return s.scalar(_where(select(func.count(ChargeSession.id)), f)) or 0


@dataclass(frozen=True)
class Totals:
    sessions: int
    energy_wh: float
    plugged_s: int
    charging_s: int
    idle_s: int


def session_totals(s: Session, f: SessionFilter) -> Totals:
    q = _where(
        select(
            func.count(ChargeSession.id),
            func.coalesce(func.sum(ChargeSession.energy_wh), 0.0),
            func.coalesce(func.sum(ChargeSession.plugged_s), 0),
            func.coalesce(func.sum(ChargeSession.charging_s), 0),
            func.coalesce(func.sum(ChargeSession.idle_s), 0),
        ),
        f,
    )
    n, e, p, c, i = s.execute(q).one()
    return Totals(int(n), float(e), int(p), int(c), int(i))


def session_samples(s: Session, session_id: int) -> list[tuple[datetime, int, int | None]]:
    """(time, the charger's energy register Wh, power W) of one session, in time order: the
    raw stored samples. For energy delivered use `session_energy_curve`."""
    q = (
        select(MeterSample.ts, MeterSample.energy_wh, MeterSample.power_w)
        .where(MeterSample.session_id == session_id)
        .order_by(MeterSample.ts)
    )
    return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]


@dataclass(frozen=True)
class CurvePoint:
    """One stored sample as energy delivered: `at` epoch seconds, `energy_wh` since plug-in."""

    at: float
    energy_wh: float
    power_w: int | None


def energy_curve(
    samples: Iterable[tuple[datetime, float, int | None]], meter_start_wh: float
) -> list[CurvePoint]:
    """Energy delivered so far at each sample, counting on across counter restarts.

    A charger's register may restart mid-session (a reboot; Heidelberg's `power_on` energy
    register): a reading below the previous one (by more than rounding) starts a new
    segment, and what the old segment delivered is kept, the rule `sessions._observe` uses
    for the stored `energy_wh`. Pure: the one definition every reader shares."""
    pts: list[CurvePoint] = []
    base = 0.0
    seg_start = float(meter_start_wh)
    last: float | None = None
    for ts, reg, power in samples:
        if last is not None and reg < last - 0.5:
            base += last - seg_start
            seg_start = reg
        last = reg
        pts.append(CurvePoint(to_epoch(ts), max(0.0, base + reg - seg_start), power))
    return pts


def session_energy_curve(s: Session, session_id: int) -> list[CurvePoint]:
    """One session's stored samples as energy delivered (reset-aware): what pricing, the
    receipt, the history detail and the board's day curve all read."""
    start = s.scalar(select(ChargeSession.meter_start_wh).where(ChargeSession.id == session_id))
    if start is None:
        return []
    return energy_curve(session_samples(s, session_id), start)


def bay_labels(s: Session) -> dict[int, str]:
    return dict(s.execute(select(Bay.id, Bay.label)).all())  # type: ignore[arg-type]


def bay_samples_since(
    s: Session, bay_id: int, since: datetime
) -> list[tuple[int, datetime, int, int | None, float]]:
    """(session id, time, energy register Wh, power W, the session's meter start Wh) of every
    sample on one bay since `since`, in time order (a bay's curve over the day)."""
    q = (
        select(
            MeterSample.session_id,
            MeterSample.ts,
            MeterSample.energy_wh,
            MeterSample.power_w,
            ChargeSession.meter_start_wh,
        )
        .join(ChargeSession, ChargeSession.id == MeterSample.session_id)
        .where(ChargeSession.bay_id == bay_id, MeterSample.ts >= since)
        .order_by(MeterSample.ts)
    )
    return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]


def site_samples_since(s: Session, since: datetime) -> list[tuple[int, datetime, int | None]]:
    """(bay id, time, power W) of every sample on the site since `since`, in time order."""
    q = (
        select(ChargeSession.bay_id, MeterSample.ts, MeterSample.power_w)
        .join(ChargeSession, ChargeSession.id == MeterSample.session_id)
        .where(
            or_(ChargeSession.stopped_at.is_(None), ChargeSession.stopped_at >= since),
            MeterSample.ts >= since,
        )
        .order_by(MeterSample.ts)
    )
    return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) in UTC."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def totals_by_bay(s: Session, f: SessionFilter) -> dict[int, Totals]:
    """Totals per bay under a filter (one grouped query)."""
    q = _where(
        select(
            ChargeSession.bay_id,
            func.count(ChargeSession.id),
            func.coalesce(func.sum(ChargeSession.energy_wh), 0.0),
            func.coalesce(func.sum(ChargeSession.plugged_s), 0),
            func.coalesce(func.sum(ChargeSession.charging_s), 0),
            func.coalesce(func.sum(ChargeSession.idle_s), 0),
        ),
        f,
    ).group_by(ChargeSession.bay_id)
    return {
        b: Totals(int(n), float(e), int(p), int(c), int(i)) for b, n, e, p, c, i in s.execute(q)
    }
