"""Downsampling old sessions' samples keeps the shape and the ends, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from stationmgr.store.models import Bay, Charger, ChargeSession, MeterSample
from stationmgr.store.queries import session_curve
from stationmgr.store.retention import downsample

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _session(s, uid: str, start: datetime, seconds: int, step: int = 10) -> int:  # type: ignore[no-untyped-def]
    bay = s.scalar(select(Bay))
    row = ChargeSession(
        tx_uid=uid,
        bay_id=bay.id,
        plugged_at=start,
        authorized_at=start,
        stopped_at=start + timedelta(seconds=seconds),
        meter_start_wh=0,
        meter_last_wh=seconds,
        meter_stop_wh=seconds,
        segment_start_wh=0,
        energy_wh=seconds,
    )
    s.add(row)
    s.flush()
    for t in range(0, seconds + 1, step):
        s.add(
            MeterSample(
                session_id=row.id, ts=start + timedelta(seconds=t), energy_wh=t, power_w=3600
            )
        )
    return row.id


def test_downsample_old_sessions_only(any_db) -> None:  # type: ignore[no-untyped-def]
    with any_db.session() as s:
        c = Charger(name="c", driver="inproc", port="inproc://c")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        s.flush()
        old = _session(s, "old", NOW - timedelta(days=200), 7205)
        new = _session(s, "new", NOW - timedelta(days=1), 3600)
    with any_db.session() as s:
        deleted = downsample(s, NOW, keep_raw_days=90, resolution_s=900)
    assert deleted > 0
    with any_db.session() as s:
        curve = session_curve(s, old)
        assert len(curve) == 7200 // 900 + 1  # one per 15-minute bucket; the last is kept
        assert curve[0][1] == 0 and curve[-1][1] == 7200  # ends kept
        n_new = s.scalar(select(func.count()).where(MeterSample.session_id == new))
        assert n_new == 361  # recent sessions untouched
    with any_db.session() as s:
        assert downsample(s, NOW, keep_raw_days=90, resolution_s=900) == 0  # idempotent
