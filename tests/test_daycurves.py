"""The site's power curve drops to 0 where a session stopped (the review saw 7.4 kW drawn
for 8 minutes after two stops: the last sample was held until the bay's next car)."""

from __future__ import annotations

from stationmgr import daycurves
from stationmgr.clock import to_datetime
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession, MeterSample

T0 = 1_800_000_000.0


def test_a_stopped_session_draws_no_power_after_its_stop(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        c = Charger(name="c1", driver="inproc", port="inproc://c1")
        s.add(c)
        s.flush()
        bay = Bay(charger_id=c.id, connector=1, label="P1")
        s.add(bay)
        s.flush()
        tx = ChargeSession(
            tx_uid="t1",
            bay_id=bay.id,
            start_kind="card",
            plugged_at=to_datetime(T0),
            authorized_at=to_datetime(T0),
            stopped_at=to_datetime(T0 + 700),
            meter_start_wh=0.0,
            meter_stop_wh=1_400.0,
            meter_last_wh=1_400.0,
            segment_start_wh=0.0,
            last_seen_at=to_datetime(T0 + 700),
        )
        s.add(tx)
        s.flush()
        for k, w in enumerate((7_400, 7_400, 7_400)):
            s.add(
                MeterSample(
                    session_id=tx.id, ts=to_datetime(T0 + 300 * k), energy_wh=600.0 * k, power_w=w
                )
            )
        bay_id = bay.id
    pts = daycurves.site_power(sqlite_db, T0 - 60)[bay_id]
    assert pts[-1] == (T0 + 700, 0)  # the stop: no power from here on
    assert [w for _t, w in pts[:-1]] == [7_400, 7_400, 7_400]
