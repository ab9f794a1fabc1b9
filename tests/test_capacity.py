"""Capacity figures against a small data set computed by hand (see the comments)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from stationmgr.alerts.capacity import capacity_report, local_bounds
from stationmgr.cards import CardInput, add_card
from stationmgr.errors import UserError
from stationmgr.settings import set_setting
from stationmgr.store.models import Bay, Charger, ChargeSession

MON, TUE = date(2026, 3, 2), date(2026, 3, 3)
PERIOD_S = 2 * 86_400


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=UTC)


def add(s, tx, bay, card, group_id, plugged, stopped, charge_end, wh):  # type: ignore[no-untyped-def]
    """A session charging from plug-in to `charge_end`, idle until `stopped`."""
    row = ChargeSession(
        tx_uid=tx,
        bay_id=bay.id,
        card_id=card.id if card else None,
        card_uid=card.uid if card else None,
        holder_name=card.holder.name if card else "Guest",
        group_id=group_id,
        start_kind="card" if card else "guest",
        plugged_at=plugged,
        authorized_at=plugged,
        charging_started_at=plugged,
        charging_ended_at=charge_end,
        stopped_at=stopped,
        meter_start_wh=0,
        meter_last_wh=wh,
        segment_start_wh=0,
        energy_wh=wh,
        stop_reason="EVDisconnected" if stopped else None,
    )
    if stopped is not None:
        row.plugged_s = round((stopped - plugged).total_seconds())
        row.charging_s = round((charge_end - plugged).total_seconds())
        row.idle_s = round((stopped - charge_end).total_seconds())
        row.waiting_s = 0
    s.add(row)


def build_hand_set(db):  # type: ignore[no-untyped-def]
    """The small data set the expected figures below were computed from by hand."""
    with db.session() as s:
        set_setting(s, "timezone", "UTC")
        c = Charger(name="c", driver="inproc", port="inproc://c")
        s.add(c)
        s.flush()
        p1 = Bay(charger_id=c.id, connector=1, label="P1")
        p2 = Bay(charger_id=c.id, connector=2, label="P2")
        s.add_all([p1, p2])
        ann = add_card(s, CardInput(uid="04AA0001", holder="Ann", group="Staff"))
        bob = add_card(s, CardInput(uid="04BB0002", holder="Bob"))
        s.flush()
        staff = ann.group_id
        # S5: Sunday night into Monday: outside the sums, 00:00–00:30 Monday in the map.
        add(s, "S5", p1, bob, None, at(1, 22), at(2, 0, 30), at(1, 23), 4_000)
        # S1: P1 Ann, Mon 08:00–10:00, charging until 09:00.      7200 / 3600 / 3600
        add(s, "S1", p1, ann, staff, at(2, 8), at(2, 10), at(2, 9), 10_000)
        # S2: P1 Bob, Mon 10:30–11:00, charging until 10:50.      1800 / 1200 / 600
        add(s, "S2", p1, bob, None, at(2, 10, 30), at(2, 11), at(2, 10, 50), 3_000)
        # S3: P2 Ann, Mon 09:30–12:30, charging until 11:30.     10800 / 7200 / 3600
        add(s, "S3", p2, ann, staff, at(2, 9, 30), at(2, 12, 30), at(2, 11, 30), 14_000)
        # S4: P2 guest, Tue 23:00–Wed 01:00, charging until 00:00. 7200 / 3600 / 3600
        add(s, "S4", p2, None, None, at(3, 23), at(4, 1), at(4, 0), 5_000)
        # S6: P2 Ann, plugged Tue 10:00 and still running (1000 Wh so far).
        add(s, "S6", p2, ann, staff, at(3, 10), None, None, 1_000)
    return db


@pytest.fixture
def site(any_db):  # type: ignore[no-untyped-def]
    """The hand-computed set, on SQLite and (when a server is available) PostgreSQL."""
    return build_hand_set(any_db)


def test_report_numbers_match_the_hand_computed_set(site) -> None:  # type: ignore[no-untyped-def]
    now = at(3, 10, 45).timestamp()
    with site.session() as s:
        rep = capacity_report(s, MON, TUE, now=now)

    # Sessions and energy per day (by day of plug-in).
    assert [(d.day, d.sessions, d.energy_wh) for d in rep.days] == [
        (MON, 3, 27_000.0),  # S1 + S2 + S3
        (TUE, 2, 6_000.0),  # S4 + S6
    ]
    assert rep.sessions == 5 and rep.energy_wh == 33_000.0

    # Per bay: sums of the period's sessions and their shares of the 48 h period.
    p1, p2 = rep.bays
    assert (p1.label, p1.sessions, p1.energy_wh) == ("P1", 2, 13_000.0)
    assert (p1.plugged_s, p1.charging_s, p1.idle_s) == (9_000, 4_800, 4_200)
    assert p1.plugged_share == pytest.approx(9_000 / PERIOD_S)
    assert p1.idle_share == pytest.approx(4_200 / PERIOD_S)
    assert (p2.label, p2.sessions, p2.energy_wh) == ("P2", 3, 20_000.0)
    assert (p2.plugged_s, p2.charging_s, p2.idle_s) == (18_000, 10_800, 7_200)
    assert p2.charging_share == pytest.approx(10_800 / PERIOD_S)

    # Heat-map: each Monday / Tuesday hour offers 2 bays × 3600 s = 7200 bay-seconds.
    hm = rep.heatmap
    expected_mon = {0: 0.25, 8: 0.5, 9: 0.75, 10: 0.75, 11: 0.5, 12: 0.25}
    assert {h: v for h, v in enumerate(hm[0]) if v} == pytest.approx(expected_mon)
    # Tuesday: S6 10:00–10:45 (running, up to now) and S4 23:00–24:00 (clipped).
    assert {h: v for h, v in enumerate(hm[1]) if v} == pytest.approx({10: 0.375, 23: 0.5})
    assert all(v == 0 for row in hm[2:] for v in row)

    # Typical (median) durations of finished sessions.
    assert [(t.name, t.sessions, t.plugged_s, t.charging_s, t.idle_s) for t in rep.by_bay] == [
        ("P1", 2, 4_500, 2_400, 2_100),
        ("P2", 2, 9_000, 5_400, 3_600),
    ]
    assert [(t.name, t.sessions, t.plugged_s, t.charging_s, t.idle_s) for t in rep.by_group] == [
        ("Staff", 2, 9_000, 5_400, 3_600),
        ("no group", 2, 4_500, 2_400, 2_100),  # Bob's S2 and the guest's S4
    ]

    # Most idle time.
    assert [(r.name, r.sessions, r.idle_s) for r in rep.idle_bays] == [
        ("P2", 3, 7_200),
        ("P1", 2, 4_200),
    ]
    assert [(r.name, r.sessions, r.idle_s) for r in rep.idle_cards] == [
        ("04AA0001 (Ann)", 3, 7_200),
        ("04BB0002 (Bob)", 1, 600),
    ]


def test_local_days_follow_the_site_time_zone(site) -> None:  # type: ignore[no-untyped-def]
    # Stockholm is UTC+1 in early March: Monday runs Sun 23:00 – Mon 23:00 UTC.
    with site.session() as s:
        rep = capacity_report(s, MON, TUE, tz=ZoneInfo("Europe/Stockholm"))
    hm = rep.heatmap
    assert hm[0][0] == pytest.approx(0.5)  # S5, 23:00–00:30 UTC = 00:00–01:30 local
    assert hm[0][1] == pytest.approx(0.25)
    assert hm[0][9] == pytest.approx(0.5)  # S1 08:00 UTC = 09:00 local
    # S4 starts at 00:00 local Wednesday: outside the period.
    assert [d.sessions for d in rep.days] == [3, 1]
    assert hm[1][23] == 0


def test_bad_periods() -> None:
    with pytest.raises(UserError, match="ends before"):
        local_bounds(TUE, MON, ZoneInfo("UTC"))
    with pytest.raises(UserError, match="at most"):
        local_bounds(date(2000, 1, 1), date(2030, 1, 1), ZoneInfo("UTC"))
