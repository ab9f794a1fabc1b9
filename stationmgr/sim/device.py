"""The physics of a virtual charger: relay, pilot current, EV, energy registers, faults.

Pure and clock-driven: `tick(now)` integrates energy since the last tick, so the same model
runs at real speed behind a pty simulator or warped inside a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stationmgr.drivers.api import ConnectorReading
from stationmgr.sim.ev import EV


@dataclass
class VirtualConnector:
    connector: int = 1
    voltage_v: float = 230.0
    phases: int = 3
    max_current_a: float = 16.0
    current_limit_a: float = 16.0
    enabled: bool = False  # the gate: energy is offered only when enabled
    ev: EV | None = None
    fault: str | None = None
    energy_total_wh: float = 0.0  # since installation (survives reboot)
    energy_since_boot_wh: float = 0.0  # resets on reboot (Heidelberg's power-on counter)
    session_ws: float = 0.0  # since plug-in (OpenEVSE's $GU first value)
    # What the session meter counts per true Ws (OpenEVSE: one phase at its configured
    # voltage, so 1/3 on a three-phase install; 0 without an ammeter).
    session_ws_scale: float = 1.0
    charge_s: float = 0.0  # seconds with current flowing since plug-in (OpenEVSE $GS elapsed)
    power_w: float = 0.0
    plugged_since: float | None = None
    boots: int = 0
    last_tick: float | None = None
    cable_max_a: float | None = None  # the plugged cable's PP rating, when the device reads it
    told_a: list[float] = field(default_factory=list)  # every current it was told, unclamped

    @property
    def plugged(self) -> bool:
        return self.ev is not None

    @property
    def offered_w(self) -> float:
        if not self.enabled or self.fault or self.ev is None:
            return 0.0
        return self.current_limit_a * self.voltage_v * self.phases

    def tick(self, now: float) -> None:
        if self.last_tick is None:
            self.last_tick = now
        dt = max(0.0, now - self.last_tick)
        self.last_tick = now
        if self.ev is None:
            self.power_w = 0.0
            return
        # Integrate with the power decided at the previous tick, then decide the next.
        wh = self.power_w * dt / 3600.0
        if wh > 0:
            self.ev.absorb(wh)
            self.energy_total_wh += wh
            self.energy_since_boot_wh += wh
            self.session_ws += wh * 3600.0 * self.session_ws_scale
            self.charge_s += dt
        self.power_w = self.ev.demand_w(self.offered_w)

    def plug(self, ev: EV, now: float) -> None:
        self.tick(now)
        self.ev = ev
        self.plugged_since = now
        self.session_ws = 0.0
        self.charge_s = 0.0
        self.power_w = self.ev.demand_w(self.offered_w)

    def unplug(self, now: float) -> None:
        self.tick(now)
        self.ev = None
        self.plugged_since = None
        self.power_w = 0.0

    def set_enabled(self, enabled: bool, now: float) -> None:
        self.tick(now)
        self.enabled = enabled
        self.power_w = self.ev.demand_w(self.offered_w) if self.ev else 0.0

    def set_current(self, amps: float, now: float) -> None:
        self.tick(now)
        self.told_a.append(amps)
        self.current_limit_a = max(0.0, min(amps, self.max_current_a))
        self.power_w = self.ev.demand_w(self.offered_w) if self.ev else 0.0

    def reboot(self, now: float) -> None:
        """Power cycle: the gate closes, the power-on and session counters restart."""
        self.tick(now)
        self.boots += 1
        self.enabled = False
        self.energy_since_boot_wh = 0.0
        self.session_ws = 0.0
        self.power_w = 0.0

    def reading(self, register: str = "total") -> ConnectorReading:
        """What an ideal driver would decode; `register` picks the counter exposed."""
        energy = {"total": self.energy_total_wh, "boot": self.energy_since_boot_wh}[register]
        amps = self.power_w / (self.voltage_v * self.phases) if self.power_w else 0.0
        return ConnectorReading(
            connector=self.connector,
            plugged=self.plugged,
            charging=self.power_w > 0,
            allowed=self.enabled and self.fault is None,
            energy_wh=energy,
            power_w=self.power_w,
            currents_a=tuple([round(amps, 1)] * self.phases),
            voltages_v=tuple([self.voltage_v] * self.phases),
            fault=self.fault,
            raw_state=("C" if self.power_w > 0 else "B" if self.plugged else "A"),
            cable_max_a=self.cable_max_a if self.plugged else None,
        )


@dataclass
class VirtualCharger:
    """A charger with one or more connectors."""

    model: str = "virtual"
    firmware: str = "sim-1.0"
    connectors: list[VirtualConnector] = field(default_factory=lambda: [VirtualConnector()])
    silent: bool = False  # simulate a charger that stops answering
    reports_max: bool = True  # False: open() cannot tell the maximum current (EVSE-DIN, PP 0)

    def tick(self, now: float) -> None:
        for c in self.connectors:
            c.tick(now)
