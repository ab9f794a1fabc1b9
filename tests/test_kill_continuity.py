"""Kill test (issue 15, "never lose or misattribute a charge"): `stationmgr run` is
SIGKILLed at random while OpenEVSE and Heidelberg simulators (their own processes) charge
cars that come and go, including swaps while the engine is down (car A leaves, car B plugs
in, nobody taps). Every plug-in is its own session(s) on its own card, or energy outside a
session; sessions + outside = each charger's counter advance (±1 Wh per session); 0 Wh on a
wrong card. The longer run with figures is bench/kill_continuity.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.kill_site import KillSite

KILLS = 7


@pytest.mark.timeout(400)
def test_random_kills_with_swaps_never_lose_or_misattribute_a_charge(tmp_path: Path) -> None:
    with KillSite(tmp_path, seed=15) as site:
        site.run(KILLS)
        figures = site.check()
    assert figures["kills"] == KILLS
    assert site.swaps >= 2, figures  # the seed gives swaps while the engine is down
    assert figures["problems"] == [], figures
    assert sum(b["sessions"] for b in figures["bays"].values()) >= 6
    assert "Traceback" not in site.engine_log()
