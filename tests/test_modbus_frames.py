"""The RTU simulator against hand-built frames: exact bytes, CRCs computed independently,
exception responses, silence where a real bus is silent."""

from __future__ import annotations

import struct

import pytest

from stationmgr.sim import rtu
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import HeidelbergBox
from tests.modbus_site import RawMaster, bus_on, crc_independent, frame, heidelberg_bus
from tests.site import wait_for


@pytest.mark.parametrize(
    ("body", "crc"),
    [
        # The textbook examples: read one holding / input register at 0 from slave 1.
        (bytes.fromhex("010300000001"), bytes.fromhex("840A")),
        (bytes.fromhex("010400000001"), bytes.fromhex("31CA")),
        # Heidelberg's poll: input registers 4..18 (15 registers) from slave 1.
        (bytes.fromhex("01040004000F"), bytes.fromhex("F1CF")),
    ],
)
def test_crc_matches_known_frames(body: bytes, crc: bytes) -> None:
    assert crc_independent(body).to_bytes(2, "little") == crc
    assert rtu.with_crc(body) == body + crc
    assert rtu.check_crc(body + crc) == body


def test_poll_of_input_registers_4_to_18_exact_reply() -> None:
    with heidelberg_bus((1,)) as bus:
        m = RawMaster(bus.url)
        try:
            reply = m.exchange(bytes.fromhex("01 04 00 04 00 0F F1 CF"), 5 + 30)
        finally:
            m.close()
    words = [0x0108, 2, 0, 0, 0, 250, 230, 230, 230, 1, 0, 0, 0, 0, 0]
    body = bytes([1, 4, 30]) + struct.pack(">15H", *words)
    assert reply == body + crc_independent(body).to_bytes(2, "little")


def test_register_numbers_are_wire_addresses_not_shifted() -> None:
    """Register 5 on the wire is the charging state (no device-context +1 shift)."""
    box = HeidelbergBox(3)
    with bus_on([box]) as bus:
        box.plug(bus.clock.now(), EV())
        m = RawMaster(bus.url)
        try:
            state = m.exchange(frame(3, 0x04, 0, 5, 0, 1), 7)
            layout = m.exchange(frame(3, 0x04, 0, 4, 0, 1), 7)
        finally:
            m.close()
    assert state[:5] == bytes([3, 4, 2, 0, 4])  # B1: vehicle connected, not allowed
    assert layout[:5] == bytes([3, 4, 2, 0x01, 0x08])


def test_exception_responses() -> None:
    with heidelberg_bus((1,)) as bus:
        m = RawMaster(bus.url)
        try:
            # Registers 0..3 do not exist: illegal data address.
            assert m.exchange(frame(1, 0x04, 0, 0, 0, 4), 5) == frame(1, 0x84, 0x02)
            # Count 0 is not a read: illegal data value.
            assert m.exchange(frame(1, 0x03, 0x01, 0x01, 0, 0), 5) == frame(1, 0x83, 0x03)
            # Max current 5.0 A is outside 6..16 A: illegal data value, register unchanged.
            assert m.exchange(frame(1, 0x06, 0x01, 0x05, 0, 50), 5) == frame(1, 0x86, 0x03)
            # An unknown function (0x2B with a payload we cannot frame by length).
            assert m.exchange(frame(1, 0x2B, 0x0E, 0x01, 0x00), 5) == frame(1, 0xAB, 0x01)
        finally:
            m.close()
        assert bus.box(1).holding[261] == 0


def test_write_single_echo_and_effect() -> None:
    with heidelberg_bus((1,)) as bus:
        m = RawMaster(bus.url)
        try:
            request = frame(1, 0x06, 0x01, 0x05, 0x00, 0xA0)  # 261 := 16.0 A
            assert m.exchange(request, 8) == request
            request = frame(1, 0x10, 0x01, 0x02, 0x00, 0x01, 0x02, 0x00, 0x04)  # 258 := 4
            assert m.exchange(request, 8) == frame(1, 0x10, 0x01, 0x02, 0x00, 0x01)
        finally:
            m.close()
        assert bus.box(1).holding[261] == 160
        assert bus.box(1).holding[258] == 4
        assert bus.box(1).connector.enabled


def test_silence_where_a_real_bus_is_silent() -> None:
    with heidelberg_bus((1,)) as bus:
        m = RawMaster(bus.url)
        try:
            good = frame(1, 0x04, 0, 5, 0, 1)
            bad_crc = good[:-1] + bytes([good[-1] ^ 0xFF])
            # Each silent case is waited out on the simulator's counters (not a timer), so a
            # loaded machine cannot run two frames together.
            assert m.exchange(bad_crc, 7, timeout=0.3) == b""
            wait_for(lambda: bus.stats.bad_frames == 1, what="bad CRC dropped")
            assert m.exchange(frame(9, 0x04, 0, 5, 0, 1), 7, timeout=0.3) == b""  # no slave 9
            wait_for(lambda: bus.stats.unaddressed == 1, what="slave 9 ignored")
            # Broadcast (slave 0) write: every box acts, none answers.
            assert m.exchange(frame(0, 0x06, 0x01, 0x02, 0, 4), 8, timeout=0.3) == b""
            wait_for(lambda: bus.box(1).holding[258] == 4, what="broadcast applied")
            # Line noise, then silence, then a good frame: the noise is one bad frame (the
            # silence ends it) and the good frame is answered.
            assert m.exchange(b"\x00\xff\x13", 7, timeout=0.2) == b""
            wait_for(lambda: bus.stats.bad_frames == 2, what="noise dropped")
            reply = m.exchange(good, 7)
        finally:
            m.close()
        assert reply[:5] == bytes([1, 4, 2, 0, 2])
        assert bus.box(1).holding[258] == 4
        assert bus.stats.bad_frames == 2 and bus.stats.unaddressed == 1


def test_wire_faults_garbage_and_bad_crc_on_demand() -> None:
    with heidelberg_bus((1,)) as bus:
        bus.fault(1, "bad_crc")
        bus.fault(1, "garbage")
        m = RawMaster(bus.url)
        request = frame(1, 0x04, 0, 5, 0, 1)
        try:
            replies = [m.exchange(request, 7) for _ in range(3)]
        finally:
            m.close()
    assert len(replies[0]) == 7 and replies[0] != frame(1, 4, 2, 0, 2)  # noise
    assert replies[1][:-2] == bytes([1, 4, 2, 0, 2])
    with pytest.raises(rtu.RtuError):
        rtu.check_crc(replies[1])
    assert replies[2] == frame(1, 4, 2, 0, 2)


def test_random_device_faults_start_and_end() -> None:
    from stationmgr.sim.modbus_sim import Probabilities

    box = HeidelbergBox(1)
    probs = Probabilities(fault_rate=1.0, fault_kinds=("overtemp",), fault_duration_s=0.6)
    with bus_on([box], probabilities=probs, seed=7) as bus:
        wait_for(lambda: box.error_state == 11, what="a random over-temperature")
        assert box.connector.fault == "OverTemperature"
        wait_for(lambda: box.error_state is None, what="it ends")
        assert bus.stats.random_faults >= 1
