"""The demo site (core, no Qt): what it writes, and that its scenario moves the site,
its two OCPP charge points included (simulated on the `ocpp` package's ChargePoint,
connected to the demo's own OCPP endpoint on loopback)."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from stationmgr.demo import DEMO_CARDS, build_site, run_headless, running_demo
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, Charger, ChargeSession, MeterSample
from tests.helpers.wait import wait_until

BAY_LABELS = [f"P{i}" for i in range(1, 8)] + ["O1", "O2"]


def test_site_has_nine_bays_two_of_them_ocpp_cards_and_history(sqlite_db: Database) -> None:
    site = build_site(sqlite_db, history_days=3, now=time.time())
    try:
        assert [b.label for b in site.bays] == BAY_LABELS
        with sqlite_db.session() as s:
            assert s.scalar(select(func.count(Bay.id))) == 9
            chargers = list(s.scalars(select(Charger).order_by(Charger.id)))
            assert [c.address for c in chargers[4:7]] == [1, 2, 3]  # the boxes on one bus
            ocpp = [(c.driver, c.settings["charge_point_id"]) for c in chargers[7:]]
            assert ocpp == [("ocpp", "DEMO-OCPP-1"), ("ocpp", "DEMO-OCPP-2")]
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
    assert summary.bays == 9
    assert summary.sessions_started >= 4
    assert summary.energy_kwh > 0
    assert "in-process" in summary.text()


def test_the_ocpp_charge_points_book_sessions_with_meter_values_over_ocpp(
    sqlite_db: Database,
) -> None:
    """Plug in, authorise, MeterValues, stop: an `ocpp-<transactionId>` session per OCPP
    bay, closed with the charger's meterStop and its samples stored."""
    with running_demo(sqlite_db, speed=300.0, history_days=0, virtual="inproc") as (rt, site):
        assert rt.engine.bays  # the site runs
        ocpp_bays = {b.bay_id for b in site.bays if b.label.startswith("O")}

        def closed_ocpp_sessions() -> list[tuple[int, float, int]] | None:
            with sqlite_db.session() as s:
                rows = s.execute(
                    select(
                        ChargeSession.bay_id, ChargeSession.energy_wh, func.count(MeterSample.id)
                    )
                    .join(MeterSample, MeterSample.session_id == ChargeSession.id)
                    .where(
                        ChargeSession.tx_uid.like("ocpp-%"), ChargeSession.stopped_at.is_not(None)
                    )
                    .group_by(ChargeSession.id)
                ).all()
            got = [(int(b), float(e or 0), int(n)) for b, e, n in rows]
            return got if {b for b, _e, _n in got} == ocpp_bays else None

        done = wait_until(closed_ocpp_sessions, 240, "a closed OCPP session on each OCPP bay")
    assert all(energy > 0 and samples >= 2 for _b, energy, samples in done), done
