"""The Billing page's month close under pytest-qt, with both site clients, on a real site:
the accountant sees every month's state, closes the month next in line after a confirmation
that names what gets frozen, and exports the closed month again byte-identical to what the
site stored; an attendant's buttons are disabled with a tooltip naming who may."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtWidgets import QMessageBox

from stationmgr.billing.months import list_closed
from stationmgr.store.db import Database
from tests.access_site import add_staff, audit_entries
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.ui_staff import staffed_context
from ui.billing.months import MonthsView
from ui.billing.page import BillingPage

DAY = 86400


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    finish_session(sqlite_db, p, 1, T0, 60, 10)  # March 2026
    finish_session(sqlite_db, p, 2, T0 + DAY, 60, 11)
    finish_session(sqlite_db, p, 1, T0 + 31 * DAY, 60, 12)  # April 2026
    return sqlite_db


def _row(view: MonthsView, month: str) -> int:
    return next(i for i, r in enumerate(view.rows) if r.month == month)


def test_accountant_closes_the_next_month_and_exports_it_again(  # type: ignore[no-untyped-def]
    qtbot, site, tmp_path, ui_client
) -> None:
    with staffed_context(site, ui_client, "accountant") as ctx:
        page = BillingPage(ctx)
        qtbot.addWidget(page)
        view = page.months
        qtbot.waitUntil(lambda: view.loads >= 1, timeout=15_000)
        march, april = _row(view, "2026-03"), _row(view, "2026-04")
        assert view.table.item(march, 1).text() == "open: next to close"
        assert view.table.item(april, 1).text() == "open"
        assert view.table.currentRow() == march  # the month next in line is selected
        assert view.close_btn.isEnabled() and not view.sie_btn.isEnabled()
        view.table.selectRow(april)
        assert not view.close_btn.isEnabled()
        assert "close 2026-03 first" in view.close_btn.toolTip()
        view.table.selectRow(march)

        view.close_btn.click()
        box = view.confirm_box
        assert isinstance(box, QMessageBox) and box.isVisible()
        text = box.text()
        assert "Close 2026-03?" in text and "2 ledger entries" in text
        assert "SIE and CSV exports" in text and "never reopened" in text
        n = view.loads
        view.confirm_yes.click()
        qtbot.waitUntil(lambda: view.loads > n, timeout=15_000)
        assert "2026-03 closed: 2 ledger entries" in view.status.text(), view.status.text()

        closed = ctx.client.closed_months()  # the state as the site has it
        assert [c.month for c in closed] == ["2026-03"]
        assert closed[0].closed_by == "astrid"
        march = _row(view, "2026-03")
        assert view.table.item(march, 1).text() == "closed"
        assert view.table.item(march, 2).text() == "astrid"
        assert view.table.item(march, 3).text() != ""
        assert view.table.item(march, 5).text() == closed[0].head_code
        assert view.table.item(_row(view, "2026-04"), 1).text() == "open: next to close"

        view.table.selectRow(march)
        assert view.sie_btn.isEnabled() and view.csv_btn.isEnabled()
        assert not view.close_btn.isEnabled()
        for kind, digest in (("sie", closed[0].sie_sha256), ("csv", closed[0].csv_sha256)):
            path = tmp_path / f"again.{kind}"
            n = view.loads
            view.export_again("2026-03", kind, str(path))
            qtbot.waitUntil(lambda n=n: view.loads > n, timeout=15_000)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, view.status.text()
    with site.session() as s:
        assert [c.month for c in list_closed(s)] == ["2026-03"]
    assert [e.operator for e in audit_entries(site, action="months.close")] == ["astrid"]


def test_cancel_closes_nothing(qtbot, site, ui_client) -> None:  # type: ignore[no-untyped-def]
    with staffed_context(site, ui_client, "owner") as ctx:
        view = MonthsView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.loads >= 1, timeout=15_000)
        view.close_btn.click()
        assert view.confirm_box is not None
        view.confirm_box.button(QMessageBox.StandardButton.Cancel).click()
        assert ctx.client.closed_months() == []


def test_attendant_may_not_close_and_is_told_who_may(qtbot, site, ui_client) -> None:  # type: ignore[no-untyped-def]
    staff = add_staff(site)
    with staffed_context(site, ui_client, "attendant", staff) as ctx:
        view = MonthsView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.loads >= 1, timeout=15_000)
        assert not view.close_btn.isEnabled()
        assert "owner" in view.close_btn.toolTip() and "accountant" in view.close_btn.toolTip()
        n = view.loads
        view.close_month("2026-03")  # the site refuses it anyway
        qtbot.waitUntil(lambda: view.loads > n, timeout=15_000)
        assert "may not" in view.status.text()
    with site.session() as s:
        assert list_closed(s) == []
