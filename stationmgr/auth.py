"""Cards: one canonical UID form, the other ways readers and card prints write it, and who
may charge.

The same physical card reaches us as `0A1B2C3D`, `0a1b2c3d`, `3D2C1B0A` (reversed bytes),
`169552957` / `0169552957` (decimal), `4B00423C15` (an EM4100 reader frame: version byte +
number), `322126887957` (the 40-bit decimal), `75 - 4340757` ("facility - card"),
`066,15381` (Wiegand-26: the low 24 bits as facility,card) and more, depending on the reader
and on what is printed on the card. docs/card-numbers.md is the table of forms and rules.

- `parse_uid(text)` gives the one canonical form we store: uppercase hex of the UID bytes in
  the card's own order (4, 5, 7 or 10 bytes), or `FFF,CCCCC` for a card known only by its
  Wiegand-26 number. Ambiguous typed digits are resolved by a fixed rule (the first of
  `candidate_uids`); `0x…` or bytes in pairs (`01 00 42 35 15`) always mean hex.
- A reader's UID (`CardTap.uid`) is canonical already and never re-read as typed text
  (`exact=True`): a frame whose hex digits happen to be all decimal digits is still hex.
- Two forms are the same card when they agree on the information both carry: the 32-bit
  number (match key) for EM4100 and 4-byte UIDs, the full UID for 7/10-byte UIDs, the low
  24 bits against a Wiegand-26 number, the cascade tag + first 3 bytes for a 7-byte UID read
  by a 4-byte reader. `Lookup.rank` orders the matches: exact spelling, then match key, then
  the weak (24-bit) relations; a tie between two cards is ambiguous and matches neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from stationmgr.errors import UserError
from stationmgr.ocpp_words import AuthStatus
from stationmgr.sessions import Authorization

OCPP_IDTAG_MAX = 20
MAX_TEXT = 64  # longer text is no card number (and never reaches int())
_SEPARATORS = re.compile(r"[\s:\-]")
_HEX = re.compile(r"[0-9A-F]+")
_HEX_PAIRS = re.compile(r"[0-9A-F]{2}(?:[\s:\-]+[0-9A-F]{2})+")
_W26_TEXT = re.compile(r"(\d{1,3})\s*,\s*(\d{1,5})")
_FAC_CARD = re.compile(r"(\d{1,3})\s*-\s*(\d{3,10})")
_W26_UID = re.compile(r"\d{3},\d{5}")
_UID_BYTES = (4, 5, 7, 10)  # MIFARE single/double/triple size, EM4100 (version + 4)
CASCADE_TAG = "88"  # ISO 14443-3: first byte of a 7-byte UID's level-1 answer

# Match tiers (lower is stronger), see Lookup.rank.
EXACT, KEY, WEAK = 0, 1, 2


def _digits(s: str) -> bool:
    """ASCII digits only (`str.isdigit` also accepts '²' and other digits `int` refuses)."""
    return s.isascii() and s.isdigit()


def _reverse(hexstr: str) -> str:
    return "".join(reversed([hexstr[i : i + 2] for i in range(0, len(hexstr), 2)]))


def _is_hex_uid(s: str) -> bool:
    return bool(_HEX.fullmatch(s)) and len(s) % 2 == 0 and len(s) // 2 in _UID_BYTES


def w26_uid(facility: int, number: int) -> str:
    """The canonical form of a card known only by its Wiegand-26 number."""
    return f"{facility:03d},{number:05d}"


def _w26_value(uid: str) -> int:
    fac, num = uid.split(",")
    return (int(fac) << 16) | int(num)


def _dec_uid(value: int) -> str | None:
    """A decimal card number as UID bytes: the 32-bit number (4 bytes) or, above it, the
    40-bit EM4100 id (version + number, 5 bytes)."""
    if value < 2**32:
        return f"{value:08X}"
    if value < 2**40:
        return f"{value:010X}"
    return None


def _hex_readings(s: str) -> list[str]:
    """Hex bytes as written, reversed, and for EM4100 (5 bytes) the 32-bit number reversed
    (a bay reader that writes the number's bytes the other way round)."""
    return [s, _reverse(s), _reverse(s[2:])] if len(s) == 10 else [s, _reverse(s)]


def _readings(text: object) -> tuple[list[str], str]:
    """Every canonical UID `text` could denote, the preferred reading first; with the reason
    when there is none."""
    if not isinstance(text, str):
        return [], "a card number is text"
    t = text.strip()
    shown = repr(t[:24] + ("…" if len(t) > 24 else ""))
    if not t:
        return [], "empty card number"
    if len(t) > MAX_TEXT:
        return [], f"card number {shown} is too long"
    if not t.isascii() or not t.isprintable():
        return [], f"card number {shown} holds characters no reader writes"
    if t[0] in "+-":
        return [], f"card number {shown} has a sign"
    u = t.upper()
    if u.startswith("0X"):  # hex, whatever the digits
        s = _SEPARATORS.sub("", u[2:])
        if _is_hex_uid(s):
            return _hex_readings(s), ""
        return [], f"card number {shown}: expected 8, 10, 14 or 20 hex digits after 0x"
    if "," in u:  # Wiegand-26 facility,card
        m = _W26_TEXT.fullmatch(u)
        if m and int(m[1]) <= 255 and int(m[2]) <= 65535:
            return [w26_uid(int(m[1]), int(m[2]))], ""
        return [], f"card number {shown}: Wiegand-26 is facility 0-255, card 0-65535"
    if _HEX_PAIRS.fullmatch(u):  # bytes written in pairs are hex
        s = _SEPARATORS.sub("", u)
        if _is_hex_uid(s):
            return _hex_readings(s), ""
        return [], f"card number {shown}: {len(s) // 2} bytes (a UID has 4, 5, 7 or 10)"
    m = _FAC_CARD.fullmatch(u)
    if m and int(m[1]) <= 255 and int(m[2]) < 2**32:  # "facility - card"
        em = f"{int(m[1]):02X}{int(m[2]):08X}"  # EM4100: version byte - 32-bit number
        if len(m[2]) <= 5 and int(m[2]) <= 65535:  # Wiegand-26 facility-card, first
            return [w26_uid(int(m[1]), int(m[2])), em], ""
        return [em], ""
    s = _SEPARATORS.sub("", u)
    if _digits(s):
        return _digit_readings(s, shown)
    if _is_hex_uid(s):
        return _hex_readings(s), ""
    return [], (
        f"unknown card number format {shown}: expected 8, 10, 14 or 20 hex digits, "
        "a decimal number, FFF,CCCCC or 'facility - card'"
    )


def _digit_readings(s: str, shown: str) -> tuple[list[str], str]:
    """Digits only: hex or decimal? The rule (docs/card-numbers.md): 8, 14, 20 digits are
    hex; 10 digits are the decimal 32-bit number unless it does not fit (then EM4100 hex);
    any other count up to 13 is decimal (4 bytes, or 5 for the 40-bit EM4100 id)."""
    n, value = len(s), int(s) if len(s) <= 20 else -1
    out: list[str] = []
    if n in (8, 14, 20):
        out += _hex_readings(s)
        if n == 8:  # also a decimal 32-bit number, or a Wiegand-26 one from a desk reader
            out += _hex_readings(f"{value:08X}")
            if int(s[:3]) <= 255 and int(s[3:]) <= 65535:
                out.append(w26_uid(int(s[:3]), int(s[3:])))  # FFFCCCCC
            if value < 2**24:
                out.append(w26_uid(value >> 16, value & 0xFFFF))  # 24-bit decimal
        return list(dict.fromkeys(out)), ""
    if n > 13:
        return [], f"card number {shown}: {n} digits is no known form (at most 13 decimal)"
    if n == 10 and value >= 2**32:
        out += _hex_readings(s)  # an EM4100 reader frame typed by hand
    dec = _dec_uid(value)
    if dec is None:
        return [], f"card number {shown} is too large for a 40-bit EM4100 id"
    out += _hex_readings(dec) if len(dec) == 8 else [dec]
    if n == 10 and value < 2**32:
        out += _hex_readings(s)
    return list(dict.fromkeys(out)), ""


def parse_uid(text: str) -> str:
    """The canonical form of a card number as typed or read; raises UserError (only) when
    the text is no card number."""
    out, why = _readings(text)
    if not out:
        raise UserError(why)
    return out[0]


def candidate_uids(text: str) -> list[str]:
    """Every canonical UID the presented text could denote, preferred first (no error)."""
    return _readings(text)[0]


def uid_readings(uid: str) -> list[str]:
    """The canonical UIDs a canonical UID (a reader's, or a stored one) is: itself and its
    bytes reversed — never a decimal reading of its digits."""
    if _W26_UID.fullmatch(uid):
        return [uid]
    if _is_hex_uid(uid):
        return _hex_readings(uid)
    return candidate_uids(uid)  # not canonical after all: read it as text


def exact_text(uid: str) -> str:
    """A reader's UID as text that reads back as the same UID when typed (`0x` in front of
    a hex UID whose digits would otherwise be read as decimal)."""
    return uid if candidate_uids(uid)[:1] == [uid] else "0x" + uid


def shown_uid(text: str, exact: bool = False) -> str:
    """A presented card number as the site writes it for people (refusals, alerts, the
    activity log): its canonical form, and an EM4100 reader frame whose version byte is 00
    as its 32-bit number — `00DEADBEEF` from an RDM6300 is the card one types and enrols as
    `DEADBEEF`. Text that is no card number stays as given. `exact`: a reader's UID."""
    readings = uid_readings(text) if exact else candidate_uids(text)
    uid = readings[0] if readings else text.strip()
    if len(uid) == 10 and uid.startswith("00") and _is_hex_uid(uid):
        return uid[2:]
    return uid


def match_key(uid: str) -> str:
    """The part of a canonical UID that identifies a card across reader makes: the 32-bit
    number of an EM4100 (5-byte) UID, the 24-bit value of a Wiegand-26 card, else the UID."""
    if _W26_UID.fullmatch(uid):
        return f"{_w26_value(uid):06X}"
    return uid[2:] if len(uid) == 10 else uid


def _weak_keys(uid: str) -> tuple[list[str], list[str]]:
    """Match keys (and 7-byte key prefixes) of cards that agree with `uid` on the less
    information they carry: the low 24 bits vs Wiegand-26, the cascade-tag form of a 7-byte
    UID, and 8 digits once typed at the desk and stored as hex."""
    if _W26_UID.fullmatch(uid):
        v = _w26_value(uid)
        keys = [f"{hi:02X}{v:06X}" for hi in range(256)]  # 32-bit numbers ending so
        return [*keys, f"{v:08d}", f"{v >> 16:03d}{v & 0xFFFF:05d}"], []
    key = match_key(uid)
    if len(key) == 8:
        low = int(key, 16) & 0xFFFFFF
        keys = [f"{low:06X}", f"{low:08d}", f"{low >> 16:03d}{low & 0xFFFF:05d}"]
        prefixes = [key[2:]] if len(uid) == 8 and key.startswith(CASCADE_TAG) else []
        return keys, prefixes
    if len(key) == 14:
        ct = CASCADE_TAG + key[:6]
        return [ct, _reverse(ct)], []
    return [], []


@dataclass
class Lookup:
    """What a presented card number can match, and how strongly (see `rank`)."""

    readings: list[str]
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    prefixes: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, exact: bool = False) -> Lookup:
        """For typed text, or (`exact`) a reader's canonical UID."""
        look = cls(uid_readings(text) if exact else candidate_uids(text))
        for i, uid in enumerate(look.readings):
            look.keys.setdefault(match_key(uid), (KEY, i))
        for i, uid in enumerate(look.readings):
            weak, prefixes = _weak_keys(uid)
            for k in weak:
                look.keys.setdefault(k, (WEAK, i))
            for p in prefixes:
                look.prefixes.setdefault(p, (WEAK, i))
        return look

    def rank(self, uid: str) -> tuple[int, int] | None:
        """(tier, reading index) of a stored card's UID, or None: no match. Exact spelling
        beats the match key, which beats a weak relation; then the preferred reading."""
        if uid in self.readings:
            return (EXACT, self.readings.index(uid))
        key = match_key(uid)
        found = [self.keys[key]] if key in self.keys else []
        if len(key) == 14:
            found += [r for p, r in self.prefixes.items() if key.startswith(p)]
        return min(found) if found else None


