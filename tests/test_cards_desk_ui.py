"""The cards page's desk reader (simulator on a real pty): a frame whose ten hex digits are
all decimal digits is enrolled as its 5 bytes and matches the number printed on the card.
Both site clients (`ui_client`): a reader on this PC only fills the number in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from stationmgr.cards import CardInput, add_card, get_card
from stationmgr.drivers import DeviceConfig, create_reader
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import Database
from stationmgr.store.models import Card
from tests.ui_site import app_context
from ui.cards.page import CardsPage
from ui.context import AppContext


@pytest.fixture
def page(qtbot: QtBot, sqlite_db: Database, ui_client: str) -> Iterator[CardsPage]:
    with app_context(sqlite_db, None, client=ui_client) as ctx:
        assert isinstance(ctx, AppContext)
        p = CardsPage(ctx)
        qtbot.addWidget(p)
        p.show()
        try:
            yield p
        finally:
            p.shutdown()


def test_desk_enrolment_of_an_all_digit_frame_keeps_its_bytes(
    qtbot: QtBot, page: CardsPage, sqlite_db: Database
) -> None:
    """Review defect 8: the page filled the frame's raw digits into the dialog, the card
    service re-read them as a typed decimal and stored 05FC575B, which the printed number
    0004338965 did not find."""
    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        page.desk.open_reader("desk", create_reader("rdm6300", DeviceConfig(sim.endpoint.name)))
        sim.tap("0100423515", hold_s=0.3)
        qtbot.waitUntil(lambda: page.dialog is not None, timeout=20_000)
        assert page.dialog is not None
        qtbot.waitUntil(
            lambda: "Stored as 0100423515" in page.dialog.uid_hint.text(), timeout=20_000
        )
        page.dialog.save()  # on the page's worker
        qtbot.waitUntil(lambda: page.dialog is None, timeout=20_000)
    finally:
        page.desk.stop()
        sim.stop()
    with sqlite_db.session() as s:
        card = get_card(s, "0004338965")
        assert (card.uid, card.uid_key) == ("0100423515", "00423515")


def test_editing_a_card_and_saving_keeps_its_number(
    qtbot: QtBot, page: CardsPage, sqlite_db: Database
) -> None:
    """The edit dialog showed the stored `0100423515`, and saving re-read it as typed
    decimal: the card silently became 05FC575B."""
    with sqlite_db.session() as s:
        card_id = add_card(s, CardInput(uid="0x0100423515", label="frame card")).id
    dlg = page.open_dialog(card_id)
    qtbot.waitUntil(lambda: dlg.loaded, timeout=20_000)
    dlg.label.setText("renamed")
    dlg.save()
    qtbot.waitUntil(lambda: dlg.saved_card_id == card_id, timeout=20_000)
    with sqlite_db.session() as s:
        assert s.get(Card, card_id).uid == "0100423515"  # type: ignore[union-attr]
