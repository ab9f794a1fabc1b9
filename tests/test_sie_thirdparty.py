"""A closed month's SIE file read by a SIE implementation we did not write: PyPI's
pysie-accounting (a SIE 4 reader on pandas). It must find every voucher our own checker
(tests/helpers/sie_check.py, written from the 4B specification) finds, with the same date,
text and rows, the same account totals, and debits equal to the month's sales in the ledger.

What pysie-accounting cannot read, and so is not compared: the organisation number (its
pattern stops at the hyphen of NNNNNN-NNNN), object lists (it keeps them as raw text) and
anything but #VER/#TRANS/#KONTO/#RAR/#FNAMN. It reads UTF-8 unless told otherwise; a SIE 4
file is PC8 (code page 437), so it is told `sie_encoding = "cp437"`, as its README says the
format is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pysie_accounting.pysie as pysie  # PyPI pysie-accounting: a SIE reader we did not write
import pytest

from stationmgr.billing.charges import correct_price
from stationmgr.billing.months import close_month, export_bytes
from stationmgr.billing.sales import sales
from stationmgr.billing.site import month_bounds, site_tz
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.store.billing_models import SessionPrice
from stationmgr.store.db import Database
from tests.billing_site import SELLER, T0, build_billing_site, finish_session, persister
from tests.helpers import sie_check

DAY = 86400
CLOSED_AT = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def march(sqlite_db: Database) -> Database:
    """A March with card and guest sales at 25, 12 and 0 % VAT, a correction, and a sale
    in April (not March's)."""
    build_billing_site(sqlite_db, bays=2, cards=("0A1B2C3D", "11223344"))
    with sqlite_db.session() as s:
        for name, group, guests, bp in (
            ("Personal 12", "Personal", False, 1200),
            ("Gäst momsfri", None, True, 0),
        ):
            add_tariff(
                s,
                TariffInput(
                    name=name,
                    valid_from=datetime(2026, 3, 4, tzinfo=UTC),
                    group=group,
                    guests=guests,
                    energy_minor_per_kwh=300,
                    vat_bp=bp,
                ),
            )
    p = persister()
    for day in range(6):  # 2–7 March: 25 % until the 4th, then 12 % and 0 %
        for i in range(3):
            finish_session(
                sqlite_db,
                p,
                1 + i % 2,
                T0 + day * DAY + i * 3 * 3600,
                60,
                8 + i,
                idle_min=20 * i,
                card=("0A1B2C3D", "11223344", None)[i],
            )
    finish_session(sqlite_db, p, 1, datetime(2026, 4, 2, 6, tzinfo=UTC).timestamp(), 60, 5)
    with sqlite_db.session() as s:
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
    return sqlite_db


def read_with_pysie(data: bytes, tmp_path: Path) -> pysie.PySIE:
    se = tmp_path / "march.se"
    se.write_bytes(data)
    sru = tmp_path / "sru.csv"  # its reader joins accounts to tax-form codes; we send none
    sru.write_text("SRU,Ink2\n", encoding="utf-8")
    p = pysie.PySIE()
    p.sie_encoding = "cp437"
    p.open_trans(str(sru))
    p.open(str(se))
    return p


def test_a_closed_months_sie_reads_the_same_in_pysie_accounting(
    march: Database, tmp_path: Path
) -> None:
    with march.session() as s:
        close_month(s, "2026-03", now=CLOSED_AT)
    with march.session() as s:
        data = export_bytes(s, 2026, 3, "sie", datetime.now(UTC))  # the stored file
        start, end = month_bounds(2026, 3, site_tz(s))
        ledger_total = sum(x.total_minor for x in sales(s, start, end))

    ours = sie_check.parse(data)
    theirs = read_with_pysie(data, tmp_path)

    assert len(ours.vouchers) == 7  # a voucher a day, and the correction's day
    assert f"{ours.vouchers[-1].date:%Y%m%d}" == "20260320"
    assert sorted(theirs.verifikat, key=int) == [v.number for v in ours.vouchers]
    for v in ours.vouchers:
        date, text, registered, rows = theirs.verifikat[v.number]
        assert date == f"{v.date:%Y%m%d}" and text == v.text
        assert registered == "20260402"  # the day the month was closed
        assert [(a, Decimal(x)) for a, _objs, x in rows] == [
            (t.account, t.amount) for t in v.rows
        ], v.number
        assert sum(Decimal(x) for _a, _o, x in rows) == 0  # balanced, as they read it

    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _d, _t, _r, rows in theirs.verifikat.values():
        for account, _objs, x in rows:
            totals[account] += Decimal(x)
    assert dict(totals) == {a: ours.balance(a) for a in ours.accounts}
    assert {"3001", "3002", "3004", "2611", "2621", "1510", "1580"} <= set(totals)
    assert totals["1510"] + totals["1580"] == Decimal(ledger_total) / 100
    rar = theirs.dfrar.iloc[0]
    assert (str(rar.Year), int(rar.Start), int(rar.Stop)) == ("0", 20260101, 20261231)
    assert theirs.fnamn == SELLER["seller_name"]
