"""The invoice, buyer and receipt-copy commands end to end (in-process `stationmgr` on a real
SQLite file), and `correct` producing a correcting receipt that refers to the original."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from stationmgr.cli import main
from stationmgr.store.billing_models import Invoice, InvoicePayment
from stationmgr.store.db import Database
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.helpers.bgmax_writer import bgmax_file

HOLDER = "Åsa Öberg 3D"


@pytest.fixture
def site(sqlite_db: Database) -> tuple[Database, list[str]]:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    for i in range(4):
        finish_session(sqlite_db, p, 1 + i % 2, T0 + i * 86400, 60, 10 + i, idle_min=40)
    return sqlite_db, ["--db", sqlite_db.url]


def run(db: list[str], *args: str) -> int:
    return main([*db, *args])


def one_error_line(capsys: pytest.CaptureFixture[str], contains: str) -> None:
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("stationmgr: error:") and contains in lines[0], lines[0]


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_invoice_commands_end_to_end(site, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _sqlite_db, db = site
    assert run(db, "site", "set", "seller_bankgiro", "5050-1055") == 0
    assert (
        run(
            db,
            "buyers",
            "set",
            "--holder",
            HOLDER,
            "--name",
            "Nordic Taxi AB",
            "--address",
            "Box 12;831 30 Östersund",
            "--org-number",
            "556123-4567",
            "--vat-number",
            "SE556123456701",
            "--monthly",
            "yes",
            "--terms",
            "20",
        )
        == 0
    )
    assert "invoiced monthly, 20 days" in capsys.readouterr().out
    assert run(db, "buyers", "list") == 0
    assert "Nordic Taxi AB" in capsys.readouterr().out
    assert run(db, "invoices", "issue", "--month", "2026-03") == 0
    out = capsys.readouterr().out
    m = re.search(r"invoice 1: Nordic Taxi AB, 4 sessions, ([\d.]+) SEK, OCR (\d+)", out)
    assert m, out
    total, ocr = int(m.group(1).replace(".", "")), m.group(2)
    assert run(db, "invoices", "list", "--month", "2026-03") == 0
    assert re.search(r"^1\s+invoice .* (issued|overdue)\s+" + ocr, capsys.readouterr().out, re.M)
    pdf = tmp_path / "f.pdf"
    assert run(db, "invoices", "show", "1", "-o", str(pdf)) == 0
    assert "OCR-nummer:" in pdf_text(pdf) and ocr in pdf_text(pdf)
    assert run(db, "invoices", "show", "1", "-o", str(pdf), "--lang", "en") == 0
    assert "INVOICE" in pdf_text(pdf)
    assert run(db, "invoices", "pay", "1", "--date", "2026-04-10", "--amount", "10,00") == 0
    assert "10.00 of" in capsys.readouterr().out
    bg = tmp_path / "bgmax.txt"
    bg.write_bytes(bgmax_file("50501055", date(2026, 4, 20), [(ocr, total - 1000)], "2026042"))
    assert run(db, "invoices", "import-payments", str(bg)) == 0
    assert "1 booked, 0 not matched" in capsys.readouterr().out
    assert run(db, "invoices", "list", "--state", "paid") == 0
    assert re.search(r"^1\s+invoice", capsys.readouterr().out, re.M)
    assert run(db, "invoices", "credit", "1", "--reason", "fel period") == 0
    assert "credit note 2 for invoice 1" in capsys.readouterr().out
    assert run(db, "invoices", "show", "2", "-o", str(pdf)) == 0
    assert "Krediterar faktura 1" in pdf_text(pdf)
    assert run(db, "verify") == 0
    assert "invoices: ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["invoices", "issue", "--month", "2026-13"], "invalid month"),
        (["invoices", "issue", "--month", "2026-03", "--holder", "Nobody"], "no card holder"),
        (["invoices", "issue", "--month", "2026-03"], "no buyer is marked"),
        (["invoices", "issue", "--month", "2026-02", "--holder", HOLDER], "nothing to invoice"),
        (["invoices", "show", "7", "-o", "{out}"], "no invoice number 7"),
        (["invoices", "show", "x", "-o", "{out}"], "invoice number"),
        (["invoices", "pay", "1", "--date", "2026-02-30"], "invalid date"),
        (["invoices", "pay", "9", "--date", "2026-04-01"], "no invoice number 9"),
        (["invoices", "pay", "1", "--date", "2026-04-01", "--amount", "-5"], "--amount"),
        (["invoices", "credit", "1", "--reason", " "], "needs a reason"),
        (["invoices", "import-payments", "/nonexistent/f"], "cannot read"),
        (["buyers", "set", "--holder", HOLDER, "--org-number", "12"], "organisation number"),
        (["buyers", "set", "--holder", HOLDER, "--vat-number", "x"], "VAT number"),
        (["buyers", "set", "--holder", HOLDER, "--email", "a@"], "e-mail"),
        (["site", "set", "seller_bankgiro", "5050-1056"], "bankgiro"),
        (["site", "set", "seller_swish", "0701234567"], "Swish"),
        (["receipts", "show", "5", "-o", "{out}"], "no receipt number 5"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(site, tmp_path, capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    sqlite_db, db = site
    out = tmp_path / "x.pdf"
    argv = [a.replace("{out}", str(out)) for a in argv]
    with sqlite_db.session() as s:
        before = s.execute(text("SELECT count(*) FROM audit_entries")).scalar()
    assert run(db, *argv) == 2
    one_error_line(capsys, message)
    assert not out.exists()
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 0
        assert s.scalar(select(func.count()).select_from(InvoicePayment)) == 0
        assert s.execute(text("SELECT count(*) FROM audit_entries")).scalar() == before


def test_correct_issues_a_correcting_receipt_and_the_original_stays(  # type: ignore[no-untyped-def]
    site, tmp_path, capsys
) -> None:
    _sqlite_db, db = site
    a = tmp_path / "a.pdf"
    assert run(db, "receipt", "1", "-o", str(a)) == 0
    original = pdf_text(a)
    assert "Kvittonummer: 1" in original
    assert run(db, "tariffs", "add", "Natt", "--valid-from", "2026-06-01", "--per-kwh", "2.00") == 0
    capsys.readouterr()
    assert run(db, "correct", "1", "--tariff", "2", "--reason", "nattpris gällde") == 0
    out = capsys.readouterr().out
    assert "correcting receipt 2 (corrects receipt 1)" in out
    b = tmp_path / "b.pdf"
    assert run(db, "receipt", "1", "-o", str(b)) == 0  # the session's receipt: the new one
    new = pdf_text(b)
    for field in (
        "KORRIGERINGSKVITTO",
        "Kvittonummer: 2",
        "Korrigerar kvitto 1 daterat",
        "Orsak: nattpris gällde",
        "Ändring mot kvitto 1: 25 %: netto -",
    ):
        assert field in new, field
    change = re.search(r"totalt (-[\d\s\u00a0]+,\d\d) SEK", new)
    old_total = re.search(r"Att betala:\s+([\d\s\u00a0]+,\d\d) SEK", original)
    new_total = re.search(r"Att betala:\s+([\d\s\u00a0]+,\d\d) SEK", new)
    assert change and old_total and new_total
    cents = lambda t: int(re.sub(r"[^\d-]", "", t))  # noqa: E731
    assert cents(change.group(1)) == cents(new_total.group(1)) - cents(old_total.group(1))
    c = tmp_path / "c.pdf"
    assert run(db, "receipts", "show", "1", "-o", str(c)) == 0  # the original, as issued
    again = pdf_text(c)
    assert "KORRIGERAT genom kvitto 2" in again
    assert old_total.group(0) in again and "Kvittonummer: 1" in again
    assert run(db, "receipts", "show", "1", "-o", str(c), "--lang", "en") == 0
    assert "CORRECTED by receipt 2" in pdf_text(c)
    assert run(db, "verify") == 0
