"""A card tapped on a bay's RDM6300 reader (simulator on a real pty) through the real engine:
the frame's bytes decide the card, never a decimal reading of its digits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from stationmgr.cards import CardInput, add_card
from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, CardReaderDevice
from tests.site import build_site, running, wait_for


@pytest.fixture
def reader() -> Iterator[ReaderSim]:
    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        yield sim
    finally:
        sim.stop()


def test_all_digit_frame_charges_its_own_card_not_the_decimal_one(
    sqlite_db: Database, reader: ReaderSim
) -> None:
    """Frame 0100423515 is the card printed 0004338965. Another card is stored as 05FC575B
    (the decimal reading of those digits, 100423515: what typing 0100423515 gave). The old
    engine re-read the frame's text as typed digits, preferred that exact spelling and
    started the session on the wrong card."""
    (dev,) = build_site(sqlite_db, chargers=1, cards=())
    with sqlite_db.session() as s:
        right = add_card(s, CardInput(uid="0004338965", holder="Frame owner")).id
        wrong = add_card(s, CardInput(uid="0x05FC575B", holder="Someone else"))
        assert wrong.uid == "05FC575B"
        bay_id = s.scalar(select(Bay.id).where(Bay.label == "P1"))
        s.add(
            CardReaderDevice(name="r1", driver="rdm6300", port=reader.endpoint.name, bay_id=bay_id)
        )
    with running(sqlite_db) as eng:
        dev.connectors[0].plug(EV(), eng.clock.now())
        wait_for(lambda: eng.bays[bay_id].status is BayStatus.PREPARING, what="preparing")
        reader.tap("0100423515", hold_s=0.3)
        tx = wait_for(lambda: eng.bays[bay_id].tx, what="a session")
        assert tx.auth.card_id == right  # type: ignore[attr-defined]
        assert tx.auth.card_uid == "00423515"  # type: ignore[attr-defined]
