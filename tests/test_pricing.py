"""Pricing: integer minor units, the documented rounding rule, and its edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationmgr import sessions as sm
from stationmgr.billing.pricing import (
    TariffTerms,
    Usage,
    estimate_cost,
    price,
    round_half_up,
    segments,
)
from stationmgr.ocpp_words import AuthStatus

T0 = 1_772_438_400.0  # 2026-03-02 08:00 UTC
H = 3600.0


def tariff(**kw: object) -> TariffTerms:
    base = dict(id=1, name="Standard", valid_from=T0 - 86400, vat_bp=2500)
    base.update(kw)
    return TariffTerms(**base)  # type: ignore[arg-type]


def lines_by_kind(p):  # type: ignore[no-untyped-def]
    return {x.kind: x for x in p.lines}


def test_round_half_up_is_symmetric_and_integer() -> None:
    assert round_half_up(5, 10) == 1
    assert round_half_up(4, 10) == 0
    assert round_half_up(-5, 10) == -1
    assert round_half_up(15, 10) == 2
    assert round_half_up(25, 10) == 3  # not banker's rounding


def test_energy_start_fee_and_vat_add_up() -> None:
    t = tariff(energy_minor_per_kwh=349, start_fee_minor=500)
    u = Usage(T0, T0 + H, 12_345.4, T0, T0 + H)
    p = price(u, [t])
    lines = lines_by_kind(p)
    assert lines["energy"].quantity == 12_345  # whole Wh, half up
    assert lines["energy"].net_minor == round_half_up(12_345 * 349, 1000) == 4308
    assert lines["energy"].vat_minor == 1077  # 4308 × 25 % = 1077.0
    assert lines["start_fee"].net_minor == 500 and lines["start_fee"].vat_minor == 125
    assert p.net_minor == 4808 and p.vat_minor == 1202
    assert p.total_minor == sum(x.net_minor + x.vat_minor for x in p.lines) == 6010


def test_zero_energy_session_pays_no_start_fee() -> None:
    t = tariff(energy_minor_per_kwh=350, start_fee_minor=500, idle_minor_per_min=100)
    p = price(Usage(T0, T0 + 600, 0.0), [t])  # plugged in, never drew
    assert p.lines == () and p.total_minor == 0


def test_zero_everything_is_an_empty_zero_price() -> None:
    p = price(Usage(T0, T0, 0.0), [tariff()])
    assert p.lines == () and p.total_minor == 0


def test_no_tariff_prices_at_zero_in_the_site_currency() -> None:
    p = price(Usage(T0, T0 + H, 5000.0, T0, T0 + H), [], currency="EUR")
    assert p.currency == "EUR" and p.total_minor == 0


def test_idle_fee_after_grace_whole_minutes_and_cap() -> None:
    t = tariff(idle_minor_per_min=150, idle_grace_min=30)
    # charging 1 h, then idle 30 min (grace) + 10 min 59 s → 10 billable minutes
    u = Usage(T0, T0 + H + 30 * 60 + 10 * 60 + 59, 7000.0, T0, T0 + H)
    line = lines_by_kind(price(u, [t]))["idle_fee"]
    assert line.quantity == 10 and line.net_minor == 1500
    # inside the grace period: no idle line
    u2 = Usage(T0, T0 + H + 29 * 60, 7000.0, T0, T0 + H)
    assert "idle_fee" not in lines_by_kind(price(u2, [t]))
    # capped: 5 h idle would be 270 min × 1.50 = 405.00, the cap is 200.00 net
    capped = tariff(idle_minor_per_min=150, idle_grace_min=30, idle_cap_minor=20_000)
    u3 = Usage(T0, T0 + H + 5 * H, 7000.0, T0, T0 + H)
    line = lines_by_kind(price(u3, [capped]))["idle_fee"]
    assert line.quantity == 270 and line.net_minor == 20_000 and line.vat_minor == 5_000


def test_never_charged_is_not_idle() -> None:
    t = tariff(idle_minor_per_min=150, idle_grace_min=0)
    assert price(Usage(T0, T0 + 5 * H, 0.0), [t]).lines == ()


def test_time_fee_charging_versus_plugged() -> None:
    u = Usage(T0, T0 + 3 * H, 10_000.0, T0 + 0.5 * H, T0 + 2 * H)
    charging = lines_by_kind(price(u, [tariff(time_minor_per_hour=1200, time_basis="charging")]))
    plugged = lines_by_kind(price(u, [tariff(time_minor_per_hour=1200, time_basis="plugged")]))
    assert charging["time"].quantity == 5400 and charging["time"].net_minor == 1800
    assert plugged["time"].quantity == 10_800 and plugged["time"].net_minor == 3600


def test_session_spanning_a_tariff_change_is_split_at_the_change() -> None:
    day = tariff(
        id=1,
        name="Dag",
        energy_minor_per_kwh=400,
        start_fee_minor=500,
        time_minor_per_hour=600,
        time_basis="plugged",
    )
    night = tariff(
        id=2,
        name="Natt",
        valid_from=T0 + H,
        energy_minor_per_kwh=200,
        start_fee_minor=900,
        time_minor_per_hour=0,
    )
    # 2 h at a constant 5 kW: 5 kWh before the change, 5 kWh after
    curve = tuple((T0 + i * 600, 5000 * i * 600 / H) for i in range(13))
    u = Usage(T0, T0 + 2 * H, 10_000.0, T0, T0 + 2 * H, curve)
    p = price(u, [night, day])  # any order
    energy = [x for x in p.lines if x.kind == "energy"]
    assert [(x.tariff_id, x.quantity, x.net_minor) for x in energy] == [
        (1, 5000, 2000),
        (2, 5000, 1000),
    ]
    assert sum(x.quantity for x in energy) == 10_000
    start = [x for x in p.lines if x.kind == "start_fee"]
    assert [(x.tariff_id, x.net_minor) for x in start] == [(1, 500)]  # the tariff at plug-in
    time = [x for x in p.lines if x.kind == "time"]
    assert [(x.tariff_id, x.quantity) for x in time] == [(1, 3600)]  # night has no time fee
    assert [t.name for t in p.tariffs] == ["Dag", "Natt"]


def test_split_parts_always_add_up_to_the_session_energy() -> None:
    a = tariff(id=1, energy_minor_per_kwh=333)
    b = tariff(id=2, valid_from=T0 + 1234.5, energy_minor_per_kwh=111)
    curve = ((T0 + 100, 1.7), (T0 + 2000, 3333.3), (T0 + 3000, 3333.9))
    p = price(Usage(T0, T0 + 3600, 3333.9, T0, T0 + 3000, curve), [a, b])
    assert sum(x.quantity for x in p.lines if x.kind == "energy") == 3334


def test_idle_fee_uses_the_tariff_in_force_when_idle_began() -> None:
    a = tariff(id=1, idle_minor_per_min=100, idle_grace_min=10)
    b = tariff(id=2, valid_from=T0 + 2 * H, idle_minor_per_min=500, idle_grace_min=0)
    u = Usage(T0, T0 + 3 * H, 1000.0, T0, T0 + H)  # idle from 1 h, change at 2 h
    line = lines_by_kind(price(u, [a, b]))["idle_fee"]
    assert line.tariff_id == 1 and line.quantity == 110 and line.net_minor == 11_000


def test_guest_session_is_priced_like_any_other_with_its_own_tariff() -> None:
    guest = tariff(id=7, name="Gäst", energy_minor_per_kwh=500, start_fee_minor=1000, vat_bp=2500)
    p = price(Usage(T0, T0 + H, 8000.0, T0, T0 + H), [guest])
    assert {x.tariff_id for x in p.lines} == {7}
    assert p.total_minor == (1000 + 4000) * 125 // 100


def test_vat_rate_zero_and_fractional() -> None:
    p0 = price(Usage(T0, T0 + H, 1000.0, T0, T0 + H), [tariff(energy_minor_per_kwh=333, vat_bp=0)])
    assert p0.vat_minor == 0 and p0.total_minor == 333
    p = price(
        Usage(T0, T0 + H, 1000.0, T0, T0 + H), [tariff(energy_minor_per_kwh=333, vat_bp=1250)]
    )
    assert p.vat_minor == round_half_up(333 * 1250, 10_000) == 42


def test_mixed_currencies_in_one_session_are_refused() -> None:
    a = tariff(id=1, currency="SEK", energy_minor_per_kwh=1)
    b = tariff(id=2, currency="EUR", valid_from=T0 + 10, energy_minor_per_kwh=1)
    with pytest.raises(ValueError, match="currency"):
        price(Usage(T0, T0 + H, 1.0, T0, T0 + H), [a, b])


def test_segments_ignore_versions_outside_the_session() -> None:
    a = tariff(id=1)
    later = tariff(id=2, valid_from=T0 + 10 * H)
    assert [t.id for t, _, _ in segments([a, later], T0, T0 + H)] == [1]


def test_live_estimate_of_a_running_session() -> None:
    t = tariff(energy_minor_per_kwh=400, start_fee_minor=500)
    auth = sm.Authorization(AuthStatus.ACCEPTED, card_id=1, card_uid="0A1B2C3D")
    tx = sm.Transaction(
        "1-1",
        1,
        auth,
        T0,
        T0,
        1000.0,
        6000.0,
        1000.0,
        charging_started_at=T0,
        charging_ended_at=T0 + 1800,
    )
    est = estimate_cost(tx, [t], T0 + 1800)
    assert est.net_minor == 500 + 2000 and est.total_minor == 3125


@given(
    wh=st.floats(0, 200_000, allow_nan=False),
    per_kwh=st.integers(0, 10_000),
    start=st.integers(0, 10_000),
    vat=st.integers(0, 10_000),
    idle_min=st.integers(0, 600),
)
def test_lines_and_vat_always_add_up_to_the_total(
    wh: float, per_kwh: int, start: int, vat: int, idle_min: int
) -> None:
    t = tariff(
        energy_minor_per_kwh=per_kwh,
        start_fee_minor=start,
        vat_bp=vat,
        idle_minor_per_min=7,
        idle_grace_min=5,
        idle_cap_minor=1000,
    )
    p = price(Usage(T0, T0 + H + idle_min * 60, wh, T0, T0 + H), [t])
    assert p.total_minor == p.net_minor + p.vat_minor
    assert all(isinstance(x.net_minor, int) and x.net_minor >= 0 for x in p.lines)
    for x in p.lines:
        assert x.vat_minor == round_half_up(x.net_minor * x.vat_bp, 10_000)


def test_live_estimates_read_the_scope_tariffs_once(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from stationmgr.billing.live import LiveEstimates
    from stationmgr.billing.tariffs import TariffInput, add_tariff

    with sqlite_db.session() as s:
        add_tariff(
            s,
            TariffInput(
                name="Bas", valid_from=datetime(2026, 1, 1, tzinfo=UTC), energy_minor_per_kwh=400
            ),
        )
        add_tariff(
            s,
            TariffInput(
                name="Gäst",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                guests=True,
                energy_minor_per_kwh=600,
            ),
        )
    live = LiveEstimates(sqlite_db)
    card = sm.Transaction(
        "1-1",
        1,
        sm.Authorization(AuthStatus.ACCEPTED, card_id=1, card_uid="0A"),
        T0,
        T0,
        0.0,
        2000.0,
        0.0,
        charging_started_at=T0,
        charging_ended_at=T0 + 600,
    )
    guest = sm.Transaction(
        "2-1",
        2,
        sm.Authorization(AuthStatus.ACCEPTED, holder_name="Guest"),
        T0,
        T0,
        0.0,
        2000.0,
        0.0,
        charging_started_at=T0,
        charging_ended_at=T0 + 600,
    )
    assert live.estimate(card, T0 + 600).net_minor == 800
    assert live.estimate(guest, T0 + 600).net_minor == 1200
    assert set(live._cache) == {(None, False), (None, True)}
