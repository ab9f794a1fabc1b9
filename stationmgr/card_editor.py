"""What the card dialog and the enrolment desk read and write, on a `Database`: the
choices (holders, groups, bays), one card as a form, which cards a typed number already is,
and saving a card with its budgets in one unit of work (checked and audited by `cards` and
`billing.budgets`). Plain rows out; no ORM object leaves a unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from stationmgr.access.context import Actor, record, require
from stationmgr.cards import (
    CARD,
    CardInput,
    add_card,
    card_row,
    find_cards,
    set_blocked,
    update_card,
)
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, CardGroup, CardHolder


@dataclass(frozen=True)
class CardChoices:
    holders: tuple[str, ...]
    groups: tuple[str, ...]
    bays: tuple[tuple[int, str], ...]  # (bay id, label), by label


def card_choices(db: Database) -> CardChoices:
    with db.session() as s:
        holders = s.scalars(select(CardHolder.name).order_by(CardHolder.name))
        groups = s.scalars(select(CardGroup.name).order_by(CardGroup.name))
        bays = s.execute(select(Bay.id, Bay.label).order_by(Bay.label)).all()
        return CardChoices(
            tuple(dict.fromkeys(holders)), tuple(groups), tuple((i, lb) for i, lb in bays)
        )


@dataclass(frozen=True)
class BudgetLine:
    """A budget that applies to the card: its own (`budget_id` set) or its group's."""

    budget_id: int | None
    period: str  # day | month
    amount: str  # e.g. "10.000 kWh", "150,00 SEK"


@dataclass(frozen=True)
class CardForm:
    card_id: int
    uid_text: str  # the number as it reads back as this very card
    label: str
    holder: str
    group: str
    valid_from: datetime | None
    valid_to: datetime | None
    max_concurrent: int
    max_current_a: float | None
    blocked: bool
    note: str
    allowed_bay_ids: frozenset[int]
    budgets: tuple[BudgetLine, ...] = ()
    kind: str = CARD  # or VEHICLE: `uid_text` is then the car's id tag, not a card number


def card_form(db: Database, card_id: int) -> CardForm | None:
    """One card as the dialog edits it; None when it no longer exists."""
    from stationmgr.billing.budgets import amount_text, budgets_for
    from stationmgr.billing.tariffs import site_currency

    with db.session() as s:
        card = s.get(Card, card_id)
        if card is None:
            return None
        row = card_row(card)
        cur = site_currency(s)
        budgets = tuple(
            BudgetLine(b.id if b.card_id else None, b.period, amount_text(b, b.limit_value, cur))
            for b in budgets_for(s, card.id, card.group_id)
        )
        return CardForm(
            card.id,
            row["uid"],  # exact_text, or a vehicle's tag as it is
            card.label or "",
            row["holder"],
            row["group"],
            card.valid_from,
            card.valid_to,
            card.max_concurrent,
            card.max_current_a,
            card.blocked,
            card.note or "",
            frozenset(a.bay_id for a in card.allowed),
            budgets,
            card.kind or CARD,
        )


@dataclass(frozen=True)
class KnownCard:
    card_id: int
    uid: str
    who: str  # the holder's name, else the card's label


def known_cards(db: Database, text: str, except_id: int | None = None) -> list[KnownCard]:
    """Enrolled cards a presented or typed number denotes, best match first."""
    with db.session() as s:
        return [
            KnownCard(c.id, c.uid, c.holder.name if c.holder else c.label or "")
            for c in find_cards(s, text)
            if c.id != except_id
        ]


@dataclass(frozen=True)
class BudgetChanges:
    """Budgets to add (period, unit, limit as typed) and the card's own ones to remove."""

    add: tuple[tuple[str, str, str], ...] = ()
    remove: tuple[int, ...] = field(default=())


def save_card(
    db: Database,
    card_id: int | None,
    card: CardInput,
    budgets: BudgetChanges = BudgetChanges(),
    actor: Actor | None = None,
) -> int:
    """Enrol (`card_id` None) or change a card, and its budgets, all or nothing; the id."""
    from stationmgr.billing.budgets import add_budget
    from stationmgr.store.billing_models import Budget

    with db.session() as s:
        row = add_card(s, card, actor) if card_id is None else update_card(s, card_id, card, actor)
        if budgets.remove:
            require(actor, "cards.edit", s, target=row.uid)
            gone = [
                b
                for b in s.scalars(select(Budget).where(Budget.id.in_(budgets.remove)))
                if b.card_id == row.id  # only the card's own budgets are edited here
            ]
            for b in gone:
                s.delete(b)
            if gone:
                removed = [
                    {"period": b.period, "unit": b.unit, "limit": b.limit_value} for b in gone
                ]
                record(s, "cards.edit", f"card {row.uid} budgets", removed, None, actor)
        for period, unit, text in budgets.add:
            b = add_budget(s, period, unit, text, card_uid=row.uid, actor=actor)
            after = {"period": b.period, "unit": b.unit, "limit": b.limit_value}
            record(s, "cards.edit", f"card {row.uid} budget", None, after, actor)
        return row.id


def set_card_blocked(db: Database, uid: str, blocked: bool, actor: Actor | None = None) -> None:
    with db.session() as s:
        set_blocked(s, uid, blocked, actor)


def export_file(db: Database, path: Path, actor: Actor | None = None) -> int:
    """Write every card to `path` as CSV (`cards.export`, checked and audited by
    `cards.export_csv`): to a temporary name first, so a failure leaves no half file."""
    import os
    import tempfile

    from stationmgr.cards import export_csv

    fd, tmp = tempfile.mkstemp(prefix=".cards-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out, db.session() as s:
            n = export_csv(s, out, actor)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


@dataclass(frozen=True)
class ReaderSpec:
    """An enabled desk reader (no bay) as a driver opens it."""

    name: str
    driver: str
    port: str
    baud: int | None
    settings: dict[str, object]


def desk_readers(db: Database) -> list[ReaderSpec]:
    from stationmgr.store.models import CardReaderDevice

    with db.session() as s:
        rows = s.scalars(
            select(CardReaderDevice).where(
                CardReaderDevice.enabled, CardReaderDevice.bay_id.is_(None)
            )
        )
        return [ReaderSpec(r.name, r.driver, r.port, r.baud, dict(r.settings or {})) for r in rows]
