"""A refused or unknown card at a bay gets feedback at once (review finding 10): the
tile shows one line for a few seconds and the window's status bar says it, from the
site's `card_refused` event — before any alert, which needs repeated refusals. The card is
named as one writes it: an RDM6300 frame's zero version byte is dropped. Both clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMainWindow

from stationmgr.cards import CardInput, add_card
from stationmgr.ocpp_words import BayStatus
from stationmgr.store.db import Database
from tests.ui_site import LiveSite, app_context, live_site

BLOCKED = "11223344"


@pytest.fixture
def site(sqlite_db: Database) -> Iterator[LiveSite]:
    with live_site(sqlite_db, bays=2) as s:
        with sqlite_db.session() as db:
            add_card(db, CardInput(uid=BLOCKED, holder="Per Blockad", blocked=True))
        yield s


@pytest.fixture
def window(qtbot, sqlite_db: Database, site: LiveSite, ui_client: str):  # type: ignore[no-untyped-def]
    from ui.board.page import BoardPage

    with app_context(sqlite_db, site.runtime, client=ui_client) as ctx:
        win = QMainWindow()
        page = BoardPage(ctx)
        win.setCentralWidget(page)
        qtbot.addWidget(win)
        win.resize(1200, 800)
        win.show()
        yield win, page
        page.shutdown()


def test_unknown_and_blocked_cards_are_told_at_once(qtbot, window, site: LiveSite) -> None:  # type: ignore[no-untyped-def]
    win, page = window
    p1 = site.bay_ids["P1"]
    qtbot.waitUntil(
        lambda: p1 in page.views and page.views[p1].snap.status is BayStatus.AVAILABLE,
        timeout=10_000,
    )
    site.engine.present_card("00DEADBEEF", p1).result(10)  # as an RDM6300 frame reads it
    qtbot.waitUntil(lambda: page.views[p1].notice is not None, timeout=10_000)
    assert page.views[p1].notice[0] == "Unknown card DEADBEEF"
    assert win.statusBar().currentMessage() == "P1: Unknown card DEADBEEF"
    before = page.grid.paint_count
    qtbot.waitUntil(lambda: page.grid.paint_count > before, timeout=5_000)
    assert page.grid.grab().width() > 0  # the tile paints its notice

    site.engine.present_card(BLOCKED, p1).result(10)
    qtbot.waitUntil(
        lambda: win.statusBar().currentMessage() == f"P1: Card {BLOCKED} refused: blocked",
        timeout=10_000,
    )
    assert page.views[p1].notice_text(0.0) == f"Card {BLOCKED} refused: blocked"
    assert page.views[p1].notice_text(page.views[p1].notice[1]) is None  # then it goes
    assert not page.views[site.bay_ids["P2"]].notice  # only where it was tapped


def test_the_first_refusal_names_the_card_as_typed(qtbot, window, site: LiveSite) -> None:  # type: ignore[no-untyped-def]
    """The engine's refusal carries the canonical number (no version byte), so the activity
    log and the alert after three tries say the same as the tile."""
    from stationmgr import sessions as sm

    seen: list[sm.CardRefused] = []
    unsubscribe = site.engine.bus.subscribe(seen.append, sm.CardRefused)
    try:
        site.engine.present_card("00deadbeef", site.bay_ids["P2"]).result(10)
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    finally:
        unsubscribe()
    assert seen[0].auth.card_uid == "DEADBEEF"
