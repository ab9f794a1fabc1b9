"""Tariff rules an accountant relies on: only a valid version prices, history is not
rewritten by a back-dated version, VAT rates are the country's, four-decimal prices round
once, and a minimum billable session pays no start fee."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from stationmgr.billing import statements as stm
from stationmgr.billing.charges import current_price
from stationmgr.billing.pricing import TariffTerms, Usage, price, round_half_up
from stationmgr.billing.site import set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff, parse_unit_price, terms
from stationmgr.cards import CardInput, add_card
from stationmgr.errors import UserError
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, Tariff
from tests.billing_site import T0, build_billing_site, finish_session, persister

H = 3600.0


def _terms(**kw: object) -> TariffTerms:
    base = dict(id=1, name="Standard", valid_from=T0 - 86400, vat_bp=2500)
    base.update(kw)
    return TariffTerms(**base)  # type: ignore[arg-type]


def test_a_version_not_yet_valid_prices_nothing() -> None:
    future = _terms(valid_from=T0 + 30 * 86400, energy_minor_per_kwh=999, start_fee_minor=500)
    p = price(Usage(T0, T0 + H, 10_000.0, T0, T0 + H), [future])
    assert p.lines == () and p.tariffs == () and p.total_minor == 0


def test_a_site_with_only_a_future_tariff_prices_nothing_and_says_so(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite_db.session() as s:
        c = Charger(name="c1", driver="inproc", port="inproc://f1")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid="0A1B2C3D", holder="Åsa"))
        add_tariff(
            s,
            TariffInput(
                name="Future 2027",
                valid_from=datetime(2027, 1, 1, tzinfo=UTC),
                energy_minor_per_kwh=999,
            ),
        )
    with caplog.at_level(logging.WARNING, logger="stationmgr.billing.charges"):
        row = finish_session(sqlite_db, persister(), 1, T0, 60, 10.0)
    assert "before any valid tariff: not priced" in caplog.text
    with sqlite_db.session() as s:
        p = current_price(s, row.id)
        assert p is not None and p.total_minor == 0 and p.tariffs == []
        m = stm.month_summary(s, 2026, 3)
    assert m.unpriced == 1
    assert "unpriced,no valid tariff,1" in stm.summary_csv(m)


def test_a_back_dated_version_is_refused_once_sessions_are_priced(sqlite_db: Database) -> None:
    build_billing_site(sqlite_db)
    finish_session(sqlite_db, persister(), 1, T0, 60, 10.0)  # 2026-03-02, priced
    back = TariffInput(
        name="Backdated", valid_from=datetime(2026, 3, 1, tzinfo=UTC), energy_minor_per_kwh=900
    )
    with sqlite_db.session() as s, pytest.raises(UserError, match="already priced") as e:
        add_tariff(s, back)
    assert "\n" not in str(e.value)
    group = TariffInput(
        name="Personal back",
        valid_from=datetime(2026, 3, 1, tzinfo=UTC),
        group="Personal",
        energy_minor_per_kwh=900,
    )
    with sqlite_db.session() as s, pytest.raises(UserError, match="already priced"):
        add_tariff(s, group)  # the session was a Personal card's
    with sqlite_db.session() as s:  # after the last priced session: accepted
        add_tariff(
            s,
            TariffInput(
                name="Later", valid_from=datetime(2026, 3, 3, tzinfo=UTC), energy_minor_per_kwh=400
            ),
        )


def test_vat_rates_are_the_countrys_unless_the_owner_widens_them(sqlite_db: Database) -> None:
    build_billing_site(sqlite_db)
    odd = dict(name="Odd", energy_minor_per_kwh=100, vat_bp=1250)
    with sqlite_db.session() as s, pytest.raises(UserError, match="not one of the site's rates"):
        add_tariff(s, TariffInput(valid_from=datetime(2026, 6, 1, tzinfo=UTC), **odd))  # type: ignore[arg-type]
    for bp, month in ((1200, 7), (600, 8), (0, 9)):
        with sqlite_db.session() as s:
            add_tariff(
                s,
                TariffInput(
                    name=f"V{bp}", valid_from=datetime(2026, month, 1, tzinfo=UTC), vat_bp=bp
                ),
            )
    with sqlite_db.session() as s, pytest.raises(UserError):
        set_site_value(s, "vat_rates", "25,abc")
    with sqlite_db.session() as s:
        set_site_value(s, "vat_rates", "25,12,6,0,12.5")
    with sqlite_db.session() as s:
        add_tariff(s, TariffInput(valid_from=datetime(2026, 10, 1, tzinfo=UTC), **odd))  # type: ignore[arg-type]


def test_four_decimal_price_rounds_once(sqlite_db: Database) -> None:
    assert parse_unit_price("3.4951") == (350, 34951)
    assert parse_unit_price("3,50") == (350, None)
    with pytest.raises(UserError, match="at most 4 decimals"):
        parse_unit_price("3.49512")
    exact = _terms(energy_minor_per_kwh=350, energy_e4_per_kwh=34951)
    line = price(Usage(T0, T0 + H, 12_345.0, T0, T0 + H), [exact]).lines[0]
    # 12 345 Wh × 3,4951 = 43,147... → 43,15; rounding the price first would give 43,21.
    assert line.net_minor == round_half_up(12_345 * 34951, 100_000) == 4315
    assert line.unit_price_minor == 350
    build_billing_site(sqlite_db)
    with sqlite_db.session() as s:
        t = add_tariff(
            s,
            TariffInput(
                name="Spot",
                valid_from=datetime(2026, 3, 2, 7, tzinfo=UTC),
                energy_e4_per_kwh=34951,
            ),
        )
        assert (t.energy_minor_per_kwh, t.energy_e4_per_kwh) == (350, 34951)
        assert terms(t).energy_e4 == 34951
    row = finish_session(sqlite_db, persister(), 1, T0, 60, 12.345)
    with sqlite_db.session() as s:
        p = current_price(s, row.id)
        assert p is not None
        assert [x.net_minor for x in p.lines if x.kind == "energy"] == [4315]
        assert p.tariffs[0]["energy_e4_per_kwh"] == 34951  # the exact price, in the snapshot


def test_minimum_billable_session_pays_no_start_fee() -> None:
    t = _terms(energy_minor_per_kwh=350, start_fee_minor=500, min_wh=500, min_s=120)
    kinds = lambda u: [x.kind for x in price(u, [t]).lines]  # noqa: E731
    assert kinds(Usage(T0, T0 + H, 400.0, T0, T0 + H)) == ["energy"]  # below 500 Wh
    assert kinds(Usage(T0, T0 + 100, 600.0, T0, T0 + 100)) == ["energy"]  # below 120 s
    assert kinds(Usage(T0, T0 + H, 600.0, T0, T0 + H)) == ["start_fee", "energy"]
    plain = _terms(start_fee_minor=500)
    assert price(Usage(T0, T0 + H, 0.0), [plain]).lines == ()  # 0 Wh never pays the fee


def test_minimum_is_stored_with_the_version(sqlite_db: Database) -> None:
    build_billing_site(sqlite_db)
    with sqlite_db.session() as s:
        t = add_tariff(
            s,
            TariffInput(
                name="Min",
                valid_from=datetime(2026, 3, 2, 7, tzinfo=UTC),
                start_fee_minor=500,
                energy_minor_per_kwh=350,
                min_wh=1000,
                min_s=60,
            ),
        )
        assert s.get(Tariff, t.id).min_wh == 1000  # type: ignore[union-attr]
    row = finish_session(sqlite_db, persister(), 1, T0, 30, 0.5)
    with sqlite_db.session() as s:
        p = current_price(s, row.id)
        assert p is not None and [x.kind for x in p.lines] == ["energy"]
