"""The Heidelberg driver against the virtual bus through real pymodbus: over TCP (as through
a serial gateway) and over a real pseudo-terminal (8N1: a pty refuses even parity)."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from pathlib import Path

import pytest

from stationmgr.clock import ManualClock
from stationmgr.drivers import DeviceConfig, create_charger
from stationmgr.drivers.bus import PortPool
from stationmgr.drivers.heidelberg import HeidelbergCharger
from stationmgr.drivers.modbus_link import ModbusLink
from stationmgr.errors import DeviceError, UserError
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox
from stationmgr.sim.modbus_sim import ModbusBusSim, WireTiming
from tests.modbus_site import (
    FAST,
    SIM_SETTINGS,
    RawMaster,
    bus_on,
    config,
    frame,
    heidelberg_bus,
)
from tests.site import wait_for


@pytest.mark.parametrize("where", ["tcp", "pty"])
def test_session_cycle_through_pymodbus(where: str) -> None:
    with heidelberg_bus((1,), where=where) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            info = await drv.open()
            assert (info.model, info.firmware) == (
                "Heidelberg Energy Control",
                "register layout 1.0.8",
            )
            assert (info.min_current_a, info.max_current_a) == (6.0, 16.0)
            assert bus.box(1).holding[258] == 4  # standby disabled at connect
            r = await drv.read()
            c = r.connectors[0]
            assert (c.plugged, c.charging, c.allowed, c.raw_state) == (
                False,
                False,
                False,
                "2 (A1)",
            )
            assert c.voltages_v == (230.0, 230.0, 230.0) and r.temperature_c == 25.0

            bus.plug(1, EV(soc=0.2))
            c = (await drv.read()).connectors[0]
            assert (c.plugged, c.charging, c.allowed, c.raw_state) == (True, False, False, "4 (B1)")

            await drv.set_current_limit(1, 10.0)  # remembered, not yet written: gate closed
            assert bus.box(1).holding[261] == 0
            await drv.allow_charging(1, True)
            assert bus.box(1).holding[261] == 100
            c = (await drv.read()).connectors[0]
            assert (c.charging, c.allowed, c.raw_state) == (True, True, "7 (C2)")
            assert c.power_w == 6900.0 and c.currents_a == (10.0, 10.0, 10.0)

            await drv.set_current_limit(1, 3.0)  # below the box's minimum: 6 A
            assert bus.box(1).holding[261] == 60
            await drv.allow_charging(1, False)
            assert bus.box(1).holding[261] == 0
            c = (await drv.read()).connectors[0]
            assert (c.charging, c.allowed, c.raw_state) == (False, False, "4 (B1)")
            await drv.close()

        asyncio.run(go())


def test_energy_counters_and_reboot_detection() -> None:
    box = HeidelbergBox(1)
    box.connector.energy_total_wh = 123_456.7  # an installed box with history
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            box.connector.energy_since_boot_wh = 70_000.0  # > 65535: needs both words
            first = await drv.read()
            assert first.connectors[0].energy_wh == 123_456.0  # since installation, whole VAh
            assert first.extra["energy_power_on_wh"] == 70_000
            assert not first.rebooted
            bus.fault(1, "reboot")
            assert box.holding[258] == 0  # volatile: standby back on after power-on
            second = await drv.read()
            assert second.rebooted
            assert second.connectors[0].energy_wh == 123_456.0  # survives the reboot
            assert box.holding[258] == 4  # re-disabled by the driver
            assert not (await drv.read()).rebooted  # reported once
            await drv.close()

        asyncio.run(go())


def test_power_on_register_option() -> None:
    with heidelberg_bus((1,)) as bus:

        async def go() -> None:
            drv = create_charger(
                "heidelberg", config(bus, 1, energy_register="power_on"), PortPool()
            )
            await drv.open()
            bus.box(1).connector.energy_since_boot_wh = 42.9
            bus.box(1).connector.energy_total_wh = 1000.0
            assert (await drv.read()).connectors[0].energy_wh == 42.0
            await drv.close()

        asyncio.run(go())


@pytest.mark.parametrize(
    ("kind", "fault", "raw"),
    [
        ("E", "Error", "9 (E)"),
        ("F", "Error", "10 (F)"),
        ("error", "Error", "11 (error)"),
        ("overtemp", "OverTemperature", "11 (error)"),
    ],
)
def test_fault_states(kind: str, fault: str, raw: str) -> None:
    with heidelberg_bus((1,)) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            bus.fault(1, kind)
            r = await drv.read()
            assert (r.connectors[0].fault, r.connectors[0].raw_state) == (fault, raw)
            bus.clear(1)
            assert (await drv.read()).connectors[0].fault is None
            await drv.close()

        asyncio.run(go())


def test_gate_through_remote_lock_is_not_a_fault() -> None:
    with heidelberg_bus((1,)) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1, gate="lock"), PortPool())
            await drv.open()
            bus.plug(1)
            await drv.allow_charging(1, False)
            assert bus.box(1).holding[259] == 0
            c = (await drv.read()).connectors[0]
            assert (c.fault, c.allowed, c.raw_state) == (None, False, "10 (F (remote lock))")
            await drv.allow_charging(1, True)
            assert (bus.box(1).holding[259], bus.box(1).holding[261]) == (1, 160)
            c = (await drv.read()).connectors[0]
            assert (c.charging, c.allowed) == (True, True)
            await drv.close()

        asyncio.run(go())


def test_watchdog_set_and_fallback_reapplied() -> None:
    with heidelberg_bus((1,)) as bus:

        async def go() -> None:
            drv = create_charger(
                "heidelberg", config(bus, 1, watchdog_ms=200, failsafe_a=0), PortPool()
            )
            await drv.open()
            assert (bus.box(1).holding[257], bus.box(1).holding[262]) == (200, 0)
            bus.plug(1)
            await drv.allow_charging(1, True)
            # The bus stays silent longer than the watchdog: the box falls back by itself…
            wait_for(lambda: bus.box(1).watchdog_trips == 1, what="the watchdog firing")
            assert bus.box(1).holding[261] == 0
            c = (await drv.read()).connectors[0]
            assert c.allowed and bus.box(1).holding[261] == 160  # …and the driver restored it
            await drv.close()

        asyncio.run(go())


def test_standby_would_silence_an_idle_box_without_the_driver() -> None:
    """Why the driver writes 258 = 4: with standby on, an idle box stops answering."""
    clock = ManualClock()
    sleepy, awake = HeidelbergBox(1, standby_after_s=60.0), HeidelbergBox(2, standby_after_s=60.0)
    poll = frame(1, 0x04, 0, 5, 0, 1)
    with bus_on([sleepy, awake], clock=clock) as bus:
        raw = RawMaster(bus.url)
        assert raw.exchange(poll, 7)[:2] == bytes([1, 4])  # both idle boxes answer at first
        raw.close()

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 2), PortPool())
            await drv.open()  # box 2 now has standby disabled; box 1 was never configured
            clock.advance(600)  # ten idle minutes
            assert (await drv.read()).connectors[0].raw_state == "2 (A1)"
            await drv.close()

        asyncio.run(go())
        raw = RawMaster(bus.url)
        try:
            assert raw.exchange(poll, 7, timeout=0.3) == b""  # box 1 fell asleep
        finally:
            raw.close()
        assert sleepy.asleep and not awake.asleep


def test_several_boxes_share_one_port_owner() -> None:
    with heidelberg_bus((1, 2, 3, 4)) as bus:

        async def go() -> None:
            pool = PortPool()
            drivers = [create_charger("heidelberg", config(bus, s), pool) for s in (1, 2, 3, 4)]
            for d in drivers:
                await d.open()
            bus.plug(3)
            await drivers[2].allow_charging(1, True)
            readings = await asyncio.gather(*(d.read() for d in drivers))
            states = [r.connectors[0].raw_state for r in readings]
            assert states == ["2 (A1)", "2 (A1)", "7 (C2)", "2 (A1)"]
            links = pool.owners()
            assert len(links) == 1 and isinstance(links[0], ModbusLink)
            assert links[0].opens == 1
            assert [bus.box(s).holding[261] for s in (1, 2, 3, 4)] == [0, 0, 160, 0]
            for d in drivers:
                await d.close()
            assert not links[0].online  # the last driver out closed the port

        asyncio.run(go())


def test_requests_are_paced_by_the_turnaround() -> None:
    """Lower bound only (sleeping never makes it shorter): consecutive requests start at
    least `turnaround` apart, whoever sends them. Measured where the link sends (the moment
    each request leaves its pacing): the simulator's arrival stamps are taken by a thread
    that a loaded machine may wake late, which makes gaps look shorter than they were."""
    arrivals: list[float] = []
    starts: list[float] = []
    with heidelberg_bus((1, 2)) as bus:
        original = bus._frame

        def spy(frame: bytes, arrived: float) -> None:
            arrivals.append(arrived)
            original(frame, arrived)

        bus._frame = spy  # type: ignore[method-assign]

        async def go() -> None:
            pool = PortPool()
            drivers = [
                create_charger("heidelberg", config(bus, s, turnaround_ms=40), pool) for s in (1, 2)
            ]
            for d in drivers:
                await d.open()
            (link,) = pool.owners()  # both boxes share the one bus owner
            paced = link._pace

            def timed() -> None:
                paced()
                starts.append(time.monotonic())

            link._pace = timed
            arrivals.clear()
            for _ in range(3):
                await asyncio.gather(*(d.read() for d in drivers))
            for d in drivers:
                await d.close()

        asyncio.run(go())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) >= 5 and min(gaps) >= 0.0399  # (the first poll also checks 257–262)
    assert len(arrivals) >= len(starts)  # every request paced reached the boxes


def test_even_parity_on_a_pty_is_refused_with_the_reason() -> None:
    with heidelberg_bus((1,), where="pty") as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1, parity="E"), PortPool())
            with pytest.raises(DeviceError, match="cannot do parity E"):
                await drv.open()

        asyncio.run(go())


def test_another_device_is_not_taken_for_a_heidelberg() -> None:
    with bus_on([EvseDinBox(1)]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            with pytest.raises(DeviceError, match="refused"):
                await drv.open()

        asyncio.run(go())


@pytest.mark.timeout(120)  # a hang fails the test; no figure is asserted
def test_nothing_listening() -> None:
    async def go() -> None:
        drv = HeidelbergCharger(DeviceConfig("socket://127.0.0.1:9", 1, None, {"parity": "N"}))
        with pytest.raises(DeviceError, match="cannot open port"):
            await drv.open()
        with pytest.raises(DeviceError, match="unavailable"):  # backoff: refuses, no wait
            await drv.open()

    asyncio.run(go())


@pytest.mark.parametrize(
    "settings",
    [
        {"gate": "relay"},
        {"energy_register": "session"},
        {"parity": "X"},
        {"watchdog_ms": "x"},
        {"failsafe_a": "nan"},  # reliability.md defect 3: silently stopped the box's polling
        {"failsafe_a": float("inf")},
        {"timeout_ms": -1},  # took the other boxes on the bus offline
        {"installation_max_a": "nan"},
    ],
)
def test_bad_settings_are_user_errors(settings: dict[str, str]) -> None:
    with pytest.raises(UserError):
        create_charger("heidelberg", DeviceConfig("socket://127.0.0.1:9", 1, None, settings))


def test_wire_timing_model_matches_the_fact_sheet() -> None:
    """The simulator's wire delay reproduces wire-time.md's 19200-baud row: a read of 10
    registers is 33 bytes = 18.9 ms on the wire, 22.9 ms with two t3.5 silences."""
    t = WireTiming(19200, 11, 0.0, True)
    assert round(t.bytes_s(33) * 1000, 1) == 18.9
    assert round((t.bytes_s(33) + 2 * t.t35_s) * 1000, 1) == 22.9
    assert round(WireTiming(9600, 11).t35_s * 1000, 1) == 4.0
    assert WireTiming(38400, 11).t35_s == 0.00175


def test_serial_port_unplugged_and_back_at_the_same_path(tmp_path: Path) -> None:
    """A USB adapter pulled and plugged back: the pty behind a stable symlink (as
    /dev/serial/by-id/… is) goes away and comes back as a new pty."""
    box = HeidelbergBox(1)
    bus = ModbusBusSim([box], timing=FAST)
    path = bus.serve_pty(link=tmp_path / "ttyRS485")
    bus.start()
    try:

        async def go() -> None:
            drv = create_charger(
                "heidelberg", DeviceConfig(path, 1, None, {**SIM_SETTINGS}), PortPool()
            )
            await drv.open()
            assert (await drv.read()).connectors[0].raw_state == "2 (A1)"
            bus.vanish()
            with pytest.raises(DeviceError):
                await drv.read()
            with pytest.raises(DeviceError):  # reopening fails while it is gone
                await drv.read()
            bus.restore()
            assert os.path.islink(path)  # a new pty behind the same name
            bus.plug(1)
            for _ in range(100):  # the link retries with backoff (0.5 s, then 1 s…)
                try:
                    reading = await drv.read()
                    break
                except DeviceError:
                    await asyncio.sleep(0.1)
            assert reading.connectors[0].raw_state == "4 (B1)"
            await drv.close()

        asyncio.run(go())
    finally:
        bus.stop()
