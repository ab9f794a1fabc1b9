"""The EVSE-DIN driver against its simulated board over a real pty (9600 8N1), and both
Modbus models sharing one bus and one port owner."""

from __future__ import annotations

import asyncio

import pytest

from stationmgr.drivers import DeviceConfig, create_charger, evse_din, heidelberg
from stationmgr.drivers.bus import PortPool
from stationmgr.errors import DeviceError
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox
from tests.modbus_site import RawMaster, bus_on, config, evse_bus, frame


def test_register_maps_are_data_sharing_one_decoder() -> None:
    assert evse_din.LINE.baud == 9600 and evse_din.LINE.parity == "N"
    assert evse_din.LINE.turnaround_s == 0.2 and heidelberg.LINE.turnaround_s == 0.1
    assert {f.name: f.address for f in evse_din.FIELDS}["vehicle_state"] == 1002
    assert evse_din.decode is heidelberg.decode  # one shared helper, two tables


def test_session_cycle_on_a_pty() -> None:
    with evse_bus((5,), where="pty") as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 5), PortPool())
            info = await drv.open()
            assert (info.model, info.firmware, info.max_current_a) == (
                "EVSE-DIN",
                "rev 17, 1 A mode",
                32.0,
            )
            c = (await drv.read()).connectors[0]
            assert (c.plugged, c.allowed, c.raw_state, c.energy_wh) == (
                False,
                False,
                "1 (ready)",
                None,
            )
            bus.plug(5)
            c = (await drv.read()).connectors[0]
            assert (c.plugged, c.charging, c.raw_state) == (True, False, "2 (EV present)")
            await drv.set_current_limit(1, 13.7)
            await drv.allow_charging(1, True)
            assert bus.box(5).holding[1000] == 13  # whole amps
            r = await drv.read()
            c = r.connectors[0]
            assert (c.charging, c.allowed, c.raw_state) == (True, True, "3 (charging)")
            assert r.extra["offered_a"] == 13
            bus.fault(5, "error")
            c = (await drv.read()).connectors[0]
            assert (c.fault, c.raw_state) == ("Error", "5 (failure)")
            await drv.allow_charging(1, False)
            assert bus.box(5).holding[1000] == 0
            await drv.close()

        asyncio.run(go())


def test_writes_use_function_16() -> None:
    """As evcc does for this board; the box also takes 06, so check the bytes it saw."""
    seen: list[int] = []
    with evse_bus((1,)) as bus:
        original = bus._frame

        def spy(data: bytes, arrived: float) -> None:
            seen.append(data[1])
            original(data, arrived)

        bus._frame = spy  # type: ignore[method-assign]

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            await drv.open()
            await drv.allow_charging(1, True)
            await drv.close()

        asyncio.run(go())
    assert seen == [0x03, 0x03, 0x03, 0x10]  # 1000–1005, 2005, 2000, then the write


def test_heidelberg_and_evse_din_on_one_bus() -> None:
    with bus_on([HeidelbergBox(1), EvseDinBox(2)]) as bus:

        async def go() -> None:
            pool = PortPool()
            hec = create_charger("heidelberg", config(bus, 1), pool)
            din = create_charger("evse-din", config(bus, 2), pool)
            await hec.open()
            await din.open()
            bus.plug(2)
            await din.allow_charging(1, True)
            a, b = await asyncio.gather(hec.read(), din.read())
            assert a.connectors[0].raw_state == "2 (A1)"
            assert b.connectors[0].raw_state == "3 (charging)"
            assert len(pool.owners()) == 1
            with pytest.raises(DeviceError, match="not an EVSE-DIN"):
                # A Heidelberg answers 1000…1005 with an exception; wrong driver, clear line.
                await create_charger("evse-din", config(bus, 1), pool).open()
            await hec.close()
            await din.close()

        asyncio.run(go())


def test_unknown_vehicle_state_is_a_device_error() -> None:
    box = EvseDinBox(1)
    with bus_on([box]) as bus:
        raw = RawMaster(bus.url)
        try:  # a raw write of the state register is refused: it is read-only
            assert raw.exchange(frame(1, 0x06, 0x03, 0xEA, 0, 9), 5) == frame(1, 0x86, 0x02)
        finally:
            raw.close()

        async def go() -> None:
            drv = evse_din.EvseDinCharger(DeviceConfig(bus.url, 1, None, {"parity": "N"}))
            await drv.open()
            original = box.holding_registers
            box.holding_registers = lambda: {**original(), 1002: 9}  # type: ignore[method-assign]
            with pytest.raises(DeviceError, match="unknown vehicle state 9"):
                await drv.read()
            await drv.close()

        asyncio.run(go())
