"""The board's day curves from stored samples: one bay's power and energy, every bay's power.

Energy comes from `queries.energy_curve` (reset-aware), so a charger whose counter restarts
mid-session draws the same energy here as on the receipt and in the history detail. Plain
lists out (no ORM rows, no numpy): the board turns them into arrays for pyqtgraph.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from stationmgr.clock import to_datetime, to_epoch
from stationmgr.store import queries
from stationmgr.store.db import Database
from stationmgr.store.models import ChargeSession, MeterSample


@dataclass(frozen=True)
class SessionTrace:
    """One session's samples since the start of the day: epoch s, W (None: not read), Wh."""

    session_id: int
    at: tuple[float, ...]
    power_w: tuple[int | None, ...]
    energy_wh: tuple[float, ...]


def bay_day(db: Database, bay_id: int, since: float) -> list[SessionTrace]:
    """Every session on `bay_id` with samples since `since`, in time order. Each session is
    folded from its first sample (a restart before `since` still counts), then cut."""
    cut = to_datetime(since)
    with db.session() as s:
        sids = list(
            s.scalars(
                select(ChargeSession.id)
                .where(ChargeSession.bay_id == bay_id)
                .where(
                    select(MeterSample.id)
                    .where(MeterSample.session_id == ChargeSession.id, MeterSample.ts >= cut)
                    .exists()
                )
                .order_by(ChargeSession.plugged_at)
            )
        )
        curves = [(sid, queries.session_energy_curve(s, sid)) for sid in sids]
    out = []
    for sid, pts in curves:
        pts = [p for p in pts if p.at >= since]
        if pts:
            out.append(
                SessionTrace(
                    sid,
                    tuple(p.at for p in pts),
                    tuple(p.power_w for p in pts),
                    tuple(p.energy_wh for p in pts),
                )
            )
    return out


def site_power(db: Database, since: float) -> dict[int, list[tuple[float, int | None]]]:
    """Per bay, (epoch s, W) of every sample since `since` of sessions open since then,
    and 0 W where each of them stopped: a curve that holds the last sample until the next
    must not draw a stopped session's power on until the bay's next car."""
    cut = to_datetime(since)
    with db.session() as s:
        rows = queries.site_samples_since(s, cut)
        stops = s.execute(
            select(ChargeSession.bay_id, ChargeSession.stopped_at).where(
                ChargeSession.stopped_at >= cut
            )
        ).all()
    by_bay: dict[int, list[tuple[float, int | None]]] = {}
    for bay_id, ts, power in rows:
        by_bay.setdefault(bay_id, []).append((to_epoch(ts), power))
    for bay_id, stopped in stops:
        if bay_id in by_bay:
            by_bay[bay_id].append((to_epoch(stopped), 0))
    for pts in by_bay.values():
        pts.sort(key=lambda p: p[0])
    return by_bay
