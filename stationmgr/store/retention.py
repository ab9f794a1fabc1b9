"""Keep five years of curves without keeping five years of 10-second samples.

Sessions that ended more than `keep_raw_days` ago keep their first and last sample, one
sample per `resolution_s` bucket, and both samples around every counter restart (the last
reading before it and the first after: without them the reset-aware curve loses what the
old segment delivered since its kept sample); the rest is deleted. Energy is never lost (it
lives on the session row, from the charger's own counter) and the downsampled curve keeps
its shape and its end.
Safe to run repeatedly; the engine runs it in its writer thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from stationmgr.store.models import ChargeSession, MeterSample, UTCDateTime

DEFAULT_KEEP_RAW_DAYS = 90
DEFAULT_RESOLUTION_S = 900


def downsample(
    s: Session,
    now: datetime,
    keep_raw_days: int = DEFAULT_KEEP_RAW_DAYS,
    resolution_s: int = DEFAULT_RESOLUTION_S,
    batch: int = 500,
) -> int:
    """Thin the samples of sessions that stopped before `now - keep_raw_days`; returns the
    number of samples deleted. Works on SQLite and PostgreSQL (integer time buckets)."""
    if resolution_s <= 0 or keep_raw_days < 0:
        raise ValueError("resolution and retention must be positive")
    cutoff = now - timedelta(days=keep_raw_days)
    bucket_ms = resolution_s * 1000
    ts = MeterSample.ts.cast(UTCDateTime().impl)  # the stored integer milliseconds
    deleted = 0
    # Sessions whose samples are still denser than the resolution.
    dense = (
        select(MeterSample.session_id)
        .join(ChargeSession, ChargeSession.id == MeterSample.session_id)
        .where(ChargeSession.stopped_at.is_not(None), ChargeSession.stopped_at < cutoff)
        .group_by(MeterSample.session_id)
        .having(func.count(MeterSample.id) > (func.max(ts) - func.min(ts)) / bucket_ms + 2)
        .limit(batch)
    )
    while True:
        ids = list(s.scalars(dense))
        if not ids:
            return deleted
        bucket = ts // bucket_ms
        keep = (
            select(func.min(MeterSample.id))
            .where(MeterSample.session_id.in_(ids))
            .group_by(MeterSample.session_id, bucket)
            .union(
                select(func.max(MeterSample.id))
                .where(MeterSample.session_id.in_(ids))
                .group_by(MeterSample.session_id)
            )
        )
        keep_ids = set(s.scalars(keep)) | _restart_edges(s, ids)
        doomed = list(
            s.scalars(
                select(MeterSample.id).where(
                    MeterSample.session_id.in_(ids), MeterSample.id.not_in(keep_ids)
                )
            )
        )
        for i in range(0, len(doomed), 5000):
            s.execute(delete(MeterSample).where(MeterSample.id.in_(doomed[i : i + 5000])))
        deleted += len(doomed)
        s.flush()
        if not doomed:
            return deleted


def _restart_edges(s: Session, session_ids: list[int]) -> set[int]:
    """The samples on both sides of each counter restart in these sessions (a reading below
    the previous one by more than rounding: `store.queries.energy_curve`'s rule)."""
    q = (
        select(MeterSample.session_id, MeterSample.id, MeterSample.energy_wh)
        .where(MeterSample.session_id.in_(session_ids))
        .order_by(MeterSample.session_id, MeterSample.ts, MeterSample.id)
    )
    edges: set[int] = set()
    prev: tuple[int, int, float] | None = None
    for sid, mid, reg in s.execute(q):
        if prev is not None and prev[0] == sid and reg < prev[2] - 0.5:
            edges.update((prev[1], mid))
        prev = (sid, mid, float(reg))
    return edges
