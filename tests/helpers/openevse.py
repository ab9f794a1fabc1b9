"""Waiting on a simulated OpenEVSE: until the engine has polled it again."""

from __future__ import annotations

from stationmgr.sim.openevse_sim import OpenEVSESim
from tests.helpers.wait import wait_until


def status_polls(sim: OpenEVSESim) -> int:
    return sum(1 for _, cmd in sim.st.commands if cmd == "GS")


def engine_polled(sim: OpenEVSESim, polls: int = 3, what: str = "the engine's polls") -> None:
    """Until the engine has asked the charger's status `polls` more times: it has seen the
    state the charger is in now (the first poll may have been in flight when this was
    called). Needs `sim.log_commands = True` before the engine starts."""
    assert sim.log_commands, "set sim.log_commands = True to wait for polls"
    seen = status_polls(sim)
    wait_until(lambda: status_polls(sim) >= seen + polls, what=what)
