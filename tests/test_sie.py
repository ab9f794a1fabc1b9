"""The SIE 4 export checked by an independent reader (`tests/helpers/sie_check.py`, written
from SIE 4B): every file it makes parses and balances, and it books as BAS expects (review
defects 4, 8, 9 and 20): sales per VAT rate to 3001/3002/3003/3004, sales on credit to 1510,
voucher numbers unique through the fiscal year, `#KPTYP`, `#ORGNR` NNNNNN-NNNN, every
address line, PC8 without a silent '?', object dimensions when chosen."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from stationmgr.billing.charges import correct_price
from stationmgr.billing.sie import export_sie
from stationmgr.billing.site import set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.errors import UserError
from stationmgr.store.billing_models import SessionPrice
from stationmgr.store.db import Database
from tests.billing_site import SELLER, T0, build_billing_site, finish_session, persister
from tests.helpers import sie_check
from tests.helpers.sie_check import SieError

NOW = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
DAY = 86400


def export(db: Database, year: int, month: int) -> sie_check.SieFile:
    with db.session() as s:
        return sie_check.parse(export_sie(s, year, month, NOW))


@pytest.fixture
def month(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2, cards=("0A1B2C3D", "11223344"))
    p = persister()
    for day in range(5):
        for i in range(3):
            finish_session(
                sqlite_db,
                p,
                1 + i % 2,
                T0 + day * DAY + i * 3 * 3600,
                60,
                8 + i,
                idle_min=35 * i,
                card="0A1B2C3D" if i else None,
            )
    # 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm: April's, not March's
    finish_session(sqlite_db, p, 1, datetime(2026, 3, 31, 21, 30, tzinfo=UTC).timestamp(), 60, 5)
    # 22:30 UTC on 28 Feb is 23:30 local: still February
    finish_session(sqlite_db, p, 2, datetime(2026, 2, 28, 21, 30, tzinfo=UTC).timestamp(), 60, 5)
    return sqlite_db


def ledger_total(db: Database, start: datetime, end: datetime) -> int:
    from stationmgr.billing.sales import sales

    with db.session() as s:
        return sum(x.total_minor for x in sales(s, start, end))


def test_sie_file_follows_the_rules(month: Database) -> None:
    with month.session() as s:
        data = export_sie(s, 2026, 3, NOW)
    f = sie_check.parse(data)
    assert f.text.startswith("#FLAGGA 0\r\n")
    assert f.one("#PROGRAM")[0] == "stationmgr"
    assert f.one("#GEN") == ["20260402"]
    assert f.one("#FNAMN") == [SELLER["seller_name"]]
    assert f.one("#ORGNR") == [SELLER["seller_org_number"]]
    assert f.one("#RAR") == ["0", "20260101", "20261231"]
    assert f.one("#KPTYP") == ["EUBAS97"]
    assert f.one("#ADRESS") == ["", "Storgatan 1", "837 52 Åre", ""]
    assert b'"Laddg\x86rden \x8fre AB"' in data  # PC8: å 0x86, Å 0x8F
    # BAS: card holders' sales are on credit (1510), guests' paid at the site (1580)
    assert set(f.accounts) == {"1510", "1580", "2611", "3001"}
    assert f.balance("3001") < 0 and f.balance("1510") > 0 and f.balance("1580") > 0
    assert [v.date.isoformat() for v in f.vouchers] == [f"2026-03-0{d}" for d in range(2, 7)]
    assert [v.number for v in f.vouchers] == ["2", "3", "4", "5", "6"]  # Feb has voucher 1
    debit = f.balance("1510") + f.balance("1580")
    start, end = datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert debit * 100 == ledger_total(month, start, end)


def test_each_vat_rate_books_to_its_own_sales_and_vat_account(sqlite_db: Database) -> None:
    build_billing_site(sqlite_db, bays=1, cards=("0A1B2C3D",))
    with sqlite_db.session() as s:
        for name, group, guests, bp in (
            ("Personal 12", "Personal", False, 1200),
            ("Gäst momsfri", None, True, 0),
        ):
            add_tariff(
                s,
                TariffInput(
                    name=name,
                    valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                    group=group,
                    guests=guests,
                    energy_minor_per_kwh=300,
                    vat_bp=bp,
                ),
            )
        add_tariff(
            s,
            TariffInput(
                name="Personal 6",
                valid_from=datetime(2026, 3, 3, tzinfo=UTC),
                group="Personal",
                energy_minor_per_kwh=300,
                vat_bp=600,
            ),
        )
    p = persister()
    finish_session(sqlite_db, p, 1, T0, 60, 10)  # 12 % (2 March)
    finish_session(sqlite_db, p, 1, T0 + DAY, 60, 10, card=None)  # guest, 0 %
    finish_session(sqlite_db, p, 1, T0 + 2 * DAY, 60, 10)  # 6 % from 3 March
    f = export(sqlite_db, 2026, 3)
    bal = {a: f.balance(a) for a in f.accounts}
    assert bal == {
        "1510": Decimal("33.60") + Decimal("31.80"),
        "1580": Decimal("30.00"),
        "3002": Decimal("-30.00"),
        "2621": Decimal("-3.60"),
        "3003": Decimal("-30.00"),
        "2631": Decimal("-1.80"),
        "3004": Decimal("-30.00"),
    }
    assert "3001" not in f.accounts  # nothing at 25 % this month
    assert f.accounts["3004"].endswith("momsfri")


def test_accounts_are_site_settings(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "sie_account_debit", "1511")
        set_site_value(s, "sie_account_paid", "1930")
        set_site_value(s, "sie_account_sales", "3010")
        set_site_value(s, "sie_kptyp", "BAS2014")
        with pytest.raises(UserError):
            set_site_value(s, "sie_kptyp", "BAS2099")
    f = export(month, 2026, 3)
    assert set(f.accounts) == {"1511", "1930", "2611", "3010"}
    assert f.one("#KPTYP") == ["BAS2014"]


def test_voucher_numbers_run_through_the_fiscal_year(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "sie_voucher_series", "B")
        datas = [export_sie(s, 2026, m, NOW) for m in (2, 3, 4)]
    files = sie_check.check_files(datas)  # unique across the year's files
    numbers = [int(v.number) for f in files for v in f.vouchers]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 1 + 5 + 1
    assert {v.series for f in files for v in f.vouchers} == {"B"}


def test_a_new_fiscal_year_starts_at_one(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "fiscal_year_start", "3")
        with pytest.raises(UserError, match="1-12"):
            set_site_value(s, "fiscal_year_start", "13")
        feb, mar = export_sie(s, 2026, 2, NOW), export_sie(s, 2026, 3, NOW)
    f, m = sie_check.parse(feb), sie_check.parse(mar)
    assert f.one("#RAR") == ["0", "20250301", "20260228"]
    assert m.one("#RAR") == ["0", "20260301", "20270228"]
    assert m.vouchers[0].number == "1"
    sie_check.check_files([feb, mar])


def test_one_voucher_per_receipt_and_a_correction(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "sie_voucher_per", "receipt")
        cheap = add_tariff(
            s,
            TariffInput(
                name="Rättad",
                # after the priced sessions (a back-dated version is refused); a correction
                # prices with the version it names, whatever its start
                valid_from=datetime(2026, 5, 1, tzinfo=UTC),
                group="Personal",
                energy_minor_per_kwh=100,
            ),
        )
        sid = s.query(SessionPrice.session_id).order_by(SessionPrice.id).first()[0]
        correct_price(s, sid, cheap.id, "fel tariff", now=datetime(2026, 3, 20, 12, tzinfo=UTC))
    f = export(month, 2026, 3)
    assert len(f.vouchers) == 15 + 2  # every sale, plus the reversal and the new sale
    credit = [v for v in f.vouchers if v.text.startswith("Kreditering")]
    assert len(credit) == 1 and credit[0].date.isoformat() == "2026-03-20"
    assert sum(t.amount for t in credit[0].rows if t.account in ("1510", "1580")) < 0


def test_organisation_number_and_every_address_line(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "seller_org_number", "5599990001")
        set_site_value(s, "seller_address", "c/o Berg; Storgatan 1, uppg. B; 837 52 Åre")
    f = export(month, 2026, 3)
    assert f.one("#ORGNR") == ["559999-0001"]
    assert f.one("#ADRESS") == ["", "c/o Berg, Storgatan 1, uppg. B", "837 52 Åre", ""]


def test_characters_outside_pc8_are_spelled_out_never_a_question_mark(month: Database) -> None:
    from stationmgr.billing.sie import to_pc8

    with month.session() as s:
        set_site_value(s, "seller_name", 'Ørsted "Laddning" – Sjöström\\Co € Łódź')
        data = export_sie(s, 2026, 3, NOW)
    f = sie_check.parse(data)
    assert f.one("#FNAMN") == ["Örsted 'Laddning' - Sjöström/Co EUR Lódz"]
    assert b"?" not in data
    assert to_pc8("Ääkkönen") == "Ääkkönen".encode("cp437")
    with pytest.raises(UserError, match="U\\+2603"):
        to_pc8("Laddning ☃", "#FNAMN")


def test_a_name_pc8_cannot_write_refuses_the_export(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "seller_name", "充電 AB")
        with pytest.raises(UserError, match="SIE \\(PC8\\) cannot write"):
            export_sie(s, 2026, 3, NOW)


def test_object_dimensions_for_bay_and_customer(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "sie_objects", "bay,customer")
        with pytest.raises(UserError):
            set_site_value(s, "sie_objects", "project")
    f = export(month, 2026, 3)
    assert f.dims == {"1": "Laddplats", "8": "Kund"}
    assert {k for k in f.objects if k[0] == "1"} == {("1", "P1"), ("1", "P2")}
    customers = {name for (dim, _), name in f.objects.items() if dim == "8"}
    assert customers == {"Åsa Öberg 3D"}
    sales_rows = [t for v in f.vouchers for t in v.rows if t.account == "3001"]
    assert all(any(d == "1" for d, _ in t.objects) for t in sales_rows)
    debit_rows = [t for v in f.vouchers for t in v.rows if t.account == "1510"]
    assert debit_rows and all([d for d, _ in t.objects] == ["8"] for t in debit_rows)


def test_empty_month_is_a_valid_file_without_vouchers(month: Database) -> None:
    f = export(month, 2025, 7)
    assert f.vouchers == []


# ---------------------------------------------------------------- the checker itself

GOOD = (
    '#FLAGGA 0\r\n#PROGRAM "x" "1"\r\n#FORMAT PC8\r\n#GEN 20260402\r\n#SIETYP 4\r\n'
    '#FNAMN "Bolaget AB"\r\n#RAR 0 20260101 20261231\r\n#KPTYP EUBAS97\r\n'
    '#KONTO 1510 "Kundfordringar"\r\n#KONTO 3001 "F\u00f6rs\u00e4ljning"\r\n'
    '#KONTO 2611 "Moms"\r\n'
    '#VER L 1 20260302 "Laddning"\r\n{\r\n   #TRANS 1510 {} 125.00\r\n'
    "   #TRANS 3001 {} -100.00\r\n   #TRANS 2611 {} -25.00\r\n}\r\n"
)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda t: t, None),
        (lambda t: t.replace("-25.00", "-24.00"), "does not balance"),
        (lambda t: t.replace('#KONTO 2611 "Moms"\r\n', ""), "not declared"),
        (lambda t: t.replace("#KPTYP EUBAS97\r\n", ""), "#KPTYP is missing"),
        (lambda t: t.replace("20260302", "20260230"), "invalid date"),
        (lambda t: t.replace("20260302", "20270102"), "outside the fiscal year"),
        (lambda t: t.replace('"Laddning"', '"Ladd\\ning"'), "backslash"),
        (lambda t: t.replace('"Laddning"', 'Ladd ning"'), "inside an unquoted"),
        (lambda t: t.replace("125.00", "125,00"), "invalid amount"),
        (lambda t: t.replace("\r\n", "\n"), "CR LF"),
        (lambda t: t.replace("#FNAMN", "#ORGNR 5566778899\r\n#FNAMN"), "NNNNNN-NNNN"),
        (lambda t: t + t[t.index("#VER") :], "used twice"),
        (lambda t: t.replace("{}", '{1 "P1"}', 1), "dimension 1 is not declared"),
    ],
)
def test_the_checker_refuses_what_4b_does_not_allow(change, error) -> None:  # type: ignore[no-untyped-def]
    data = change(GOOD).encode("cp437")
    if error is None:
        assert sie_check.parse(data).balance("1510") == Decimal("125.00")
        return
    with pytest.raises(SieError, match=error):
        sie_check.parse(data)


def test_the_checker_sees_a_number_twice_across_files_of_a_year() -> None:
    data = GOOD.encode("cp437")
    with pytest.raises(SieError, match="same fiscal year"):
        sie_check.check_files([data, data])
