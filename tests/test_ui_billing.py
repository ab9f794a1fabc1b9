"""The Billing page under pytest-qt: the accountant previews a month, saves and prints it,
exports SIE, issues a receipt and verifies the ledger (all on the worker pool); the owner's
tariff editor adds versions and refuses bad input with the core's message. Every test runs
with both site clients (`ui_client`): the files come back as bytes and are written here."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import func, select

from stationmgr.store.db import Database
from stationmgr.store.models import Tariff
from tests.access_site import audit_entries
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.ui_site import app_context
from tests.ui_staff import staffed_context
from ui.billing.accountant import AccountantView
from ui.billing.page import BillingPage
from ui.billing.tariffs import TariffEditor


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    meters = {1: 0.0, 2: 0.0}  # each bay's counter runs on from session to session
    for i in range(6):
        bay = 1 + i % 2
        finish_session(
            sqlite_db,
            p,
            bay,
            T0 + i * 86400,
            60,
            10 + i,
            idle_min=40,
            card=None if i == 5 else "0A1B2C3D",
            meter_start_wh=meters[bay],
        )
        meters[bay] += (10 + i) * 1000
    return sqlite_db


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_accountant_previews_saves_prints_and_exports(qtbot, site, tmp_path, ui_client) -> None:  # type: ignore[no-untyped-def]
    with app_context(site, None, client=ui_client) as ctx:
        view = AccountantView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.scopes_loaded, timeout=10_000)
        view.month.setDate(QDate(2026, 3, 1))
        view.scope.setCurrentIndex(view.scope.findData("holder:1"))
        view.show_btn.click()
        qtbot.waitUntil(lambda: view.loads == 1, timeout=15_000)
        assert view.table.rowCount() == 5 + 1  # five card sessions and the total row
        total_row = [view.table.item(5, c).text() for c in range(view.table.columnCount())]
        # in the document's language (Swedish by default), as its PDF says
        assert total_row[0] == "Summa" and total_row[-1] == "SEK"
        assert "," in total_row[4] and "." not in total_row[4]  # decimal comma
        headers = [view.table.horizontalHeaderItem(c).text() for c in range(8)]
        assert headers[:4] == ["Avslutad", "Plats", "Kort", "kWh"]
        assert view.table.verticalHeader().isHidden()
        assert view.pdf_btn.isEnabled() and "5 laddningar" in view.status.text()

        pdf, csv = tmp_path / "st.pdf", tmp_path / "st.csv"
        view.save_to("pdf", str(pdf))
        view.save_to("csv", str(csv))
        assert "MÅNADSBESKED" in pdftext(pdf)
        assert csv.read_text().splitlines()[-1].startswith("total,")

        # the printable document, printed to a PDF file as a printer would
        from PySide6.QtPrintSupport import QPrinter

        doc = view.print_document()
        assert total_row[6] in doc.toPlainText()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printed = tmp_path / "printed.pdf"
        printer.setOutputFileName(str(printed))
        doc.print_(printer)
        assert total_row[6].replace(" ", "") in pdftext(printed).replace(" ", "")

        sie = tmp_path / "mars.se"
        view.export_to("sie", str(sie))
        qtbot.waitUntil(lambda: view.loads == 2, timeout=15_000)
        assert sie.read_bytes().startswith(b"#FLAGGA 0\r\n")

        receipt = tmp_path / "kvitto.pdf"
        view.session_id.setValue(2)
        view.receipt_to(2, str(receipt))
        qtbot.waitUntil(lambda: view.loads == 3, timeout=15_000)
        assert "Kvittonummer: 1" in pdftext(receipt)

        view.verify()
        qtbot.waitUntil(lambda: view.loads == 4, timeout=15_000)
        assert "verified" in view.status.text()

        # the month summary, and a failing job shows its message
        view.scope.setCurrentIndex(0)
        view.show_btn.click()
        qtbot.waitUntil(lambda: view.loads == 5, timeout=15_000)
        assert view.table.rowCount() == 6  # six days
        view.reconcile()
        qtbot.waitUntil(lambda: view.loads == 6, timeout=15_000)
        assert "Unbilled energy this month: 0.000 kWh" in view.status.text()
        assert view.table.item(0, 0).text() == "c1" and not view.pdf_btn.isEnabled()
        view.receipt_to(999, str(tmp_path / "none.pdf"))
        qtbot.waitUntil(lambda: "no session with id 999" in view.status.text(), timeout=15_000)
        assert not (tmp_path / "none.pdf").exists()


def test_attendant_is_refused_what_the_cli_refuses(qtbot, site, tmp_path, ui_client) -> None:  # type: ignore[no-untyped-def]
    """Signed in as an attendant, the month summary, an SIE export, a receipt re-print and
    the ledger check are refused by the core (as `stationmgr` refuses them with exit 3; 403
    over the network), each refusal audited; nothing is written. The buttons are disabled
    for the role; called anyway, the site refuses."""
    with staffed_context(site, ui_client, "attendant") as ctx:
        view = AccountantView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.scopes_loaded, timeout=15_000)
        hidden = (view.show_btn, view.sie_btn, view.export_csv_btn, view.receipt_btn)
        assert not any(b.isEnabled() for b in (*hidden, view.verify_btn))
        view.month.setDate(QDate(2026, 3, 1))
        view.scope.setCurrentIndex(0)  # the month summary
        view.reload()
        qtbot.waitUntil(lambda: view.loads == 1, timeout=15_000)
        assert "may not" in view.status.text() and view.preview is None
        assert not view.pdf_btn.isEnabled()
        sie = tmp_path / "mars.se"
        view.export_to("sie", str(sie))
        qtbot.waitUntil(lambda: view.loads == 2, timeout=15_000)
        assert "may not" in view.status.text() and not sie.exists()
        receipt = tmp_path / "kvitto.pdf"
        view.receipt_to(2, str(receipt))
        qtbot.waitUntil(lambda: view.loads == 3, timeout=15_000)
        assert "may not" in view.status.text() and not receipt.exists()
        view.verify()
        qtbot.waitUntil(lambda: view.loads == 4, timeout=15_000)
        assert "may not" in view.status.text()
        assert "\n" not in view.status.text()  # one line, no traceback
    denied = [e.action for e in audit_entries(site, operator="arne") if e.outcome == "denied"]
    assert denied == ["statements.create", "billing.export", "receipts.issue", "verify"]


def test_accountant_export_is_audited_once(qtbot, site, tmp_path, ui_client) -> None:  # type: ignore[no-untyped-def]
    with staffed_context(site, ui_client, "accountant") as ctx:
        view = AccountantView(ctx)
        qtbot.addWidget(view)
        view.month.setDate(QDate(2026, 3, 1))
        view.export_to("sie", str(tmp_path / "mars.se"))
        qtbot.waitUntil(lambda: view.loads == 1, timeout=15_000)
        assert (tmp_path / "mars.se").read_bytes().startswith(b"#FLAGGA 0\r\n")
        assert view.sie_btn.isEnabled() and view.verify_btn.isEnabled()
    (entry,) = audit_entries(site, action="billing.export")
    assert entry.operator == "astrid" and entry.outcome == "ok" and entry.target == "2026-03"


def test_tariff_editor_adds_versions_and_refuses_bad_input(qtbot, site, ui_client) -> None:  # type: ignore[no-untyped-def]
    with app_context(site, None, client=ui_client) as ctx:
        page = BillingPage(ctx)
        qtbot.addWidget(page)
        ed: TariffEditor = page.tariffs
        qtbot.waitUntil(lambda: ed.loads >= 1, timeout=15_000)
        assert ed.table.rowCount() == 1

        def count() -> int:
            with site.session() as s:
                return s.scalar(select(func.count(Tariff.id))) or 0

        ed.name.setText("Natt")
        ed.per_kwh.setText("-2")
        ed.add_btn.click()
        assert "must not be negative" in ed.message.text() and count() == 1
        ed.per_kwh.setText("2,10")
        ed.vat.setText("150")
        ed.add_btn.click()
        assert "between 0 and 100" in ed.message.text() and count() == 1
        ed.vat.setText("25")
        ed.scope.setCurrentIndex(ed.scope.findData("Personal"))
        ed.cap.setText("150")
        ed.add_btn.click()  # added on the worker, then the table is read again
        qtbot.waitUntil(lambda: ed.table.rowCount() == 2, timeout=15_000)
        assert "Added version" in ed.message.text() and count() == 2
        cells = [ed.table.item(1, c).text() for c in range(ed.table.columnCount())]
        assert cells[1] == "Natt" and cells[2] == "Personal" and cells[4] == "2.10 SEK"
        # the service audits the add; the widget adds no entry of its own
        assert [e.target for e in audit_entries(site, action="tariffs.edit")][-1:] == [
            f"tariff {cells[0]} Natt"
        ]
        assert len(audit_entries(site, action="tariffs.edit")) == 2  # the site's + this one
        ed.add_btn.click()  # the same start again: versions only go forward
        qtbot.waitUntil(lambda: "must start after" in ed.message.text(), timeout=15_000)
        assert count() == 2 and ed.table.rowCount() == 2


def test_attendant_sees_the_tariffs_but_may_not_add(qtbot, site, ui_client) -> None:  # type: ignore[no-untyped-def]
    """The form is disabled for the role; the site refuses an add anyway (403 over the
    network), audited, and nothing is added."""
    with staffed_context(site, ui_client, "attendant") as ctx:
        ed = TariffEditor(ctx)
        qtbot.addWidget(ed)
        qtbot.waitUntil(lambda: ed.table.rowCount() == 1, timeout=15_000)
        assert not ed.add_btn.parentWidget().isEnabled()  # the form's group box
        ed.name.setText("Natt")
        ed.add_version()
        qtbot.waitUntil(lambda: "may not" in ed.message.text(), timeout=15_000)
        assert "\n" not in ed.message.text()
    with site.session() as s:
        assert (s.scalar(select(func.count(Tariff.id))) or 0) == 1
    denied = [e.action for e in audit_entries(site, operator="arne") if e.outcome == "denied"]
    assert denied == ["tariffs.edit"]


def _shown_preview(qtbot, site, ui_client):  # type: ignore[no-untyped-def]
    """A view with March's month summary previewed (what Print… prints)."""
    view = AccountantView(site)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.scopes_loaded, timeout=10_000)
    view.month.setDate(QDate(2026, 3, 1))
    view.scope.setCurrentIndex(0)
    view.show_btn.click()
    qtbot.waitUntil(lambda: view.loads == 1, timeout=15_000)
    assert view.print_btn.isEnabled()
    return view


