"""The Heidelberg driver on every register layout the simulator models as strictly as the
boxes (review defects 3, 4, 11, 12, 16; issue 10 items 4 and 6; issue 15 item 2): only the
registers a layout has are read, C1 is not charging, a reboot is seen even when the power-on
counter was 0, the failsafe is set and fed, no current above the installation maximum is
written, a card's limit ends with its session, and `identify()` writes nothing."""

from __future__ import annotations

import asyncio

import pytest

from stationmgr.drivers import create_charger, heidelberg
from stationmgr.drivers.api import Failsafe, Identify
from stationmgr.drivers.bus import PortPool
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import HEC_LAYOUTS, HeidelbergBox
from tests.modbus_site import bus_on, config, record_requests
from tests.site import wait_for

LAYOUTS = sorted(HEC_LAYOUTS)  # 1.0.3 (no 14), 1.0.4 (no 17–18), 1.0.7 (no blocks), 1.0.8


async def _session(drv: heidelberg.HeidelbergCharger, bus: object, slave: int = 1) -> None:
    await drv.open()
    drv.config_check_every = 1  # every poll also checks the holding registers
    bus.plug(slave, EV(soc=0.2))  # type: ignore[attr-defined]
    await drv.read()
    await drv.set_current_limit(1, 10)
    await drv.allow_charging(1, True)
    await drv.read()
    await drv.allow_charging(1, False)
    await drv.read()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_is_read_only_where_it_has_registers(layout: str) -> None:
    """Old code: 1.0.3/1.0.4/1.0.7 fail at connect (input 4+15 or holding 257+6 refused)."""
    box = HeidelbergBox(1, layout=HEC_LAYOUTS[layout])
    seen = record_requests(box)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await _session(drv, bus)
            assert drv.firmware == f"register layout {layout}"
            await drv.close()

        asyncio.run(go())
    assert seen and not [r for r in seen if r[3]], "a request the layout refuses"
    reads = {(fc, a, n) for fc, a, n, _ in seen if fc in (3, 4)}
    assert not any(a <= 260 < a + n for fc, a, n in reads if fc == 3)  # never across 260
    if HEC_LAYOUTS[layout] < 0x0108:
        assert all(n == 1 and a not in (258, 259) for fc, a, n in reads if fc == 3)


def test_layout_1_0_4_meter_falls_back_to_the_power_on_counter_and_says_so() -> None:
    box = HeidelbergBox(1, layout=HEC_LAYOUTS["1.0.4"])
    box.connector.energy_total_wh = 5000.0
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            box.connector.energy_since_boot_wh = 42.0
            r = await drv.read()
            assert r.connectors[0].energy_wh == 42.0  # 15–16: the only counter it has
            assert r.extra["energy_meter"] == "power_on"
            assert "no energy since installation" in str(r.extra["energy_note"])
            assert "total_energy_wh" not in r.extra
            await drv.close()

        asyncio.run(go())


def test_layout_1_0_3_has_no_power_register_power_is_computed() -> None:
    box = HeidelbergBox(1, layout=HEC_LAYOUTS["1.0.3"])
    seen = record_requests(box)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            bus.plug(1, EV(soc=0.2))
            await drv.allow_charging(1, True)
            seen.clear()
            c = (await drv.read()).connectors[0]
            assert c.power_w == pytest.approx(3 * 230 * c.currents_a[0])  # U × I per phase
            assert c.power_w > 10_000
            await drv.close()

        asyncio.run(go())
    inputs = [(a, n) for fc, a, n, _ in seen if fc == 4]
    assert inputs == [(4, 10), (15, 2)]  # one request per documented range, 14 skipped


def test_c1_car_asks_box_refuses_is_not_charging() -> None:
    """Old code: STATES[6] had charging=True (review defect 11)."""
    box = HeidelbergBox(1, asks_when_refused=True)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            bus.plug(1, EV(soc=0.2))
            c = (await drv.read()).connectors[0]
            assert c.raw_state == "6 (C1)"
            assert (c.plugged, c.charging, c.allowed, c.power_w) == (True, False, False, 0.0)
            await drv.close()

        asyncio.run(go())


