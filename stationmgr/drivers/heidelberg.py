"""Heidelberg (Amperfied) Energy Control over Modbus RTU (docs/devices/heidelberg.md).

Capabilities: Charger, Gate, CurrentLimit, Failsafe. Several boxes share one RS-485 bus
through one `ModbusLink` (slave id = the charger row's `address`, default 1).

Register layouts (input 4 names the layout, e.g. 0x0108 = "1.0.8"). Only registers the
box's layout has are read, one request per documented range, never across the undocumented
holding 260: input 14 (power) exists from 1.0.4, input 17–18 (energy since installation)
from 1.0.7. Boxes before 1.0.8 refuse a block read of holding 257–262 and cannot read
258/259 (wbec issue #3): they are read one register at a time and 258/259 are skipped.

Energy: the session meter is the counter since installation (17–18, VAh billed as Wh): it
survives a power cut. A layout without 17–18 falls back to the counter since power-on
(15–16), which restarts at 0 when the box loses power; the reading says so in
`extra["energy_meter"]` and the session machine counts on across the reset.

Reboots: the power-on counter going backwards, or the configuration the driver wrote found
lost at a periodic check (standby 258 back on where readable, the watchdog 257 back at a
value we did not write, 261 not what we wrote). The driver keeps 257 off the factory default
15000 ms (it writes 15001 instead) so that even a box whose power-on counter was 0 shows it
rebooted. On a reboot `ChargerReading.rebooted` is True once, standby is disabled again, the
watchdog/failsafe re-applied and the current re-written.

Gating (`gate` setting): `current` (default, as evcc does) keeps 261 at 0 until a session
may charge; `lock` uses the remote lock 259 (a locked box shows F and needs ≥ ~10 s to leave
it again, evcc notes; `current` avoids that). State C1 (6: the car asks, the box does not
allow) is not charging.

Failsafe: 257 (ms without any request) and 262 (0.1 A, 0 = stop). Any request feeds the
watchdog, so the engine's normal polling keeps it fed. Defaults come from the common
`offline`/`offline_current_a` settings; `watchdog_ms`/`failsafe_a` override them.

`probe` uses `identify()`: the same reads as `open()`, nothing written.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading
from stationmgr.drivers.modbus_link import (
    LINE_SETTINGS,
    LineSettings,
    ModbusDeviceError,
    ModbusSlave,
    link_for,
)
from stationmgr.drivers.modbus_map import Block, Field, decode, encode, field
from stationmgr.drivers.options import Setting
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
    Field("power", 14),  # VA ≈ W, from layout 1.0.4
    Field("energy_power_on", 15, "u32"),  # VAh since power-on
    Field("energy_installed", 17, "u32"),  # VAh since installation, from layout 1.0.7
    Field("hw_max_current", 100),
    Field("hw_min_current", 101),
    Field("watchdog_ms", 257, table="holding"),
    Field("standby", 258, table="holding"),  # 4 = standby disabled
    Field("remote_lock", 259, table="holding"),  # 0 locked, 1 unlocked
    Field("max_current", 261, scale=0.1, table="holding"),  # 0 stops, else 6.0…16.0 A
    Field("failsafe_current", 262, scale=0.1, table="holding"),
)

IDENT = Block("input", 4, 2)  # layout and state: every layout has them
LIMITS = Block("input", 100, 2)
WRITE_FUNCTION = 0x06
STANDBY_DISABLED = 4
FACTORY_WATCHDOG_MS = 15000  # what 257 holds after power-on
MARKED_WATCHDOG_MS = 15001  # written instead of 15000, so a reset to the default shows
POWER_FROM = 0x0104  # input 14
ENERGY_INSTALLED_FROM = 0x0107  # input 17–18
HOLDING_BLOCKS_FROM = 0x0108  # block reads of 257–259 / 261–262; 258/259 readable
CONFIG_CHECK_POLLS = 30  # every Nth poll also reads the holding registers (~+7 % bus time)

# state code → (name, plugged, charging, allowed)
STATES: dict[int, tuple[str, bool, bool, bool | None]] = {
    2: ("A1", False, False, False),
    3: ("A2", False, False, True),
    4: ("B1", True, False, False),
    5: ("B2", True, False, True),
    6: ("C1", True, False, False),  # the car asks, the box does not allow: no energy
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


def input_blocks(layout: int) -> tuple[Block, ...]:
    """The poll's requests for a layout: one per documented range of input registers."""
    if layout >= ENERGY_INSTALLED_FROM:
        return (Block("input", 4, 15),)  # 4…18
    if layout >= POWER_FROM:
        return (Block("input", 4, 13),)  # 4…16
    return (Block("input", 4, 10), Block("input", 15, 2))  # 4…13, 15…16 (no 14)