def test_print_without_a_printer_offers_the_pdf(
    qtbot, site, tmp_path, ui_client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Print… on a computer with no printer (offscreen Qt has none) used to kill the app
    (SIGSEGV in the preview dialog, review finding 1): now one message says so and its
    "Save as PDF…" saves the statement; the app goes on."""
    import gc

    from PySide6.QtPrintSupport import QPrinterInfo
    from PySide6.QtWidgets import QFileDialog

    assert not QPrinterInfo.availablePrinters()
    target = tmp_path / "mars.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    with app_context(site, None, client=ui_client) as ctx:
        view = _shown_preview(qtbot, ctx, ui_client)
        view.print_btn.click()
        gc.collect()
        box = view.no_printer_box
        qtbot.waitUntil(box.isVisible, timeout=5_000)
        assert "No printer is set up" in box.text() and "\n" not in box.text()
        (save,) = [b for b in box.buttons() if "PDF" in b.text()]
        save.click()
        qtbot.waitUntil(target.exists, timeout=5_000)
        assert "MÅNADSSAMMANSTÄLLNING" in pdftext(target)
        assert view.status.text() == f"Saved {target}"


def test_print_preview_keeps_its_printer(qtbot, site, tmp_path, ui_client) -> None:  # type: ignore[no-untyped-def]
    """Where a printer exists, the preview dialog opens on a printer the view keeps: the
    garbage collector running under the open dialog no longer frees it (it was a
    temporary). Printed here to a PDF printer and checked by the file's text."""
    import gc

    from PySide6.QtPrintSupport import QPrinter

    with app_context(site, None, client=ui_client) as ctx:
        view = _shown_preview(qtbot, ctx, ui_client)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printed = tmp_path / "preview.pdf"
        printer.setOutputFileName(str(printed))
        dlg = view.print_preview(printer)
        del printer
        gc.collect()
        qtbot.waitUntil(dlg.isVisible, timeout=5_000)
        dlg.paintRequested.emit(view._printer)  # what the dialog's Print button does
        qtbot.waitUntil(printed.exists, timeout=5_000)
        assert view.preview is not None
        assert view.table.item(0, 0).text() in pdftext(printed)
        dlg.close()
        gc.collect()


def test_first_tariff_starts_now_and_refusals_speak_site_time(qtbot, sqlite_db, ui_client) -> None:  # type: ignore[no-untyped-def]
    """Review finding 7: the first version's "Valid from" is now at the site (not tomorrow,
    which left today's sessions to a fallback), and the refusal of an earlier start names
    the current version's start in site time, as the form is labelled — not UTC."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Stockholm")  # the site's time zone by default
    with app_context(sqlite_db, None, client=ui_client) as ctx:
        ed = TariffEditor(ctx)
        qtbot.addWidget(ed)
        qtbot.waitUntil(lambda: ed.loads >= 1, timeout=15_000)
        assert ed.table.rowCount() == 0
        now = datetime.now(tz).replace(second=0, microsecond=0, tzinfo=None)
        shown = ed.valid_from.dateTime().toPython()
        assert shown in (now - timedelta(minutes=1), now)  # the minute it was read in
        ed.name.setText("Dag")
        ed.per_kwh.setText("3")
        ed.add_btn.click()
        qtbot.waitUntil(lambda: ed.table.rowCount() == 1, timeout=15_000)
        assert ed.valid_from.dateTime().toPython() > shown  # the next: tomorrow 00:00
        ed.valid_from.setDateTime(ed.valid_from.dateTime().addDays(-1))  # today 00:00
        ed.add_btn.click()
        qtbot.waitUntil(lambda: "must start after" in ed.message.text(), timeout=15_000)
        assert f"({shown:%Y-%m-%d %H:%M})" in ed.message.text()
        assert "UTC" not in ed.message.text()
        ed.refusal_box.close()
