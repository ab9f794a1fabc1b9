"""Card service: enrol, find, block, and CSV import/export (all or nothing).

Used by the CLI, the GUI and the engine alike; every function takes an open database
session and leaves committing to the caller's unit of work. The changing services check the
acting operator's permission here (`access.require`), so the CLI and the GUI are equally
protected, and audit the change in the same unit of work.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from stationmgr.access.context import Actor, record, require
from stationmgr.auth import CardFacts, lookup_keys, match_key, parse_uid, pick_card
from stationmgr.errors import UserError
from stationmgr.store.models import Bay, Card, CardAllowedBay, CardGroup, CardHolder

CSV_FIELDS = [
    "uid",
    "label",
    "holder",
    "group",
    "blocked",
    "valid_from",
    "valid_to",
    "allowed_bays",
    "max_concurrent",
    "max_current_a",
    "note",
]


def parse_date(text: str | None, what: str = "date", end_of_day: bool = False) -> datetime | None:
    """`YYYY-MM-DD` or ISO date-time → aware UTC datetime; empty → None; else UserError."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    try:
        if len(t) == 10:
            d = date.fromisoformat(t)
            dt = datetime(d.year, d.month, d.day, tzinfo=UTC)
            if end_of_day:
                dt = dt.replace(hour=23, minute=59, second=59)
            return dt
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise UserError(f"invalid {what} {t!r}: expected YYYY-MM-DD") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _bool(text: str | None, what: str) -> bool:
    t = (text or "").strip().lower()
    if t in ("", "0", "no", "false", "n"):
        return False
    if t in ("1", "yes", "true", "y", "blocked"):
        return True
    raise UserError(f"invalid {what} {text!r}: expected yes or no")


def card_facts(s: Session, card: Card) -> CardFacts:
    return CardFacts(
        card_id=card.id,
        uid=card.uid,
        blocked=card.blocked,
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        holder_id=card.holder_id,
        holder_name=card.holder.name if card.holder else None,
        group_id=card.group_id,
        group_blocked=bool(card.group and card.group.blocked),
        allowed_bays=frozenset(a.bay_id for a in card.allowed),
        max_concurrent=card.max_concurrent,
        max_current_a=card.max_current_a,
    )


def find_cards(s: Session, text: str) -> list[Card]:
    """Cards matching a presented number in any of its spellings."""
    keys = lookup_keys(text)
    if not keys:
        return []
    return list(s.scalars(select(Card).where(Card.uid_key.in_(keys))))


def find_card_facts(s: Session, text: str) -> CardFacts | None:
    facts = [card_facts(s, c) for c in find_cards(s, text)]
    return pick_card(text, facts)


def get_card(s: Session, text: str) -> Card:
    """The card a number denotes, or UserError."""
    cards = find_cards(s, text)
    if not cards:
        raise UserError(f"no card {text.strip()!r}")
    facts = pick_card(text, [card_facts(s, c) for c in cards])
    assert facts is not None
    return next(c for c in cards if c.id == facts.card_id)


def holder_by_name(s: Session, name: str, create: bool = True) -> CardHolder:
    h = s.scalar(select(CardHolder).where(CardHolder.name == name))
    if h is None:
        if not create:
            raise UserError(f"no card holder {name!r}")
        h = CardHolder(name=name)
        s.add(h)
        s.flush()
    return h


def group_by_name(s: Session, name: str, create: bool = True) -> CardGroup:
    g = s.scalar(select(CardGroup).where(CardGroup.name == name))
    if g is None:
        if not create:
            raise UserError(f"no card group {name!r}")
        g = CardGroup(name=name)
        s.add(g)
        s.flush()
    return g


def bay_ids_by_labels(s: Session, labels: Iterable[str]) -> list[int]:
    ids = []
    for label in labels:
        bay_id = s.scalar(select(Bay.id).where(Bay.label == label))
        if bay_id is None:
            raise UserError(f"no bay labelled {label!r}")
        ids.append(bay_id)
    return ids


@dataclass
class CardInput:
    """A card as entered in a dialog or a CSV row, validated by `validate`."""

    uid: str
    label: str | None = None
    holder: str | None = None
    group: str | None = None
    blocked: bool = False
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    allowed_bays: tuple[str, ...] = ()
    max_concurrent: int = 1
    note: str | None = None
    max_current_a: float | None = None  # a per-card cap on the offered current; None: none

    def validate(self) -> CardInput:
        self.uid = parse_uid(self.uid)
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise UserError("valid_to is before valid_from")
        if self.max_concurrent < 1:
            raise UserError("max_concurrent must be at least 1")
        if self.max_current_a is not None and not 6.0 <= self.max_current_a <= 80.0:
            raise UserError("max_current_a must be between 6 and 80 A (J1772's range)")
        return self


