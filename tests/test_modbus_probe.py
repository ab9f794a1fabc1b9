"""`stationmgr probe` (in-process) against every simulated Modbus variant: it names the
layout, firmware and mode it found and writes nothing (review defect 16; issue 10 item 4)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from stationmgr.cli import main
from stationmgr.sim.modbus_boxes import HEC_LAYOUTS, EvseDinBox, HeidelbergBox, ModbusBox
from tests.modbus_site import bus_on

VARIANTS: dict[str, tuple[str, Callable[[], ModbusBox], str]] = {
    **{
        f"heidelberg-{name}": (
            "heidelberg",
            lambda v=version: HeidelbergBox(1, layout=v),
            f"register layout {name}",
        )
        for name, version in HEC_LAYOUTS.items()
    },
    "heidelberg-c1": (
        "heidelberg",
        lambda: HeidelbergBox(1, asks_when_refused=True),
        "register layout 1.0.8",
    ),
    "evse-din": ("evse-din", lambda: EvseDinBox(1), "rev 17, 1 A mode"),
    "evse-din-0.01": (
        "evse-din",
        lambda: EvseDinBox(1, firmware=18, precise=True),
        "rev 18, 0.01 A mode",
    ),
    "evse-din-pp0": ("evse-din", lambda: EvseDinBox(1, pp_limit_a=0), "rev 17, 1 A mode"),
    "evse-din-fw12": ("evse-din", lambda: EvseDinBox(1, firmware=12), "rev 12, 1 A mode"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_probe_names_the_variant_and_writes_nothing(
    variant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    driver, make, firmware = VARIANTS[variant]
    box = make()
    with bus_on([box]) as bus:
        bus.plug(1)
        assert main(["probe", driver, bus.url]) == 0
    snap = json.loads(capsys.readouterr().out)
    assert snap["firmware"] == firmware
    assert snap["connectors"][0]["plugged"] is True
    assert snap["connectors"][0]["state"] != "Charging"
    assert box.writes == []  # type: ignore[attr-defined]
