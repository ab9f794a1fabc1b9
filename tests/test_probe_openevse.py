"""`stationmgr probe openevse PORT` on every simulated variant: it names the firmware, the
RAPI version and the heartbeat supervision it found."""

from __future__ import annotations

import json

import pytest

from stationmgr.cli import main
from stationmgr.clock import WarpClock
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint

VARIANTS = [
    ({"firmware": "8.2.3"}, "8.2.3", "5.2.1"),
    ({"firmware": "8.2.3", "heartbeat": (5, 6)}, "8.2.3", "5.2.1"),
    ({"firmware": "5.1.0"}, "D5.1.0", "4.0.1"),
    ({"firmware": "4.8.0"}, "D4.8.0", "3.0.1"),
    ({"firmware": "4.4.0"}, "D4.4.0", "2.0.3"),
    ({"echo": True}, "8.2.1", "5.2.1"),
    ({"ammeter": False}, "8.2.1", "5.2.1"),
    ({"bootlock": True}, "8.2.1", "5.2.1"),
    ({"phases": 3, "voltage_v": 230.0}, "8.2.1", "5.2.1"),
]


@pytest.mark.parametrize(("kw", "firmware", "rapi_version"), VARIANTS)
def test_probe_every_variant(
    kw: dict, firmware: str, rapi_version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(30.0), **kw).start()
    try:
        sim.plug(EV(soc=0.5))
        assert main(["probe", "openevse", sim.endpoint.name, "--timeout", "10"]) == 0
        snap = json.loads(capsys.readouterr().out)
        assert snap["firmware"] == firmware
        extra = snap["extra"]
        assert extra["rapi_version"] == rapi_version
        (c,) = snap["connectors"]
        assert c["plugged"] is True
        if "heartbeat" in kw:
            assert extra["heartbeat"] == {"interval_s": 5, "fallback_a": 6, "trigger": 0}
        elif rapi_version.startswith("5."):
            assert extra["heartbeat"]["interval_s"] == 0  # supported, off
        else:
            assert extra["heartbeat"] is None  # no $GY before RAPI 5
        if kw.get("ammeter") is False:
            assert c["power_w"] is None and extra["ammeter"] is False
        assert extra["offered_a"] == 32.0
    finally:
        sim.stop()
