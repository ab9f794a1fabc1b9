"""Fuzzing the card-number parsers (reliability review, test 3): each allows only its
documented error type. Modest example counts here; `bench/fuzz_parsers.py` runs 100,000."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationmgr.auth import (
    Lookup,
    candidate_uids,
    exact_text,
    lookup_keys,
    match_key,
    parse_uid,
    uid_readings,
    valid_idtag,
)
from stationmgr.drivers.rdm6300 import (
    CardFrameError,
    SerialCardReader,
    encode_frame,
    parse_frame,
    stx_frames,
)
from stationmgr.errors import UserError
from stationmgr.wedge import CARD_CHARS, WedgeClassifier

FUZZ = settings(max_examples=300, deadline=None)

# Text shaped like card numbers (digits of every length, hex, separators, W26, 0x, signs,
# non-ASCII digits) as well as any text at all.
_PIECES = st.sampled_from(
    ["0", "1", "9", "A", "f", ",", " ", ":", "-", "0x", "²", "٣", "١", "ﬀ", "\t", "\n", "+"]
)
CARDISH = st.one_of(
    st.text(max_size=40),
    st.lists(_PIECES, max_size=30).map("".join),
    st.from_regex(r"\A[0-9]{1,30}\Z"),
    st.from_regex(r"\A[0-9]{1,4} ?[,-] ?[0-9]{1,12}\Z"),
    st.integers(min_value=0, max_value=2**48).map(str),
    st.integers(min_value=4000, max_value=6000).map(lambda n: "9" * n),  # past int()'s limit
)


def test_parse_uid_refuses_huge_digit_strings_with_one_line() -> None:
    """Reliability defect 3/9: 5,000 digits raised ValueError (int()'s 4,300-digit limit)."""
    with pytest.raises(UserError, match="too long"):
        parse_uid("9" * 5000)


@pytest.mark.parametrize("text", [None, 12345678, b"0A1B2C3D", "-1", "+1", "0A1B2C3D\x00"])
def test_parse_uid_refuses_what_is_no_card_number(text: object) -> None:
    """Not text, signed (`-1` was enrolled as 00000001), control characters."""
    with pytest.raises(UserError):
        parse_uid(text)  # type: ignore[arg-type]


@FUZZ
@given(CARDISH)
def test_fuzz_parse_uid_only_user_error(text: str) -> None:
    try:
        uid = parse_uid(text)
    except UserError as e:
        assert "\n" not in str(e) and str(e)
        assert candidate_uids(text) == []
        return
    assert valid_idtag(uid)
    assert candidate_uids(text)[0] == uid  # parse and lookup agree (`cards show` = enrol)
    assert parse_uid(exact_text(uid)) == uid  # the stored form reads back as itself
    assert uid_readings(uid)[0] == uid
    assert Lookup.of(text).rank(uid) == (0, 0)


@FUZZ
@given(st.one_of(CARDISH, st.text(max_size=80)))
def test_fuzz_candidates_never_raise_and_are_canonical(text: str) -> None:
    for uid in candidate_uids(text):
        assert parse_uid(exact_text(uid)) == uid
        match_key(uid)
    lookup_keys(text)
    Lookup.of(text, exact=True)


@FUZZ
@given(st.binary(min_size=4, max_size=10).filter(lambda b: len(b) in (4, 5, 7, 10)))
def test_fuzz_reader_uid_is_found_in_its_hex_and_reversed_forms(uid: bytes) -> None:
    canonical = uid.hex().upper()
    look = Lookup.of(canonical, exact=True)
    assert look.rank(canonical) == (0, 0)
    assert look.rank(uid[::-1].hex().upper()) is not None
    assert parse_uid("0x" + uid.hex()) == canonical
    assert parse_uid(" ".join(f"{b:02x}" for b in uid)) == canonical


_KEYS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(sorted(CARD_CHARS)), st.text(min_size=1, max_size=2)),
        st.floats(min_value=0, max_value=0.4),
        st.booleans(),
    ),
    max_size=40,
)


@FUZZ
@given(_KEYS, st.floats(min_value=0, max_value=1))
def test_fuzz_wedge_classifier_never_raises(
    keys: list[tuple[str, float, bool]], end: float
) -> None:
    """Any keys at any (monotonic) times: a Burst, and a reader's burst is card characters
    of an accepted length that parse_uid either reads or refuses with a UserError."""
    c = WedgeClassifier()
    t = 0.0
    for char, gap, edit in keys:
        t += gap
        c.edit() if edit else c.key(char, t)
    burst = c.enter(t + end)
    assert isinstance(burst.text, str)
    if burst.from_reader:
        assert set(burst.text) <= CARD_CHARS
        assert c.timing.min_chars <= len(burst.text) <= c.timing.max_chars
        try:
            parse_uid(burst.text)
        except UserError:
            pass
    else:
        assert burst.reason
    assert c.text == ""  # Enter starts a new line


@FUZZ
@given(st.binary(min_size=5, max_size=5), st.booleans())
def test_fuzz_frames_round_trip_as_hex(uid: bytes, id12: bool) -> None:
    """Every 5-byte UID, all-digit ones included, comes back as its hex."""
    frame = encode_frame(uid.hex(), id12=id12)
    assert parse_frame(frame) == uid.hex().upper()


@FUZZ
@given(
    st.lists(st.binary(min_size=5, max_size=5), min_size=1, max_size=5),
    st.lists(st.binary(max_size=12).filter(lambda b: 2 not in b), max_size=5),
    st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=10),
)
def test_fuzz_framer_finds_every_frame_between_noise(
    uids: list[bytes], noise: list[bytes], cuts: list[int]
) -> None:
    """Frames with STX-free noise between them, delivered in arbitrary chunks: every frame
    is found, in order, and nothing else."""
    stream = b"".join(
        n + encode_frame(u.hex()) for n, u in zip(noise + [b""] * 5, uids, strict=False)
    )
    buf, frames, pos, i = bytearray(), [], 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        buf += stream[pos : pos + step]
        pos, i = pos + step, i + 1
        frames += stx_frames(buf)
    assert [parse_frame(f) for f in frames] == [u.hex().upper() for u in uids]


class _NoLink:
    url = "fuzz://"


@FUZZ
@given(st.binary(max_size=40))
def test_fuzz_reader_callback_never_raises(data: bytes) -> None:
    """The link thread calls `_on_frame` with whatever the framer cut out: a bad frame is
    counted, never raised into the thread."""
    r = SerialCardReader(_NoLink())  # type: ignore[arg-type]
    buf = bytearray(data)
    for frame in [*stx_frames(buf), data]:
        r._on_frame(frame)
    try:
        parse_frame(data)
    except CardFrameError:
        assert r.bad_frames >= 1
