"""The expected-end estimator and the rotation hint (pure), and history read from SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stationmgr.alerts.estimator import (
    DEFAULT,
    Estimate,
    HistorySummary,
    PastSession,
    SessionProgress,
    blend,
    estimate_end,
    naive_end,
    rotation_hint,
    summarize,
)
from stationmgr.alerts.history import bay_history, card_history
from tests.alerts_site import add_history, build_site

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC
H = 3600.0


def test_summarize_medians_deviations_and_power() -> None:
    rows = [
        PastSession(10_000, 4 * H, 1 * H, 2 * H),  # 10 kW
        PastSession(14_000, 5 * H, 2 * H, 2.5 * H),  # 7 kW
        PastSession(30_000, 50 * H, 3 * H, 46 * H),  # a forgotten car: 10 kW
    ]
    h = summarize(rows)
    assert h.n == 3
    assert h.energy_wh == 14_000
    assert h.plugged_s == 5 * H  # the median ignores the weekend stay
    assert h.idle_s == 2.5 * H
    assert h.plugged_mad_s == 1 * H  # |4-5|, |5-5|, |50-5| → median 1 h
    assert h.idle_mad_s == 0.5 * H
    assert h.power_w == pytest.approx(10_000)
    assert summarize([]) == HistorySummary()


def test_no_history_at_all_uses_site_defaults() -> None:
    p = SessionProgress(plugged_at=T0, now=T0 + 60, energy_wh=0.0, power_w=7_000)
    e = estimate_end(p)
    assert e.basis == "default"
    # The default visit (2 h); charging: the default 15 kWh at the power now (7 kW).
    charge = T0 + 60 + 15_000 / 7_000 * H
    assert e.charge_end_at == pytest.approx(charge)
    assert e.end_at == T0 + DEFAULT.plugged_s
    assert e.latest_at == pytest.approx(charge)  # what an overrun is measured against


def test_falls_back_to_the_bays_typical_session() -> None:
    bay = HistorySummary(3, 8_000, 3 * H, 1 * H, 600, 1_800, 8_000)
    p = SessionProgress(plugged_at=T0, now=T0 + 600, energy_wh=1_000, power_w=8_000)
    e = estimate_end(p, card=HistorySummary(), bay=bay)
    assert e.basis == "bay" and e.model == "typical"
    assert e.end_at == pytest.approx(T0 + 3 * H) == naive_end(p, bay)


def test_a_driver_who_leaves_when_full() -> None:
    # Plugged times vary a lot, idle after charging hardly: leaves ~20 min after full.
    card = HistorySummary(10, 20_000, 4 * H, 1_200, 1.5 * H, 120, 10_000)
    bay = HistorySummary(40, 20_000, 4 * H, 1_200, 1.5 * H, 120, 10_000)
    p = SessionProgress(plugged_at=T0, now=T0 + 1_800, energy_wh=5_000, power_w=11_000)
    e = estimate_end(p, card, bay)
    assert e.model == "full" and e.basis == "card"
    charge_end = T0 + 1_800 + 15_000 / 11_000 * H  # power now, not the history's
    assert e.charge_end_at == pytest.approx(charge_end)
    assert e.end_at == pytest.approx(charge_end + 1_200)
    assert e.remaining_s(T0 + 1_800) == pytest.approx(e.end_at - T0 - 1_800)


def test_finished_charging_counts_idle_from_the_last_flow() -> None:
    card = HistorySummary(10, 20_000, 4 * H, 1_200, 1.5 * H, 120, 10_000)
    p = SessionProgress(
        plugged_at=T0,
        now=T0 + 2 * H,
        energy_wh=18_000,
        charging_ended_at=T0 + 1.9 * H,
        finished=True,
    )
    e = estimate_end(p, card, card)
    assert e.charge_end_at == T0 + 1.9 * H
    assert e.end_at == pytest.approx(T0 + 1.9 * H + 1_200)
    assert e.energy_wh == 18_000


def test_more_energy_than_usual_expects_a_tail_and_never_ends_in_the_past() -> None:
    card = HistorySummary(10, 10_000, 2 * H, 600, 1 * H, 60, 10_000)
    p = SessionProgress(plugged_at=T0, now=T0 + 3 * H, energy_wh=12_000, power_w=3_000)
    e = estimate_end(p, card, card)
    assert e.energy_wh == pytest.approx(12_000 + 0.15 * 10_000)
    assert e.charge_end_at == pytest.approx(T0 + 3 * H + 1_500 / 3_000 * H)
    assert e.end_at >= p.now
    # Not drawing now (paused): the history's charging power is used instead.
    paused = SessionProgress(plugged_at=T0, now=T0 + 60, energy_wh=0, power_w=0)
    assert estimate_end(paused, card, card).charge_end_at == pytest.approx(T0 + 60 + H)


def test_blend_pulls_a_short_history_towards_the_bay() -> None:
    card = HistorySummary(1, 10_000, 2 * H, 0, 0, 0, 10_000)
    bay = HistorySummary(50, 40_000, 5 * H, 0, 0, 0, 4_000)
    b = blend(card, bay)  # one visit weighs a third
    assert b.energy_wh == pytest.approx(30_000) and b.plugged_s == pytest.approx(4 * H)
    assert b.power_w == pytest.approx(6_000)
    three = HistorySummary(3, 10_000, 2 * H, 0, 0, 0, 10_000)
    assert blend(three, bay).energy_wh == 10_000  # three visits: the card's own habit
    assert blend(None, bay) is bay


def test_rotation_hint_free_bays_first_then_soonest() -> None:
    def est(end: float) -> Estimate:
        return Estimate(end, end, 0, "card", "full")

    now = T0
    hint = rotation_hint(
        [
            (1, "P1", est(now + 3_600), True),
            (2, "P2", est(now + 600), True),
            (3, "P3", None, False),  # faulted: never suggested
            (4, "P4", None, True),  # free now
            (5, "P5", est(now - 60), True),  # overdue: "now", after the free one
        ],
        now,
        limit=3,
    )
    assert [(f.label, f.free_now) for f in hint] == [("P4", True), ("P5", False), ("P2", False)]
    assert hint[1].free_at == now


def test_history_from_the_database_leaves_out_unusable_stops(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    build_site(sqlite_db, ["H1", "H2"], {"04AA0001": "Ann"})
    start = datetime(2026, 1, 10, tzinfo=UTC)
    add_history(sqlite_db, "H1", "04AA0001", start, [(5_000, 3_600, 1_800, 1_200)] * 3)
    add_history(sqlite_db, "H2", None, start, [(9_000, 7_200, 3_600, 600)])
    with sqlite_db.session() as s:
        from sqlalchemy import select

        from stationmgr.store.models import Bay, Card, ChargeSession

        bays = dict(s.execute(select(Bay.label, Bay.id)).all())
        card_id = s.scalar(select(Card.id))
        # A session cut by a fault says nothing about how long its driver stays.
        row = s.scalar(select(ChargeSession).where(ChargeSession.bay_id == bays["H2"]))
        row.stop_reason = "Other"
        h = card_history(s, card_id)
        assert (h.n, h.energy_wh, h.plugged_s, h.power_w) == (3, 5_000, 3_600, 10_000)
        assert bay_history(s, bays["H1"]).n == 3
        assert bay_history(s, bays["H2"]).n == 0
        # `before` keeps a session's own future out of its history.
        assert card_history(s, card_id, before=datetime(2026, 1, 8, 12, tzinfo=UTC)).n == 2
        assert card_history(s, None).empty
