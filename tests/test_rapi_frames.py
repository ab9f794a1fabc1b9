"""RAPI frames against the exact bytes of the fact sheet and the firmware's rules; hypothesis
fuzzes the parser (only RapiError may escape)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationmgr.drivers import rapi_frames as rapi
from stationmgr.drivers.rapi_frames import RapiError


def _signed(body: bytes, lower: bool = False) -> bytes:
    chk = f"{rapi.xor_checksum(body):02X}"
    return body + b"^" + (chk.lower() if lower else chk).encode()


def test_fact_sheet_worked_examples() -> None:
    assert rapi.encode("GS") == b"$GS^30\r"
    assert rapi.encode("GS", seq=0x1A) == b"$GS :1A^5A\r"
    reply = rapi.parse(b"$OK 03 1234 03 0140^21\r")
    assert reply == rapi.Frame("OK", ("03", "1234", "03", "0140"), None, "xor")
    with_seq = rapi.parse(b"$OK 03 1234 03 0140 :1A^4B")
    assert with_seq.seq == 0x1A and with_seq.values == ("03", "1234", "03", "0140")
    s = rapi.status(reply)
    assert (s.state, s.elapsed_s, s.pilot, s.vflags) == (3, 1234, 3, 0x0140)
    assert s.plugged and s.charging and s.fault is None


def test_additive_checksum_and_no_checksum() -> None:
    raw = rapi.encode("GV", checksum="sum")
    assert raw == b"$GV*" + f"{sum(b'$GV') & 0xFF:02X}".encode() + b"\r"
    assert rapi.parse(raw, require_checksum=True).checksum == "sum"
    assert rapi.encode("GV", checksum="none") == b"$GV\r"
    assert rapi.parse(b"$GV\r", require_checksum=False).kind == "GV"
    with pytest.raises(RapiError, match="no checksum"):
        rapi.parse(b"$OK 1 2\r")


def test_bad_checksum_and_lowercase_hex() -> None:
    with pytest.raises(RapiError, match="bad checksum"):
        rapi.parse(b"$OK 03 1234 03 0140^22")
    # The firmware's reader accepts lowercase hex digits.
    assert rapi.parse(
        b"$GS :1a^7A".replace(b"^7A", f"^{rapi.xor_checksum(b'$GS :1a'):02x}".encode())
    )


def test_dollar_restarts_the_frame() -> None:
    frame = rapi.parse(b"\x00garbage$OK 03 1234 03 0140^21")
    assert frame.kind == "OK"


def test_async_lines() -> None:
    at = rapi.parse(
        b"$AT 03 03 32 0140^" + f"{rapi.xor_checksum(b'$AT 03 03 32 0140'):02X}".encode()
    )
    assert at.is_async and not at.is_reply
    assert rapi.state_transition(at).vflags == 0x0140
    ab = rapi.parse(_signed(b"$AB 00 8.2.1"))
    assert ab.kind == "AB" and ab.values == ("00", "8.2.1")


def test_the_32_byte_limit_and_sequence_ids() -> None:
    with pytest.raises(RapiError, match="32"):
        rapi.encode("S1", "2026", "11", "23", "20", "45", "123456789", seq=0x10)
    assert len(rapi.encode("SC", 32, "V", seq=0xFF)) <= 32
    with pytest.raises(RapiError):
        rapi.encode("GS", seq=0)
    with pytest.raises(RapiError):
        rapi.parse(_signed(b"$OK :00"))


@pytest.mark.parametrize(
    ("state", "vflags", "plugged", "fault"),
    [
        (0x01, 0x0000, False, None),
        (0x02, 0x0100, True, None),
        (0xFE, 0x0100, True, None),  # sleeping with a car: plugged from vflags
        (0xFF, 0x0100, True, None),  # disabled with a car
        (0xFE, 0x0000, False, None),
        (0x06, 0x0100, True, "GFCI"),
        (0x07, 0x0102, True, "NoGround"),
        (0x08, 0x0002, False, "StuckRelay"),
        (0x0A, 0x0100, True, "OverTemperature"),
        (0x0B, 0x0100, True, "OverCurrent"),
        (0x0E, 0x0000, False, "RelayClosure"),
        (0x0C, 0x0000, False, "Error"),
    ],
)
def test_state_and_vflags(state: int, vflags: int, plugged: bool, fault: str | None) -> None:
    s = rapi.Status(state, 0, 1, vflags)
    assert s.plugged is plugged
    assert s.fault == fault


@given(st.binary(max_size=80))
def test_fuzz_parse_only_rapi_error(data: bytes) -> None:
    try:
        frame = rapi.parse(data)
    except RapiError:
        return
    for fn in (
        rapi.status,
        rapi.energy,
        rapi.current_voltage,
        rapi.version,
        rapi.current_range,
        rapi.fault_counters,
        rapi.state_transition,
    ):
        try:
            fn(frame)
        except RapiError:
            pass


@given(st.text(alphabet="$^*: 0123456789ABCDEFOKNGSTU\r\n", max_size=60))
def test_fuzz_parse_near_miss_text(text: str) -> None:
    try:
        frame = rapi.parse(text.encode(), require_checksum=False)
    except RapiError:
        return
    assert len(frame.kind) == 2


@given(
    st.sampled_from(["GS", "GU", "GG", "FE", "FS", "SC"]),
    st.lists(st.integers(0, 999), max_size=2),
    st.integers(1, 255),
)
def test_encode_parse_round_trip(cmd: str, values: list[int], seq: int) -> None:
    raw = rapi.encode(cmd, *values, seq=seq)
    frame = rapi.parse(raw)
    assert frame.kind == cmd and frame.seq == seq and frame.values == tuple(map(str, values))


# ------------------------------------------------------------ strict numbers (reliability 16)


def _frame(*values: str) -> rapi.Frame:
    return rapi.Frame("OK", values)


@pytest.mark.parametrize(
    ("reader", "values"),
    [
        (rapi.energy, ("1_0", "5")),  # Python's int() takes the underscore
        (rapi.energy, ("+7", "5")),
        (rapi.energy, ("7", "0x1f")),
        (rapi.energy, ("-1", "5")),
        (rapi.energy, ("٣", "5")),  # another script's digit
        (rapi.status, ("03", "-5", "03", "0140")),  # negative elapsed
        (rapi.status, ("03", "1_0", "03", "0140")),
        (rapi.status, ("0x3", "10", "03", "0140")),
        (rapi.status, ("03", "10", "03", "+140")),
        (rapi.current_voltage, ("1000", "-240000")),  # negative millivolts
        (rapi.current_voltage, ("-2", "240000")),  # only -1 means "no ammeter"
        (rapi.current_voltage, (" 1", "240000")),
        (rapi.current_range, ("6", "32", "32", "3_2")),
        (rapi.heartbeat, ("5", "6", "3")),
        (rapi.heartbeat, ("70000", "6", "0")),
        (rapi.settings, ("+16", "0201")),
        (rapi.connect_state, ("3",)),
    ],
)
def test_lenient_numbers_are_refused(reader: object, values: tuple[str, ...]) -> None:
    with pytest.raises(RapiError):
        reader(_frame(*values))  # type: ignore[operator]


def test_typed_readers_and_old_formats() -> None:
    v4 = rapi.dialect("4.0.1")
    s = rapi.status(_frame("254", "77"), v4)  # RAPI ≤ 4.0.1: "%d %ld"
    assert (s.state, s.elapsed_s, s.has_flags) == (0xFE, 77, False)
    with pytest.raises(RapiError):
        rapi.status(_frame("256", "77"), v4)
    assert rapi.current_range(_frame("6", "40"), v4) == (6, 40, -1, 40)
    assert rapi.current_voltage(_frame("-1", "240000")) == (-1, 240000)
    assert rapi.heartbeat(_frame("5", "6", "2")) == (5, 6, 2)
    st_ = rapi.state_transition(rapi.Frame("ST", ("03",)))
    assert st_.state == 3 and not st_.has_flags
    assert rapi.Status(0, 0, 0, 0x4000).boot_locked
    d = rapi.dialect("2.0.3")
    assert not d.sequence_ids and not d.status_v5
    assert rapi.dialect("5.2.1").range_v4 and rapi.dialect("3.0.1").sequence_ids
    for bad in ("5.2", "v5.2.1", "5.2.1a", "", "٥.2.1"):
        with pytest.raises(RapiError):
            rapi.dialect(bad)


@pytest.mark.parametrize("value", ["a\x00", "\x1b[2J", "1\r", "x\n", "\x7f", "a b", ":01", "é"])
def test_encode_refuses_control_characters(value: str) -> None:
    with pytest.raises(RapiError):
        rapi.encode("FP", value)


_READERS = (
    rapi.energy,
    rapi.current_voltage,
    rapi.version,
    rapi.fault_counters,
    rapi.state_transition,
    rapi.transition_amps,
    rapi.settings,
    rapi.heartbeat,
    rapi.connect_state,
    lambda f: rapi.status(f),
    lambda f: rapi.status(f, rapi.dialect("4.0.1")),
    lambda f: rapi.current_range(f),
    lambda f: rapi.current_range(f, rapi.dialect("4.0.1")),
)


@given(
    st.sampled_from(["OK", "NK", "AT", "ST"]),
    st.lists(
        st.text(alphabet="0123456789abcdefABCDEF-+_x.٣ ", min_size=1, max_size=12).filter(
            lambda t: " " not in t
        ),
        max_size=5,
    ),
)
def test_fuzz_every_typed_reader_only_rapi_error(kind: str, values: list[str]) -> None:
    """Each reader either returns or raises RapiError (the documented error), nothing else."""
    frame = rapi.Frame(kind, tuple(values))
    for reader in _READERS:
        try:
            out = reader(frame)
        except RapiError:
            continue
        if reader is rapi.energy:
            assert all(x >= 0 for x in out)  # type: ignore[union-attr]


@given(st.text(max_size=12), st.integers(1, 255))
def test_fuzz_encode_refuses_or_round_trips(value: str, seq: int) -> None:
    """Reliability 16: `encode` never builds a frame that `parse` refuses."""
    try:
        raw = rapi.encode("FP", value, seq=seq)
    except RapiError:
        return
    frame = rapi.parse(raw)
    assert frame.values == (value,) and frame.seq == seq
