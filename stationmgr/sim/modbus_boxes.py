"""Virtual Modbus charger boxes: register maps over a `VirtualConnector`'s physics.

A box answers decoded requests (`stationmgr.sim.rtu.Request`) from its own register tables.
It knows nothing about pymodbus or the drivers; the register numbers are typed in here again
from the fact sheet on purpose, so a wrong number in a driver shows up as a test failure
instead of agreeing with itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from stationmgr.sim import rtu
from stationmgr.sim.device import VirtualConnector
from stationmgr.sim.ev import EV


@dataclass
class BoxFaults:
    """Faults armed on one box; counts are consumed reply by reply."""

    silent: bool = False  # answers nothing (powered off, cable cut, standby)
    silent_until: float = 0.0  # monotonic deadline of a temporary silence (a reboot)
    garbage: int = 0  # next N replies replaced by noise
    bad_crc: int = 0  # next N replies with a broken CRC


class ModbusBox:
    """Common request handling: read/write by table, exceptions, the watchdog."""

    model = "modbus"
    write_functions = (rtu.WRITE_SINGLE, rtu.WRITE_MULTIPLE)
    input_readable: frozenset[int] = frozenset()

    def __init__(self, slave: int, connector: VirtualConnector | None = None) -> None:
        self.slave = slave
        self.connector = connector or VirtualConnector()
        self.faults = BoxFaults()
        self.lock = threading.RLock()
        self.holding: dict[int, int] = {}
        self.requests = 0
        self.last_request_mono = time.monotonic()

    # ---- what subclasses describe
    def input_registers(self) -> dict[int, int]:
        return {}

    def holding_registers(self) -> dict[int, int]:
        return dict(self.holding)

    def write_register(self, address: int, value: int, now: float) -> int | None:
        """Apply a write; returns an exception code when the device refuses it."""
        return rtu.ILLEGAL_DATA_ADDRESS

    def before_request(self, now: float) -> None:
        """Housekeeping on every request addressed to this box (watchdog, standby)."""

    def housekeeping(self, now: float) -> None:
        """What the box does by itself as time passes (called by the bus on every turn)."""

    # ---- the shared part
    def answers(self) -> bool:
        f = self.faults
        return not f.silent and time.monotonic() >= f.silent_until

    def handle(self, req: rtu.Request, now: float) -> bytes | None:
        """The reply frame (before wire faults), or None for no reply."""
        with self.lock:
            if not self.answers():
                return None
            self.before_request(now)
            if not self.answers():  # housekeeping may have put the box to sleep
                return None
            self.requests += 1
            self.last_request_mono = time.monotonic()
            self.connector.tick(now)
            reply = self._dispatch(req, now)
            return None if req.slave == 0 else reply

    def _dispatch(self, req: rtu.Request, now: float) -> bytes:
        fc, slave = req.function, req.slave
        if fc in (rtu.READ_INPUT, rtu.READ_HOLDING):
            if not 1 <= req.count <= rtu.MAX_READ:
                return rtu.exception_reply(slave, fc, rtu.ILLEGAL_DATA_VALUE)
            table = self.input_registers() if fc == rtu.READ_INPUT else self.holding_registers()
            wanted = range(req.address, req.address + req.count)
            if any(a not in table for a in wanted):
                return rtu.exception_reply(slave, fc, rtu.ILLEGAL_DATA_ADDRESS)
            return rtu.read_reply(slave, fc, [table[a] for a in wanted])
        if fc in self.write_functions and fc == rtu.WRITE_SINGLE:
            code = self.write_register(req.address, req.values[0], now)
            if code:
                return rtu.exception_reply(slave, fc, code)
            return rtu.write_single_reply(slave, req.address, req.values[0])
        if fc in self.write_functions and fc == rtu.WRITE_MULTIPLE:
            if not 1 <= req.count <= rtu.MAX_WRITE:
                return rtu.exception_reply(slave, fc, rtu.ILLEGAL_DATA_VALUE)
            writable = self.holding_registers()
            if any(a not in writable for a in range(req.address, req.address + req.count)):
                return rtu.exception_reply(slave, fc, rtu.ILLEGAL_DATA_ADDRESS)
            for i, value in enumerate(req.values):
                code = self.write_register(req.address + i, value, now)
                if code:
                    return rtu.exception_reply(slave, fc, code)
            return rtu.write_multiple_reply(slave, req.address, req.count)
        return rtu.exception_reply(slave, fc, rtu.ILLEGAL_FUNCTION)

    # ---- the physical world (control API; thread-safe)
    def plug(self, now: float, ev: EV | None = None) -> None:
        with self.lock:
            self.connector.plug(ev or EV(), now)

    def unplug(self, now: float) -> None:
        with self.lock:
            self.connector.unplug(now)

    def set_fault(self, word: str | None, now: float) -> None:
        with self.lock:
            self.connector.tick(now)
            self.connector.fault = word
            self.connector.set_enabled(self.connector.enabled, now)

    def reboot(self, now: float, boot_s: float = 0.0) -> None:
        """Power cycle: counters since power-on restart, volatile registers reset."""
        with self.lock:
            self.connector.reboot(now)
            self.faults.silent_until = time.monotonic() + boot_s
            self.power_on()

    def power_on(self) -> None:
        """Volatile registers as after power-on."""


# ----------------------------------------------------------------- Heidelberg Energy Control

HEC_LAYOUT_VERSION = 0x0108  # "1.0.8"
HEC_LAYOUTS = {"1.0.3": 0x0103, "1.0.4": 0x0104, "1.0.7": 0x0107, "1.0.8": 0x0108}
HEC_STATE = {"A1": 2, "A2": 3, "B1": 4, "B2": 5, "C1": 6, "C2": 7, "E": 9, "F": 10, "error": 11}
HEC_FACTORY_WATCHDOG_MS = 15000


class HeidelbergBox(ModbusBox):
    """Heidelberg Energy Control (docs/devices/heidelberg.md), as strict as the boxes.

    `layout` (input 4): registers the layout does not have answer exception 02 — input 14
    before 1.0.4, input 17–18 before 1.0.7 — and before 1.0.8 a holding read of more than
    one register, or of 258/259, is refused too (wbec issue #3). The undocumented holding
    260 is never answered. `asks_when_refused`: a car that wants energy while the box does
    not allow it shows C1 (6) with 0 A, as real cars do, instead of B1.

    Sim choices the sources leave open: after power-on 261 is 0 (the box waits for the
    master), 257 is back at 15000 ms and 258 at 0 (standby on), 262 at 0; the remote lock
    (259 = 0) shows state F, as evcc observes; with standby enabled the box falls asleep —
    stops answering — after `standby_after_s` of clock time without a vehicle; the watchdog
    (257, ms of real time without a request to this box) drops 261 to the failsafe current
    (262), checked by time (`housekeeping`) even when the master is silent."""

    model = "heidelberg"

    def __init__(
        self,
        slave: int,
        connector: VirtualConnector | None = None,
        standby_after_s: float = 600.0,
        layout: int = HEC_LAYOUT_VERSION,
        asks_when_refused: bool = False,
    ) -> None:
        super().__init__(slave, connector)
        self.connector.max_current_a = 16.0
        self.standby_after_s = standby_after_s
        self.layout = layout
        self.asks_when_refused = asks_when_refused
        self.error_state: int | None = None  # 9 (E), 10 (F) or 11 (error) while faulted
        self.temperature_c = 25.0
        self.external_lock = 1  # 1 unlocked (the key switch)
        self.asleep = False
        self.vacant_since: float | None = None
        self.watchdog_trips = 0
        self.writes: list[tuple[int, int]] = []  # (register, value) as written, in order
        self.power_on()

    def variant(self) -> str:
        c1 = ", C1 when refused" if self.asks_when_refused else ""
        return f"layout {self.layout >> 8}.{(self.layout >> 4) & 0xF}.{self.layout & 0xF}{c1}"

    def power_on(self) -> None:
        self.last_request_mono = time.monotonic()  # the watchdog counts from power-on
        self.holding = {257: HEC_FACTORY_WATCHDOG_MS, 258: 0, 259: 1, 261: 0, 262: 0}
        self.asleep = False
        self.vacant_since = None
        self._apply_gate(self.connector.last_tick)

    def holding_registers(self) -> dict[int, int]:
        return dict(self.holding)

    def _dispatch(self, req: rtu.Request, now: float) -> bytes:
        if req.function == rtu.READ_HOLDING and self.layout < 0x0108:
            wanted = range(req.address, req.address + req.count)
            if req.count != 1 or any(a in (258, 259) for a in wanted):
                return rtu.exception_reply(req.slave, req.function, rtu.ILLEGAL_DATA_ADDRESS)
        return super()._dispatch(req, now)

    def _allowed(self) -> bool:
        return self.holding[261] > 0 and self.holding[259] == 1 and self.external_lock == 1

    def _apply_gate(self, now: float | None) -> None:
        c = self.connector
        if now is None:  # never ticked yet: nothing to integrate
            if self.holding[261]:
                c.current_limit_a = min(self.holding[261] / 10.0, c.max_current_a)
            c.enabled = self._allowed()
            return
        if self.holding[261]:
            c.set_current(self.holding[261] / 10.0, now)
        c.set_enabled(self._allowed(), now)

    def car_asks(self) -> bool:
        ev = self.connector.ev
        return ev is not None and not ev.paused and not ev.full

    def state_code(self) -> int:
        c = self.connector
        if self.error_state is not None:
            return self.error_state
        if self.holding[259] == 0:
            return HEC_STATE["F"]
        allowed = self._allowed()
        if not allowed and c.plugged and self.asks_when_refused and self.car_asks():
            return HEC_STATE["C1"]
        digit = "2" if allowed else "1"
        letter = "C" if c.power_w > 0 else "B" if c.plugged else "A"
        return HEC_STATE[letter + digit]

    def input_registers(self) -> dict[int, int]:
        c = self.connector
        amps = c.power_w / (c.voltage_v * c.phases) if c.power_w else 0.0
        currents = [round(amps * 10)] * c.phases + [0] * (3 - c.phases)
        volts = [round(c.voltage_v)] * c.phases + [0] * (3 - c.phases)
        temp = round((self.temperature_c + c.power_w / 1000.0) * 10) & 0xFFFF
        boot = int(c.energy_since_boot_wh) & 0xFFFFFFFF
        total = int(c.energy_total_wh) & 0xFFFFFFFF
        regs = {
            4: self.layout,
            5: self.state_code(),
            6: currents[0],
            7: currents[1],
            8: currents[2],
            9: temp,
            10: volts[0],
            11: volts[1],
            12: volts[2],
            13: self.external_lock,
            14: min(0xFFFF, round(c.power_w)),
            15: boot >> 16,
            16: boot & 0xFFFF,
            17: total >> 16,
            18: total & 0xFFFF,
            100: round(c.max_current_a),
            101: 6,
        }
        if self.layout < 0x0104:
            del regs[14]
        if self.layout < 0x0107:
            del regs[17], regs[18]
        return regs

    def write_register(self, address: int, value: int, now: float) -> int | None:
        valid = {
            257: lambda v: True,
            258: lambda v: v in (0, 4),
            259: lambda v: v in (0, 1),
            261: lambda v: v == 0 or 60 <= v <= 160,
            262: lambda v: v == 0 or 60 <= v <= 160,
        }
        if address not in valid:
            return rtu.ILLEGAL_DATA_ADDRESS
        if not valid[address](value):
            return rtu.ILLEGAL_DATA_VALUE
        self.holding[address] = value
        self.writes.append((address, value))
        if address in (259, 261):
            self._apply_gate(now)
        return None

    def housekeeping(self, now: float) -> None:
        """The watchdog, by time: called by the bus on every turn, with or without requests
        (a box whose master went silent falls back all the same)."""
        with self.lock:
            self._watchdog(now)

    def _watchdog(self, now: float) -> None:
        wd = self.holding[257]
        idle_ms = (time.monotonic() - self.last_request_mono) * 1000.0
        if wd and idle_ms > wd and self.holding[261] != self.holding[262]:
            self.watchdog_trips += 1
            self.holding[261] = self.holding[262]
            self._apply_gate(now)

    def before_request(self, now: float) -> None:
        c = self.connector
        self._watchdog(now)
        # Standby: only when the master did not disable it and no vehicle is there.
        if c.plugged:
            self.vacant_since = None
        elif self.vacant_since is None:
            self.vacant_since = now
        if (
            self.holding[258] != 4
            and self.vacant_since is not None
            and now - self.vacant_since >= self.standby_after_s
        ):
            self.asleep = True

    def answers(self) -> bool:
        return super().answers() and not self.asleep

    def plug(self, now: float, ev: EV | None = None) -> None:
        with self.lock:
            self.asleep = False  # a vehicle wakes the box
            self.vacant_since = None
            super().plug(now, ev)

    def set_error(self, state: str | None, now: float) -> None:
        """Error state on demand: "E", "F", "error", "overtemp" or None to clear."""
        with self.lock:
            if state is None:
                self.error_state = None
                self.temperature_c = 25.0
                self.set_fault(None, now)
            elif state == "overtemp":
                self.error_state = HEC_STATE["error"]
                self.temperature_c = 95.0
                self.set_fault("OverTemperature", now)
            else:
                self.error_state = HEC_STATE[state]
                self.set_fault("Error", now)


# ----------------------------------------------------------------- EVSE-DIN / SimpleEVSE

EVSE_VEHICLE_STATE = {"ready": 1, "present": 2, "charging": 3, "ventilation": 4, "failure": 5}
EVSE_PRECISE_BIT = 0x0080  # 2005 bit 7: 1000/1001 in 0.01 A (firmware ≥ 17/18)
# 2000-series as a real board listed them (openWB_lite docs/infos.md), except 2000 below.
EVSE_CONFIG_DEFAULTS = {
    2000: 0,  # current after boot (A); the listing shows 32, see EvseDinBox
    2001: 1,  # modbus status
    2002: 6,  # minimum current (A)
    2003: 1,  # analog input config
    2004: 0,  # amps after boot (button)
    2005: 8192,  # flag bits (bit 7: 0.01 A mode)
    2006: 0,  # current sharing mode
    2007: 0,  # PP detection (0 off)
    2010: 6,
    2011: 10,
    2012: 16,
    2013: 25,
    2014: 32,
    2015: 48,
    2016: 63,
    2017: 80,
}


class EvseDinBox(ModbusBox):
    """An EVSE-DIN (SimpleEVSE-WB) board: holding registers only, no energy meter.

    1000 configured current (0 = off; whole A, or 0.01 A when 2005 bit 7 is set), 1001 the
    current offered (same unit), 1002 vehicle state (1 ready, 2 EV present, 3 charging,
    4 with ventilation, 5 failure), 1003 PP limit (A; 0 = no PP resistor/detection off),
    1004 control bits, 1005 firmware, 1006 EVSE state (1 12 V, 2 PWM, 3 off), 1007 RCD
    status; 2000–2007 and 2010–2017 configuration (openWB_lite's list). Any other register
    answers exception 02. After power-on 1000 = 2000 ("current after boot"): a board whose
    2000 is not 0 offers that current before any master speaks (`boot_current_a`). The
    board has no Modbus watchdog: a silent master changes nothing."""

    model = "evse-din"
    write_functions = (rtu.WRITE_SINGLE, rtu.WRITE_MULTIPLE)
    writable = frozenset({1000, 1004, *EVSE_CONFIG_DEFAULTS})

    def __init__(
        self,
        slave: int,
        connector: VirtualConnector | None = None,
        firmware: int = 17,
        precise: bool = False,
        pp_limit_a: int = 32,
        boot_current_a: int = 0,
    ) -> None:
        super().__init__(slave, connector)
        self.connector.phases = 1
        self.connector.max_current_a = float(pp_limit_a) if pp_limit_a >= 6 else 80.0
        self.firmware = firmware
        self.pp_limit_a = pp_limit_a
        self.config = dict(EVSE_CONFIG_DEFAULTS)
        self.config[2000] = boot_current_a
        if precise:
            self.config[2005] |= EVSE_PRECISE_BIT
        self.writes: list[tuple[int, int]] = []
        self.power_on()

    def variant(self) -> str:
        pp = f"PP {self.pp_limit_a} A" if self.pp_limit_a >= 6 else "PP 0 (no maximum)"
        return f"firmware {self.firmware}, {self.unit_a:g} A mode, {pp}"

    @property
    def unit_a(self) -> float:
        return 0.01 if self.config[2005] & EVSE_PRECISE_BIT else 1.0

    def power_on(self) -> None:
        boot = self.config[2000]
        raw = round(boot / self.unit_a) if boot else 0
        self.holding = {1000: raw, 1003: self.pp_limit_a, 1004: 0, 1005: self.firmware}
        self._apply(self.connector.last_tick)

    def _amps(self) -> float:
        return self.holding[1000] * self.unit_a

    def _apply(self, now: float | None) -> None:
        amps = self._amps()
        if now is None:
            self.connector.enabled = amps > 0
            if amps:
                self.connector.current_limit_a = min(amps, self.connector.max_current_a)
            return
        if amps:
            self.connector.set_current(amps, now)
        self.connector.set_enabled(amps > 0, now)

    def holding_registers(self) -> dict[int, int]:
        c = self.connector
        if c.fault:
            state = EVSE_VEHICLE_STATE["failure"]
        elif c.power_w > 0:
            state = EVSE_VEHICLE_STATE["charging"]
        elif c.plugged:
            state = EVSE_VEHICLE_STATE["present"]
        else:
            state = EVSE_VEHICLE_STATE["ready"]
        on = c.enabled and c.plugged and not c.fault
        amps_out = round(c.current_limit_a / self.unit_a) if on else 0
        evse_state = 2 if self._amps() >= 6 else 1
        return {
            **self.holding,
            1001: amps_out,
            1002: state,
            1006: evse_state,
            1007: 0,
            **self.config,
        }

    def write_register(self, address: int, value: int, now: float) -> int | None:
        if address not in self.writable:
            return rtu.ILLEGAL_DATA_ADDRESS
        if address == 1000:
            unit = self.unit_a
            if value != 0 and not 6 <= value * unit <= 80:
                return rtu.ILLEGAL_DATA_VALUE
            self.holding[1000] = value
            self.writes.append((address, value))
            self._apply(now)
            return None
        self.writes.append((address, value))
        if address == 1004:
            self.holding[1004] = value
        else:
            self.config[address] = value
        return None

    def set_error(self, state: str | None, now: float) -> None:
        self.set_fault(None if state is None else "Error", now)