POLL = input_blocks(0x0108)[0]  # a current box's poll: one request, input 4…18


def holding_blocks(layout: int) -> tuple[Block, ...]:
    """The configuration reads: 257–259 and 261–262 (never 260) on 1.0.8; before that one
    register per request and no 258/259, which those boxes cannot read."""
    if layout >= HOLDING_BLOCKS_FROM:
        return (Block("holding", 257, 3), Block("holding", 261, 2))
    return (Block("holding", 257, 1), Block("holding", 261, 1), Block("holding", 262, 1))


@dataclass
class _Options:
    gate: str = "current"
    energy_register: str = "installation"
    watchdog_ms: int | None = None
    failsafe_a: float | None = None
    over_temperature_c: float = 80.0
    installation_max_a: float | None = None
    offline: str = "stop"
    offline_current_a: float = 6.0

    @classmethod
    def parse(cls, settings: dict[str, Any]) -> _Options:
        """From settings already checked against SETTINGS (typed, defaults filled)."""
        o = cls()
        o.gate = settings.get("gate") or o.gate
        o.energy_register = settings.get("energy_register") or o.energy_register
        o.watchdog_ms = settings.get("watchdog_ms")
        o.failsafe_a = settings.get("failsafe_a")
        if settings.get("over_temperature_c") is not None:
            o.over_temperature_c = float(settings["over_temperature_c"])
        if settings.get("installation_max_a") is not None:
            o.installation_max_a = float(settings["installation_max_a"])
        o.offline = settings.get("offline") or o.offline
        if settings.get("offline_current_a") is not None:
            o.offline_current_a = float(settings["offline_current_a"])
        for name in ("failsafe_a", "installation_max_a", "offline_current_a"):
            value = getattr(o, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number")
        return o


SETTINGS: tuple[Setting, ...] = (
    Setting("gate", str, "current", choices=("current", "lock"), doc="how a bay is gated"),
    Setting(
        "energy_register",
        str,
        "installation",
        choices=("installation", "power_on"),
        doc="which counter is the session meter (layouts < 1.0.7 only have power_on)",
    ),
    Setting(
        "watchdog_ms",
        int,
        None,
        0,
        65535,
        doc="register 257: silence before the failsafe (0 off; default 15 s)",
    ),
    Setting(
        "failsafe_a",
        float,
        None,
        0,
        16,
        doc="register 262: current after the watchdog (0 stops; default from 'offline')",
    ),
    Setting("over_temperature_c", float, 80.0, 30, 120, doc="temperature reported as a fault"),
    *LINE_SETTINGS,
)


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
        self.read_only = False  # identify(): never write anything
        self.min_a = 6.0
        self.max_a = 16.0  # the box's hardware maximum (input 100)
        self.limit_a: float | None = None  # this session's limit (None: the maximum)
        self.allowed_cmd: bool | None = None  # what we last told the box
        self.written_current: int | None = None  # raw 261 as we last wrote it
        self.config_check_every = CONFIG_CHECK_POLLS
        fallback = 0.0 if self.options.offline == "stop" else self.options.offline_current_a
        if self.options.failsafe_a is not None:
            fallback = self.options.failsafe_a
        timeout_ms = self.options.watchdog_ms
        self.failsafe_ms = FACTORY_WATCHDOG_MS if timeout_ms is None else timeout_ms
        self.failsafe_a = fallback
        self.watchdog_ms = FACTORY_WATCHDOG_MS  # what the box holds (read at connect)
        self.config: dict[str, float] = {}  # the holding registers as last read
        self._polls = 0
        self._last_power_on: float | None = None  # survives close/open: reboots in a gap
        self._last_ok = 0.0
        self._meter_warned = False

    # ---------------------------------------------------------------- Charger

    @property
    def cap_a(self) -> float:
        """No current above this is ever written: min(installation, hardware max)."""
        cap = self.max_a
        if self.options.installation_max_a is not None:
            cap = min(cap, self.options.installation_max_a)
        return cap

    async def open(self) -> ChargerInfo:
        """Connect, identify, disable standby and set the watchdog/failsafe."""
        return await self._connect(read_only=False)

    async def identify(self) -> ChargerInfo:
        """What `open()` reads, and nothing written (for `probe`); `read()` stays read-only."""
        return await self._connect(read_only=True)

    async def _connect(self, read_only: bool) -> ChargerInfo:
        self.read_only = read_only
        self.bus.attach()
        try:
            v = decode(FIELDS, IDENT, await self.bus.read("input", IDENT.start, IDENT.count))
            version = int(v["layout_version"])
            if version >> 8 != 1 or int(v["state"]) not in STATES:
                raise DeviceError(
                    f"slave {self.bus.slave} on {self.port} is not a Heidelberg Energy Control "
                    f"(layout {version:#06x}, state {int(v['state'])})"
                )
            self.layout = version
            limits = decode(FIELDS, LIMITS, await self.bus.read("input", LIMITS.start, 2))
            self.max_a = float(limits["hw_max_current"]) or 16.0
            self.min_a = float(limits["hw_min_current"]) or 6.0
            await self._read_config()
            self._polls = 1  # just read: the next check is CONFIG_CHECK_POLLS polls away
            self.watchdog_ms = int(self.config["watchdog_ms"])
            if not read_only:
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
        return ChargerInfo(self.model, self.firmware, 1, self.min_a, self.cap_a)

    async def _read_config(self) -> dict[str, float]:
        assert self.layout is not None
        values: dict[str, float] = {}
        for b in holding_blocks(self.layout):
            values.update(decode(FIELDS, b, await self.bus.read("holding", b.start, b.count)))
        self.config = values
        return values

    async def _configure(self) -> None:
        """Keep the box awake and supervised (again after a reboot)."""
        if self.config.get("standby") != STANDBY_DISABLED:  # unreadable before 1.0.8: write
            await self._write("standby", STANDBY_DISABLED)
        await self._apply_failsafe()
        if (
            self.options.gate == "lock"
            and self.allowed_cmd is None
            and "remote_lock" in (self.config)
        ):
            self.allowed_cmd = int(self.config["remote_lock"]) == 1

    async def _apply_failsafe(self) -> None:
        wanted = self.failsafe_ms
        if wanted == FACTORY_WATCHDOG_MS:
            wanted = MARKED_WATCHDOG_MS  # same behaviour, but a reset to default shows
        if self.config.get("watchdog_ms") != wanted:
            await self._write("watchdog_ms", wanted)
            self.config["watchdog_ms"] = wanted
        self.watchdog_ms = wanted
        fallback = self._fallback_raw()
        if self.config.get("failsafe_current") is None or (
            round(self.config["failsafe_current"] * 10) != fallback
        ):
            await self._write_raw("failsafe_current", fallback)
            self.config["failsafe_current"] = fallback / 10.0

    def _fallback_raw(self) -> int:
        amps = self.failsafe_a
        if amps <= 0:
            return 0
        return encode(field(FIELDS, "failsafe_current"), self._clamp(amps))

    @property
    def firmware(self) -> str | None:
        return None if self.layout is None else f"register layout {layout_text(self.layout)}"

    @property
    def meter(self) -> str:
        """Which counter is the session meter on this box."""
        if self.options.energy_register == "power_on":
            return "power_on"
        if self.layout is not None and self.layout < ENERGY_INSTALLED_FROM:
            return "power_on"  # the layout has no counter since installation
        return "installation"

    async def read(self) -> ChargerReading:
        if self.layout is None:
            raise DeviceError(f"slave {self.bus.slave} on {self.port}: read before open")
        gap_ms = (time.monotonic() - self._last_ok) * 1000.0
        if (
            not self.read_only
            and self.watchdog_ms
            and gap_ms > self.watchdog_ms
            and self.allowed_cmd
        ):
            log.info(
                "heidelberg %s/%d: no exchange for %.0f s (watchdog %d ms): re-applying current",
                self.port,
                self.bus.slave,
                gap_ms / 1000,
                self.watchdog_ms,
            )
            await self.allow_charging(1, True)
        v: dict[str, float] = {}
        for b in input_blocks(self.layout):
            v.update(decode(FIELDS, b, await self.bus.read("input", b.start, b.count)))
        self._last_ok = time.monotonic()
        rebooted = self._last_power_on is not None and v["energy_power_on"] < self._last_power_on
        self._last_power_on = v["energy_power_on"]
        why = "power-on counter restarted" if rebooted else ""
        checked = self._polls % max(1, self.config_check_every) == 0
        self._polls += 1
        if checked:
            await self._read_config()
            lost = self._config_lost()
            if lost and not rebooted:
                rebooted, why = True, lost
        if rebooted:
            log.warning("heidelberg %s/%d rebooted (%s)", self.port, self.bus.slave, why)
            if not self.read_only:
                if not checked:  # what the box holds now, not before it rebooted
                    await self._read_config()
                await self._configure()
                if self.allowed_cmd is not None:
                    await self.allow_charging(1, self.allowed_cmd)
        extra: dict[str, object] = {
            "state_code": int(v["state"]),
            "layout": layout_text(self.layout),
            "energy_power_on_wh": v["energy_power_on"],
            "energy_meter": self.meter,
            "external_lock": "unlocked" if v["external_lock"] else "locked",
            "slave": self.bus.slave,
        }
        if "energy_installed" in v:
            extra["total_energy_wh"] = v["energy_installed"]
        if self.meter == "power_on" and self.layout < ENERGY_INSTALLED_FROM:
            extra["energy_note"] = (
                f"layout {layout_text(self.layout)} has no energy since installation (17-18): "
                "the meter is the power-on counter (15-16), which restarts at a power cut"
            )
            if not self._meter_warned:
                self._meter_warned = True
                log.warning("heidelberg %s/%d: %s", self.port, self.bus.slave, extra["energy_note"])
        if checked:
            extra["watchdog_ms"] = int(self.config["watchdog_ms"])
            extra["failsafe_a"] = self.config["failsafe_current"]
            if "standby" in self.config:
                extra["standby"] = int(self.config["standby"])
        return ChargerReading(
            (self._connector(v, self.config.get("max_current") if checked else None),),
            rebooted=rebooted,
            firmware=self.firmware,
            temperature_c=v["temperature"],
            extra=extra,
        )

    def _config_lost(self) -> str:
        """Why the box's configuration is not what we left (a reboot), or ""."""
        if self.read_only:
            return ""
        c = self.config
        if "standby" in c and int(c["standby"]) != STANDBY_DISABLED:
            return "standby enabled again"
        if int(c["watchdog_ms"]) != self.watchdog_ms:
            return f"watchdog {int(c['watchdog_ms'])} ms, we wrote {self.watchdog_ms} ms"
        raw = round(c["max_current"] * 10)
        if self.written_current is not None and raw != self.written_current:
            return f"max current {raw / 10:g} A, we wrote {self.written_current / 10:g} A"
        return ""

    def _connector(self, v: dict[str, float], offered: float | None = None) -> ConnectorReading:
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
        energy_key = "energy_installed" if self.meter == "installation" else "energy_power_on"
        power = v.get("power")
        if power is None:  # layout < 1.0.4: no power register; computed from U × I
            power = sum(v[f"current_l{i}"] * v[f"voltage_l{i}"] for i in (1, 2, 3))
        return ConnectorReading(
            connector=1,
            plugged=plugged,
            charging=charging,
            allowed=allowed,
            energy_wh=float(v[energy_key]),
            power_w=float(power),
            currents_a=(v["current_l1"], v["current_l2"], v["current_l3"]),
            voltages_v=(float(v["voltage_l1"]), float(v["voltage_l2"]), float(v["voltage_l3"])),
            fault=fault,
            raw_state=f"{code} ({name})",
            offered_a=offered,
        )

    async def close(self) -> None:
        await self.bus.detach()

    # ---------------------------------------------------------------- Gate, CurrentLimit

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        """Open or close the gate. Opening offers this session's limit (the last
        `set_current_limit` since the gate was last closed) or, without one, the maximum
        min(installation_max_a, hardware max). Closing also ends the session's limit: the
        next session starts from the maximum unless it sets its own."""
        self._check_connector(connector)
        if not allowed:
            self.limit_a = None
        current = self._clamp(self.limit_a if self.limit_a is not None else self.cap_a)
        if self.options.gate == "lock":
            if allowed:
                await self._write_current(current)
            await self._write("remote_lock", 1 if allowed else 0)
        else:
            await self._write_current(current if allowed else 0.0)
        self.allowed_cmd = allowed

    async def set_current_limit(self, connector: int, amps: float) -> None:
        """This session's limit, clamped to 6…min(installation, hardware max) A; written at
        once while the gate is open, else at the next `allow_charging(True)`. It lasts until
        the gate closes (the engine sends one at each session start)."""
        self._check_connector(connector)
        self.limit_a = self._clamp(amps)
        if self.allowed_cmd:
            await self._write_current(self.limit_a)

    # ---------------------------------------------------------------- Failsafe

    async def set_failsafe(self, timeout_s: float, fallback_a: float) -> None:
        """Watchdog 257 = `timeout_s` (0: off), failsafe current 262 = `fallback_a` (0: the
        box stops; else clamped to 6…min(installation, hardware max) A)."""
        if not (math.isfinite(timeout_s) and math.isfinite(fallback_a)):
            raise ValueError("failsafe timeout and current must be finite numbers")
        if not 0 <= timeout_s <= 65.535 or fallback_a < 0:
            raise ValueError(f"failsafe {timeout_s} s / {fallback_a} A out of range")
        self.failsafe_ms = round(timeout_s * 1000)
        self.failsafe_a = float(fallback_a)
        if self.layout is not None and not self.read_only:
            await self._apply_failsafe()

    # ---------------------------------------------------------------- helpers

    def _clamp(self, amps: float) -> float:
        if not math.isfinite(amps):
            raise ValueError(f"current {amps!r} is not a finite number")
        return max(self.min_a, min(self.cap_a, math.floor(amps * 10 + 1e-9) / 10))

    async def _write_current(self, amps: float) -> None:
        raw = encode(field(FIELDS, "max_current"), amps)
        await self._write_raw("max_current", raw)
        self.written_current = raw

    async def _write(self, name: str, value: float) -> None:
        await self._write_raw(name, encode(field(FIELDS, name), value))

    async def _write_raw(self, name: str, raw: int) -> None:
        if self.read_only:
            raise DeviceError(f"slave {self.bus.slave} on {self.port}: opened read-only")
        await self.bus.write(field(FIELDS, name).address, raw, WRITE_FUNCTION)

    @staticmethod
    def _check_connector(connector: int) -> None:
        if connector != 1:
            raise DeviceError(f"a Heidelberg Energy Control has one connector, not {connector}")


def _factory(config: DeviceConfig, ports: Any) -> HeidelbergCharger:
    try:
        return HeidelbergCharger(config, ports)
    except (TypeError, ValueError) as e:
        raise UserError(f"heidelberg charger on {config.port}: bad setting ({e})") from None


register_charger("heidelberg", _factory, SETTINGS)
