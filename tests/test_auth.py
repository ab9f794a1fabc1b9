"""Card numbers in their many spellings, and authorisation decisions in OCPP's words."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationmgr.auth import (
    CardFacts,
    authorize,
    candidate_uids,
    lookup_keys,
    mask_uid,
    match_key,
    parse_uid,
)
from stationmgr.errors import UserError
from stationmgr.ocpp_words import AuthStatus

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text,canonical",
    [
        ("0A1B2C3D", "0A1B2C3D"),
        ("0a1b2c3d", "0A1B2C3D"),
        ("0a:1b:2c:3d", "0A1B2C3D"),
        ("0x0A1B2C3D", "0A1B2C3D"),
        ("169552957", "0A1B2C3D"),
        ("0169552957", "0A1B2C3D"),
        ("04A1B2C3D4E5F6", "04A1B2C3D4E5F6"),
        ("12345678", "12345678"),  # 8 digits: hex
        ("010A1B2C3D", "010A1B2C3D"),  # EM4100: version + 4 bytes
        ("4294967296", "4294967296"),  # too large for 4 bytes: EM4100 hex
    ],
)
def test_parse_uid_canonical(text: str, canonical: str) -> None:
    assert parse_uid(text) == canonical


@pytest.mark.parametrize(
    "text", ["", "xyz", "0A1B2C3", "0A1B2C3D0A1B2C3D0A1B2C3D", "9999999999999", "123456789012345"]
)
def test_parse_uid_rejects_unknown_formats(text: str) -> None:
    with pytest.raises(UserError):
        parse_uid(text)


@pytest.mark.parametrize(
    "spelling", ["0A1B2C3D", "0a1b2c3d", "3D2C1B0A", "169552957", "0169552957"]
)
def test_every_spelling_finds_the_same_card(spelling: str) -> None:
    assert match_key("0A1B2C3D") in lookup_keys(spelling)


def test_em4100_card_matches_its_printed_decimal() -> None:
    stored = "010A1B2C3D"
    assert match_key(stored) in lookup_keys("0169552957")
    assert match_key(stored) in lookup_keys(stored)


@given(st.binary(min_size=4, max_size=4))
def test_decimal_and_reversed_spellings_round_trip(uid: bytes) -> None:
    canonical = uid.hex().upper()
    dec = str(int.from_bytes(uid, "big"))
    reversed_hex = uid[::-1].hex()
    assert canonical in candidate_uids(dec)
    assert canonical in candidate_uids(reversed_hex)
    assert canonical in candidate_uids(dec.zfill(10))


@given(st.text(max_size=30))
def test_candidates_never_raise(text: str) -> None:
    candidate_uids(text)
    lookup_keys(text)


def test_mask_uid_shows_only_last_four() -> None:
    assert mask_uid("0A1B2C3D") == "••••2C3D"


def card(**kw) -> CardFacts:  # type: ignore[no-untyped-def]
    return CardFacts(card_id=1, uid="0A1B2C3D", holder_name="Anna", **kw)


@pytest.mark.parametrize(
    "facts,status",
    [
        (None, AuthStatus.INVALID),
        (card(), AuthStatus.ACCEPTED),
        (card(blocked=True), AuthStatus.BLOCKED),
        (card(group_blocked=True), AuthStatus.BLOCKED),
        (card(valid_to=datetime(2026, 5, 31, tzinfo=UTC)), AuthStatus.EXPIRED),
        (card(valid_from=datetime(2026, 7, 1, tzinfo=UTC)), AuthStatus.INVALID),
        (card(allowed_bays=frozenset({2, 3})), AuthStatus.INVALID),
        (card(allowed_bays=frozenset({1})), AuthStatus.ACCEPTED),
        (card(open_sessions=1), AuthStatus.CONCURRENT_TX),
        (card(open_sessions=1, max_concurrent=2), AuthStatus.ACCEPTED),
        (card(budget_refusal="monthly budget used up"), AuthStatus.BLOCKED),
    ],
)
def test_authorize(facts: CardFacts | None, status: AuthStatus) -> None:
    auth = authorize(facts, bay_id=1, now=NOW, uid="0A1B2C3D")
    assert auth.status is status
    if status is not AuthStatus.ACCEPTED:
        assert auth.reason
    else:
        assert auth.holder_name == "Anna"


def test_blocked_wins_over_expired() -> None:
    facts = card(blocked=True, valid_to=datetime(2020, 1, 1, tzinfo=UTC))
    assert authorize(facts, 1, NOW).status is AuthStatus.BLOCKED
