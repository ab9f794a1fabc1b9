"""The SIE 4 export checked against the format's rules: flag, format (PC8 = CP437),
file type, company, accounts declared, vouchers that balance, dates in the month."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from stationmgr.billing.charges import correct_price
from stationmgr.billing.sie import export_sie
from stationmgr.billing.site import set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.store.billing_models import SessionPrice
from stationmgr.store.db import Database
from tests.billing_site import SELLER, T0, build_billing_site, finish_session, persister

NOW = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def parse(data: bytes) -> dict:  # type: ignore[type-arg]
    """A small SIE reader: labels, and vouchers as (series, number, date, text, rows)."""
    assert data.endswith(b"\r\n")
    text = data.decode("cp437")
    lines = text.split("\r\n")[:-1]
    assert all("\n" not in x and "\r" not in x for x in lines)
    labels: dict[str, list[list[str]]] = {}
    vouchers = []
    cur = None
    in_block = False
    for line in lines:
        s = line.strip()
        if s == "{":
            assert cur is not None and not in_block
            in_block = True
            continue
        if s == "}":
            assert in_block
            in_block = False
            vouchers.append(cur)
            cur = None
            continue
        assert s.startswith("#"), s
        parts = shlex.split(s.replace("{}", '""'), posix=True)
        if parts[0] == "#TRANS":
            assert in_block
            cur["rows"].append((parts[1], Decimal(parts[3])))  # type: ignore[index]
        elif parts[0] == "#VER":
            assert not in_block
            cur = {
                "series": parts[1],
                "number": parts[2],
                "date": parts[3],
                "text": parts[4],
                "rows": [],
            }
        else:
            labels.setdefault(parts[0], []).append(parts[1:])
    assert not in_block
    return {"lines": lines, "labels": labels, "vouchers": vouchers}


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
                T0 + day * 86400 + i * 3 * 3600,
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
    sie = parse(data)
    lines, labels, vouchers = sie["lines"], sie["labels"], sie["vouchers"]
    assert lines[0] == "#FLAGGA 0"
    assert labels["#FORMAT"] == [["PC8"]]
    assert labels["#SIETYP"] == [["4"]]
    assert labels["#PROGRAM"][0][0] == "stationmgr"
    assert labels["#GEN"] == [["20260402"]]
    assert labels["#FNAMN"] == [[SELLER["seller_name"]]]
    assert labels["#ORGNR"] == [[SELLER["seller_org_number"]]]
    assert labels["#RAR"] == [["0", "20260101", "20261231"]]
    assert labels["#VALUTA"] == [["SEK"]]
    # PC8 is code page 437: Å is byte 0x8F, å 0x86, ö 0x94
    assert b'"Laddg\x86rden \x8fre AB"' in data
    # every account used is declared; BAS accounts are four digits
    declared = {k[0] for k in labels["#KONTO"]}
    used = {a for v in vouchers for a, _ in v["rows"]}
    assert used == declared == {"1930", "2611", "3001"}
    assert all(re.fullmatch(r"\d{4}", a) for a in declared)
    # one voucher per day, numbered 1.., dated in the month, each balancing to zero
    assert [v["date"] for v in vouchers] == [f"2026030{d}" for d in range(2, 7)]
    assert [v["number"] for v in vouchers] == [str(i) for i in range(1, 6)]
    assert all(v["series"] == "L" for v in vouchers)
    for v in vouchers:
        assert sum(amt for _, amt in v["rows"]) == 0, v
        assert all(re.fullmatch(r"-?\d+\.\d\d", str(amt)) for _, amt in v["rows"])
    debit = sum(amt for v in vouchers for a, amt in v["rows"] if a == "1930")
    start, end = datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert debit * 100 == ledger_total(month, start, end)


def test_one_voucher_per_receipt_and_a_correction(month: Database) -> None:
    with month.session() as s:
        set_site_value(s, "sie_voucher_per", "receipt")
        set_site_value(s, "sie_account_debit", "1510")
        cheap = add_tariff(
            s,
            TariffInput(
                name="Rättad",
                valid_from=datetime(2026, 5, 1, tzinfo=UTC),
                group="Personal",
                energy_minor_per_kwh=100,
            ),
        )
        sid = s.query(SessionPrice.session_id).order_by(SessionPrice.id).first()[0]
        correct_price(s, sid, cheap.id, "fel tariff", now=datetime(2026, 3, 20, 12, tzinfo=UTC))
    with month.session() as s:
        sie = parse(export_sie(s, 2026, 3, NOW))
    vouchers = sie["vouchers"]
    assert len(vouchers) == 15 + 2  # every sale, plus the reversal and the new sale
    assert {k[0] for k in sie["labels"]["#KONTO"]} == {"1510", "2611", "3001"}
    credit = [v for v in vouchers if v["text"].startswith("Kreditering")]
    assert len(credit) == 1 and credit[0]["date"] == "20260320"
    debit_row = next(amt for a, amt in credit[0]["rows"] if a == "1510")
    assert debit_row < 0  # a reversal books the opposite
    for v in vouchers:
        assert sum(amt for _, amt in v["rows"]) == 0


def test_other_vat_rates_get_their_own_account(sqlite_db: Database) -> None:
    build_billing_site(sqlite_db, bays=1)
    with sqlite_db.session() as s:
        add_tariff(
            s,
            TariffInput(
                name="Låg moms",
                valid_from=datetime(2026, 3, 1, tzinfo=UTC),
                energy_minor_per_kwh=300,
                vat_bp=600,
            ),
        )
    finish_session(sqlite_db, persister(), 1, T0, 60, 10)
    with sqlite_db.session() as s:
        sie = parse(export_sie(s, 2026, 3, NOW))
    rows = dict(sie["vouchers"][0]["rows"])
    assert rows == {"1930": Decimal("31.80"), "3001": Decimal("-30.00"), "2631": Decimal("-1.80")}


def test_empty_month_is_a_valid_file_without_vouchers(month: Database) -> None:
    with month.session() as s:
        sie = parse(export_sie(s, 2025, 7, NOW))
    assert sie["vouchers"] == [] and sie["lines"][0] == "#FLAGGA 0"


def test_broken_fiscal_year(month: Database) -> None:
    from stationmgr.errors import UserError

    with month.session() as s:
        set_site_value(s, "fiscal_year_start", "7")
        with pytest.raises(UserError, match="1-12"):
            set_site_value(s, "fiscal_year_start", "13")
    with month.session() as s:
        sie = parse(export_sie(s, 2026, 3, NOW))
    assert sie["labels"]["#RAR"] == [["0", "20250701", "20260630"]]
