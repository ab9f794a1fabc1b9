"""The Modbus drivers against an implementation we did not write: pymodbus's own server
(`ModbusTcpServer` with `SimDevice`s, RTU framing over TCP on 127.0.0.1, reached at
socket://), its registers filled from evcc's and wbec's published view of the devices — not
from our simulator. Writes are recorded by the datastore's action hook.

Heidelberg: slave 1 layout 1.0.8 charging (C2) with wbec's 7312.331 kWh; slave 2 layout 1.0.7
with wbec's read restriction (holding read one register at a time, 258/259 unreadable);
slave 3 C1 (car asks, box refuses). EVSE-DIN: slave 11 firmware 17 with PP 0, slave 12
firmware 18 in 0.01 A mode (2005 bit 7 set, 1000 = 1600 as evcc leaves it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import pytest
from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from stationmgr.drivers import DeviceConfig, create_charger
from stationmgr.drivers.api import Misconfigured
from stationmgr.drivers.bus import PortPool

Log = list[tuple[int, int, int, tuple[int, ...] | None]]  # (fc, address, count, written)


def regs(start: int, values: list[int]) -> SimData:
    return SimData(start, values=values, datatype=DataType.REGISTERS)


def bits() -> SimData:
    return SimData(0, values=[False] * 16, datatype=DataType.BITS)


async def _action(
    log: Log,
    restrict_holding: bool,
    function_code: int,
    start_address: int,
    address: int,
    count: int,
    current: list[int],
    set_values: list[int] | list[bool] | None,
) -> ExcCodes | None:
    written = None if set_values is None else tuple(int(v) for v in set_values)
    log.append((function_code, address, count, written))
    if restrict_holding and function_code == 3 and (count != 1 or address in (258, 259)):
        return ExcCodes.ILLEGAL_ADDRESS  # wbec issue #3: 1.0.7 boxes
    return None


def device(
    slave: int, holding: list[SimData], inputs: list[SimData], log: Log, restrict: bool = False
) -> SimDevice:
    return SimDevice(
        slave,
        simdata=([bits()], [bits()], holding, inputs or [regs(0, [0])]),
        action=partial(_action, log, restrict),
    )


def hec(slave: int, layout: int, state: int, amps: int, log: Log, restrict: bool) -> SimDevice:
    power = 11040 if amps else 0
    e_on, e_inst = 12345, 7312331
    inputs = [
        regs(4, [layout, state, amps, amps, amps, 315, 230, 230, 230, 1, power]),
        regs(15, [e_on >> 16, e_on & 0xFFFF, e_inst >> 16, e_inst & 0xFFFF]),
        regs(100, [16, 6]),
    ]
    holding = [regs(257, [15000, 0, 1]), regs(261, [160 if amps else 0, 0])]  # no 260
    return device(slave, holding, inputs, log, restrict)


def evse(slave: int, firmware: int, pp: int, flags: int, current: int, log: Log) -> SimDevice:
    holding = [
        regs(1000, [current, 0, 2, pp, 0, firmware, 1, 0]),
        regs(2000, [32, 1, 6, 1, 0, flags, 0, 0]),  # as openWB_lite's listing, 2005 = flags
        regs(2010, [6, 10, 16, 25, 32, 48, 63, 80]),
    ]
    return device(slave, holding, [], log)


@asynccontextmanager
async def server(devices: list[SimDevice]) -> AsyncIterator[str]:
    srv = ModbusTcpServer(devices, framer=FramerType.RTU, address=("127.0.0.1", 0))
    await srv.serve_forever(background=True)
    try:
        port = srv.transport.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        yield f"socket://127.0.0.1:{port}"
    finally:
        await srv.shutdown()


def writes(log: Log) -> list[tuple[int, tuple[int, ...]]]:
    return [(a, w) for fc, a, _n, w in log if w is not None]


SETTINGS = {"turnaround_ms": 5, "timeout_ms": 1000}


def test_heidelberg_against_pymodbus_server() -> None:
    logs: dict[int, Log] = {1: [], 2: [], 3: []}

    async def go() -> None:
        devices = [
            hec(1, 0x0108, 7, 160, logs[1], restrict=False),
            hec(2, 0x0107, 4, 0, logs[2], restrict=True),
            hec(3, 0x0108, 6, 0, logs[3], restrict=False),
        ]
        async with server(devices) as url:
            pool = PortPool()
            d1, d2, d3 = (
                create_charger("heidelberg", DeviceConfig(url, s, None, SETTINGS), pool)
                for s in (1, 2, 3)
            )
            info = await d1.open()
            assert (info.firmware, info.max_current_a) == ("register layout 1.0.8", 16.0)
            r = await d1.read()
            c = r.connectors[0]
            assert (c.raw_state, c.charging, c.power_w) == ("7 (C2)", True, 11040.0)
            assert c.currents_a == (16.0, 16.0, 16.0) and r.temperature_c == 31.5
            assert c.energy_wh == 7312331 and r.extra["energy_power_on_wh"] == 12345
            await d1.set_current_limit(1, 10)

            info = await d2.open()  # old code: "is not a Heidelberg" (257+6 refused)
            assert info.firmware == "register layout 1.0.7"
            await d2.read()
            await d2.allow_charging(1, True)

            await d3.open()
            c = (await d3.read()).connectors[0]
            assert (c.raw_state, c.charging, c.plugged) == ("6 (C1)", False, True)
            for d in (d1, d2, d3):
                await d.close()

    asyncio.run(go())
    for log in logs.values():  # never across the undocumented 260
        assert not [e for e in log if e[0] == 3 and e[1] <= 260 < e[1] + e[2]]
    assert [(fc, a, n) for fc, a, n, w in logs[2] if fc == 3] == [
        (3, 257, 1),
        (3, 261, 1),
        (3, 262, 1),
    ]
    # What each box was told: standby off, the watchdog off its factory value, failsafe stop.
    assert writes(logs[1]) == [(258, (4,)), (257, (15001,))]  # 262 already 0
    assert writes(logs[2]) == [(258, (4,)), (257, (15001,)), (261, (160,))]
    assert writes(logs[3]) == [(258, (4,)), (257, (15001,))]


def test_heidelberg_probe_path_writes_nothing_to_pymodbus_server() -> None:
    log: Log = []

    async def go() -> None:
        async with server([hec(2, 0x0107, 4, 0, log, restrict=True)]) as url:
            drv = create_charger("heidelberg", DeviceConfig(url, 2, None, SETTINGS), PortPool())
            assert (await drv.identify()).firmware == "register layout 1.0.7"
            await drv.read()
            await drv.close()

    asyncio.run(go())
    assert writes(log) == [] and log


def test_evse_din_against_pymodbus_server() -> None:
    logs: dict[int, Log] = {11: [], 12: [], 13: []}

    async def go() -> None:
        devices = [
            evse(11, 17, 0, 8192, 0, logs[11]),
            evse(12, 18, 32, 8192 | 0x80, 1600, logs[12]),
            evse(13, 17, 0, 8192, 0, logs[13]),
        ]
        async with server(devices) as url:
            pool = PortPool()
            pp0 = create_charger("evse-din", DeviceConfig(url, 11, None, SETTINGS), pool)
            assert (await pp0.open()).max_current_a is None  # old code: max 80 A
            with pytest.raises(Misconfigured, match="installation_max_a"):
                await pp0.allow_charging(1, True)  # old code: FC16 1000=[80]
            await pp0.close()
            precise = create_charger("evse-din", DeviceConfig(url, 12, None, SETTINGS), pool)
            info = await precise.open()
            assert (info.firmware, info.max_current_a) == ("rev 18, 0.01 A mode", 32.0)
            assert (await precise.read()).connectors[0].offered_a == 0.0
            await precise.allow_charging(1, True)
            await precise.set_current_limit(1, 10)
            await precise.close()
            rated = create_charger(
                "evse-din",
                DeviceConfig(url, 13, None, {**SETTINGS, "installation_max_a": 20}),
                pool,
            )
            assert (await rated.open()).max_current_a == 20.0
            await rated.allow_charging(1, True)
            await rated.close()

    asyncio.run(go())
    assert writes(logs[11]) == []
    assert [(fc, a, w) for fc, a, _n, w in logs[12] if w] == [
        (16, 1000, (3200,)),
        (16, 1000, (1000,)),
    ]
    assert writes(logs[13]) == [(1000, (20,))]
