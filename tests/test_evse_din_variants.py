"""The EVSE-DIN driver on the board variants evcc and openWB leave behind (review defects 5
and 6; issue 10 items 5 and 6): 0.01 A mode (2005 bit 7), PP 0 (the board cannot tell its
maximum), the installation maximum, per-session limits and a read-only identify."""

from __future__ import annotations

import asyncio

import pytest

from stationmgr.drivers import create_charger
from stationmgr.drivers.api import Failsafe, Misconfigured
from stationmgr.drivers.bus import PortPool
from stationmgr.sim.modbus_boxes import EvseDinBox
from tests.modbus_site import bus_on, config, record_requests


def test_precise_mode_writes_and_reads_in_hundredths_of_an_amp() -> None:
    """Old code: allow → 1000 = 32 (0.32 A), limit 10 A → 10 (0.10 A), offered ×100."""
    box = EvseDinBox(1, firmware=18, precise=True)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            info = await drv.open()
            assert (info.firmware, info.max_current_a) == ("rev 18, 0.01 A mode", 32.0)
            bus.plug(1)
            await drv.allow_charging(1, True)
            assert box.holding[1000] == 3200
            await drv.set_current_limit(1, 10.555)
            assert box.holding[1000] == 1055  # 10.55 A: the board's own resolution
            r = await drv.read()
            c = r.connectors[0]
            assert (c.offered_a, r.extra["configured_a"], c.charging) == (10.55, 10.55, True)
            assert r.extra["current_mode"] == "0.01 A"
            await drv.close()

        asyncio.run(go())
    assert box.config[2005] & 0x80  # the driver never changes the mode itself
    assert all(a == 1000 for a, _ in box.writes)


def test_pp_zero_without_installation_maximum_refuses_and_writes_nothing() -> None:
    """Old code: max = 80 A, allow → FC16 1000 = [80] (review defect 6)."""
    box = EvseDinBox(1, pp_limit_a=0)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            assert (await drv.open()).max_current_a is None  # the engine refuses the bay
            try:
                with pytest.raises(Misconfigured, match="set installation_max_a"):
                    await drv.allow_charging(1, True)
            finally:
                await drv.close()

        asyncio.run(go())
    assert box.writes == []


@pytest.mark.parametrize(
    ("pp", "installation", "precise", "expected_raw"),
    [(0, 20.0, False, 20), (0, 20.0, True, 2000), (32, 16.0, False, 16), (13, 32.0, True, 1300)],
)
def test_installation_maximum_and_pp_cap_every_current(
    pp: int, installation: float, precise: bool, expected_raw: int
) -> None:
    box = EvseDinBox(1, firmware=18, pp_limit_a=pp, precise=precise)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger(
                "evse-din", config(bus, 1, installation_max_a=installation), PortPool()
            )
            info = await drv.open()
            assert info.max_current_a == expected_raw * (0.01 if precise else 1)
            await drv.allow_charging(1, True)
            assert box.holding[1000] == expected_raw
            await drv.set_current_limit(1, 80)
            assert box.holding[1000] == expected_raw
            await drv.close()

        asyncio.run(go())


def test_a_cards_limit_ends_with_its_session() -> None:
    box = EvseDinBox(1)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            await drv.open()
            await drv.set_current_limit(1, 10)
            await drv.allow_charging(1, True)
            assert box.holding[1000] == 10
            await drv.allow_charging(1, False)
            await drv.allow_charging(1, True)
            assert box.holding[1000] == 32
            await drv.close()

        asyncio.run(go())


def test_old_firmware_has_no_mode_bit_and_2005_is_not_read() -> None:
    box = EvseDinBox(1, firmware=16, precise=True)  # a bit 7 that firmware 16 ignores
    seen = record_requests(box)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            assert (await drv.open()).firmware == "rev 16, 1 A mode"
            await drv.close()

        asyncio.run(go())
    assert not [r for r in seen if r[1] == 2005]


@pytest.mark.parametrize("variant", [{"pp_limit_a": 0}, {"firmware": 18, "precise": True}, {}])
def test_identify_writes_nothing_and_names_the_mode(variant: dict[str, object]) -> None:
    box = EvseDinBox(1, **variant)  # type: ignore[arg-type]
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            assert not isinstance(drv, Failsafe)  # the board has no watchdog
            info = await drv.identify()
            assert "A mode" in str(info.firmware)
            r = await drv.read()
            assert r.extra["failsafe"].startswith("none")
            if variant.get("pp_limit_a") == 0:
                assert "set installation_max_a" in str(r.extra["max_current"])
            await drv.close()

        asyncio.run(go())
    assert box.writes == []


def test_boot_current_after_a_power_cut_is_reported() -> None:
    """2000 ("current after boot") is what the board offers on its own after power-on."""
    box = EvseDinBox(1, boot_current_a=16)
    with bus_on([box]) as bus:

        async def go() -> None:
            drv = create_charger("evse-din", config(bus, 1), PortPool())
            await drv.open()
            r = await drv.read()
            assert r.extra["current_after_boot"] == 16.0
            assert r.connectors[0].allowed  # it offers 16 A before any master spoke
            await drv.allow_charging(1, False)
            bus.fault(1, "reboot")
            assert (await drv.read()).connectors[0].allowed  # and again after a power cut
            await drv.close()

        asyncio.run(go())
