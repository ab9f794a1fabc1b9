"""Property: whatever the cards' limits, the installation maximum and the device's own
maximum, no current above min(installation_max_a, device max, PP limit) is ever written to
a Modbus charger (issue 10 item 6), through the real drivers, pymodbus and the simulated
boxes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stationmgr.drivers import create_charger
from stationmgr.drivers.api import Misconfigured
from stationmgr.drivers.bus import PortPool
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox
from stationmgr.sim.modbus_sim import ModbusBusSim
from tests.modbus_site import bus_on, config

PROPS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
amps = st.one_of(st.floats(0, 200), st.sampled_from([0.0, 5.9, 6.0, 16.0, 32.0, 80.0, 1e9]))
ops = st.lists(
    st.one_of(
        st.tuples(st.just("limit"), amps),
        st.tuples(st.just("allow"), st.booleans()),
        st.tuples(st.just("failsafe"), amps),
    ),
    min_size=1,
    max_size=8,
)
installation = st.one_of(st.none(), st.floats(6, 80))


@pytest.fixture(scope="module")
def buses() -> Iterator[tuple[ModbusBusSim, ModbusBusSim]]:
    with bus_on([HeidelbergBox(1)]) as hec, bus_on([EvseDinBox(1, firmware=18)]) as din:
        yield hec, din


async def _run(drv: object, steps: list[tuple[str, object]]) -> None:
    for op, value in steps:
        if op == "limit":
            await drv.set_current_limit(1, float(value))  # type: ignore[attr-defined]
        elif op == "allow":
            await drv.allow_charging(1, bool(value))  # type: ignore[attr-defined]
        elif hasattr(drv, "set_failsafe"):
            await drv.set_failsafe(15, float(value))  # type: ignore[attr-defined]


@PROPS
@given(installation, st.integers(6, 16), ops)
def test_heidelberg_never_writes_above_the_cap(
    buses: tuple[ModbusBusSim, ModbusBusSim], inst: float | None, hw_max: int, steps: list
) -> None:  # type: ignore[type-arg]
    bus = buses[0]
    box = bus.box(1)
    assert isinstance(box, HeidelbergBox)
    box.connector.max_current_a = float(hw_max)  # register 100
    first = len(box.writes)
    extra = {} if inst is None else {"installation_max_a": inst}

    async def go() -> None:
        drv = create_charger("heidelberg", config(bus, 1, **extra), PortPool())
        await drv.open()
        try:
            await _run(drv, steps)
        finally:
            await drv.close()

    asyncio.run(go())
    cap = min(hw_max, inst if inst is not None else 80)
    currents = [v for a, v in box.writes[first:] if a in (261, 262)]
    assert all(v <= round(cap * 10) for v in currents), (cap, currents)


@PROPS
@given(installation, st.sampled_from([0, 3, 6, 13, 16, 32, 63]), st.booleans(), ops)
def test_evse_din_never_writes_above_the_cap(
    buses: tuple[ModbusBusSim, ModbusBusSim],
    inst: float | None,
    pp: int,
    precise: bool,
    steps: list,  # type: ignore[type-arg]
) -> None:
    bus = buses[1]
    box = bus.box(1)
    assert isinstance(box, EvseDinBox)
    box.pp_limit_a = box.holding[1003] = pp
    box.config[2005] = 8192 | (0x80 if precise else 0)
    first = len(box.writes)
    extra = {} if inst is None else {"installation_max_a": inst}

    async def go() -> None:
        drv = create_charger("evse-din", config(bus, 1, **extra), PortPool())
        if (await drv.open()).max_current_a is None:
            assert pp < 6 and inst is None
            with pytest.raises(Misconfigured):
                await drv.allow_charging(1, True)
            await drv.close()
            return
        try:
            await _run(drv, steps)
        finally:
            await drv.close()

    asyncio.run(go())
    limits = [80.0] + ([float(pp)] if pp >= 6 else []) + ([inst] if inst is not None else [])
    cap = min(limits)
    unit = 0.01 if precise else 1.0
    written = [v * unit for a, v in box.writes[first:] if a == 1000]
    assert all(a <= cap + 1e-9 for a in written), (cap, written)
    if pp < 6 and inst is None:
        assert written == []
