"""CSV formula injection (reliability review, defect 10): a cell that a spreadsheet would run
as a formula (`=cmd|' /C calc'!A0`, `+SUM(A1)`, `@x`, `=HYPERLINK(…)`, a leading tab or CR)
is written with a leading `'` in every export: cards, sessions, statements, sales, audit."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.access.context import record
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cards import CardInput, add_card
from stationmgr.cli import main
from stationmgr.csv_safe import safe_cell
from stationmgr.store.db import Database
from stationmgr.store.models import Bay
from tests.billing_site import T0, build_billing_site, finish_session, persister

PAYLOADS = {
    "holder": "=cmd|' /C calc'!A0",
    "label": "+SUM(A1)",
    "note": "@x",
    "group": '=HYPERLINK("http://x")',
    "bay": "-2+3",
    "tariff": "\t=1+1",
    "audit": "=SUM(1,2)",
}
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


@pytest.fixture
def site(sqlite_db: Database) -> tuple[Database, list[str]]:
    build_billing_site(sqlite_db, bays=1)
    with sqlite_db.session() as s:
        s.scalar(select(Bay).where(Bay.label == "P1")).label = PAYLOADS["bay"]  # type: ignore[union-attr]
        add_card(
            s,
            CardInput(
                uid="0A1B2C3E",
                holder=PAYLOADS["holder"],
                label=PAYLOADS["label"],
                note=PAYLOADS["note"],
                group=PAYLOADS["group"],
            ),
        )
        add_tariff(
            s,
            TariffInput(
                name=PAYLOADS["tariff"].strip() + " ",
                valid_from=datetime(2026, 2, 1, tzinfo=UTC),
                energy_minor_per_kwh=300,
            ),
        )
        record(s, "settings.edit", PAYLOADS["audit"], None, None, detail="+1+1")
    finish_session(sqlite_db, persister(), 1, T0, 60, 10, card="0A1B2C3E")
    return sqlite_db, ["--db", sqlite_db.url]


def cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def assert_neutral(text: str, *expected: str) -> None:
    all_cells = cells(text)
    for c in all_cells:
        if c.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert PLAIN_NUMBER.fullmatch(c), f"formula cell {c!r}"
    for payload in expected:
        assert "'" + payload in all_cells, (payload, all_cells)


def test_every_export_neutralises_formula_cells(site, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _db, db = site
    out = tmp_path / "cards.csv"
    assert main([*db, "cards", "export", "-o", str(out)]) == 0
    assert_neutral(out.read_text(), PAYLOADS["holder"], PAYLOADS["label"], PAYLOADS["note"])
    assert_neutral(out.read_text(), PAYLOADS["group"])
    capsys.readouterr()

    assert main([*db, "sessions", "list", "--csv"]) == 0
    assert_neutral(capsys.readouterr().out, PAYLOADS["holder"], PAYLOADS["bay"])

    pdf, st = tmp_path / "st.pdf", tmp_path / "st.csv"
    args = ["statement", "--month", "2026-03", "--group", PAYLOADS["group"], "-o", str(pdf)]
    assert main([*db, *args, "--csv", str(st)]) == 0
    assert_neutral(st.read_text(), PAYLOADS["bay"])
    summary, summary_csv = tmp_path / "sum.pdf", tmp_path / "sum.csv"
    args = ["statement", "--month", "2026-03", "-o", str(summary), "--csv", str(summary_csv)]
    assert main([*db, *args]) == 0
    assert_neutral(summary_csv.read_text(), PAYLOADS["bay"])

    sales = tmp_path / "sales.csv"
    assert main([*db, "export", "--month", "2026-03", "--format", "csv", "-o", str(sales)]) == 0
    assert_neutral(sales.read_text())

    audit = tmp_path / "audit.csv"
    assert main([*db, "audit", "export", "-o", str(audit)]) == 0
    assert_neutral(audit.read_text(), PAYLOADS["audit"], "+1+1")


@pytest.mark.parametrize(
    "cell,written",
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("@x", "'@x"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.50", "-12.50"),  # a plain number stays a number
        ("+3", "+3"),
        ("Åsa", "Åsa"),
        (12, 12),
    ],
)
def test_safe_cell(cell: object, written: object) -> None:
    assert safe_cell(cell) == written