@pytest.mark.parametrize("layout", ["1.0.7", "1.0.8"])
def test_reboot_with_power_on_counter_zero_is_seen_and_standby_disabled_again(
    layout: str,
) -> None:
    """A box that counted 0 VAh since power-on reboots: the counter cannot go backwards.
    Old code: `rebooted` stays False and 258 stays 0 (standby on; review defect 12)."""
    box = HeidelbergBox(1, layout=HEC_LAYOUTS[layout])
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            drv.config_check_every = 1
            assert not (await drv.read()).rebooted
            assert (box.holding[257], box.holding[258]) == (15001, 4)
            bus.fault(1, "reboot")
            assert (box.holding[257], box.holding[258]) == (15000, 0)  # factory state
            r = await drv.read()
            assert r.rebooted and r.connectors[0].energy_wh == 0.0
            assert (box.holding[257], box.holding[258]) == (15001, 4)  # configured again
            assert not (await drv.read()).rebooted  # once
            await drv.close()

        asyncio.run(go())


def test_watchdog_falls_back_by_time_when_the_master_goes_silent() -> None:
    """The box's watchdog runs on its own clock (old sim: only on the next request, so a
    silent master left it charging; reliability.md note 18)."""
    box = HeidelbergBox(1)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            assert isinstance(drv, Failsafe)
            await drv.open()
            await drv.set_failsafe(0.3, 0)
            assert (box.holding[257], box.holding[262]) == (300, 0)
            bus.plug(1, EV(soc=0.2))
            await drv.allow_charging(1, True)
            assert box.connector.enabled
            requests = box.requests
            wait_for(lambda: box.watchdog_trips == 1, what="the watchdog firing", timeout=10)
            assert box.requests == requests  # nobody asked anything meanwhile
            assert (box.holding[261], box.connector.enabled) == (0, False)  # failed closed
            c = (await drv.read()).connectors[0]  # the driver re-applies after the gap
            assert box.holding[261] == 160 and c.allowed
            await drv.close()

        asyncio.run(go())


def test_failsafe_defaults_from_the_offline_setting_and_capped() -> None:
    boxes = [HeidelbergBox(1), HeidelbergBox(2), HeidelbergBox(3)]
    with bus_on(boxes) as bus:

        async def go() -> None:
            pool = PortPool()
            stop = create_charger("heidelberg", config(bus, 1), pool)
            safe = create_charger(
                "heidelberg",
                config(bus, 2, offline="safe_current", offline_current_a=8, watchdog_ms=5000),
                pool,
            )
            capped = create_charger("heidelberg", config(bus, 3, installation_max_a=10), pool)
            for d in (stop, safe, capped):
                await d.open()
            assert (boxes[0].holding[257], boxes[0].holding[262]) == (15001, 0)  # stop
            assert (boxes[1].holding[257], boxes[1].holding[262]) == (5000, 80)
            await capped.set_failsafe(30, 16)
            assert (boxes[2].holding[257], boxes[2].holding[262]) == (30000, 100)
            with pytest.raises(ValueError):
                await capped.set_failsafe(float("nan"), 6)
            for d in (stop, safe, capped):
                await d.close()

        asyncio.run(go())


def test_installation_maximum_caps_every_current_written() -> None:
    box = HeidelbergBox(1)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1, installation_max_a=13), PortPool())
            info = await drv.open()
            assert info.max_current_a == 13.0
            bus.plug(1)
            await drv.allow_charging(1, True)
            assert box.holding[261] == 130
            await drv.set_current_limit(1, 32)
            assert box.holding[261] == 130
            await drv.set_current_limit(1, 7.25)
            assert box.holding[261] == 72
            await drv.close()

        asyncio.run(go())
    assert max(v for a, v in box.writes if a in (261, 262)) <= 130


def test_a_cards_limit_ends_with_its_session() -> None:
    """Old code: the 10 A of one card was written again for the next session (review
    defect 7, `t4b_sticky_limit`)."""
    box = HeidelbergBox(1)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            await drv.open()
            await drv.set_current_limit(1, 10)
            await drv.allow_charging(1, True)
            assert box.holding[261] == 100
            await drv.allow_charging(1, False)
            await drv.allow_charging(1, True)  # the next session, no limit of its own
            assert box.holding[261] == 160
            await drv.close()

        asyncio.run(go())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_identify_writes_nothing(layout: str) -> None:
    box = HeidelbergBox(1, layout=HEC_LAYOUTS[layout])
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("heidelberg", config(bus, 1), PortPool())
            assert isinstance(drv, Identify)
            info = await drv.identify()
            assert info.firmware == f"register layout {layout}"
            bus.fault(1, "reboot")  # even a reboot seen by a read-only poll writes nothing
            for _ in range(3):
                await drv.read()
            await drv.close()

        asyncio.run(go())
    assert box.writes == []
