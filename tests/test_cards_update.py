"""Core card service additions: editing a card, a per-card current cap, CSV duplicates in
another spelling."""

from __future__ import annotations

import io

import pytest

from stationmgr.cards import CardInput, add_card, export_csv, import_csv, read_csv, update_card
from stationmgr.errors import UserError
from stationmgr.store.db import Database
from stationmgr.store.models import Card


def test_update_card_changes_fields_and_refuses_a_taken_number(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        a = add_card(s, CardInput(uid="0A1B2C3D", holder="Anna"))
        add_card(s, CardInput(uid="11223344"))
        card_id = a.id
    with sqlite_db.session() as s:
        row = update_card(s, card_id, CardInput(uid="0a1b2c3e", holder="Ann", max_current_a=10))
        assert (row.uid, row.uid_key, row.holder.name, row.max_current_a) == (
            "0A1B2C3E",
            "0A1B2C3E",
            "Ann",
            10.0,
        )
    with pytest.raises(UserError, match="already enrolled"), sqlite_db.session() as s:
        update_card(s, card_id, CardInput(uid="44332211"))  # the other card, reversed
    with pytest.raises(UserError, match="between 6 and 80"), sqlite_db.session() as s:
        update_card(s, card_id, CardInput(uid="0A1B2C3E", max_current_a=2))
    with sqlite_db.session() as s:
        assert s.get(Card, card_id).uid == "0A1B2C3E"  # type: ignore[union-attr]


def test_csv_same_card_twice_in_another_spelling() -> None:
    with pytest.raises(UserError, match=r"line 3: card 3D2C1B0A appears twice \(also line 2\)"):
        read_csv("uid\n0A1B2C3D\n3D2C1B0A\n")


def test_csv_round_trip_keeps_the_current_cap(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        add_card(s, CardInput(uid="0A1B2C3D", max_current_a=16))
        out = io.StringIO()
        export_csv(s, out)
    text = out.getvalue()
    assert "max_current_a" in text.splitlines()[0] and ",16," in text
    assert read_csv(text)[0].max_current_a == 16.0
    with pytest.raises(UserError, match="line 2: max_current_a must be a number, not 'x'"):
        read_csv("uid,max_current_a\n0A1B2C3D,x\n")
    with sqlite_db.session() as s:
        s.query(Card).delete()
        assert import_csv(s, text) == 1
