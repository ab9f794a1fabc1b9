"""EVSE-DIN / SimpleEVSE-WB board over Modbus RTU (docs/devices/evse-din.md): the same
Modbus plumbing as `heidelberg.py`, a different register map — the map is data.

The board has no energy meter: readings carry state, gate and the offered current only
(`energy_wh` and `power_w` are None; sessions on it record no energy). Defaults: 9600 8N1,
~200 ms per request (as evcc paces it), slave id 1, writes with function 16 as evcc does.
Gating: register 1000 (configured current) at 0 stops, else 6…80 A.

Current unit: whole amps, or 0.01 A when register 2005 bit 7 is set — evcc and openWB set
it on firmware ≥ 17 and leave it set, so a board used before by either is in 0.01 A mode.
The mode is read at connect (firmware ≥ 17; older boards have no such bit) and every
current is written and read in it; the driver never changes the mode itself.

Maximum: the PP limit (1003, the cable's rating). A board that reads < 6 A there (tethered
cable, PP detection off) cannot tell its maximum: the maximum is then the charger's
`installation_max_a`, and without it `open()` refuses (`Misconfigured`) and nothing is ever
written. No current above min(installation_max_a, PP limit, 80 A) is written.

Failsafe: the board has none. Its registers (1000–1007, 2000–2017) hold no watchdog; the
only fallback is 2000, the current it offers after power-on (reported in `extra`). A board
whose master goes silent keeps offering what it was last told.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading, Misconfigured
from stationmgr.drivers.modbus_link import (
    LINE_SETTINGS,
    LineSettings,
    ModbusDeviceError,
    ModbusSlave,
    link_for,
)
from stationmgr.drivers.modbus_map import Block, Field, decode, encode, field
from stationmgr.errors import DeviceError, UserError

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- the register map

LINE = LineSettings(baud=9600, parity="N", turnaround_s=0.200)

FIELDS: tuple[Field, ...] = (
    Field("configured_current", 1000, table="holding"),  # 0 = off; unit: see 2005 bit 7
    Field("offered_current", 1001, table="holding"),  # the pilot's offered current
    Field("vehicle_state", 1002, table="holding"),
    Field("pp_limit", 1003, table="holding"),  # A, cable limit from the proximity pin
    Field("control", 1004, table="holding"),
    Field("firmware", 1005, table="holding"),
    Field("boot_current", 2000, table="holding"),  # current after power-on
    Field("flags", 2005, table="holding"),  # bit 7: 0.01 A mode
)

POLL = Block("holding", 1000, 3)
IDENTITY = Block("holding", 1000, 6)
BOOT = Block("holding", 2000, 1)
FLAGS = Block("holding", 2005, 1)
WRITE_FUNCTION = 0x10
MIN_A, MAX_A = 6.0, 80.0
PRECISE_BIT = 0x0080
PRECISE_FROM_FIRMWARE = 17

# vehicle state → (name, plugged, charging, fault)
STATES: dict[int, tuple[str, bool, bool, str | None]] = {
    1: ("ready", False, False, None),
    2: ("EV present", True, False, None),
    3: ("charging", True, True, None),
    4: ("charging with ventilation", True, True, None),
    5: ("failure", False, False, "Error"),  # e.g. diode check, RCD
}


class EvseDinCharger:
    """One EVSE-DIN board (one connector). Capabilities: Charger, Gate, CurrentLimit."""

    model = "EVSE-DIN"

    def __init__(self, config: DeviceConfig, ports: Any = None) -> None:
        settings = dict(config.settings or {})
        line = LineSettings.from_settings(LINE, config.baud, settings)
        self.bus = ModbusSlave(link_for(ports, config.port, line), config.address or 1, line)
        self.port = config.port
        installation = settings.get("installation_max_a")
        self.installation_max_a = None if installation is None else float(installation)
        if self.installation_max_a is not None and not math.isfinite(self.installation_max_a):
            raise ValueError("installation_max_a must be a finite number")
        self.firmware: str | None = None
        self.firmware_rev = 0
        self.unit_a = 1.0  # A per count of 1000/1001
        self.pp_a = 0.0
        self.boot_current: float | None = None
        self.max_a: float | None = None  # None: unknown (PP < 6 and no installation_max_a)
        self.read_only = False
        self.limit_a: float | None = None
        self.allowed_cmd: bool | None = None

    @property
    def mode(self) -> str:
        return "0.01 A" if self.unit_a < 1 else "1 A"

    async def open(self) -> ChargerInfo:
        """Connect and identify; `Misconfigured` when the maximum cannot be known."""
        return await self._connect(read_only=False)

    async def identify(self) -> ChargerInfo:
        """The same reads as `open()`, nothing written, no refusal (for `probe`)."""
        return await self._connect(read_only=True)

    async def _connect(self, read_only: bool) -> ChargerInfo:
        self.read_only = read_only
        self.bus.attach()
        try:
            v = decode(FIELDS, IDENTITY, await self.bus.read("holding", IDENTITY.start, 6))
            if int(v["vehicle_state"]) not in STATES:
                raise DeviceError(
                    f"slave {self.bus.slave} on {self.port} is not an EVSE-DIN board "
                    f"(vehicle state {int(v['vehicle_state'])})"
                )
            self.firmware_rev = int(v["firmware"])
            self.unit_a = 1.0
            if self.firmware_rev >= PRECISE_FROM_FIRMWARE:
                flags = decode(FIELDS, FLAGS, await self.bus.read("holding", FLAGS.start, 1))
                if int(flags["flags"]) & PRECISE_BIT:
                    self.unit_a = 0.01
            try:
                boot = decode(FIELDS, BOOT, await self.bus.read("holding", BOOT.start, 1))
                self.boot_current = float(boot["boot_current"])
            except ModbusDeviceError:  # an old board without the 2000 series
                self.boot_current = None
            self.firmware = f"rev {self.firmware_rev}, {self.mode} mode"
            self.pp_a = float(v["pp_limit"])
            self.max_a = self._maximum()
            if self.max_a is None and not read_only:
                # Reported as max_current_a None: the engine marks the bay Misconfigured,
                # and allow_charging/set_current_limit refuse (Misconfigured) on their own.
                log.error(
                    "EVSE-DIN slave %s on %s: the PP limit reads %g A, so the board cannot "
                    "tell its maximum current; set installation_max_a (the circuit's rating)",
                    self.bus.slave,
                    self.port,
                    self.pp_a,
                )
        except ModbusDeviceError as e:  # something answers, but not with this map
            await self.bus.detach()
            raise DeviceError(
                f"slave {self.bus.slave} on {self.port} is not an EVSE-DIN board: {e}"
            ) from None
        except BaseException:
            await self.bus.detach()
            raise
        # None: the board cannot tell its maximum (PP below 6 A) and no installation_max_a
        return ChargerInfo(self.model, self.firmware, 1, MIN_A, self.max_a)

    def _maximum(self) -> float | None:
        """min(installation, PP, 80 A); None when neither PP nor the installation tells."""
        limits = [MAX_A]
        if self.pp_a >= MIN_A:
            limits.append(self.pp_a)
        if self.installation_max_a is not None:
            limits.append(self.installation_max_a)
        elif self.pp_a < MIN_A:
            return None
        return min(limits)

    async def read(self) -> ChargerReading:
        v = decode(FIELDS, POLL, await self.bus.read("holding", POLL.start, POLL.count))
        code = int(v["vehicle_state"])
        if code not in STATES:
            raise DeviceError(f"slave {self.bus.slave}: unknown vehicle state {code}")
        name, plugged, charging, fault = STATES[code]
        offered = round(v["offered_current"] * self.unit_a, 2)
        conn = ConnectorReading(
            connector=1,
            plugged=plugged,
            charging=charging,
            allowed=v["configured_current"] > 0 and fault is None,
            fault=fault,
            raw_state=f"{code} ({name})",
            offered_a=offered,
        )
        extra: dict[str, object] = {
            "offered_a": offered,
            "configured_a": round(v["configured_current"] * self.unit_a, 2),
            "current_mode": self.mode,
            "pp_limit_a": self.pp_a,
            "slave": self.bus.slave,
            "failsafe": "none (the board has no watchdog)",
        }
        if self.boot_current is not None:
            extra["current_after_boot"] = self.boot_current
        if self.max_a is None:
            extra["max_current"] = "unknown: PP reads below 6 A; set installation_max_a"
        return ChargerReading((conn,), firmware=self.firmware, extra=extra)

    async def close(self) -> None:
        await self.bus.detach()

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        """Open or close the gate. Opening offers this session's limit (the last
        `set_current_limit` since the gate last closed) or the maximum min(installation,
        PP, 80 A); closing writes 0 and ends the session's limit."""
        _one(connector)
        if not allowed:
            self.limit_a = None
            await self._write_amps(0.0)
        else:
            max_a = self._max_or_refuse()
            await self._write_amps(self.limit_a if self.limit_a is not None else max_a)
        self.allowed_cmd = allowed

    async def set_current_limit(self, connector: int, amps: float) -> None:
        """This session's limit, clamped to 6…maximum; written at once while the gate is
        open, else at the next `allow_charging(True)`; it lasts until the gate closes."""
        _one(connector)
        self.limit_a = self._clamp(amps)
        if self.allowed_cmd:
            await self._write_amps(self.limit_a)

    def _max_or_refuse(self) -> float:
        if self.max_a is None or self.read_only:
            raise Misconfigured(
                f"EVSE-DIN slave {self.bus.slave} on {self.port}: no current is written "
                "(maximum unknown or opened read-only); set installation_max_a"
            )
        return self.max_a

    def _clamp(self, amps: float) -> float:
        if not math.isfinite(amps):
            raise ValueError(f"current {amps!r} is not a finite number")
        top = self._max_or_refuse()
        step = self.unit_a
        return max(MIN_A, min(top, math.floor(amps / step + 1e-9) * step))

    async def _write_amps(self, amps: float) -> None:
        if self.read_only:
            raise DeviceError(f"slave {self.bus.slave} on {self.port}: opened read-only")
        if amps > 0:
            amps = self._clamp(amps)
        f = field(FIELDS, "configured_current")
        raw = encode(Field(f.name, f.address, scale=self.unit_a, table=f.table), amps)
        await self.bus.write(f.address, raw, WRITE_FUNCTION)


def _one(connector: int) -> None:
    if connector != 1:
        raise DeviceError(f"an EVSE-DIN board has one connector, not {connector}")


def _factory(config: DeviceConfig, ports: Any) -> EvseDinCharger:
    try:
        return EvseDinCharger(config, ports)
    except (TypeError, ValueError) as e:
        raise UserError(f"evse-din charger on {config.port}: bad setting ({e})") from None


register_charger("evse-din", _factory, LINE_SETTINGS)
