"""Invoices and credit notes: real PDFs read back with pdftotext, OCR references checked by
an independent Luhn check, gapless numbers under parallel processes, payments by hand and
from a crafted BgMax file, and the line between receipts and invoices."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from stationmgr.billing.buyers import set_buyer
from stationmgr.billing.charges import correct_price
from stationmgr.billing.invoice_pdf import invoice_doc, render_invoice, swish_payload
from stationmgr.billing.invoices import (
    credit_invoice,
    import_payments,
    issue_invoices,
    list_invoices,
    pay_invoice,
    verify_invoices,
)
from stationmgr.billing.ledger import verify_chain
from stationmgr.billing.receipts import issue_receipt, verify_numbering
from stationmgr.billing.site import set_site_value
from stationmgr.billing.statements import month_summary, render_summary
from stationmgr.errors import UserError
from stationmgr.store.billing_models import Invoice, InvoiceLine
from stationmgr.store.db import Database
from stationmgr.store.models import Tariff
from tests.billing_site import SELLER, T0, build_billing_site, finish_session, persister
from tests.helpers.bgmax_writer import bgmax_file

ROOT = Path(__file__).resolve().parents[1]
APRIL = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # invoices for March are issued on 1 April
CARD = "0A1B2C3D"
HOLDER = "Åsa Öberg 3D"


def luhn_valid(ref: str) -> bool:
    """Independent of stationmgr.billing.ocr: double every second digit from the right."""
    digits = [int(c) for c in ref]
    odd = digits[-1::-2]
    even = [sum(divmod(2 * d, 10)) for d in digits[-2::-2]]
    return (sum(odd) + sum(even)) % 10 == 0


def pdftext(data: bytes, tmp_path: Path, name: str = "i.pdf") -> str:
    pdf = tmp_path / name
    pdf.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2, cards=(CARD,))
    with sqlite_db.session() as s:
        set_site_value(s, "seller_bankgiro", "5050-1055")
        set_site_value(s, "seller_swish", "123 456 78 90")
        set_buyer(
            s,
            HOLDER,
            None,
            {
                "name": "Nordic Taxi AB",
                "address": "Box 12;831 30 Östersund",
                "org_number": "5561234567",
                "vat_number": "se556123456701",
                "email": "ekonomi@nordictaxi.se",
                "invoice_monthly": True,
                "terms_days": 30,
            },
        )
    return sqlite_db


def _march_sessions(db: Database, n: int = 3) -> list[int]:
    p = persister()
    return [
        finish_session(db, p, 1 + i % 2, T0 + i * 86400, 60, 10.0 + i, card=CARD).id
        for i in range(n)
    ]


def test_ocr_reference_has_length_and_check_digit() -> None:
    from stationmgr.billing.ocr import luhn_digit, make_ocr, ocr_ok

    assert luhn_digit("7992739871") == 3  # the textbook Luhn example
    for n in (1, 9, 42, 1234, 99999999):
        ref = make_ocr(n)
        assert ref.startswith(str(n)) and luhn_valid(ref)
        assert int(ref[-2]) == len(ref) % 10  # the length digit
        assert ocr_ok(ref)
        bad = ref[:-1] + str((int(ref[-1]) + 1) % 10)
        assert not ocr_ok(bad) and not luhn_valid(bad)
    assert not ocr_ok("12a4")


def test_invoice_for_a_month_has_every_field_and_adds_up(site: Database, tmp_path: Path) -> None:
    ids = _march_sessions(site, 3)
    issued, skipped = issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    assert [i.number for i in issued] == [1] and not skipped
    inv = issued[0]
    assert inv.sessions == 3 and luhn_valid(inv.ocr)
    with site.session() as s:
        doc = invoice_doc(s, 1)
        from stationmgr.billing.charges import current_price

        prices = [current_price(s, i) for i in ids]
        assert inv.total_minor == sum(p.total_minor for p in prices if p)
    txt = pdftext(render_invoice(doc, "sv"), tmp_path)
    for value in SELLER.values():
        for part in value.split(";"):
            assert part in txt, part
    for field in (
        "FAKTURA",
        "Fakturanummer: 1",
        "Fakturadatum: 2026-04-01",
        "Förfallodatum: 2026-05-01",
        "30 dagar netto",
        "Nordic Taxi AB",
        "Box 12",
        "831 30 Östersund",
        "Org.nr 556123-4567",
        "Momsreg.nr SE556123456701",
        "Bankgiro:",
        "5050-1055",
        "Moms per momssats",
        "Period: 2026-03",
    ):
        assert field in txt, field
    ocr = re.search(r"OCR-nummer:\s+(\d+)", txt)
    assert ocr and ocr.group(1) == inv.ocr and luhn_valid(ocr.group(1))
    total = re.search(r"Att betala:\s+([\d\s\u00a0]+,\d\d) SEK", txt)
    assert total and int(re.sub(r"\D", "", total.group(1))) == inv.total_minor
    assert "Betala med Swish" not in txt  # a company pays by bankgiro
    assert len(re.findall(r"2026-03-0\d \d\d:\d\d\s+P[12]", txt)) == 3  # a line per session
    with site.session() as s:
        assert verify_invoices(s) == [] and verify_chain(s) == []


def test_english_invoice_for_a_private_customer_has_a_swish_code(
    site: Database, tmp_path: Path
) -> None:
    _march_sessions(site, 2)
    with site.session() as s:
        set_buyer(s, HOLDER, None, {"name": "Åsa Öberg", "org_number": "", "vat_number": ""})
    issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    with site.session() as s:
        doc = invoice_doc(s, 1)
    pdf = render_invoice(doc, "en")
    txt = pdftext(pdf, tmp_path)
    for field in (
        "INVOICE",
        "Invoice number: 1",
        "Due date: 2026-05-01",
        "30 days net",
        "Pay with Swish",
        "1234567890",
        "OCR reference:",
        "VAT per rate",
    ):
        assert field in txt, field
    amount = f"{doc.total_minor // 100},{doc.total_minor % 100:02d}"
    assert swish_payload(doc.swish, doc.total_minor, doc.ocr) == f"C1234567890;{amount};{doc.ocr};0"
    zbar = subprocess.run(["which", "zbarimg"], capture_output=True)
    if zbar.returncode == 0:  # read the QR code back from the rendered page
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "150",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "i.pdf"),
                str(tmp_path / "p"),
            ],
            check=True,
        )
        png = next(tmp_path.glob("p*.png"))
        out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
        assert f"C1234567890;{amount};{doc.ocr};0" in out.stdout


def test_invoiced_session_gets_no_receipt_and_receipted_one_no_invoice(site: Database) -> None:
    ids = _march_sessions(site, 3)
    rec = issue_receipt(site, ids[0])  # receipted before the invoice
    issued, _ = issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    assert issued[0].sessions == 2
    with site.session() as s:
        lines = list(s.scalars(select(InvoiceLine.session_id)))
    assert sorted(lines) == ids[1:]
    with pytest.raises(UserError, match=rf"session {ids[1]} is on invoice 1"):
        issue_receipt(site, ids[1])
    assert issue_receipt(site, ids[0]).number == rec.number  # a re-print still works
    with pytest.raises(UserError, match="nothing to invoice"):  # not invoiced twice
        issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    with site.session() as s, pytest.raises(UserError, match="on invoice 1: credit it first"):
        t = s.scalar(select(Tariff.id))
        correct_price(s, ids[1], t, "wrong tariff")


def test_payments_partial_then_full_and_overdue(site: Database) -> None:
    _march_sessions(site, 2)
    issued, _ = issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    total = issued[0].total_minor
    with site.session() as s:
        assert list_invoices(s, today=date(2026, 4, 2))[0].state == "issued"
        assert list_invoices(s, today=date(2026, 5, 2))[0].state == "overdue"
    p = pay_invoice(site, 1, date(2026, 4, 20), 1000)
    assert p.paid_minor == 1000 and p.state in ("issued", "overdue")
    with pytest.raises(UserError, match="more than is left"):
        pay_invoice(site, 1, date(2026, 4, 21), total)
    p = pay_invoice(site, 1, date(2026, 4, 25))  # the rest
    assert p.paid_minor == total and p.state == "paid"
    with site.session() as s:
        assert list_invoices(s, state="paid", today=date(2026, 6, 1))[0].number == 1
        assert verify_invoices(s) == []
    with pytest.raises(UserError, match="already paid"):
        pay_invoice(site, 1, date(2026, 4, 26))


def test_bgmax_file_books_payments_by_ocr_once(site: Database) -> None:
    _march_sessions(site, 2)
    issued, _ = issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    inv = issued[0]
    data = bgmax_file(
        "50501055",
        date(2026, 4, 28),
        [(inv.ocr, inv.total_minor), ("99999999999", 12300)],
        "20260428101500123456",
    )
    r = import_payments(site, data)
    assert r.booked == [(1, inv.total_minor, "2026-04-28")]
    assert len(r.unmatched) == 1 and "99999999999" in r.unmatched[0]
    again = import_payments(site, data)  # the same file again books nothing
    assert again.booked == [] and again.already == 1
    with site.session() as s:
        assert list_invoices(s, today=date(2026, 6, 1))[0].state == "paid"
        assert verify_invoices(s) == []
    broken = data.replace(
        b"00001" + str(inv.total_minor + 12300).rjust(18, "0").encode(),
        b"00001" + str(inv.total_minor).rjust(18, "0").encode(),
    )
    with pytest.raises(UserError, match="the deposit says"):
        import_payments(site, broken)
    with pytest.raises(UserError, match="not a BgMax file"):
        import_payments(site, b"hello\n")


def test_credit_note_refers_to_the_original_which_stays_printable(
    site: Database, tmp_path: Path
) -> None:
    ids = _march_sessions(site, 2)
    issued, _ = issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    with site.session() as s:
        before = pdftext(render_invoice(invoice_doc(s, 1), "sv"), tmp_path, "a.pdf")
    note = credit_invoice(site, 1, "fel kund", now=datetime(2026, 4, 10, 9, tzinfo=UTC))
    assert note.number == 2 and note.total_minor == -issued[0].total_minor
    with pytest.raises(UserError, match="already credited by 2"):
        credit_invoice(site, 1, "igen")
    with site.session() as s:
        orig = pdftext(render_invoice(invoice_doc(s, 1), "sv"), tmp_path, "b.pdf")
        credit = pdftext(render_invoice(invoice_doc(s, 2), "sv"), tmp_path, "c.pdf")
        credit_en = pdftext(render_invoice(invoice_doc(s, 2), "en"), tmp_path, "d.pdf")
        assert list_invoices(s)[0].state == "credited"
        assert verify_invoices(s) == []
    assert "KREDITERAD genom kreditfaktura 2 (2026-04-10)" in orig
    assert "KREDITERAD" not in before
    for line in before.splitlines():  # the original is otherwise printed as it was
        if line.strip():
            assert (
                line.strip() in orig.replace("KREDITERAD genom kreditfaktura 2 (2026-04-10)", "")
                or "Sida" in line
            ), line
    for field in (
        "KREDITFAKTURA",
        "Kreditfakturanummer: 2",
        "Krediterar faktura 1 daterad 2026-04-01",
        "Orsak: fel kund",
        "Att återfå:",
        "Nordic Taxi AB",
    ):
        assert field in credit, field
    assert "Credits invoice 1 dated 2026-04-01" in credit_en and "CREDIT NOTE" in credit_en
    neg = re.search(r"Att återfå:\s+(-[\d\s\u00a0]+,\d\d) SEK", credit)
    assert neg and -int(re.sub(r"\D", "", neg.group(1))) == -issued[0].total_minor
    vat = re.search(r"Summa moms:\s+(-[\d\s\u00a0]+,\d\d)", credit)
    assert vat is not None
    assert "OCR" not in credit  # nothing to pay
    # The sessions are free again: invoiced anew (number 3) or receipted.
    again, _ = issue_invoices(site, 2026, 3, holder=HOLDER, now=datetime(2026, 4, 10, tzinfo=UTC))
    assert again[0].number == 3 and again[0].sessions == 2
    credit_invoice(site, 3, "kvitto i stället")
    assert issue_receipt(site, ids[0]).number == 1
    with pytest.raises(UserError, match="credit note itself"):
        credit_invoice(site, 2, "x")
    with pytest.raises(UserError, match="credit note: it is not paid"):
        pay_invoice(site, 2, date(2026, 4, 11))


def test_invoice_and_credit_note_print_the_ledger_code_of_their_issue(
    site: Database, tmp_path: Path
) -> None:
    """The ledger head's code (`billing.anchors`, as on the month summary) at the time each
    document was issued: a code the owner can keep outside and `verify --anchor` checks."""
    from stationmgr.billing.anchors import check_codes, head_code, parse_code

    _march_sessions(site, 2)
    issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    with site.session() as s:
        at_issue = head_code(s)
    parse_code(at_issue)  # a well-formed code, not the empty ledger's
    assert not at_issue.startswith("0-")
    finish_session(site, persister(), 1, T0 + 40 * 86400, 60, 8.0, card=CARD)  # April
    note = credit_invoice(site, 1, "fel kund", now=datetime(2026, 4, 10, 9, tzinfo=UTC))
    with site.session() as s:
        at_credit = head_code(s)
        assert at_credit != at_issue
        sv = pdftext(render_invoice(invoice_doc(s, 1), "sv"), tmp_path, "a.pdf")
        en = pdftext(render_invoice(invoice_doc(s, 1), "en"), tmp_path, "b.pdf")
        credit = pdftext(render_invoice(invoice_doc(s, note.number), "sv"), tmp_path, "c.pdf")
        credit_en = pdftext(render_invoice(invoice_doc(s, note.number), "en"), tmp_path, "d.pdf")
        summary = month_summary(s, 2026, 3)
        assert check_codes(s, [at_issue, at_credit]) == []
    assert re.search(rf"Kontrollkod huvudbok:\s+{re.escape(at_issue)}", sv), sv
    assert re.search(rf"Ledger check code:\s+{re.escape(at_issue)}", en), en
    assert re.search(rf"Kontrollkod huvudbok:\s+{re.escape(at_credit)}", credit), credit
    assert re.search(rf"Ledger check code:\s+{re.escape(at_credit)}", credit_en), credit_en
    # the same words and the same kind of code as the month summary prints
    st = pdftext(render_summary(summary, "sv"), tmp_path, "e.pdf")
    assert re.search(rf"Kontrollkod huvudbok:\s+{re.escape(summary.ledger_code)}", st), st


def test_every_monthly_buyer_and_the_summary_with_annex(site: Database, tmp_path: Path) -> None:
    _march_sessions(site, 18)  # more than fit as lines: a summary and an annex
    with site.session() as s:
        set_buyer(s, None, "Personal", {"name": "Personalklubben", "invoice_monthly": False})
    issued, skipped = issue_invoices(site, 2026, 3, now=APRIL)
    assert not skipped
    assert [i.buyer for i in issued] == ["Nordic Taxi AB"] and issued[0].sessions == 18
    with site.session() as s:
        txt = pdftext(render_invoice(invoice_doc(s, 1), "sv"), tmp_path)
    assert "Laddning, moms 25 %" in txt and "BILAGA: LADDNINGAR" in txt
    assert "Sida 2" in txt
    assert len(re.findall(r"2026-03-\d\d \d\d:\d\d\s+P[12]", txt)) == 18


def test_tampering_is_found_by_verify(site: Database) -> None:
    _march_sessions(site, 2)
    issue_invoices(site, 2026, 3, holder=HOLDER, now=APRIL)
    pay_invoice(site, 1, date(2026, 4, 20), 500)
    with site.session() as s:
        assert verify_invoices(s) == []
        s.execute(update(Invoice).where(Invoice.number == 1).values(total_minor=100))
        problems = verify_invoices(s)
        s.rollback()
    assert problems and "invoice 1 was altered" in problems[0]
    with site.session() as s:
        s.execute(update(InvoiceLine).values(net_minor=1))
        assert verify_invoices(s)
        s.rollback()
    from stationmgr.store.billing_models import InvoicePayment

    with site.session() as s:
        s.execute(update(InvoicePayment).values(amount_minor=50000))
        assert "payment" in verify_invoices(s)[0]
        s.rollback()


ISSUER = """
import sys
from datetime import UTC, datetime
from stationmgr.store.db import open_database
from stationmgr.billing.invoices import issue_invoices
from stationmgr.errors import UserError
db = open_database(sys.argv[1], upgrade=False)
for h in sys.argv[2].split(","):
    try:
        issue_invoices(db, 2026, 3, holder=h, now=datetime(2026, 4, 1, tzinfo=UTC))
    except UserError:
        pass  # the other process invoiced this holder first