def lookup_keys(text: str, exact: bool = False) -> list[str]:
    """Match keys to look a presented card number up by (7-byte prefixes aside)."""
    return list(Lookup.of(text, exact).keys)


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


class Standing(StrEnum):
    """The card's own standing, whatever the bay: the first card rule `authorize` applies
    that refuses it (blocked → group blocked → expired → not yet valid), else Active. The
    card list shows this word, so it can never disagree with a tap."""

    ACTIVE = "Active"
    BLOCKED = "Blocked"
    GROUP_BLOCKED = "Group blocked"
    EXPIRED = "Expired"
    NOT_YET_VALID = "Not yet valid"


class _CardRules(Protocol):
    blocked: bool
    group_blocked: bool
    valid_from: datetime | None
    valid_to: datetime | None


def standing(card: _CardRules, now: datetime) -> Standing:
    if card.blocked:
        return Standing.BLOCKED
    if card.group_blocked:
        return Standing.GROUP_BLOCKED
    if card.valid_to is not None and now > card.valid_to:
        return Standing.EXPIRED
    if card.valid_from is not None and now < card.valid_from:
        return Standing.NOT_YET_VALID
    return Standing.ACTIVE


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

    st = standing(card, now)
    if st is Standing.BLOCKED:
        return refuse(AuthStatus.BLOCKED, "card is blocked")
    if st is Standing.GROUP_BLOCKED:
        return refuse(AuthStatus.BLOCKED, "card group is blocked")
    if st is Standing.EXPIRED:
        return refuse(AuthStatus.EXPIRED, f"card expired {card.valid_to:%Y-%m-%d}")
    if st is Standing.NOT_YET_VALID:
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


def rank_cards(look: Lookup, found: Iterable[CardFacts]) -> list[CardFacts]:
    """The cards that match, best first (rank, then card id: deterministic)."""
    ranked = [(r, c.card_id, c) for c in found if (r := look.rank(c.uid)) is not None]
    return [c for _r, _i, c in sorted(ranked, key=lambda x: (x[0], x[1]))]


def pick_card(presented: str, found: Iterable[CardFacts], exact: bool = False) -> CardFacts | None:
    """Of the cards found by match key, the one that best fits what was presented; None when
    nothing matches or two cards match equally well (ambiguous: neither is charged)."""
    look = Lookup.of(presented, exact)
    ranked = rank_cards(look, found)
    if len(ranked) > 1 and look.rank(ranked[0].uid) == look.rank(ranked[1].uid):
        return None
    return ranked[0] if ranked else None
