"""An in-process charger: the driver for a `VirtualCharger` living in the same process.

Port `inproc://NAME` names a charger in `VIRTUAL_CHARGERS`. It implements the same
capabilities as a real driver without any wire, for engine tests and quick demos; the
protocol drivers and their simulators test the bytes.
"""

from __future__ import annotations

from dataclasses import replace

from stationmgr.clock import Clock, SystemClock
from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading
from stationmgr.drivers.options import Setting
from stationmgr.errors import DeviceError
from stationmgr.sim.device import VirtualCharger, VirtualConnector

VIRTUAL_CHARGERS: dict[str, VirtualCharger] = {}
CLOCK: list[Clock] = [SystemClock()]  # the clock virtual chargers integrate energy by


class InProcCharger:
    """Driver for a VirtualCharger in this process (status, gate, current limit)."""

    def __init__(self, name: str, register: str = "total", proof: bool = True) -> None:
        self.name = name
        self.register = register
        self.proof = proof  # report the plug-in's clock and energy (continuity proof)
        self._rebooted_seen = 0

    @property
    def device(self) -> VirtualCharger:
        try:
            dev = VIRTUAL_CHARGERS[self.name]
        except KeyError:
            raise DeviceError(f"no virtual charger named {self.name!r}") from None
        if dev.silent:
            raise DeviceError(f"virtual charger {self.name!r} does not answer")
        return dev

    async def open(self) -> ChargerInfo:
        dev = self.device
        self._rebooted_seen = sum(c.boots for c in dev.connectors)
        c = dev.connectors[0]
        max_a = c.max_current_a if dev.reports_max else None
        return ChargerInfo(dev.model, dev.firmware, len(dev.connectors), 6.0, max_a)

    async def read(self) -> ChargerReading:
        dev = self.device
        dev.tick(CLOCK[0].now())
        boots = sum(c.boots for c in dev.connectors)
        rebooted = boots != self._rebooted_seen
        self._rebooted_seen = boots
        return ChargerReading(
            tuple(self._reading(c) for c in dev.connectors),
            rebooted=rebooted,
            firmware=dev.firmware,
        )

    def _reading(self, c: VirtualConnector) -> ConnectorReading:
        """The connector's reading, with the plug-in's own clock and energy as proof of
        continuity (like OpenEVSE's `$GS`/`$GU`) unless `proof` is off."""
        r = c.reading(self.register)
        if not self.proof:
            return r
        since = c.plugged_since
        return replace(
            r,
            session_elapsed_s=None if since is None else max(0.0, CLOCK[0].now() - since),
            session_energy_wh=c.session_ws / 3600.0,
        )

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        self.device.connectors[connector - 1].set_enabled(allowed, CLOCK[0].now())

    async def set_current_limit(self, connector: int, amps: float) -> None:
        self.device.connectors[connector - 1].set_current(amps, CLOCK[0].now())

    async def close(self) -> None:
        return None


def _factory(config: DeviceConfig, _ports: object) -> InProcCharger:
    name = config.port.removeprefix("inproc://")
    s = config.settings
    return InProcCharger(name, s.get("register") or "total", s.get("proof", True) is not False)


register_charger(
    "inproc",
    _factory,
    (
        Setting("register", str, "total", choices=("total", "boot"), doc="meter source"),
        Setting("proof", bool, True, doc="report the plug-in's clock and energy (continuity)"),
    ),
)
