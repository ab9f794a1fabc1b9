"""Documents for Swedish habits (issue 13, items 8 and 9): CSV a Swedish Excel opens, VAT
per rate and the 0 % exemption on receipts, stop reasons in words, receipts that paginate,
files with the user's umask, VAT in SEK on a foreign-currency receipt, and no receipt number
before the seller is identified. Real PDFs, read back with pdftotext."""

from __future__ import annotations

import os
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr.billing import jobs
from stationmgr.billing.pdf import write_atomically
from stationmgr.billing.receipts import issue_receipt, receipt_pdf
from stationmgr.billing.site import require_seller, set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cards import CardInput, add_card
from stationmgr.errors import UserError
from stationmgr.store.billing_models import Receipt
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger
from tests.billing_site import SELLER, T0, build_billing_site, finish_session, persister

H = 3600.0


def pdftext(data: bytes, tmp_path: Path, page: int | None = None) -> str:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(data)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


def page_count(data: bytes, tmp_path: Path) -> int:
    pdf = tmp_path / "count.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(next(x for x in out.stdout.splitlines() if x.startswith("Pages:")).split()[1])


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    return sqlite_db


# ---------------------------------------------------------------- CSV


def test_csv_for_a_swedish_excel_and_plain(site: Database) -> None:
    with site.session() as s:
        add_card(s, CardInput(uid="0BADF00D", holder='=HYPERLINK("http://x/?"&A1;"Klicka")'))
    finish_session(site, persister(), 1, T0, 60, 12.5, card="0BADF00D")
    finish_session(site, persister(), 2, T0 + H, 60, 7.25)
    plain = jobs.export_file(site, "2026-03", "csv")
    assert not plain.startswith(b"\xef\xbb\xbf") and b"\r\n" not in plain
    assert plain.decode().splitlines()[0].count(",") > 5
    with site.session() as s:
        set_site_value(s, "csv_dialect", "excel-sv")
    for data in (
        jobs.export_file(site, "2026-03", "csv"),
        jobs.statement_files(site, "2026-03").csv,
        jobs.statement_files(site, "2026-03", group="Personal").csv,
    ):
        assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads å ä ö right
        text = data.decode("utf-8-sig")
        lines = text.split("\r\n")
        assert lines[-1] == "" and all("\n" not in x for x in lines)  # CRLF only
        assert ";" in lines[0] and "," not in lines[0]
        assert any("12,500" in x or "7,250" in x for x in lines), text  # decimal comma
        assert not any(cell.startswith("=") for x in lines for cell in x.split(";"))
    sales = jobs.export_file(site, "2026-03", "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in sales  # neutralised in either dialect
    with site.session() as s, pytest.raises(UserError, match="excel-sv"):
        set_site_value(s, "csv_dialect", "excel")


# ---------------------------------------------------------------- receipts


def test_vat_per_rate_exemption_text_and_stop_reason_in_words(
    site: Database, tmp_path: Path
) -> None:
    with site.session() as s:
        add_tariff(
            s,
            TariffInput(
                name="Mat 12",
                valid_from=datetime.fromtimestamp(T0 + 1800, UTC),
                energy_minor_per_kwh=300,
                vat_bp=1200,
            ),
        )
        add_tariff(
            s,
            TariffInput(
                name="Gäst 0",
                valid_from=datetime(2026, 2, 1, tzinfo=UTC),
                guests=True,
                energy_minor_per_kwh=400,
                vat_bp=0,
            ),
        )
    mixed = finish_session(site, persister(), 1, T0, 60, 10.0)  # 25 % then 12 % half-way
    guest = finish_session(site, persister(), 2, T0 + 2 * H, 30, 5.0, card=None)
    _, pdf = receipt_pdf(site, mixed.id, "sv")
    txt = pdftext(pdf, tmp_path)
    assert "Moms per momssats" in txt
    assert "Moms 25 %" in txt and "Moms 12 %" in txt
    assert "Stopporsak: Bilen kopplades ur" in txt and "EVDisconnected" not in txt
    assert "undantagen från skatteplikt" not in txt
    _, pdf = receipt_pdf(site, guest.id, "en")
    txt = pdftext(pdf, tmp_path)
    assert "VAT by rate" in txt and "VAT 0 %" in txt
    assert "VAT-exempt supply under chapter 10 of the Swedish VAT Act (2023:200)" in txt
    assert "Stop reason: The car was unplugged" in txt
    with site.session() as s:
        set_site_value(s, "vat_exemption_text", "Omsättning utanför Sverige, 5 kap. ML")
    _, pdf = receipt_pdf(site, guest.id, "sv")
    assert "Omsättning utanför Sverige, 5 kap. ML" in pdftext(pdf, tmp_path)


def test_a_long_receipt_paginates_with_its_header_on_every_page(
    site: Database, tmp_path: Path
) -> None:
    with site.session() as s:  # 26 versions an hour apart: 2 lines each (energy and time)
        for i in range(1, 27):
            add_tariff(
                s,
                TariffInput(
                    name=f"Timpris {i}",
                    valid_from=datetime.fromtimestamp(T0 + i * H - 600, UTC),
                    energy_minor_per_kwh=300 + i,
                    time_minor_per_hour=100 + i,
                ),
            )
    row = finish_session(site, persister(), 1, T0, 27 * 60, 270.0, sample_every_s=600)
    rec, pdf = receipt_pdf(site, row.id, "sv")
    n = page_count(pdf, tmp_path)
    assert n >= 2
    for k in range(1, n + 1):
        page = pdftext(pdf, tmp_path, k)
        assert SELLER["seller_name"] in page and f"Kvittonummer: {rec.number}" in page
        assert f"Sida {k} av {n}" in page
    assert "Beskrivning (forts.)" in pdftext(pdf, tmp_path, 2)
    last = pdftext(pdf, tmp_path, n)
    whole = pdftext(pdf, tmp_path)
    for field in ("Summa netto", "Att betala", rec.verification):
        assert field in whole, field
    assert rec.verification in last  # the code and QR on the page, not below its edge
    assert whole.count("Energi ") >= 27


def test_output_files_get_the_users_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "a.pdf", b"%PDF")
        os.umask(0o027)
        write_atomically(tmp_path / "b.csv", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.pdf").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o640


def _euro_site(db: Database) -> None:
    with db.session() as s:
        c = Charger(name="e1", driver="inproc", port="inproc://e1")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid="0A1B2C3D", holder="Jean Dupont"))
        for k, v in SELLER.items():
            set_site_value(s, k, v)
        add_tariff(
            s,
            TariffInput(
                name="Euro",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                currency="EUR",
                energy_minor_per_kwh=40,
            ),
        )