def add_card(s: Session, card: CardInput, actor: Actor | None = None) -> Card:
    """Enrol a card; a card whose number (in any spelling) is known already is refused."""
    actor = require(actor, "cards.add", s, target=card.uid)
    row = _add_card(s, card)
    record(s, "cards.add", row.uid, None, card_row(row), actor=actor)
    return row


def _add_card(s: Session, card: CardInput) -> Card:
    card.validate()
    if s.scalar(select(Card).where(Card.uid == card.uid)) is not None or find_cards(s, card.uid):
        raise UserError(f"card {card.uid} is already enrolled")
    row = Card(
        uid=card.uid,
        uid_key=match_key(card.uid),
        label=card.label or None,
        blocked=card.blocked,
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        max_concurrent=card.max_concurrent,
        max_current_a=card.max_current_a,
        note=card.note or None,
    )
    if card.holder:
        row.holder = holder_by_name(s, card.holder)
    if card.group:
        row.group = group_by_name(s, card.group)
    for bay_id in bay_ids_by_labels(s, card.allowed_bays):
        row.allowed.append(CardAllowedBay(bay_id=bay_id))
    s.add(row)
    s.flush()
    return row


def update_card(s: Session, card_id: int, card: CardInput, actor: Actor | None = None) -> Card:
    """Change an enrolled card (its number too); a number another card has is refused."""
    actor = require(actor, "cards.edit", s, target=card.uid)
    card.validate()
    row = s.get(Card, card_id)
    if row is None:
        raise UserError(f"no card with id {card_id}")
    if any(c.id != card_id for c in find_cards(s, card.uid)) or s.scalar(
        select(Card.id).where(Card.uid == card.uid, Card.id != card_id)
    ):
        raise UserError(f"card {card.uid} is already enrolled")
    before = card_row(row)
    row.uid, row.uid_key = card.uid, match_key(card.uid)
    row.label = card.label or None
    row.blocked = card.blocked
    row.valid_from, row.valid_to = card.valid_from, card.valid_to
    row.max_concurrent = card.max_concurrent
    row.max_current_a = card.max_current_a
    row.note = card.note or None
    row.holder = holder_by_name(s, card.holder) if card.holder else None
    row.group = group_by_name(s, card.group) if card.group else None
    wanted = set(bay_ids_by_labels(s, card.allowed_bays))
    row.allowed[:] = [a for a in row.allowed if a.bay_id in wanted]
    for bay_id in sorted(wanted - {a.bay_id for a in row.allowed}):
        row.allowed.append(CardAllowedBay(bay_id=bay_id))
    s.flush()
    record(s, "cards.edit", row.uid, before, card_row(row), actor=actor)
    return row


def set_blocked(s: Session, text: str, blocked: bool, actor: Actor | None = None) -> Card:
    actor = require(actor, "cards.edit", s, target=text)
    card = get_card(s, text)
    before = card.blocked
    card.blocked = blocked
    action = "cards.block" if blocked else "cards.unblock"
    record(s, action, card.uid, {"blocked": before}, {"blocked": blocked}, actor=actor)
    return card


def list_cards(s: Session, search: str | None = None) -> list[Card]:
    q = (
        select(Card)
        .outerjoin(CardHolder, Card.holder_id == CardHolder.id)
        .options(  # what card_row reads, in three queries rather than three per card
            selectinload(Card.holder),
            selectinload(Card.group),
            selectinload(Card.allowed).selectinload(CardAllowedBay.bay),
        )
        .order_by(Card.uid)
    )
    if search:
        like = f"%{search.strip()}%"
        keys = lookup_keys(search)
        conds = [Card.label.ilike(like), CardHolder.name.ilike(like), Card.uid.ilike(like)]
        if keys:
            conds.append(Card.uid_key.in_(keys))
        q = q.where(or_(*conds))
    return list(s.scalars(q))


def card_count(s: Session) -> int:
    return s.scalar(select(func.count(Card.id))) or 0


def card_row(card: Card) -> dict[str, str]:
    """A card as one CSV row (the same columns `import_csv` reads)."""
    return {
        "uid": card.uid,
        "label": card.label or "",
        "holder": card.holder.name if card.holder else "",
        "group": card.group.name if card.group else "",
        "blocked": "yes" if card.blocked else "no",
        "valid_from": card.valid_from.date().isoformat() if card.valid_from else "",
        "valid_to": card.valid_to.date().isoformat() if card.valid_to else "",
        "allowed_bays": " ".join(sorted(_bay_labels(card))),
        "max_concurrent": str(card.max_concurrent),
        "max_current_a": f"{card.max_current_a:g}" if card.max_current_a else "",
        "note": card.note or "",
    }


