"""Hypothesis against every Modbus parser we wrote: the simulator's frame parser and stream
splitter, the boxes' request handling, and the drivers' register decoding. Only the
protocol's own error type may escape (RtuError on the device side, DeviceError in drivers)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stationmgr.drivers import DeviceConfig, evse_din, heidelberg
from stationmgr.drivers.modbus_map import decode, encode
from stationmgr.errors import DeviceError
from stationmgr.sim import rtu
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox
from tests.modbus_site import crc_independent

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def with_good_crc(body: bytes) -> bytes:
    return body + crc_independent(body).to_bytes(2, "little")


requests = st.one_of(
    st.builds(
        lambda s, fc, a, c: with_good_crc(
            bytes([s, fc]) + a.to_bytes(2, "big") + c.to_bytes(2, "big")
        ),
        st.integers(0, 255),
        st.sampled_from([3, 4, 6]),
        st.integers(0, 0xFFFF),
        st.integers(0, 0xFFFF),
    ),
    st.builds(
        lambda s, a, vals: with_good_crc(
            bytes([s, 0x10])
            + a.to_bytes(2, "big")
            + len(vals).to_bytes(2, "big")
            + bytes([2 * len(vals)])
            + b"".join(v.to_bytes(2, "big") for v in vals)
        ),
        st.integers(0, 255),
        st.integers(0, 0xFFFF),
        st.lists(st.integers(0, 0xFFFF), max_size=10),
    ),
)


@FUZZ
@given(st.binary(max_size=300))
def test_parse_request_raises_only_rtu_error(data: bytes) -> None:
    try:
        req = rtu.parse_request(data)
    except rtu.RtuError:
        return
    assert rtu.check_crc(data)  # whatever parsed had a valid CRC
    assert 0 <= req.slave <= 255


@FUZZ
@given(st.binary(max_size=300))
def test_parse_request_with_valid_crc_raises_only_rtu_error(body: bytes) -> None:
    try:
        rtu.parse_request(with_good_crc(body))
    except rtu.RtuError:
        pass


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=40), requests), max_size=12), st.data())
def test_splitter_never_raises_and_finds_frames_after_silence(parts, data) -> None:  # type: ignore[no-untyped-def]
    splitter = rtu.RequestSplitter()
    for part in parts:
        # Chop each part into arbitrary chunks, as TCP or a pty may deliver it.
        cuts = sorted(data.draw(st.lists(st.integers(0, len(part)), max_size=3)))
        pieces = [part[i:j] for i, j in zip([0, *cuts], [*cuts, len(part)], strict=True)]
        for piece in pieces:
            for f in splitter.feed(piece):
                rtu.check_crc(f)  # every frame handed out has a valid CRC
        splitter.flush()  # the line falls silent between parts
    # After silence, a clean request is always found whole.
    good = with_good_crc(bytes([1, 4, 0, 4, 0, 15]))
    assert splitter.feed(good) == [good]


@FUZZ
@given(requests)
def test_boxes_answer_any_valid_request_with_a_valid_frame_or_nothing(request: bytes) -> None:
    req = rtu.parse_request(request)
    for box in (HeidelbergBox(req.slave or 1), EvseDinBox(req.slave or 1)):
        reply = box.handle(req, 1_767_225_600.0)
        if reply is None:
            assert req.slave == 0
            continue
        body = rtu.check_crc(reply)
        assert body[0] == req.slave
        assert body[1] in (req.function, req.function | 0x80)


words15 = st.lists(st.integers(0, 0xFFFF), min_size=15, max_size=15)


@FUZZ
@given(words15)
def test_heidelberg_decoding_raises_only_device_error(words: list[int]) -> None:
    drv = heidelberg.HeidelbergCharger(DeviceConfig("socket://127.0.0.1:9", 1))
    drv.layout = 0x0108
    (poll,) = heidelberg.input_blocks(0x0108)
    values = decode(heidelberg.FIELDS, poll, words)
    try:
        reading = drv._connector(values)
    except DeviceError:
        assert words[1] not in heidelberg.STATES
        return
    assert reading.fault in (None, "Error", "OverTemperature")
    assert reading.energy_wh == (words[13] << 16 | words[14])


@FUZZ
@given(st.lists(st.integers(0, 0xFFFF), min_size=0, max_size=20))
def test_decode_short_or_long_replies_raise_device_error(words: list[int]) -> None:
    for fields, block in (
        (heidelberg.FIELDS, heidelberg.input_blocks(0x0108)[0]),
        (evse_din.FIELDS, evse_din.POLL),
    ):
        if len(words) == block.count:
            assert set(decode(fields, block, words))
        else:
            with pytest.raises(DeviceError):
                decode(fields, block, words)


fields = st.sampled_from(heidelberg.FIELDS + evse_din.FIELDS)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 65535.5]),
)


@FUZZ
@given(fields, numbers)
def test_encode_raises_only_value_error(f, value) -> None:  # type: ignore[no-untyped-def]
    """reliability.md defect 16: `encode(±inf)` raised OverflowError, killing a poll loop."""
    try:
        raw = encode(f, value)
    except ValueError:
        return
    assert 0 <= raw <= 0xFFFF
    assert abs(raw * f.scale - value) <= f.scale / 2 + 1e-9 * abs(value)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), -1, 70000])
def test_encode_refuses_what_no_register_holds(value: float) -> None:
    with pytest.raises(ValueError):
        encode(heidelberg.FIELDS[-1], value)


@FUZZ
@given(
    st.integers(min_value=0x0100, max_value=0x01FF),
    st.lists(st.integers(0, 0xFFFF), min_size=15, max_size=15),
)
def test_heidelberg_decoding_on_every_layout_raises_only_device_error(layout, words) -> None:  # type: ignore[no-untyped-def]
    drv = heidelberg.HeidelbergCharger(DeviceConfig("socket://127.0.0.1:9", 1))
    drv.layout = layout
    values: dict[str, float] = {}
    for block in heidelberg.input_blocks(layout):
        values.update(decode(heidelberg.FIELDS, block, words[block.start - 4 :][: block.count]))
    try:
        reading = drv._connector(values)
    except DeviceError:
        assert words[1] not in heidelberg.STATES
        return
    assert reading.power_w is not None and reading.energy_wh is not None
    assert not (reading.charging and not reading.plugged)


@FUZZ
@given(st.lists(st.integers(0, 0xFFFF), min_size=3, max_size=3), st.sampled_from([1.0, 0.01]))
def test_evse_din_decoding_raises_only_device_error(words, unit) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        drv = evse_din.EvseDinCharger(DeviceConfig("socket://127.0.0.1:9", 1))
        drv.unit_a = unit

        async def read(table: str, start: int, count: int) -> list[int]:
            return list(words)

        drv.bus.read = read  # type: ignore[method-assign]
        try:
            reading = await drv.read()
        except DeviceError:
            assert words[2] not in evse_din.STATES
            return
        assert reading.connectors[0].offered_a == round(words[1] * unit, 2)

    asyncio.run(go())
