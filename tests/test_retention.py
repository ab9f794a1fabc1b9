"""Downsampling old sessions' samples keeps the shape and the ends, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from stationmgr.store.models import Bay, Charger, ChargeSession, MeterSample
from stationmgr.store.queries import session_samples
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
        curve = session_samples(s, old)
        assert len(curve) == 7200 // 900 + 1  # one per 15-minute bucket; the last is kept
        assert curve[0][1] == 0 and curve[-1][1] == 7200  # ends kept
        n_new = s.scalar(select(func.count()).where(MeterSample.session_id == new))
        assert n_new == 361  # recent sessions untouched
    with any_db.session() as s:
        assert downsample(s, NOW, keep_raw_days=90, resolution_s=900) == 0  # idempotent


def test_downsampling_keeps_what_a_counter_restart_delivered(any_db) -> None:  # type: ignore[no-untyped-def]
    """A charger that restarts its counter mid-session (a reboot): the thinned curve still
    ends at the energy the session delivered, the rule every reader of the curve uses."""
    from stationmgr.store.queries import session_energy_curve

    start = NOW - timedelta(days=200)
    with any_db.session() as s:
        c = Charger(name="c", driver="inproc", port="inproc://c")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        s.flush()
        bay = s.scalar(select(Bay))
        row = ChargeSession(
            tx_uid="reboot",
            bay_id=bay.id,
            plugged_at=start,
            authorized_at=start,
            stopped_at=start + timedelta(seconds=7200),
            meter_start_wh=1000,
            meter_last_wh=3190,
            meter_stop_wh=3190,
            segment_start_wh=0,
            energy_wh=4000 + 3190,
        )
        s.add(row)
        s.flush()
        # 1000 Wh climbing 1 Wh/s for 4,000 s, then the counter restarts at 0 (at t=4010 s,
        # not on a 15-minute edge) and climbs to 2,190 Wh by the end.
        for t in range(0, 7201, 10):
            reg = 1000 + t if t <= 4000 else t - 4010
            s.add(
                MeterSample(
                    session_id=row.id, ts=start + timedelta(seconds=t), energy_wh=reg, power_w=3600
                )
            )
        sid = row.id
    with any_db.session() as s:
        before = session_energy_curve(s, sid)[-1].energy_wh
        assert downsample(s, NOW, keep_raw_days=90, resolution_s=900) > 0
    with any_db.session() as s:
        after = session_energy_curve(s, sid)
        assert len(after) < 20
        assert after[-1].energy_wh == before == 4000 + 3190