print("done", flush=True)
"""


def test_parallel_processes_issue_distinct_gapless_numbers(sqlite_db: Database) -> None:
    cards = tuple(f"0A1B2C{i:02X}" for i in range(12))
    build_billing_site(sqlite_db, bays=2, cards=cards)
    p = persister()
    for i, c in enumerate(cards):
        for k in range(2):
            finish_session(sqlite_db, p, 1 + k, T0 + i * 7200 + k * 3600, 20, 3.0 + i, card=c)
    holders = [f"Åsa Öberg {c[-2:]}" for c in cards]
    orders = [holders, holders[::-1], holders[4:] + holders[:4]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ISSUER, sqlite_db.url, ",".join(o)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for o in orders
    ]
    try:
        for proc in procs:
            _out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    with sqlite_db.session() as s:
        numbers = list(s.scalars(select(Invoice.number).order_by(Invoice.number)))
        per_holder = list(s.scalars(select(Invoice.holder_id)))
        sessions = list(s.scalars(select(InvoiceLine.session_id)))
        assert numbers == list(range(1, 13))
        assert len(set(per_holder)) == 12  # one invoice per holder
        assert len(sessions) == len(set(sessions)) == 24  # no session twice
        assert verify_invoices(s) == [] and verify_chain(s) == [] and verify_numbering(s) == []