def test_a_euro_receipt_shows_its_vat_in_sek(sqlite_db: Database, tmp_path: Path) -> None:
    _euro_site(sqlite_db)
    row = finish_session(sqlite_db, persister(), 1, T0, 60, 10.0)  # 4.00 EUR + 1.00 VAT
    with pytest.raises(UserError, match="exchange_rate_sek"):
        issue_receipt(sqlite_db, row.id)
    with sqlite_db.session() as s:
        set_site_value(s, "exchange_rate_sek", "11.4825")
    rec, pdf = receipt_pdf(sqlite_db, row.id, "sv")
    assert rec.number == 1 and rec.sek_rate_e6 == 11_482_500
    txt = pdftext(pdf, tmp_path)
    assert "Moms i SEK: 11,48 SEK (kurs 11,4825 SEK/EUR)" in txt
    with sqlite_db.session() as s:  # a later rate does not change an issued receipt
        set_site_value(s, "exchange_rate_sek", "12")
    _, again = receipt_pdf(sqlite_db, row.id, "sv")
    assert "kurs 11,4825 SEK/EUR" in pdftext(again, tmp_path)


# ---------------------------------------------------------------- seller before the number


def test_no_receipt_number_before_the_seller_is_identified(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        c = Charger(name="f1", driver="inproc", port="inproc://f1")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid="0A1B2C3D", holder="Åsa"))
        add_tariff(
            s,
            TariffInput(
                name="Standard",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                energy_minor_per_kwh=350,
            ),
        )
    row = finish_session(sqlite_db, persister(), 1, T0, 60, 10.0)
    with pytest.raises(UserError) as e:
        issue_receipt(sqlite_db, row.id)
    msg = str(e.value)
    assert "\n" not in msg
    for what in ("name", "organisation number", "address", "VAT number"):
        assert what in msg, what
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 0
        set_site_value(s, "seller_name", "Laddgården AB")
        set_site_value(s, "seller_org_number", "556677-8899")
        set_site_value(s, "seller_address", "Storgatan 1;837 52 Åre")
    with pytest.raises(UserError, match=r"missing \(VAT number\)"):
        issue_receipt(sqlite_db, row.id)
    with sqlite_db.session() as s:
        with pytest.raises(UserError, match="invalid VAT number"):
            set_site_value(s, "seller_vat_number", "SE123")
        set_site_value(s, "seller_vat_registered", "no")  # not registered: no VAT number
        assert require_seller(s).name == "Laddgården AB"
    assert issue_receipt(sqlite_db, row.id).number == 1