def _bay_labels(card: Card) -> list[str]:
    return [a.bay.label for a in card.allowed]


def export_csv(s: Session, out: IO[str], actor: Actor | None = None) -> int:
    actor = require(actor, "cards.export", s)
    w = csv.DictWriter(out, CSV_FIELDS)
    w.writeheader()
    n = 0
    for card in list_cards(s):
        w.writerow(card_row(card))
        n += 1
    record(s, "cards.export", None, actor=actor, detail=f"{n} card(s)")
    return n


def read_csv(text: str) -> list[CardInput]:
    """Parse and validate every row; the first bad row raises UserError naming its line."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "uid" not in [f.strip() for f in reader.fieldnames]:
        raise UserError("the CSV file has no 'uid' column (expected: " + ",".join(CSV_FIELDS) + ")")
    rows: list[CardInput] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        try:
            mc = row.get("max_concurrent") or "1"
            if not mc.isdigit():
                raise UserError(f"invalid max_concurrent {mc!r}")
            amps = row.get("max_current_a") or ""
            try:
                max_current_a = float(amps) if amps else None
            except ValueError:
                raise UserError(f"invalid max_current_a {amps!r}") from None
            card = CardInput(
                uid=row.get("uid", ""),
                label=row.get("label") or None,
                holder=row.get("holder") or None,
                group=row.get("group") or None,
                blocked=_bool(row.get("blocked"), "blocked"),
                valid_from=parse_date(row.get("valid_from"), "valid_from"),
                valid_to=parse_date(row.get("valid_to"), "valid_to", end_of_day=True),
                allowed_bays=tuple((row.get("allowed_bays") or "").split()),
                max_concurrent=int(mc),
                max_current_a=max_current_a,
                note=row.get("note") or None,
            ).validate()
        except UserError as e:
            raise UserError(f"line {i}: {e}") from None
        # The same card in two spellings (e.g. reversed bytes) is a duplicate too.
        twice = next((seen[k] for k in [card.uid, *lookup_keys(card.uid)] if k in seen), None)
        if twice is not None:
            raise UserError(f"line {i}: card {card.uid} appears twice (also line {twice})")
        seen[card.uid] = i
        seen[match_key(card.uid)] = i
        rows.append(card)
    return rows


def import_csv(s: Session, text: str, actor: Actor | None = None) -> int:
    """Import every row or none: the caller's unit of work rolls back on the first error.

    Every row is checked against the database first, with reads only; then all rows are
    written in one flush. On SQLite the write lock is taken at the first write, so a large
    file holds it for the inserts alone, not for the checks: the engine's writer (which
    waits at most the busy timeout) is not starved while a big file is read.
    """
    actor = require(actor, "cards.import", s)
    rows = read_csv(text)
    bay_ids = {label: bay_id for bay_id, label in s.execute(select(Bay.id, Bay.label))}
    for i, card in enumerate(rows, start=2):
        if find_cards(s, card.uid):
            raise UserError(f"line {i}: card {card.uid} is already enrolled")
        for label in card.allowed_bays:
            if label not in bay_ids:
                raise UserError(f"line {i}: no bay labelled {label!r}")
    holder_names = {c.holder for c in rows if c.holder}
    group_names = {c.group for c in rows if c.group}
    holders: dict[str, CardHolder] = {}
    for h in s.scalars(
        select(CardHolder).where(CardHolder.name.in_(holder_names)).order_by(CardHolder.id)
    ):
        holders.setdefault(h.name, h)  # as holder_by_name: the first of a name
    groups = {
        g.name: g for g in s.scalars(select(CardGroup).where(CardGroup.name.in_(group_names)))
    }
    for name in sorted(holder_names - set(holders)):  # the writes start here
        holders[name] = CardHolder(name=name)
        s.add(holders[name])
    for name in sorted(group_names - set(groups)):
        groups[name] = CardGroup(name=name)
        s.add(groups[name])
    for card in rows:
        row = Card(
            uid=card.uid,
            uid_key=match_key(card.uid),
            label=card.label or None,
            blocked=card.blocked,
            valid_from=card.valid_from,
            valid_to=card.valid_to,
            max_concurrent=card.max_concurrent,
            max_current_a=card.max_current_a,
            note=card.note or None,
            holder=holders[card.holder] if card.holder else None,
            group=groups[card.group] if card.group else None,
        )
        row.allowed = [CardAllowedBay(bay_id=bay_ids[label]) for label in card.allowed_bays]
        s.add(row)
    s.flush()
    uids = [c.uid for c in rows]
    detail = f"{len(rows)} card(s)"
    record(s, "cards.import", None, None, {"uids": uids}, actor=actor, detail=detail)
    return len(rows)
