"""The card list's rows come from the core: the status word is `authorize`'s own card rule
(not a copy), and the search is `cards.list_cards`'s predicate (not a copy)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from stationmgr.auth import authorize
from stationmgr.card_rows import card_rows
from stationmgr.cards import CardInput, add_card, find_card_facts, list_cards
from stationmgr.ocpp_words import AuthStatus
from stationmgr.store.db import Database
from stationmgr.store.models import CardGroup

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CARDS = {
    "0A1B2C3D": CardInput(uid="0A1B2C3D", holder="Åsa Öberg", group="Personal"),
    "11223344": CardInput(uid="11223344", holder="Bo Ek", blocked=True),
    "55667788": CardInput(uid="55667788", holder="Cia", group="Vänner"),
    "99AABBCC": CardInput(uid="99AABBCC", label="Taxi", valid_to=datetime(2026, 1, 1, tzinfo=UTC)),
    "DDEEFF00": CardInput(uid="DDEEFF00", label="Ny", valid_from=datetime(2027, 1, 1, tzinfo=UTC)),
    # blocked and expired and its group blocked: the first rule wins, as at a tap
    "12345678": CardInput(
        uid="12345678", group="Vänner", blocked=True, valid_to=datetime(2026, 1, 1, tzinfo=UTC)
    ),
}


@pytest.fixture
def cards_db(any_db: Database) -> Database:
    with any_db.session() as s:
        for c in CARDS.values():
            add_card(s, c)
        s.execute(update(CardGroup).where(CardGroup.name == "Vänner").values(blocked=True))
    return any_db


def test_status_is_what_a_tap_is_told(cards_db: Database) -> None:
    rows = {r.uid: r for r in card_rows(cards_db)}
    assert {u: str(r.status(NOW)) for u, r in rows.items()} == {
        "0A1B2C3D": "Active",
        "11223344": "Blocked",
        "55667788": "Group blocked",
        "99AABBCC": "Expired",
        "DDEEFF00": "Not yet valid",
        "12345678": "Blocked",
    }
    words = {
        "card is blocked": "Blocked",
        "card group is blocked": "Group blocked",
    }
    with cards_db.session() as s:
        for uid, row in rows.items():
            auth = authorize(find_card_facts(s, uid), 1, NOW)
            if auth.status is AuthStatus.ACCEPTED:
                assert row.status(NOW) == "Active"
            elif auth.status is AuthStatus.EXPIRED:
                assert row.status(NOW) == "Expired"
            elif auth.reason and auth.reason.startswith("card valid from"):
                assert row.status(NOW) == "Not yet valid"
            else:
                assert row.status(NOW) == words[auth.reason or ""]


@pytest.mark.parametrize("search", [None, "", "  ", "öberg", "Taxi", "3D2C1B0A", "190a6be1", "bo"])
def test_search_is_the_cli_search(cards_db: Database, search: str | None) -> None:
    with cards_db.session() as s:
        cli = [c.uid for c in list_cards(s, search)]
    assert [r.uid for r in card_rows(cards_db, search)] == cli
