"""Monthly statements (per holder, per group) and the accountant's month summary: PDF text,
CSV, totals that add up, VAT per rate, progress reported for work off the GUI thread."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from stationmgr.billing import statements as stm
from stationmgr.billing.sie import export_sie
from stationmgr.cards import CardInput, add_card
from stationmgr.store.db import Database
from tests.billing_site import T0, build_billing_site, finish_session, persister


@pytest.fixture
def month(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=3, cards=("0A1B2C3D",))
    with sqlite_db.session() as s:
        add_card(s, CardInput(uid="11223344", holder="Bo Ek", group="Hyresgäster"))
    p = persister()
    for day in range(20):
        for i, card in enumerate(("0A1B2C3D", "11223344", None)):
            finish_session(
                sqlite_db,
                p,
                1 + i,
                T0 + day * 86400 + i * 3600,
                45 + day,
                5 + day / 3,
                idle_min=10 * i + day,
                card=card,
            )
    return sqlite_db


def text_of(pdf: bytes, tmp_path: Path) -> str:
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(f), "-"], check=True, capture_output=True, text=True
    ).stdout


def minor(text: str) -> int:
    return int(Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", ".")) * 100)


def test_holder_statement_pdf_and_csv_add_up(month: Database, tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    with month.session() as s:
        who, addr, holder_id, group_id = stm.resolve_scope(s, "Bo Ek", None)
        st = stm.statement(
            s,
            2026,
            3,
            holder_id,
            group_id,
            who,
            addr,
            progress=lambda d, t: progress.append((d, t)),
        )
    assert len(st.rows) == 20 and progress[-1] == (20, 20)
    assert all(r.holder == "Bo Ek" and r.card == "••••3344" for r in st.rows)
    assert st.total_minor == st.net_minor + st.vat_minor == sum(r.total_minor for r in st.rows)
    assert st.vat_totals() == {2500: (st.net_minor, st.vat_minor)}

    txt = text_of(stm.render_statement(st, "sv"), tmp_path)
    assert "MÅNADSBESKED" in txt and "Till: Bo Ek" in txt and "Period: 2026-03" in txt
    assert "Laddgården Åre AB" in txt and "556677-8899" in txt
    assert "Laddningar: 20" in txt
    money = r"\d[\d\u00a0 ]*,\d\d"
    summa = re.search(
        rf"^Summa\s+[\d\u00a0 ]+,\d{{3}}\s+({money})\s+({money})\s+({money})", txt, re.M
    )
    assert summa, txt
    net, vat, total = (minor(summa.group(i)) for i in (1, 2, 3))
    assert (net, vat, total) == (st.net_minor, st.vat_minor, st.total_minor)

    rows = list(csv.DictReader(io.StringIO(stm.statement_csv(st))))
    body, last = rows[:-1], rows[-1]
    assert len(body) == 20 and last["session_id"] == "total"
    assert sum(Decimal(r["total"]) for r in body) == Decimal(last["total"])
    assert Decimal(last["total"]) * 100 == st.total_minor
    assert body[0]["plugged_at"].endswith("+01:00")  # local time, Stockholm in March


def test_group_statement_in_english(month: Database, tmp_path: Path) -> None:
    with month.session() as s:
        who, addr, holder_id, group_id = stm.resolve_scope(s, None, "Personal")
        st = stm.statement(s, 2026, 3, holder_id, group_id, who, addr)
    assert len(st.rows) == 20
    pdf = stm.render_statement(st, "en")
    txt = text_of(pdf, tmp_path)
    assert "MONTHLY STATEMENT" in txt and "To: Personal" in txt and "Sessions: 20" in txt


def test_month_summary_matches_the_ledger_and_sie(month: Database, tmp_path: Path) -> None:
    with month.session() as s:
        m = stm.month_summary(s, 2026, 3)
        sie = export_sie(s, 2026, 3, datetime(2026, 4, 1, tzinfo=UTC)).decode("cp437")
    total = sum(n + v for n, v in m.by_vat.values())
    for table in (m.by_day, m.by_bay, m.by_tariff):
        assert sum(int(r[2] + r[3]) for r in table.values()) == total
        assert sum(int(r[0]) for r in table.values()) == 60
    assert list(m.by_bay) == ["P1", "P2", "P3"] and len(m.by_day) == 20
    debit = sum(Decimal(x) for x in re.findall(r"#TRANS 15[18]0 \{\} (-?[\d.]+)", sie))
    assert debit * 100 == total
    txt = text_of(stm.render_summary(m, "sv"), tmp_path)
    assert "MÅNADSSAMMANSTÄLLNING" in txt and "Per laddplats" in txt and "Per tariff" in txt
    rows = list(csv.reader(io.StringIO(stm.summary_csv(m))))
    assert {r[0] for r in rows[1:]} == {"day", "bay", "tariff", "vat"}


def test_scope_errors(month: Database) -> None:
    from stationmgr.errors import UserError

    with month.session() as s:
        with pytest.raises(UserError, match="not both"):
            stm.resolve_scope(s, "1", "1")
        with pytest.raises(UserError, match="no card group"):
            stm.resolve_scope(s, None, "Ingen")
