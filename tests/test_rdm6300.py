"""RDM6300 / ID-12 frames (exact bytes, fuzzed), debounce, and the reader driver against
the reader simulator on a real pty."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationmgr.auth import match_key
from stationmgr.drivers import DeviceConfig, create_reader
from stationmgr.drivers.api import CardReader
from stationmgr.drivers.rdm6300 import (
    CardFrameError,
    Debouncer,
    encode_frame,
    parse_frame,
    stx_frames,
)
from stationmgr.errors import DeviceError
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from tests.helpers.wait import async_wait_until

# 62 E3 08 6C ED: XOR = 08 (a card number often used as the RDM6300 example)
RDM = bytes.fromhex("02 36 32 45 33 30 38 36 43 45 44 30 38 03")
ID12 = bytes.fromhex("02 36 32 45 33 30 38 36 43 45 44 30 38 0D 0A 03")


def test_exact_frames() -> None:
    assert parse_frame(RDM) == "62E3086CED"
    assert parse_frame(ID12) == "62E3086CED"
    assert encode_frame("62E3086CED") == RDM
    assert encode_frame("62e3086ced", id12=True) == ID12


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        (RDM[:-1] + b"\x04", "not a reader frame"),
        (RDM[:11] + b"0903"[:2] + b"\x03", "bad checksum"),
        (RDM.replace(b"62", b"6G"), "non-hex"),
        (ID12.replace(b"\r\n", b"\n\r"), "CR LF"),
        (RDM[:7] + RDM[8:], "not a reader frame"),
    ],
)
def test_bad_frames(frame: bytes, why: str) -> None:
    with pytest.raises(CardFrameError, match=why):
        parse_frame(frame)


def test_framer_resyncs_on_noise_and_partial_frames() -> None:
    buf = bytearray(b"\xff\x00noise" + RDM[:5])
    assert stx_frames(buf) == []
    buf += RDM[5:] + b"junk" + ID12 + RDM[:3]
    assert stx_frames(buf) == [RDM, ID12]
    assert bytes(buf) == RDM[:3]
    buf = bytearray(RDM[:6] + RDM)  # a frame that restarts before its end
    assert stx_frames(buf) == [RDM]


def test_debounce_one_tap_per_placement() -> None:
    d = Debouncer(release_s=0.5)
    frames_at = [0.0, 0.1, 0.2, 0.3, 0.4]  # the card lies on the reader
    assert [d.seen("A", t) for t in frames_at] == [True, False, False, False, False]
    assert d.seen("B", 0.45) is True  # another card: a new tap at once
    assert d.seen("B", 0.9) is False
    assert d.seen("B", 1.5) is True  # gone for more than release_s: placed again


@given(st.binary(max_size=64))
def test_fuzz_parse_frame_only_its_error(data: bytes) -> None:
    try:
        card = parse_frame(data)
    except CardFrameError:
        return
    assert len(card) == 10


@given(st.lists(st.one_of(st.binary(max_size=20), st.just(RDM), st.just(ID12)), max_size=8))
def test_fuzz_framer(chunks: list[bytes]) -> None:
    buf = bytearray()
    for c in chunks:
        buf += c
        for frame in stx_frames(buf):
            assert frame[0] == 0x02 and frame[-1] == 0x03
            try:
                parse_frame(frame)
            except CardFrameError:
                pass
        assert len(buf) <= 32


@pytest.fixture(params=[False, True], ids=["rdm6300", "id12"])
def reader_sim(request: pytest.FixtureRequest) -> Iterator[ReaderSim]:
    sim = ReaderSim(PtyEndpoint(), id12=request.param, repeat_s=0.03).start()
    try:
        yield sim
    finally:
        sim.stop()


def test_driver_one_tap_per_placement_over_a_pty(reader_sim: ReaderSim) -> None:
    async def go() -> None:
        driver = "id12" if reader_sim.id12 else "rdm6300"
        r = create_reader(
            driver, DeviceConfig(reader_sim.endpoint.name, settings={"release_s": 0.2})
        )
        assert isinstance(r, CardReader)
        await r.open()
        try:
            reader_sim.place("0A1B2C3D4E")
            tap = await asyncio.wait_for(r.next_tap(), 3)
            assert (tap.uid, tap.raw) == ("0A1B2C3D4E", "0A1B2C3D4E")
            # The frame keeps repeating (the card stays on the reader): no new tap.
            await async_wait_until(lambda: reader_sim.frames_sent > 5, what="repeated frames")
            reader_sim.remove()
            reader_sim.inject("badsum", 2)
            reader_sim.inject("garbage", 3)
            reader_sim.tap("1B2C3D4E", 0.3)  # placed again (a 4-byte number: version 00)
            tap2 = await asyncio.wait_for(r.next_tap(), 3)
            assert tap2.uid == "001B2C3D4E"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(r.next_tap(), 0.5)
            assert r.bad_frames == 2  # type: ignore[attr-defined]
        finally:
            await r.close()

    asyncio.run(go())


def test_all_digit_frame_is_hex_over_a_pty() -> None:
    """Review defect 8: frame 0100423515 (its ten hex digits all decimal digits) gave
    CardTap.uid 05FC575B, the decimal 100423515, because the driver re-read the frame as
    typed text. A frame is hex: the UID is its 5 bytes."""
    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()

    async def go() -> None:
        r = create_reader("rdm6300", DeviceConfig(sim.endpoint.name))
        await r.open()
        try:
            sim.place("0100423515")
            tap = await asyncio.wait_for(r.next_tap(), 5)
            assert (tap.uid, tap.raw) == ("0100423515", "0100423515")
            assert match_key(tap.uid) == "00423515"  # the number printed: 0004338965
        finally:
            await r.close()

    try:
        asyncio.run(go())
    finally:
        sim.stop()


def test_driver_reports_a_lost_port() -> None:
    sim = ReaderSim(PtyEndpoint()).start()

    async def go() -> None:
        r = create_reader("rdm6300", DeviceConfig(sim.endpoint.name))
        await r.open()
        try:
            sim.stop()  # the USB adapter is pulled: the pty closes
            with pytest.raises(DeviceError):
                await asyncio.wait_for(r.next_tap(), 5)
        finally:
            await r.close()

    try:
        asyncio.run(go())
    finally:
        sim.stop()
