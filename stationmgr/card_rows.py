"""The card list as the window shows it: plain rows in two indexed queries (10,000 cards
list in a fraction of the time ORM objects take), with the card's standing from
`auth.standing`, so the list says exactly what a tap would be told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from stationmgr.auth import Standing, standing
from stationmgr.cards import matching
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, CardAllowedBay, CardGroup, CardHolder


@dataclass(frozen=True)
class CardRow:
    """One card as the list shows it."""

    card_id: int
    uid: str
    label: str
    holder: str
    group: str
    blocked: bool
    group_blocked: bool
    valid_from: datetime | None
    valid_to: datetime | None
    bays: tuple[str, ...]
    max_concurrent: int
    max_current_a: float | None
    note: str = ""

    def status(self, now: datetime) -> Standing:
        """Why the card would (not) be accepted now, by `authorize`'s card rules."""
        return standing(self, now)


def card_rows(db: Database, search: str | None = None) -> list[CardRow]:
    """Every card matching `search` as `cards.list_cards` finds them (a read)."""
    with db.session() as s:
        q = (
            select(
                Card.id,
                Card.uid,
                Card.label,
                CardHolder.name,
                CardGroup.name,
                Card.blocked,
                CardGroup.blocked,
                Card.valid_from,
                Card.valid_to,
                Card.max_concurrent,
                Card.max_current_a,
                Card.note,
            )
            .outerjoin(CardHolder, Card.holder_id == CardHolder.id)
            .outerjoin(CardGroup, Card.group_id == CardGroup.id)
            .order_by(Card.uid)
        )
        found = s.execute(matching(q, search)).all()
        bays: dict[int, list[str]] = {}
        allowed = select(CardAllowedBay.card_id, Bay.label).join(
            Bay, Bay.id == CardAllowedBay.bay_id
        )
        if search and len(found) < 500:  # a search: only the bays of the cards found
            allowed = allowed.where(CardAllowedBay.card_id.in_([r[0] for r in found]))
        for card_id, label in s.execute(allowed):
            bays.setdefault(card_id, []).append(label)
    return [
        CardRow(
            card_id=cid,
            uid=uid,
            label=label or "",
            holder=holder or "",
            group=group or "",
            blocked=bool(blocked),
            group_blocked=bool(group_blocked),
            valid_from=valid_from,
            valid_to=valid_to,
            bays=tuple(sorted(bays.get(cid, ()))),
            max_concurrent=max_concurrent,
            max_current_a=max_current_a,
            note=(note or "").replace("\n", " "),
        )
        for (
            cid,
            uid,
            label,
            holder,
            group,
            blocked,
            group_blocked,
            valid_from,
            valid_to,
            max_concurrent,
            max_current_a,
            note,
        ) in found
    ]
