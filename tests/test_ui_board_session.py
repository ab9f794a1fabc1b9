"""The bay panel's session actions on a live site (review finding 6: session actions where
sessions are shown): for the selected bay's current or last session — its number (copied
for Billing), its card opened on the Cards page, stop while it runs (role-aware: disabled
with a tooltip naming who may), and its receipt issued as PDF once stopped, by the code
History uses; the panel then shows the receipt's number. Both site clients."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from stationmgr.billing.site import set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cards import find_cards
from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from tests.billing_site import SELLER
from tests.test_ui_roles import signed_in_board
from tests.ui_site import CARD, LiveSite, app_context, live_site

pytest.importorskip("pytestqt")


@pytest.fixture
def site(sqlite_db: Database) -> Iterator[LiveSite]:
    with live_site(sqlite_db, bays=2) as s:
        with sqlite_db.session() as db:
            for k, v in SELLER.items():  # a receipt names its seller
                set_site_value(db, k, v)
            add_tariff(
                db,
                TariffInput(
                    name="Bas",
                    valid_from=datetime(2020, 1, 1, tzinfo=UTC),
                    energy_minor_per_kwh=350,
                    start_fee_minor=500,
                ),
            )
        s.runtime.changed({"tariffs", "settings"}).result(15)
        yield s


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def charging(qtbot, page, site: LiveSite, label: str) -> int:  # type: ignore[no-untyped-def]
    """Plug a car into `label`, tap the card: charging; the bay selected."""
    bay = site.bay_ids[label]
    qtbot.waitUntil(
        lambda: bay in page.views and page.views[bay].snap.status is BayStatus.AVAILABLE,
        timeout=20_000,
    )
    site.devices[label].connectors[0].plug(EV(soc=0.3), site.engine.clock.now())
    qtbot.waitUntil(lambda: page.views[bay].snap.status is BayStatus.PREPARING, timeout=20_000)
    site.engine.present_card(CARD, bay).result(10)
    qtbot.waitUntil(lambda: page.views[bay].snap.status is BayStatus.CHARGING, timeout=20_000)
    qtbot.waitUntil(lambda: (page.views[bay].snap.energy_wh or 0) > 0, timeout=20_000)
    page.grid.select(bay)
    return bay


def test_bay_panel_session_actions(  # type: ignore[no-untyped-def]
    qtbot, sqlite_db: Database, site: LiveSite, ui_client: str, tmp_path, monkeypatch
) -> None:
    from ui.board.page import PAGE as BOARD
    from ui.cards.page import PAGE as CARDS
    from ui.mainwindow import MainWindow

    with sqlite_db.session() as s:
        card_id = find_cards(s, CARD)[0].id
    with app_context(sqlite_db, site.runtime, client=ui_client) as ctx:
        win = MainWindow(ctx, pages=[BOARD, CARDS])
        win.persist_state = False
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        page, panel = win.pages["board"], win.pages["board"].panel
        assert not panel.receipt_btn.isEnabled() and not panel.copy_btn.isEnabled()
        charging(qtbot, page, site, "P1")
        qtbot.waitUntil(lambda: "(running)" in panel.fields["session"].text(), timeout=20_000)
        row = page.session.row
        assert row is not None and row.card_uid == CARD and row.stopped_at is None
        assert panel.fields["session"].text() == f"{row.id} (running)"
        assert panel.stop_btn.isEnabled()
        assert not panel.receipt_btn.isEnabled()
        assert panel.receipt_btn.toolTip() == "A receipt is issued once the session stops"

        panel.copy_btn.click()
        assert QGuiApplication.clipboard().text() == str(row.id)

        panel.card_btn.click()  # the card on the Cards page
        qtbot.waitUntil(lambda: win.current_page() == "cards", timeout=20_000)
        cards = win.pages["cards"]
        qtbot.waitUntil(lambda: cards.selected_card_id() == card_id, timeout=20_000)
        win.show_page("board")

        monkeypatch.setattr(
            QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
        )
        panel.stop_btn.click()
        qtbot.waitUntil(
            lambda: page.session.row is not None and page.session.row.stopped_at is not None,
            timeout=20_000,
        )
        assert panel.fields["session"].text() == str(row.id)  # the last session, stopped
        assert panel.receipt_btn.isEnabled() and not panel.stop_btn.isEnabled()

        out = tmp_path / "kvitto.pdf"
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), ""))
        )
        panel.receipt_btn.click()
        qtbot.waitUntil(lambda: "saved" in panel.session_status.text(), timeout=20_000)
        assert out.as_uri() in panel.session_status.text()  # the link that opens it
        text = pdftext(out)
        assert "Receipt number: 1" in text
        qtbot.waitUntil(
            lambda: panel.fields["session"].text() == f"{row.id} · receipt 1", timeout=20_000
        )
        win.pages["board"].shutdown()
        win.close()


def test_bay_panel_stop_is_disabled_for_an_accountant(  # type: ignore[no-untyped-def]
    qtbot, sqlite_db: Database, site: LiveSite, ui_client: str
) -> None:
    """The accountant sees the running session but may not stop it: the button says who may;
    the receipt waits for the stop; copying the number needs no role."""
    with signed_in_board(sqlite_db, site, ui_client, "accountant") as page:
        qtbot.addWidget(page)
        page.show()
        charging(qtbot, page, site, "P2")
        panel = page.panel
        qtbot.waitUntil(lambda: "(running)" in panel.fields["session"].text(), timeout=20_000)
        page._refresh_panel()
        assert not panel.stop_btn.isEnabled()
        assert "allowed for: owner, attendant" in panel.stop_btn.toolTip()
        assert not panel.receipt_btn.isEnabled() and panel.copy_btn.isEnabled()
        assert panel.card_btn.isEnabled()  # every role may look up cards
