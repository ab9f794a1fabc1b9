"""What a role may not do is disabled where it is offered, with a tooltip naming who may
— never a form that is refused at Save (review finding 9): the bay panel (the accountant
gets no enabled "Set out of order"), the cards page (the attendant cannot open an enrol
form, and the enrol field says why), the tariff form, the Billing buttons. A refusal by
the site on the tariff form is a message box with one line. Both site clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from stationmgr.access.context import set_session_actor
from stationmgr.access.roles import Role
from stationmgr.ocpp_words import BayStatus
from stationmgr.store.db import Database
from tests.access_site import PASSWORDS, USERS, add_staff
from tests.billing_site import build_billing_site
from tests.ui_site import LiveSite, app_context, live_site
from tests.ui_staff import staffed_context
from ui.context import AppContext

ATTENDANT_OK = "allowed for: owner, attendant"


@contextmanager
def signed_in_board(db: Database, site: LiveSite, ui_client: str, role: str) -> Iterator[object]:
    """The bay board of a live site, signed in as `role` (as tests.ui_staff does)."""
    from ui.board.page import BoardPage

    who = Role(role)
    staff = add_staff(db)
    with app_context(db, site.runtime, client=ui_client) as ctx:
        assert isinstance(ctx, AppContext) and ctx.client is not None
        if ui_client == "remote":
            ctx.operator = ctx.client.login(USERS[who], PASSWORDS[who])
        else:
            set_session_actor(staff[who])
        ctx.actor = USERS[who]
        page = BoardPage(ctx)
        try:
            yield page
        finally:
            page.shutdown()
            page.deleteLater()
            set_session_actor(None)


@pytest.mark.parametrize("role", ["accountant", "attendant"])
def test_bay_panel_offers_only_what_the_role_may(  # type: ignore[no-untyped-def]
    qtbot, sqlite_db: Database, ui_client: str, role: str
) -> None:
    with (
        live_site(sqlite_db, bays=1) as site,
        signed_in_board(sqlite_db, site, ui_client, role) as page,
    ):
        qtbot.addWidget(page)
        page.show()
        p1 = site.bay_ids["P1"]
        qtbot.waitUntil(
            lambda: p1 in page.views and page.views[p1].snap.status is BayStatus.AVAILABLE,
            timeout=20_000,
        )
        page.grid.select(p1)
        page._refresh_panel()
        panel = page.panel
        if role == "accountant":
            assert not panel.ooo_btn.isEnabled() and not panel.guest_btn.isEnabled()
            assert ATTENDANT_OK in panel.ooo_btn.toolTip()
            assert ATTENDANT_OK in panel.guest_btn.toolTip()
            # called anyway (a shortcut, a stale menu): refused here, naming who may
            failed: list[str] = []
            page.actions_.failed.connect(failed.append)
            assert not page.actions_.set_out_of_order(p1, True)
            assert failed == [f"Not for your role ({ATTENDANT_OK})"]
        else:
            assert panel.ooo_btn.isEnabled() and panel.guest_btn.isEnabled()
            assert panel.ooo_btn.toolTip() == ""


def test_attendant_gets_no_enrol_form(qtbot, sqlite_db: Database, ui_client: str) -> None:  # type: ignore[no-untyped-def]
    from ui.cards.page import CardsPage

    with staffed_context(sqlite_db, ui_client, "attendant") as ctx:
        page = CardsPage(ctx)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.loads >= 1, timeout=20_000)
        assert not page.add_button.isEnabled() and not page.import_button.isEnabled()
        assert "allowed for: owner" in page.add_button.toolTip()
        page.present("DEADBEEF", None)  # the enrol field + Enter
        qtbot.waitUntil(lambda: "allowed for: owner" in page.tap_status.text(), timeout=20_000)
        assert page.tap_status.text().startswith("New card DEADBEEF.")
        assert page.dialog is None  # no form that would be refused at Save
        page.shutdown()


@pytest.fixture
def billing_db(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=1)
    return sqlite_db


def test_tariff_refusal_is_one_line_in_a_message_box(qtbot, billing_db, ui_client) -> None:  # type: ignore[no-untyped-def]
    from ui.billing.tariffs import TariffEditor

    with app_context(billing_db, None, client=ui_client) as ctx:
        ed = TariffEditor(ctx)
        qtbot.addWidget(ed)
        qtbot.waitUntil(lambda: ed.loads >= 1, timeout=20_000)
        ed.name.setText("Natt")
        ed.add_btn.click()
        qtbot.waitUntil(lambda: ed.table.rowCount() == 2, timeout=20_000)
        ed.add_btn.click()  # the same start again: the site refuses
        qtbot.waitUntil(lambda: hasattr(ed, "refusal_box"), timeout=20_000)
        box = ed.refusal_box
        qtbot.waitUntil(box.isVisible, timeout=5_000)
        assert "must start after" in box.text() and "\n" not in box.text()
        box.close()


def test_attendant_sees_tariff_and_billing_controls_disabled_saying_who_may(  # type: ignore[no-untyped-def]
    qtbot, billing_db, ui_client
) -> None:
    from ui.billing.accountant import AccountantView
    from ui.billing.tariffs import TariffEditor

    with staffed_context(billing_db, ui_client, "attendant") as ctx:
        ed = TariffEditor(ctx)
        qtbot.addWidget(ed)
        form = ed.add_btn.parentWidget()
        assert not form.isEnabled() and form.toolTip() == "Not for your role (allowed for: owner)"
        view = AccountantView(ctx)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.scopes_loaded, timeout=20_000)
        for b in (view.show_btn, view.sie_btn, view.receipt_btn, view.session_id):
            assert not b.isEnabled() and "allowed for: owner, accountant" in b.toolTip()


def test_chargers_page_says_who_may(qtbot, sqlite_db: Database, ui_client: str) -> None:  # type: ignore[no-untyped-def]
    """The page that already disabled its buttons now also says why, like the others."""
    from ui.chargers.page import ChargersPage

    with staffed_context(sqlite_db, ui_client, "accountant") as ctx:
        page = ChargersPage(ctx)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.loads >= 1, timeout=20_000)
        for b in (page.add_charger_button, page.add_reader_button):
            assert not b.isEnabled() and b.toolTip() == "Not for your role (allowed for: owner)"
