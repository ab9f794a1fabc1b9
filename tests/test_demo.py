"""The demo site (core, no Qt): what it writes, and that its scenario moves the site."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from stationmgr.demo import DEMO_CARDS, build_site, run_headless
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, Charger, ChargeSession, MeterSample


def test_site_has_seven_bays_cards_and_history(sqlite_db: Database) -> None:
    site = build_site(sqlite_db, history_days=3, now=time.time())
    try:
        assert [b.label for b in site.bays] == [f"P{i}" for i in range(1, 8)]
        with sqlite_db.session() as s:
            assert s.scalar(select(func.count(Bay.id))) == 7
            drivers = [c.address for c in s.scalars(select(Charger).order_by(Charger.id))]
            assert drivers[4:] == [1, 2, 3]  # the three boxes on one bus
            assert s.scalar(select(func.count(Card.id))) == len(DEMO_CARDS)
            n = s.scalar(select(func.count(ChargeSession.id))) or 0
            assert n > 7
            assert (s.scalar(select(func.count(MeterSample.id))) or 0) > n
            durations = s.execute(
                select(
                    ChargeSession.plugged_s,
                    ChargeSession.waiting_s,
                    ChargeSession.charging_s,
                    ChargeSession.idle_s,
                )
            ).all()
            assert all(p == w + c + i for p, w, c, i in durations)
            # Each session carries its card's group, as a tap would record it.
            card_groups = dict(s.execute(select(Card.uid, Card.group_id)).all())
            rows = s.execute(select(ChargeSession.card_uid, ChargeSession.group_id)).all()
            assert all(g == card_groups[uid] for uid, g in rows)
            assert any(g is not None for _uid, g in rows)
        # built again on the same database: reused, nothing doubled
        again = build_site(sqlite_db, history_days=3)
        again.close()
        with sqlite_db.session() as s:
            assert s.scalar(select(func.count(ChargeSession.id))) == n
    finally:
        site.close()


def test_headless_run_starts_sessions_in_process(sqlite_db: Database) -> None:
    summary = run_headless(sqlite_db, speed=60.0, duration_s=3.0, virtual="inproc")
    assert summary.bays == 7
    assert summary.sessions_started >= 4
    assert summary.energy_kwh > 0
    assert "in-process" in summary.text()
