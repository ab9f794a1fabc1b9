"""The Billing page's invoices under pytest-qt, with both site clients: the accountant issues
a month's invoices, saves one as PDF, registers a payment and credits it; an attendant's
buttons are disabled and the site refuses the calls anyway (audited)."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import QDate

from stationmgr.billing.buyers import set_buyer
from stationmgr.store.db import Database
from tests.access_site import add_staff, audit_entries
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.ui_staff import staffed_context
from ui.billing.invoices import InvoicesView
from ui.billing.page import BillingPage


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    for i in range(3):
        finish_session(sqlite_db, p, 1 + i % 2, T0 + i * 86400, 60, 10 + i)
    with sqlite_db.session() as s:
        set_buyer(
            s,
            "Åsa Öberg 3D",
            None,
            {"name": "Nordic Taxi AB", "org_number": "556123-4567", "invoice_monthly": True},
        )
    return sqlite_db


def test_accountant_issues_saves_pays_and_credits(qtbot, site, tmp_path, ui_client) -> None:  # type: ignore[no-untyped-def]
    with staffed_context(site, ui_client, "accountant") as ctx:
        view = InvoicesView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.loads >= 1 and view.scopes_loaded, timeout=15_000)
        assert view.issue_btn.isEnabled() and view.pay_btn.isEnabled()
        view.month.setDate(QDate(2026, 3, 1))
        view.issue(view.month_text(), None)
        qtbot.waitUntil(lambda: len(view.rows) == 1, timeout=15_000)
        assert "Issued: 1" in view.status.text()
        assert view.table.item(0, 4).text() == "Nordic Taxi AB"
        pdf = tmp_path / "f.pdf"
        n = view.loads
        view.save_pdf(1, str(pdf))
        qtbot.waitUntil(lambda: view.loads > n, timeout=15_000)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "FAKTURA" in text and "Nordic Taxi AB" in text
        n = view.loads
        view.pay(1, "2026-04-10", None)
        qtbot.waitUntil(lambda: view.loads > n and view.rows[0].state == "paid", timeout=15_000)
        n = view.loads
        view.credit(1, "fel kund")
        qtbot.waitUntil(lambda: view.loads > n and len(view.rows) == 2, timeout=15_000)
        assert view.table.item(0, 7).text() == "credited by 2"
        assert view.table.item(1, 7).text() == "credits 1"
        n = view.loads
        view.pay(2, "2026-04-11", None)
        qtbot.waitUntil(lambda: view.loads > n, timeout=15_000)
        assert "credit note" in view.status.text() and "\n" not in view.status.text()
    issued = audit_entries(site, action="invoices.issue")
    assert [e.operator for e in issued] == ["astrid", "astrid"]


def test_attendant_may_not_issue(qtbot, site, ui_client) -> None:  # type: ignore[no-untyped-def]
    staff = add_staff(site)
    with staffed_context(site, ui_client, "attendant", staff) as ctx:
        view = InvoicesView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.loads >= 1, timeout=15_000)
        assert not any(b.isEnabled() for b in (view.issue_btn, view.pay_btn, view.credit_btn))
        n = view.loads
        view.issue("2026-03", None)
        qtbot.waitUntil(lambda: view.loads > n, timeout=15_000)
        assert "may not" in view.status.text()
    denied = [e.action for e in audit_entries(site, operator="arne") if e.outcome == "denied"]
    assert "invoices.issue" in denied


def test_billing_page_has_an_invoices_tab(qtbot, site, ui_client) -> None:  # type: ignore[no-untyped-def]
    with staffed_context(site, ui_client, "accountant") as ctx:
        page = BillingPage(ctx)
        qtbot.addWidget(page)
        titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
        assert "Invoices" in titles
        qtbot.waitUntil(lambda: page.invoices.loads >= 1, timeout=15_000)
