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
