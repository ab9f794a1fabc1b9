"""A receipt where one looks at a session (review finding 6): the detail dialog's
"Receipt…" and History's context menu issue (or re-print) it through the site client, save
the PDF here and link to it; History shows the session's number, which is what Billing's
receipt field takes. Offered only to a role that may issue receipts, and only once the
session has stopped. Both site clients."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from stationmgr.store.db import Database
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.ui_site import app_context
from tests.ui_staff import staffed_context
from ui.history.detail import SessionDetailDialog
from ui.history.model import COLUMNS
from ui.history.page import HistoryPage


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=1)
    finish_session(sqlite_db, persister(), 1, T0, 60, 12, card="0A1B2C3D")
    return sqlite_db


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The file dialog answers `path` (as the person would pick it)."""
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )


def loaded_page(qtbot, ctx) -> HistoryPage:  # type: ignore[no-untyped-def]
    page = HistoryPage(ctx)
    qtbot.addWidget(page)
    page.period.setCurrentIndex(page.period.findData("all"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=20_000)
    return page


def test_detail_dialog_issues_and_reprints_the_receipt(  # type: ignore[no-untyped-def]
    qtbot, site, tmp_path, ui_client, monkeypatch
) -> None:
    with app_context(site, None, client=ui_client) as ctx:
        page = loaded_page(qtbot, ctx)
        sid = page.model.session_id(0)
        number_col = [c[0] for c in COLUMNS].index("Session")
        assert page.model.data(page.model.index(0, number_col)) == str(sid)
        dlg = SessionDetailDialog(ctx, sid, page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        assert dlg.receipt_btn.isEnabled()
        first = tmp_path / "kvitto.pdf"
        save_to(monkeypatch, first)
        dlg.receipt_btn.click()
        qtbot.waitUntil(lambda: "saved" in dlg.receipt_status.text(), timeout=20_000)
        assert "Receipt 1 (" in dlg.receipt_status.text()
        assert first.as_uri() in dlg.receipt_status.text()  # the link that opens it
        assert "Receipt number: 1" in pdftext(first)  # the window's language: English
        again = tmp_path / "again.pdf"  # a re-print keeps its number
        save_to(monkeypatch, again)
        dlg.receipt_btn.click()
        qtbot.waitUntil(lambda: again.as_uri() in dlg.receipt_status.text(), timeout=20_000)
        assert "Receipt number: 1" in pdftext(again)


def test_history_context_menu_offers_the_session(  # type: ignore[no-untyped-def]
    qtbot, site, tmp_path, ui_client, monkeypatch
) -> None:
    from PySide6.QtGui import QGuiApplication

    with app_context(site, None, client=ui_client) as ctx:
        page = loaded_page(qtbot, ctx)
        menu = page.context_menu(0)
        acts = {a.text(): a for a in menu.actions() if a.text()}
        assert list(acts) == [
            "Details…",
            "Receipt…",
            "Print receipt",
            "Copy session number",
            "Copy transaction id",
        ]
        assert acts["Receipt…"].isEnabled()
        acts["Copy session number"].trigger()
        assert QGuiApplication.clipboard().text() == str(page.model.session_id(0))
        out = tmp_path / "r.pdf"
        save_to(monkeypatch, out)
        acts["Receipt…"].trigger()
        qtbot.waitUntil(lambda: "saved" in page.status.text(), timeout=20_000)
        assert "Receipt number: 1" in pdftext(out)
        menu.deleteLater()


def test_receipt_is_not_offered_to_an_attendant(  # type: ignore[no-untyped-def]
    qtbot, site, ui_client
) -> None:
    with staffed_context(site, ui_client, "attendant") as ctx:
        page = loaded_page(qtbot, ctx)
        menu = page.context_menu(0)
        (receipt,) = [a for a in menu.actions() if a.text() == "Receipt…"]
        assert not receipt.isEnabled() and "owner, accountant" in receipt.toolTip()
        dlg = SessionDetailDialog(ctx, page.model.session_id(0), page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        assert not dlg.receipt_btn.isEnabled()
        assert "owner, accountant" in dlg.receipt_btn.toolTip()
        menu.deleteLater()


def test_history_and_detail_show_the_receipt_number_once_issued(  # type: ignore[no-untyped-def]
    qtbot, site, tmp_path, ui_client, monkeypatch
) -> None:
    """Before a receipt the Receipt column is empty; issued from the context menu, the row
    (read again from the site) shows its number, and so does the detail dialog."""
    with app_context(site, None, client=ui_client) as ctx:
        page = loaded_page(qtbot, ctx)
        col = [c[0] for c in COLUMNS].index("Receipt")
        assert page.model.headerData(col, Qt.Orientation.Horizontal) == "Receipt"
        assert page.model.data(page.model.index(0, col)) == ""
        assert page.model.rows[0].receipt_number is None
        save_to(monkeypatch, tmp_path / "r.pdf")
        menu = page.context_menu(0)
        (receipt,) = [a for a in menu.actions() if a.text() == "Receipt…"]
        receipt.trigger()
        qtbot.waitUntil(lambda: page.model.data(page.model.index(0, col)) == "1", timeout=20_000)
        assert page.model.rows[0].receipt_number == 1
        dlg = SessionDetailDialog(ctx, page.model.session_id(0), page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        assert dlg.detail.session.receipt_number == 1
        assert dlg.receipt_number is not None and dlg.receipt_number.text() == "1"
        menu.deleteLater()


def spooler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CUPS' `lp` at the edge: a stand-in on PATH that spools the file it is given, as the
    print system would, and answers with a request id."""
    spool = tmp_path / "spool"
    spool.mkdir()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    lp = bindir / "lp"
    lp.write_text(
        "#!/bin/sh\n"
        f'for a; do f="$a"; done; cp "$f" "{spool}/job.pdf"; echo "$@" > "{spool}/argv"\n'
        'echo "request id is Office-7 (1 file(s))"\n'
    )
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    return spool


def test_a_receipt_goes_to_the_printer_from_history_and_the_detail_dialog(  # type: ignore[no-untyped-def]
    qtbot, site, tmp_path, ui_client, monkeypatch
) -> None:
    spool = spooler(tmp_path, monkeypatch)
    with app_context(site, None, client=ui_client) as ctx:
        page = loaded_page(qtbot, ctx)
        menu = page.context_menu(0)
        (printed,) = [a for a in menu.actions() if a.text() == "Print receipt"]
        assert printed.isEnabled()
        printed.trigger()
        qtbot.waitUntil(lambda: "sent to" in page.status.text(), timeout=20_000)
        assert "Receipt 1 (" in page.status.text() and "Office-7" in page.status.text()
        assert "Receipt number: 1" in pdftext(spool / "job.pdf")
        (spool / "job.pdf").unlink()
        dlg = SessionDetailDialog(ctx, page.model.session_id(0), page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        dlg.print_btn.click()  # a re-print: the same number
        qtbot.waitUntil(lambda: "sent to" in dlg.receipt_status.text(), timeout=20_000)
        assert "Receipt number: 1" in pdftext(spool / "job.pdf")
        menu.deleteLater()


def test_no_print_system_is_one_line_and_the_receipt_still_issued(  # type: ignore[no-untyped-def]
    qtbot, site, tmp_path, ui_client, monkeypatch
) -> None:
    empty = tmp_path / "nolp"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with app_context(site, None, client=ui_client) as ctx:
        page = loaded_page(qtbot, ctx)
        dlg = SessionDetailDialog(ctx, page.model.session_id(0), page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        dlg.print_btn.click()
        qtbot.waitUntil(lambda: "No receipt" in dlg.receipt_status.text(), timeout=20_000)
        assert "lp command is not installed" in dlg.receipt_status.text()
        assert "\n" not in dlg.receipt_status.text()
