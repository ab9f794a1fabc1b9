"""Cards: one canonical UID form, the other ways readers write it, and who may charge.

The same physical card reaches us as `0A1B2C3D`, `0a1b2c3d`, `3D2C1B0A` (reversed bytes),
`169552957` (decimal of the four bytes) or `0169552957` (zero-padded), depending on the
reader. We store one canonical form — uppercase hex of the UID bytes in the card's own byte
order — and match a presented number against every way of writing it, so a card enrolled at
the desk is recognised by a bay reader of another make.

Text that is only digits is ambiguous (hex or decimal?). The rule, documented for the user:
- 8, 14 or 20 digits → hex (a 4-, 7- or 10-byte UID that happens to have no letters);
- any other count of digits → decimal of a 4-byte UID (the wedge readers' form), unless the
  value does not fit 4 bytes and it has 10 digits (then EM4100 hex: version + 4 bytes).
Matching does not depend on this rule: every reading is tried.

An EM4100 card has 5 bytes (a version byte and 4 number bytes) but the number printed on it
and typed by many readers is the decimal of the last 4 bytes, so its *match key* is those 4.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from stationmgr.errors import UserError
from stationmgr.ocpp_words import AuthStatus
from stationmgr.sessions import Authorization

OCPP_IDTAG_MAX = 20
_SEPARATORS = re.compile(r"[\s:\-]")
_HEX = re.compile(r"^[0-9A-F]+$")
_UID_BYTES = (4, 5, 7, 10)  # MIFARE single/double/triple size, EM4100 (version + 4)


def _clean(text: str) -> str:
    return _SEPARATORS.sub("", text.strip()).upper().removeprefix("0X")


def _digits(s: str) -> bool:
    """ASCII digits only (`str.isdigit` also accepts '²' and other digits `int` refuses)."""
    return s.isascii() and s.isdigit()


def parse_uid(text: str) -> str:
    """The canonical form of a card number as typed or read; raises UserError if unknown."""
    s = _clean(text)
    if not s:
        raise UserError("empty card number")
    if _digits(s) and len(s) not in (8, 14, 20):
        value = int(s)
        if value < 2**32:
            return f"{value:08X}"
        if len(s) != 10:
            raise UserError(f"card number {text.strip()!r} is too large for a 4-byte UID")
    if _HEX.match(s) and len(s) % 2 == 0 and len(s) // 2 in _UID_BYTES:
        return s
    raise UserError(
        f"unknown card number format {text.strip()!r}: expected 8, 10, 14 or 20 hex digits "
        "or the 10-digit decimal form"
    )


def _reverse(hexstr: str) -> str:
    return "".join(reversed([hexstr[i : i + 2] for i in range(0, len(hexstr), 2)]))


def candidate_uids(text: str) -> list[str]:
    """Every canonical UID the presented text could denote (no error for odd input)."""
    s = _clean(text)
    out: list[str] = []
    if _HEX.match(s) and len(s) % 2 == 0 and len(s) // 2 in _UID_BYTES:
        out += [s, _reverse(s)]
    if _digits(s) and 0 < len(s) <= 10 and int(s) < 2**32:
        h = f"{int(s):08X}"
        out += [h, _reverse(h)]
    return list(dict.fromkeys(out))


def match_key(uid: str) -> str:
    """The part of a canonical UID that identifies a card across reader makes."""
    return uid[2:] if len(uid) == 10 else uid


def lookup_keys(text: str) -> list[str]:
    """Match keys to look a presented card number up by."""
    return list(dict.fromkeys(match_key(c) if len(c) == 10 else c for c in candidate_uids(text)))


def valid_idtag(uid: str) -> bool:
    return 0 < len(uid) <= OCPP_IDTAG_MAX


def mask_uid(uid: str) -> str:
    """A card number as printed on a receipt: only the last four characters shown."""
    return "•" * max(0, len(uid) - 4) + uid[-4:]


@dataclass(frozen=True, slots=True)
class CardFacts:
    """What authorisation needs to know about a card, read from the database."""

    card_id: int
    uid: str
    blocked: bool = False
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    holder_id: int | None = None
    holder_name: str | None = None
    group_id: int | None = None
    group_blocked: bool = False
    allowed_bays: frozenset[int] = frozenset()  # empty: every bay
    max_concurrent: int = 1
    open_sessions: int = 0
    max_current_a: float | None = None
    budget_refusal: str | None = None  # set by the billing layer when a budget is used up


def authorize(card: CardFacts | None, bay_id: int, now: datetime, uid: str = "") -> Authorization:
    """Decide whether `card` may start a session at `bay_id` now, in OCPP's words."""
    if card is None:
        return Authorization(AuthStatus.INVALID, card_uid=uid or None, reason="unknown card")

    def refuse(status: AuthStatus, reason: str) -> Authorization:
        return Authorization(
            status,
            card_id=card.card_id,
            card_uid=card.uid,
            holder_id=card.holder_id,
            holder_name=card.holder_name,
            group_id=card.group_id,
            reason=reason,
        )

    if card.blocked:
        return refuse(AuthStatus.BLOCKED, "card is blocked")
    if card.group_blocked:
        return refuse(AuthStatus.BLOCKED, "card group is blocked")
    if card.valid_to is not None and now > card.valid_to:
        return refuse(AuthStatus.EXPIRED, f"card expired {card.valid_to:%Y-%m-%d}")
    if card.valid_from is not None and now < card.valid_from:
        return refuse(AuthStatus.INVALID, f"card valid from {card.valid_from:%Y-%m-%d}")
    if card.allowed_bays and bay_id not in card.allowed_bays:
        return refuse(AuthStatus.INVALID, "card is not allowed at this bay")
    if card.open_sessions >= card.max_concurrent:
        return refuse(AuthStatus.CONCURRENT_TX, "card already has a session running")
    if card.budget_refusal:
        return refuse(AuthStatus.BLOCKED, card.budget_refusal)
    return Authorization(
        AuthStatus.ACCEPTED,
        card_id=card.card_id,
        card_uid=card.uid,
        holder_id=card.holder_id,
        holder_name=card.holder_name,
        group_id=card.group_id,
        max_current_a=card.max_current_a,
    )


def pick_card(presented: str, found: Iterable[CardFacts]) -> CardFacts | None:
    """Of the cards found by match key, the one that best fits what was presented."""
    cands = candidate_uids(presented)
    found = list(found)
    for c in cands:  # exact spelling first, in the order the rule prefers
        for card in found:
            if card.uid == c:
                return card
    return found[0] if found else None
