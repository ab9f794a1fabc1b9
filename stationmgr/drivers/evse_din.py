"""EVSE-DIN / SimpleEVSE-WB board over Modbus RTU: the same Modbus plumbing as
`heidelberg.py`, a different register map — the map is data, the code is shared.

The board has no energy meter: readings carry state, gate and the offered current only
(`energy_wh` and `power_w` are None; sessions on it record no energy). Defaults: 9600 8N1,
~200 ms per request (evcc's SimpleEVSE driver paces the same), slave id 1, writes with
function 16 as evcc does. Gating: register 1000 (configured amps) at 0 stops, else 6…80 A.
"""

from __future__ import annotations

from typing import Any

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading
from stationmgr.drivers.modbus_link import LineSettings, ModbusDeviceError, ModbusSlave, link_for
from stationmgr.drivers.modbus_map import Block, Field, decode, encode, field
from stationmgr.errors import DeviceError, UserError

# ---------------------------------------------------------------- the register map

LINE = LineSettings(baud=9600, parity="N", turnaround_s=0.200)

FIELDS: tuple[Field, ...] = (
    Field("configured_amps", 1000, table="holding"),  # 0 = off
    Field("amps_output", 1001, table="holding"),  # the pilot's offered current
    Field("vehicle_state", 1002, table="holding"),
    Field("pp_limit", 1003, table="holding"),  # cable limit from the proximity pin
    Field("control", 1004, table="holding"),
    Field("firmware", 1005, table="holding"),
)

POLL = Block("holding", 1000, 3)
IDENTITY = Block("holding", 1000, 6)
WRITE_FUNCTION = 0x10
MIN_A, MAX_A = 6.0, 80.0

# vehicle state → (name, plugged, charging, fault)
STATES: dict[int, tuple[str, bool, bool, str | None]] = {
    1: ("ready", False, False, None),
    2: ("EV present", True, False, None),
    3: ("charging", True, True, None),
    4: ("charging with ventilation", True, True, None),
    5: ("failure", False, False, "Error"),  # e.g. diode check, RCD
}


class EvseDinCharger:
    model = "EVSE-DIN"

    def __init__(self, config: DeviceConfig, ports: Any = None) -> None:
        settings = dict(config.settings or {})
        line = LineSettings.from_settings(LINE, config.baud, settings)
        self.bus = ModbusSlave(link_for(ports, config.port, line), config.address or 1, line)
        self.port = config.port
        self.firmware: str | None = None
        self.max_a = MAX_A
        self.limit_a: float | None = None
        self.allowed_cmd: bool | None = None

    async def open(self) -> ChargerInfo:
        self.bus.attach()
        try:
            v = decode(FIELDS, IDENTITY, await self.bus.read("holding", IDENTITY.start, 6))
            if int(v["vehicle_state"]) not in STATES:
                raise DeviceError(
                    f"slave {self.bus.slave} on {self.port} is not an EVSE-DIN board "
                    f"(vehicle state {int(v['vehicle_state'])})"
                )
            self.firmware = f"rev {int(v['firmware'])}"
            pp = float(v["pp_limit"])
            self.max_a = min(MAX_A, pp) if pp >= MIN_A else MAX_A
        except ModbusDeviceError as e:  # something answers, but not with this map
            await self.bus.detach()
            raise DeviceError(
                f"slave {self.bus.slave} on {self.port} is not an EVSE-DIN board: {e}"
            ) from None
        except BaseException:
            await self.bus.detach()
            raise
        return ChargerInfo(self.model, self.firmware, 1, MIN_A, self.max_a)

    async def read(self) -> ChargerReading:
        v = decode(FIELDS, POLL, await self.bus.read("holding", POLL.start, POLL.count))
        code = int(v["vehicle_state"])
        if code not in STATES:
            raise DeviceError(f"slave {self.bus.slave}: unknown vehicle state {code}")
        name, plugged, charging, fault = STATES[code]
        conn = ConnectorReading(
            connector=1,
            plugged=plugged,
            charging=charging,
            allowed=v["configured_amps"] > 0 and fault is None,
            fault=fault,
            raw_state=f"{code} ({name})",
        )
        return ChargerReading(
            (conn,),
            firmware=self.firmware,
            extra={"offered_a": v["amps_output"], "slave": self.bus.slave},
        )

    async def close(self) -> None:
        await self.bus.detach()

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        _one(connector)
        amps = self._clamp(self.limit_a if self.limit_a is not None else self.max_a)
        await self._write("configured_amps", amps if allowed else 0)
        self.allowed_cmd = allowed

    async def set_current_limit(self, connector: int, amps: float) -> None:
        _one(connector)
        self.limit_a = self._clamp(amps)
        if self.allowed_cmd:
            await self._write("configured_amps", self.limit_a)

    def _clamp(self, amps: float) -> float:
        return float(max(MIN_A, min(self.max_a, int(amps))))  # whole amps only

    async def _write(self, name: str, value: float) -> None:
        f = field(FIELDS, name)
        await self.bus.write(f.address, encode(f, value), WRITE_FUNCTION)


def _one(connector: int) -> None:
    if connector != 1:
        raise DeviceError(f"an EVSE-DIN board has one connector, not {connector}")


def _factory(config: DeviceConfig, ports: Any) -> EvseDinCharger:
    try:
        return EvseDinCharger(config, ports)
    except (TypeError, ValueError) as e:
        raise UserError(f"evse-din charger on {config.port}: bad setting ({e})") from None


register_charger("evse-din", _factory)