def test_a_euro_invoice_credit_note_and_statement_show_vat_per_rate_in_sek(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """Like the receipt (one helper, `pdf.vat_in_sek`): each VAT rate's amount in SEK and
    the rate used; an invoice and its credit note keep the rate of the issue."""
    from stationmgr.billing.buyers import set_buyer
    from stationmgr.billing.invoice_pdf import invoice_doc, render_invoice
    from stationmgr.billing.invoices import credit_invoice, issue_invoices
    from stationmgr.billing.statements import (
        month_summary,
        render_statement,
        render_summary,
        statement,
    )
    from stationmgr.store.models import CardHolder

    _euro_site(sqlite_db)
    with sqlite_db.session() as s:  # from the second day a 12 % tariff (0.40 EUR/kWh)
        add_tariff(
            s,
            TariffInput(
                name="Euro 12",
                valid_from=datetime(2026, 3, 3, tzinfo=UTC),
                currency="EUR",
                energy_minor_per_kwh=40,
                vat_bp=1200,
            ),
        )
        set_buyer(s, "Jean Dupont", None, {"name": "Dupont SARL", "address": "1 rue X;Paris"})
        holder_id = s.scalar(select(CardHolder.id).where(CardHolder.name == "Jean Dupont"))
    p = persister()
    finish_session(sqlite_db, p, 1, T0, 60, 10.0)  # 4.00 EUR + 1.00 VAT at 25 %
    finish_session(sqlite_db, p, 1, T0 + 86400, 60, 10.0, meter_start_wh=120_000.0)  # 0.48 at 12 %
    april = datetime(2026, 4, 1, 9, tzinfo=UTC)
    with pytest.raises(UserError, match="exchange_rate_sek"):
        issue_invoices(sqlite_db, 2026, 3, holder="Jean Dupont", now=april)
    with sqlite_db.session() as s:
        set_site_value(s, "exchange_rate_sek", "11.4825")
    (inv,), _ = issue_invoices(sqlite_db, 2026, 3, holder="Jean Dupont", now=april)
    assert inv.number == 1 and inv.currency == "EUR"
    with sqlite_db.session() as s:  # a later rate changes neither the invoice nor its credit note
        set_site_value(s, "exchange_rate_sek", "12")
    credit_invoice(sqlite_db, 1, "fel valuta", now=datetime(2026, 4, 2, 9, tzinfo=UTC))
    with sqlite_db.session() as s:
        sv = pdftext(render_invoice(invoice_doc(s, 1), "sv"), tmp_path)
        en = pdftext(render_invoice(invoice_doc(s, 1), "en"), tmp_path)
        note = pdftext(render_invoice(invoice_doc(s, 2), "sv"), tmp_path)
        st = statement(s, 2026, 3, holder_id, None, "Jean Dupont")
        st_sv = pdftext(render_statement(st, "sv"), tmp_path)
        summary = pdftext(render_summary(month_summary(s, 2026, 3), "en"), tmp_path)
    # 1.00 EUR × 11.4825 = 11.48 SEK; 0.48 EUR × 11.4825 = 5.51 SEK
    assert "Moms i SEK 25 %: 11,48 SEK (kurs 11,4825 SEK/EUR)" in sv, sv
    assert "Moms i SEK 12 %: 5,51 SEK (kurs 11,4825 SEK/EUR)" in sv, sv
    assert "VAT in SEK 25 %: 11.48 SEK (rate 11.4825 SEK/EUR)" in en, en
    assert "VAT in SEK 12 %: 5.51 SEK (rate 11.4825 SEK/EUR)" in en, en
    assert "Moms i SEK 25 %: -11,48 SEK (kurs 11,4825 SEK/EUR)" in note, note
    assert "Moms i SEK 12 %: -5,51 SEK (kurs 11,4825 SEK/EUR)" in note, note
    # a statement is made now, at the site's rate now: 1.00 × 12 = 12.00, 0.48 × 12 = 5.76
    assert "Moms i SEK 25 %: 12,00 SEK (kurs 12,0000 SEK/EUR)" in st_sv, st_sv
    assert "Moms i SEK 12 %: 5,76 SEK (kurs 12,0000 SEK/EUR)" in st_sv, st_sv
    assert "VAT in SEK 25 %: 12.00 SEK (rate 12.0000 SEK/EUR)" in summary, summary


def test_a_sek_invoice_and_statement_show_no_vat_in_sek_line(
    site: Database, tmp_path: Path
) -> None:
    from stationmgr.billing.buyers import set_buyer
    from stationmgr.billing.invoice_pdf import invoice_doc, render_invoice
    from stationmgr.billing.invoices import issue_invoices
    from stationmgr.billing.statements import render_statement, statement

    with site.session() as s:
        set_buyer(s, "Åsa Öberg 3D", None, {"name": "Nordic Taxi AB"})
    finish_session(site, persister(), 1, T0, 60, 10.0)
    issue_invoices(site, 2026, 3, holder="Åsa Öberg 3D", now=datetime(2026, 4, 1, 9, tzinfo=UTC))
    with site.session() as s:
        inv = pdftext(render_invoice(invoice_doc(s, 1), "sv"), tmp_path)
        st = pdftext(render_statement(statement(s, 2026, 3), "sv"), tmp_path)
    assert "Moms per momssats" in inv and "Moms i SEK" not in inv
    assert "Moms i SEK" not in st
