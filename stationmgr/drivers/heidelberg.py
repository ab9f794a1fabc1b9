"""Heidelberg (Amperfied) Energy Control over Modbus RTU (fact sheet:
`heidelberg-energy-control.md`; evcc's `charger/heidelberg-ec.go` confirms it on hardware).

Capabilities: Charger, Gate, CurrentLimit. Several boxes share one RS-485 bus through one
`ModbusLink` (slave id = the charger row's `address`, default 1).

Energy: the session meter is the counter *since installation* (input 17–18, VAh ≈ Wh): it
survives a power cut, so a session's energy stays right across a reboot. The counter *since
power-on* (15–16) is read in the same request and only detects reboots: when it goes
backwards, `ChargerReading.rebooted` is True once, the driver re-disables standby (and
re-applies a configured watchdog/failsafe), and the session state machine re-asserts the
gate. Setting `energy_register: power_on` uses 15–16 as the meter instead (the state
machine then counts on from the reset, see `sessions.py`).

Gating (`gate` setting): `current` (default, as evcc does) keeps register 261 at 0 until a
session may charge, then writes the allowed current; `lock` uses the remote lock 259 (a
locked box shows state F, which this driver then does not report as a fault).

Standby is disabled at connect (258 = 4), otherwise an idle box stops answering. The
watchdog (257) is read at connect (or set from the `watchdog_ms` setting); the engine polls
far faster than its 15 s default, and when a gap longer than the watchdog is seen anyway the
driver re-writes the current the box has fallen back from.

Settings (charger row `settings`): gate, energy_register, watchdog_ms, failsafe_a,
over_temperature_c, parity, turnaround_ms, timeout_ms, retries.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading
from stationmgr.drivers.modbus_link import LineSettings, ModbusDeviceError, ModbusSlave, link_for
from stationmgr.drivers.modbus_map import Block, Field, decode, encode, field
from stationmgr.errors import DeviceError, UserError

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- the register map

LINE = LineSettings(baud=19200, parity="E", turnaround_s=0.100)

FIELDS: tuple[Field, ...] = (
    Field("layout_version", 4),
    Field("state", 5),
    Field("current_l1", 6, scale=0.1),
    Field("current_l2", 7, scale=0.1),
    Field("current_l3", 8, scale=0.1),
    Field("temperature", 9, "s16", 0.1),
    Field("voltage_l1", 10),
    Field("voltage_l2", 11),
    Field("voltage_l3", 12),
    Field("external_lock", 13),  # 0 locked, 1 unlocked
    Field("power", 14),  # VA ≈ W
    Field("energy_power_on", 15, "u32"),  # VAh since power-on
    Field("energy_installed", 17, "u32"),  # VAh since installation
    Field("hw_max_current", 100),
    Field("hw_min_current", 101),
    Field("watchdog_ms", 257, table="holding"),
    Field("standby", 258, table="holding"),  # 4 = standby disabled
    Field("remote_lock", 259, table="holding"),  # 0 locked, 1 unlocked
    Field("max_current", 261, scale=0.1, table="holding"),  # 0 stops, else 6.0…16.0 A
    Field("failsafe_current", 262, scale=0.1, table="holding"),
)

POLL = Block("input", 4, 15)  # layout … energy since installation: one request per poll
LIMITS = Block("input", 100, 2)
CONFIG = Block("holding", 257, 6)  # 257…262
WRITE_FUNCTION = 0x06
STANDBY_DISABLED = 4

# state code → (name, plugged, charging, allowed)
STATES: dict[int, tuple[str, bool, bool, bool | None]] = {
    2: ("A1", False, False, False),
    3: ("A2", False, False, True),
    4: ("B1", True, False, False),
    5: ("B2", True, False, True),
    6: ("C1", True, True, False),
    7: ("C2", True, True, True),
    8: ("derating", True, True, True),  # charging at reduced current (temperature)
    9: ("E", False, False, False),
    10: ("F", False, False, False),
    11: ("error", False, False, False),
}
FAULT_STATES = {9, 10, 11}
LOCKED_STATE = 10  # a remote-locked box reports F


def layout_text(version: int) -> str:
    """0x0108 → "1.0.8" (one hex digit per part below the major byte)."""
    return f"{version >> 8}.{(version >> 4) & 0xF}.{version & 0xF}"


@dataclass
class _Options:
    gate: str = "current"
    energy_register: str = "installation"
    watchdog_ms: int | None = None
    failsafe_a: float | None = None
    over_temperature_c: float = 80.0

    @classmethod
    def parse(cls, settings: dict[str, Any]) -> _Options:
        o = cls()
        o.gate = str(settings.get("gate", o.gate))
        if o.gate not in ("current", "lock"):
            raise UserError(f"gate must be 'current' or 'lock', not {o.gate!r}")
        o.energy_register = str(settings.get("energy_register", o.energy_register))
        if o.energy_register not in ("installation", "power_on"):
            raise UserError("energy_register must be 'installation' or 'power_on'")
        if settings.get("watchdog_ms") is not None:
            o.watchdog_ms = int(settings["watchdog_ms"])
        if settings.get("failsafe_a") is not None:
            o.failsafe_a = float(settings["failsafe_a"])
        o.over_temperature_c = float(settings.get("over_temperature_c", o.over_temperature_c))
        return o


class HeidelbergCharger:
    """One Energy Control box (one connector) at a slave id on a shared bus."""

    model = "Heidelberg Energy Control"

    def __init__(self, config: DeviceConfig, ports: Any = None) -> None:
        settings = dict(config.settings or {})
        self.options = _Options.parse(settings)
        line = LineSettings.from_settings(LINE, config.baud, settings)
        self.bus = ModbusSlave(link_for(ports, config.port, line), config.address or 1, line)
        self.port = config.port
        self.layout: int | None = None
        self.min_a = 6.0
        self.max_a = 16.0
        self.watchdog_ms = 15000
        self.limit_a: float | None = None  # the current a session may draw (None: max)
        self.allowed_cmd: bool | None = None  # what we last told the box
        self._last_power_on: float | None = None  # survives close/open: reboots in a gap
        self._last_ok = 0.0

    # ---------------------------------------------------------------- Charger

    async def open(self) -> ChargerInfo:
        self.bus.attach()
        try:
            words = await self.bus.read("input", POLL.start, POLL.count)
            values = decode(FIELDS, POLL, words)
            version = int(values["layout_version"])
            if version >> 8 != 1 or int(values["state"]) not in STATES:
                raise DeviceError(
                    f"slave {self.bus.slave} on {self.port} is not a Heidelberg Energy Control "
                    f"(layout {version:#06x}, state {int(values['state'])})"
                )
            self.layout = version
            limits = decode(FIELDS, LIMITS, await self.bus.read("input", LIMITS.start, 2))
            self.max_a = float(limits["hw_max_current"]) or 16.0
            self.min_a = float(limits["hw_min_current"]) or 6.0
            await self._configure()
            self._last_ok = time.monotonic()
        except ModbusDeviceError as e:  # something answers, but not with this map
            await self.bus.detach()
            raise DeviceError(
                f"slave {self.bus.slave} on {self.port} is not a Heidelberg Energy Control: {e}"
            ) from None
        except BaseException:
            await self.bus.detach()
            raise
        return ChargerInfo(self.model, self.firmware, 1, self.min_a, self.max_a)

    async def _configure(self) -> None:
        """Keep the box awake and its watchdog known (again after a reboot)."""
        config = decode(FIELDS, CONFIG, await self.bus.read("holding", CONFIG.start, 6))
        if int(config["standby"]) != STANDBY_DISABLED:
            await self._write("standby", STANDBY_DISABLED)
        if self.options.watchdog_ms is not None and config["watchdog_ms"] != (
            self.options.watchdog_ms
        ):
            await self._write("watchdog_ms", self.options.watchdog_ms)
        self.watchdog_ms = self.options.watchdog_ms or int(config["watchdog_ms"])
        if self.options.failsafe_a is not None:
            await self._write("failsafe_current", self._clamp(self.options.failsafe_a, zero=True))
        if self.options.gate == "lock" and self.allowed_cmd is None:
            self.allowed_cmd = int(config["remote_lock"]) == 1

    @property
    def firmware(self) -> str | None:
        return None if self.layout is None else f"register layout {layout_text(self.layout)}"

    async def read(self) -> ChargerReading:
        gap_ms = (time.monotonic() - self._last_ok) * 1000.0
        if self.watchdog_ms and gap_ms > self.watchdog_ms and self.allowed_cmd:
            log.info(
                "heidelberg %s/%d: no exchange for %.0f s (watchdog %d ms): re-applying current",
                self.port,
                self.bus.slave,
                gap_ms / 1000,
                self.watchdog_ms,
            )
            await self.allow_charging(1, True)
        words = await self.bus.read("input", POLL.start, POLL.count)
        v = decode(FIELDS, POLL, words)
        self._last_ok = time.monotonic()
        rebooted = self._last_power_on is not None and v["energy_power_on"] < self._last_power_on
        self._last_power_on = v["energy_power_on"]
        if rebooted:
            log.warning(
                "heidelberg %s/%d rebooted (power-on counter restarted)", self.port, self.bus.slave
            )
            await self._configure()
        return ChargerReading(
            (self._connector(v),),
            rebooted=rebooted,
            firmware=self.firmware,
            temperature_c=v["temperature"],
            extra={
                "state_code": int(v["state"]),
                "energy_power_on_wh": v["energy_power_on"],
                "total_energy_wh": v["energy_installed"],
                "external_lock": "unlocked" if v["external_lock"] else "locked",
                "slave": self.bus.slave,
            },
        )

    def _connector(self, v: dict[str, float]) -> ConnectorReading:
        code = int(v["state"])
        if code not in STATES:
            raise DeviceError(f"slave {self.bus.slave}: unknown charging state {code}")
        name, plugged, charging, allowed = STATES[code]
        fault: str | None = None
        if code in FAULT_STATES:
            locked_by_us = (
                code == LOCKED_STATE and self.options.gate == "lock" and self.allowed_cmd is False
            )
            if locked_by_us:
                name = "F (remote lock)"
            elif v["temperature"] >= self.options.over_temperature_c:
                fault = "OverTemperature"
            else:
                fault = "Error"
        energy_key = (
            "energy_installed"
            if self.options.energy_register == "installation"
            else ("energy_power_on")
        )
        return ConnectorReading(
            connector=1,
            plugged=plugged,
            charging=charging,
            allowed=allowed,
            energy_wh=float(v[energy_key]),
            power_w=float(v["power"]),
            currents_a=(v["current_l1"], v["current_l2"], v["current_l3"]),
            voltages_v=(float(v["voltage_l1"]), float(v["voltage_l2"]), float(v["voltage_l3"])),
            fault=fault,
            raw_state=f"{code} ({name})",
        )

    async def close(self) -> None:
        await self.bus.detach()

    # ---------------------------------------------------------------- Gate, CurrentLimit

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        self._check_connector(connector)
        current = self._clamp(self.limit_a if self.limit_a is not None else self.max_a)
        if self.options.gate == "lock":
            if allowed:
                await self._write("max_current", current)
            await self._write("remote_lock", 1 if allowed else 0)
        else:
            await self._write("max_current", current if allowed else 0.0)
        self.allowed_cmd = allowed

    async def set_current_limit(self, connector: int, amps: float) -> None:
        """Remember the limit; write it at once when charging is allowed. The box takes
        6…16 A: a lower limit is raised to the hardware minimum (use the gate to stop)."""
        self._check_connector(connector)
        self.limit_a = self._clamp(amps)
        if self.allowed_cmd:
            await self._write("max_current", self.limit_a)

    # ---------------------------------------------------------------- helpers

    def _clamp(self, amps: float, zero: bool = False) -> float:
        if zero and amps <= 0:
            return 0.0
        return max(self.min_a, min(self.max_a, round(amps * 10) / 10))

    async def _write(self, name: str, value: float) -> None:
        f = field(FIELDS, name)
        await self.bus.write(f.address, encode(f, value), WRITE_FUNCTION)

    @staticmethod
    def _check_connector(connector: int) -> None:
        if connector != 1:
            raise DeviceError(f"a Heidelberg Energy Control has one connector, not {connector}")


def _factory(config: DeviceConfig, ports: Any) -> HeidelbergCharger:
    try:
        return HeidelbergCharger(config, ports)
    except (TypeError, ValueError) as e:
        raise UserError(f"heidelberg charger on {config.port}: bad setting ({e})") from None


register_charger("heidelberg", _factory)
