"""Card service: enrol, find, block, and CSV import/export (all or nothing).

Used by the CLI, the GUI and the engine alike; every function takes an open database
session and leaves committing to the caller's unit of work. The changing services check the
acting operator's permission here (`access.require`), so the CLI and the GUI are equally
protected, and audit the change in the same unit of work.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import IO

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from stationmgr import validate
from stationmgr.access.context import Actor, record, require
from stationmgr.auth import (
    CardFacts,
    Lookup,
    exact_text,
    lookup_keys,
    match_key,
    parse_uid,
    pick_card,
)
from stationmgr.csv_safe import csv_dict_writer
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
    "kind",
]
CARD, VEHICLE = "card", "vehicle"  # Card.kind: an RFID card, or a car's own id tag
KINDS = (CARD, VEHICLE)
_VEHICLE_TAG = re.compile(r"[\x21-\x7e]{1,20}")
MAX_LABEL = 80  # Card.label's column
MAX_HOLDER = 120  # CardHolder.name's column
MAX_GROUP = 80  # CardGroup.name's column
MAX_NOTE = 2000
MAX_CSV_FIELD = 10_000  # longer than any cell a card file has; csv's own limit is 131,072
_DATE_CHARS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.+\-Z]{2,40})?")


def parse_date(
    text: str | None, what: str = "date", end_of_day: bool = False, tz: tzinfo | None = None
) -> datetime | None:
    """`YYYY-MM-DD` or ISO date-time → aware datetime; empty → None; else UserError.

    A bare date or a time without an offset is read in `tz`: the site's time zone (its
    `timezone` setting) wherever the caller knows it, so "2026-12-10" is local midnight as
    the screen and the documents show it; UTC only where no site is known."""
    zone = tz or UTC
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    if not _DATE_CHARS.fullmatch(t):
        raise UserError(f"invalid {what} {t[:40]!r}: expected YYYY-MM-DD")
    year = int(t[:4])
    if not validate.MIN_YEAR <= year <= validate.MAX_YEAR:
        raise UserError(
            f"invalid {what} {t[:40]!r}: the year must be {validate.MIN_YEAR} … {validate.MAX_YEAR}"
        )
    try:
        if len(t) == 10:
            d = date.fromisoformat(t)
            dt = datetime(d.year, d.month, d.day, tzinfo=zone)
            if end_of_day:
                dt = dt.replace(hour=23, minute=59, second=59)
            return dt
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise UserError(f"invalid {what} {t!r}: expected YYYY-MM-DD") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=zone)


def day_after(dt: datetime) -> datetime:
    """The same time one day later (parse_date's years keep this in range)."""
    return dt + timedelta(days=1)


def _bool(text: str | None, what: str) -> bool:
    t = (text or "").strip().lower()
    if t in ("", "0", "no", "false", "n"):
        return False
    if t in ("1", "yes", "true", "y", "blocked"):
        return True
    raise UserError(f"invalid {what} {text!r}: expected yes or no")


def vehicle_tag(text: object) -> str:
    """A vehicle's id tag as stored and matched: as the charger sends it (Autocharge:
    `VID:` and the car's MAC), upper case; 1 … 20 printable characters, no spaces (OCPP's
    idTag)."""
    tag = str(text or "").strip().upper()
    if not _VEHICLE_TAG.fullmatch(tag):
        shown = validate.printable(str(text or "").strip())[:30]
        raise UserError(
            f"vehicle id tag {shown!r}: 1 … 20 printable characters without spaces "
            "(e.g. VID:0A1B2C3D4E5F)"
        )
    return tag


def _vehicles(s: Session, text: object) -> list[Card]:
    """The vehicle credential `text` is, exactly (case aside); none for other text."""
    try:
        tag = vehicle_tag(text)
    except UserError:
        return []
    return list(s.scalars(select(Card).where(Card.kind == VEHICLE, Card.uid == tag)))


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


def find_cards(s: Session, text: str, exact: bool = False) -> list[Card]:
    """Cards matching a presented number in any of its spellings, best match first (see
    `auth.Lookup.rank`); `exact`: `text` is a canonical UID (a reader's), not typed text.
    A vehicle's id tag matches only itself, and before any card reading of the text."""
    vehicles = _vehicles(s, text)
    if vehicles:
        return vehicles
    look = Lookup.of(text, exact)
    if not look.keys:
        return []
    conds = [Card.uid_key.in_(list(look.keys))]
    conds += [Card.uid_key.like(p + "%") for p in look.prefixes]  # 7-byte UIDs via CT
    rows = {c.id: c for c in s.scalars(select(Card).where(or_(*conds)))}
    ranked = [(r, c.id) for c in rows.values() if (r := look.rank(c.uid)) is not None]
    return [rows[i] for _r, i in sorted(ranked)]


def find_card_facts(s: Session, text: str, exact: bool = False) -> CardFacts | None:
    """The card a presented number denotes; None if none, or if two match equally well."""
    cards = find_cards(s, text, exact)
    if cards and cards[0].kind == VEHICLE:
        return card_facts(s, cards[0])
    facts = [card_facts(s, c) for c in cards]
    return pick_card(text, facts, exact)


def get_card(s: Session, text: str) -> Card:
    """The card a number denotes, or UserError (none, or ambiguous)."""
    cards = find_cards(s, text)
    if not cards:
        raise UserError(f"no card {validate.printable(text.strip())[:40]!r}")
    if cards[0].kind == VEHICLE:
        return cards[0]
    facts = pick_card(text, [card_facts(s, c) for c in cards])
    if facts is None:
        uids = ", ".join(c.uid for c in cards[:3])
        raise UserError(
            f"card number {text.strip()!r} matches several cards ({uids}): "
            "give the full number (0x… for hex)"
        )
    return next(c for c in cards if c.id == facts.card_id)


def _as(other: Card, uid: str) -> str:
    return "" if other.uid == uid else f" as {other.uid}"


def _enrolled(s: Session, card: CardInput, card_id: int | None = None) -> Card | None:
    """Another card that is (or may be) this one: the same card as its canonical UID, or
    as any reading of the number as typed."""
    found = find_cards(s, card.uid, exact=True)
    if card.uid_text is not None:
        found += find_cards(s, card.uid_text)
    return next((c for c in found if c.id != card_id), None)


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
    # CARD or VEHICLE (`uid` is then the car's id tag, as the charger sends it); None: a
    # card when added, the card's own kind when edited (the dialog does not change it)
    kind: str | None = None
    # The number as typed, once `uid` holds its canonical form (validate twice: same card).
    uid_text: str | None = field(default=None, repr=False, compare=False)

    def validate(self) -> CardInput:
        self.kind = self.kind or CARD
        if self.kind not in KINDS:
            raise UserError(f"kind {str(self.kind)[:20]!r}: expected card or vehicle")
        if self.kind == VEHICLE and self.uid_text is None:
            self.uid = self.uid_text = vehicle_tag(self.uid)
        if self.uid_text is None:  # once: a canonical UID re-read as typed text can change
            raw = str(self.uid).strip()
            if raw.startswith(("-", "+")):
                raise UserError(f"card number {raw[:30]!r} must not have a sign")
            if len(raw) > 64:
                raise UserError(f"card number is too long ({len(raw)} characters)")
            uid = parse_uid(self.uid)  # (`0x0100423515` is stored as `0100423515`)
            self.uid_text, self.uid = self.uid, uid
        self.label = _optional_name(self.label, "label", MAX_LABEL)
        self.holder = _optional_name(self.holder, "holder", MAX_HOLDER)
        self.group = _optional_name(self.group, "group", MAX_GROUP)
        if self.note is not None:
            if "\x00" in self.note or len(self.note) > MAX_NOTE:
                raise UserError(f"note must be at most {MAX_NOTE} characters, without NUL")
            self.note = self.note.strip() or None
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise UserError("valid_to is before valid_from")
        if self.max_concurrent < 1:
            raise UserError("max_concurrent must be at least 1")
        if self.max_current_a is not None and not 6.0 <= self.max_current_a <= 80.0:
            raise UserError("max_current_a must be between 6 and 80 A (J1772's range)")
        return self


def _optional_name(value: str | None, what: str, max_len: int) -> str | None:
    """None stays None; a given name is cleaned (no control characters, not blank)."""
    if value is None:
        return None
    return validate.clean_name(value, what, max_len=max_len)


def add_card(s: Session, card: CardInput, actor: Actor | None = None) -> Card:
    """Enrol a card; a card whose number (in any spelling) is known already is refused."""
    actor = require(actor, "cards.add", s, target=card.uid)
    row = _add_card(s, card)
    record(s, "cards.add", row.uid, None, card_row(row), actor=actor)
    return row


def uid_key(card: CardInput) -> str:
    """What a card is looked up by (`auth.match_key`); a vehicle's tag is its own key."""
    return card.uid if card.kind == VEHICLE else match_key(card.uid)


def _add_card(s: Session, card: CardInput) -> Card:
    card.validate()
    if (other := _enrolled(s, card)) is not None:
        raise UserError(f"card {card.uid} is already enrolled" + _as(other, card.uid))
    row = Card(
        uid=card.uid,
        uid_key=uid_key(card),
        kind=card.kind,
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
    row = s.get(Card, card_id)
    if row is None:
        raise UserError(f"no card with id {card_id}")
    if card.kind is None:
        card.kind = row.kind
    card.validate()
    if (other := _enrolled(s, card, card_id)) is not None:
        raise UserError(f"card {card.uid} is already enrolled" + _as(other, card.uid))
    before = card_row(row)
    row.uid, row.uid_key, row.kind = card.uid, uid_key(card), card.kind
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
    return list(s.scalars(matching(q, search)))


def matching(q: Select, search: str | None) -> Select:  # type: ignore[type-arg]
    """`q` (joined to the holder) narrowed to cards matching `search`: the label, the
    holder's name, or the number in any spelling. The one card search (CLI and window)."""
    if not search or not search.strip():
        return q
    like = f"%{search.strip()}%"
    keys = lookup_keys(search)
    conds = [Card.label.ilike(like), CardHolder.name.ilike(like), Card.uid.ilike(like)]
    if keys:
        conds.append(Card.uid_key.in_(keys))
    return q.where(or_(*conds))


def card_count(s: Session) -> int:
    return s.scalar(select(func.count(Card.id))) or 0


def card_row(card: Card) -> dict[str, str]:
    """A card as one CSV row (the same columns `import_csv` reads)."""
    vehicle = card.kind == VEHICLE
    return {
        # reads back as this card (`0x` where digits mislead); a vehicle's tag as it is
        "uid": card.uid if vehicle else exact_text(card.uid),
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
        "kind": card.kind or CARD,
    }


def _bay_labels(card: Card) -> list[str]:
    return [a.bay.label for a in card.allowed]


def export_csv(s: Session, out: IO[str], actor: Actor | None = None) -> int:
    actor = require(actor, "cards.export", s)
    w = csv_dict_writer(out, CSV_FIELDS)
    w.writeheader()
    n = 0
    for card in list_cards(s):
        w.writerow(card_row(card))
        n += 1
    record(s, "cards.export", None, actor=actor, detail=f"{n} card(s)")
    return n


def read_csv(text: str) -> list[CardInput]:
    """Parse and validate every row; the first bad row raises UserError naming its line."""
    text = text.removeprefix("\ufeff")  # a BOM, as spreadsheets write (stdin too)
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as e:
        raise UserError(f"line 1: not a readable CSV header ({e})") from None
    if fieldnames is None or "uid" not in [f.strip() for f in fieldnames]:
        raise UserError("the CSV file has no 'uid' column (expected: " + ",".join(CSV_FIELDS) + ")")
    rows: list[CardInput] = []
    seen: dict[str, int] = {}
    for i, raw in _rows(reader):
        row = {(k or "").strip(): _cell(v, i) for k, v in raw.items() if k is not None}
        try:
            mc = validate.parse_int(
                row.get("max_concurrent") or "1", "max_concurrent", minimum=1, maximum=1000
            )
            amps = row.get("max_current_a") or ""
            max_current_a = validate.parse_float(amps, "max_current_a") if amps else None
            card = CardInput(
                uid=row.get("uid", ""),
                label=row.get("label") or None,
                holder=row.get("holder") or None,
                group=row.get("group") or None,
                blocked=_bool(row.get("blocked"), "blocked"),
                valid_from=parse_date(row.get("valid_from"), "valid_from"),
                valid_to=parse_date(row.get("valid_to"), "valid_to", end_of_day=True),
                allowed_bays=tuple((row.get("allowed_bays") or "").split()),
                max_concurrent=mc,
                max_current_a=max_current_a,
                note=row.get("note") or None,
                kind=(row.get("kind") or CARD).lower(),
            ).validate()
        except UserError as e:
            raise UserError(f"line {i}: {e}") from None
        # The same card in two spellings (e.g. reversed bytes) is a duplicate too.
        twice = next((seen[k] for k in [card.uid, *lookup_keys(card.uid)] if k in seen), None)
        if twice is not None:
            raise UserError(f"line {i}: card {card.uid} appears twice (also line {twice})")
        seen[card.uid] = i
        seen[uid_key(card)] = i
        rows.append(card)
    return rows


def _rows(reader: csv.DictReader) -> Iterable[tuple[int, dict]]:  # type: ignore[type-arg]
    """(line number, row) pairs; the csv module's own errors (a field over its limit, a
    broken quote) as one UserError naming the line."""
    it = iter(reader)
    while True:
        start = reader.line_num + 1  # the record that fails starts on the next line
        try:
            raw = next(it)
        except StopIteration:
            return
        except csv.Error as e:
            raise UserError(f"line {start}: not readable as CSV ({e})") from None
        yield reader.line_num, raw


def _cell(value: object, line: int) -> str:
    text = "" if value is None else str(value) if not isinstance(value, list) else ""
    if len(text) > MAX_CSV_FIELD:
        raise UserError(f"line {line}: a field is longer than {MAX_CSV_FIELD} characters")
    return text.strip()


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
            uid_key=uid_key(card),
            kind=card.kind,
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
