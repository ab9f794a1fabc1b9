"""A virtual OpenEVSE controller speaking RAPI byte for byte on a pty or TCP.

It shares no protocol code with the driver: framing, checksums, the 32-byte input buffer,
``$NK`` for bad checksums (without echoing the sequence id, as `rapi_proc.cpp` does) and
the ``$AT`` after a command's reply are written here again from the firmware's behaviour.

The physics is `sim.device.VirtualConnector` with an `sim.ev.EV`; the energy meter follows
`EnergyMeter.cpp`: session Ws reset at plug-in (kept after unplug), lifetime Wh increased at
unplug by Ws / 3600 truncated, Ws lost on a reboot. Each finished plug-in is kept in
`sessions` with the lifetime counter before and after, for tests to compare against.

Faults on demand (`inject`) or by probability (`fault_rate` per second): GFCI, no ground,
stuck relay, over temperature (state codes), silence, garbage bytes, bad checksums, reboot.

Variants of real units (each as the firmware source of that version does it):

- `firmware`: ``8.2.1``/``8.2.3`` (RAPI 5.2.1), ``5.1.0`` (D5.1.0, RAPI 4.0.1: `$GS` is
  ``%d %ld``, `$ST xx` instead of `$AT`, `$GC` two values, no `$SY`), ``4.8.0`` (RAPI 3.0.1,
  no `$FF`), ``4.4.0`` (RAPI 2.0.3: sequence ids are not echoed — the id is just another
  argument, so `$SC 16 V :01` has too many tokens);
- `heartbeat=(interval, fallback)`: supervision in EEPROM (what the WiFi gateway leaves):
  without a `$SY` pulse for the interval the current drops to the fallback (at least 6 A)
  until `$SY 165`; `interval × 1000` wraps at 16 bits like on the AVR;
- `echo`: characters echoed and LF after replies (also turned on by `$FF E 0`, the
  firmware's bug); `ammeter=False`: `$GG`/`$GU`/`$GA`/`$SV` answer `$NK`, nothing counted;
  `bootlock`: vflag 0x4000 and no charging until `$SB`; `phases=3`: the car draws on three
  phases, the meter counts one phase at the configured voltage (`$SV` sets it, volatile).

`$GS` elapsed is the charging time since plug-in (`m_ElapsedChargeTime` plus the
accumulated time), frozen while not charging; `$FD` freezes the plug flag as `Update()` does.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from stationmgr.clock import Clock, WarpClock
from stationmgr.sim.device import VirtualConnector
from stationmgr.sim.ev import EV
from stationmgr.sim.transport import Endpoint, WireTime

FIRMWARE = "8.2.1"
RAPI_VERSION = "5.2.1"
# --firmware → ($GV firmware string, RAPI version)
FIRMWARES = {
    "8.2.3": ("8.2.3", "5.2.1"),
    "8.2.1": ("8.2.1", "5.2.1"),
    "5.1.0": ("D5.1.0", "4.0.1"),
    "4.8.0": ("D4.8.0", "3.0.1"),
    "4.4.0": ("D4.4.0", "2.0.3"),
}
HS_ACK_COOKIE = 165
BUFLEN = 32
MAX_TOKENS = 10

# Electrical faults: our name → (state code, the driver's fault word, a hard fault?)
ELECTRICAL = {
    "gfci": (0x06, "GFCI", False),
    "noground": (0x07, "NoGround", True),
    "stuckrelay": (0x08, "StuckRelay", True),
    "overtemp": (0x0A, "OverTemperature", False),
}
LINK_FAULTS = ("silence", "garbage", "badsum", "reboot")
FAULT_KINDS = (*ELECTRICAL, *LINK_FAULTS)


def _xor(text: str) -> int:
    c = 0
    for ch in text.encode("latin-1"):
        c ^= ch
    return c


def _sum(text: str) -> int:
    return sum(text.encode("latin-1")) & 0xFF


def _dtou(text: str) -> int:
    """The firmware's `dtou32`: the leading decimal digits, 0 when there are none."""
    digits = ""
    for ch in text:
        if not ch.isascii() or not ch.isdigit():
            break
        digits += ch
    return int(digits[:10]) if digits else 0


def _line(text: str, bad_checksum: bool = False) -> bytes:
    chk = _xor(text) ^ (0x5A if bad_checksum else 0)
    return f"{text}^{chk:02X}\r".encode("latin-1")


@dataclass
class SessionLog:
    """One plug-in as the controller saw it (test truth)."""

    plugged_at: float
    lifetime_before_wh: int
    unplugged_at: float | None = None
    lifetime_after_wh: int | None = None
    ws_at_unplug: int | None = None
    delivered_wh: float = 0.0
    reboots: int = 0
    total_before_wh: float = 0.0
    lost_ws: list[int] = field(default_factory=list)  # session Ws each reboot wiped

    @property
    def counter_delta_wh(self) -> int | None:
        """What the controller's own counters show for this plug-in: the lifetime gain plus
        the whole Wh of each Ws segment a reboot wiped before it could be folded in."""
        if self.lifetime_after_wh is None:
            return None
        return (
            self.lifetime_after_wh
            - self.lifetime_before_wh
            + sum(ws // 3600 for ws in self.lost_ws)
        )


@dataclass
class OpenEVSEState:
    mode: str = "active"  # active | sleeping | disabled
    auth_lock_build: bool = False
    auth_locked: bool = False
    lifetime_wh: int = 0
    in_session: bool = False
    gfci_count: int = 0
    noground_count: int = 0
    stuck_count: int = 0
    electrical_fault: str | None = None
    silent_until: float = 0.0  # real monotonic seconds
    garbage_left: int = 0
    badsum_left: int = 0
    sessions: list[SessionLog] = field(default_factory=list)
    commands: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, command)
    echo: bool = False
    boot_locked: bool = False
    frozen_plug: bool | None = None  # $FD: the plug flag the firmware keeps showing
    configured_mv: int = 240000  # the voltage the energy meter uses ($SV, volatile)
    hs_interval: int = 0  # heartbeat supervision (EEPROM)
    hs_fallback: int = 0
    hs_trigger: int = 0
    hs_last: float = 0.0  # real monotonic seconds of the last pulse


class OpenEVSESim:
    """The controller: feed it bytes from the line, it answers like the firmware."""

    def __init__(
        self,
        endpoint: Endpoint,
        clock: Clock | None = None,
        *,
        wire: WireTime | None = None,
        auth_lock: bool = False,
        fault_rate: float = 0.0,
        fault_kinds: tuple[str, ...] = FAULT_KINDS,
        fault_duration_s: float = 5.0,
        max_current_a: float = 32.0,
        voltage_v: float = 240.0,
        seed: int | None = None,
        lifetime_wh: int = 0,
        log_commands: bool = False,
        firmware: str = FIRMWARE,
        heartbeat: tuple[int, int] | None = None,
        echo: bool = False,
        ammeter: bool = True,
        bootlock: bool = False,
        phases: int = 1,
        configured_v: float | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.clock = clock or WarpClock(1.0)
        self.wire = wire or WireTime()
        key = firmware.upper().removeprefix("D")
        if key not in FIRMWARES:
            raise ValueError(f"unknown firmware {firmware!r} (known: {', '.join(FIRMWARES)})")
        self.firmware, self.rapi_version = FIRMWARES[key]
        self.rapi = tuple(int(x) for x in self.rapi_version.split("."))
        self.ammeter = ammeter
        self.bootlock = bootlock
        self.build_mv = round((configured_v or voltage_v) * 1000)
        self.conn = VirtualConnector(
            voltage_v=voltage_v,
            phases=phases,
            max_current_a=max_current_a,
            current_limit_a=max_current_a,
        )
        self.st = OpenEVSEState(auth_lock_build=auth_lock, lifetime_wh=lifetime_wh, echo=echo)
        if heartbeat is not None and self.rapi >= (5, 0, 0):
            self.st.hs_interval, self.st.hs_fallback = heartbeat
        self._boot_state()
        self.fault_rate = fault_rate
        self.fault_kinds = fault_kinds
        self.fault_duration_s = fault_duration_s
        self.rng = random.Random(seed)
        self.log_commands = log_commands
        self.lock = threading.RLock()
        self._buf = bytearray()
        self._collecting = False
        self._last_at: tuple[int, int, int, int] | None = None
        self._fault_clear_at: float | None = None
        self._next_random = time.monotonic() + 1.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_command: list[Any] = []  # callbacks (monotonic time, command text)
        self._last_st: int | None = None
        self._apply_gate()

    def _boot_state(self) -> None:
        """What a power-up resets (RAM); EEPROM (heartbeat, lifetime Wh) stays."""
        st = self.st
        st.boot_locked = self.bootlock
        st.configured_mv = self.build_mv
        st.frozen_plug = None
        st.hs_trigger = 0
        st.hs_last = time.monotonic()
        self._rescale()

    def _rescale(self) -> None:
        """The meter counts one phase at the configured voltage (nothing without ammeter)."""
        c = self.conn
        if c.last_tick is not None:
            c.tick(self.now)  # what flowed so far was counted at the old voltage
        if not self.ammeter:
            c.session_ws_scale = 0.0
        else:
            c.session_ws_scale = self.st.configured_mv / 1000 / c.voltage_v / c.phases

    # ------------------------------------------------------------ physics and state

    @property
    def now(self) -> float:
        return self.clock.now()

    def _apply_gate(self) -> None:
        st = self.st
        offer = st.mode == "active" and not st.auth_locked and not st.boot_locked
        self.conn.set_enabled(offer, self.now)

    @property
    def plugged_flag(self) -> bool:
        """The plug as the firmware reports it (frozen while disabled)."""
        if self.st.frozen_plug is not None:
            return self.st.frozen_plug
        return self.conn.plugged

    def state_code(self) -> int:
        if self.st.electrical_fault:
            return ELECTRICAL[self.st.electrical_fault][0]
        if self.st.mode == "disabled":
            return 0xFF
        if self.st.mode == "sleeping":
            return 0xFE
        if self.st.boot_locked:
            return 0x00  # still in setup(), Update() has not run
        if not self.conn.plugged:
            return 0x01
        return 0x03 if self.conn.power_w > 0 else 0x02

    def pilot_code(self) -> int:
        if not self.plugged_flag:
            return 0x01
        return 0x03 if self.conn.power_w > 0 else 0x02

    def vflags(self) -> int:
        f = 0x0000
        if self.plugged_flag:
            f |= 0x0100
        if self.conn.power_w > 0:
            f |= 0x0040
        if self.st.auth_locked:
            f |= 0x0008
        if self.st.boot_locked:
            f |= 0x4000
        if self.st.electrical_fault and ELECTRICAL[self.st.electrical_fault][2]:
            f |= 0x0002
        return f

    def tick(self) -> None:
        with self.lock:
            self.conn.tick(self.now)

    # ------------------------------------------------------------ the car

    def plug(self, ev: EV | None = None) -> None:
        with self.lock:
            if self.conn.plugged:
                return
            c = self.conn
            ws, charge_s = c.session_ws, c.charge_s
            c.plug(ev or EV(), self.now)
            if self.st.frozen_plug is not None:  # disabled: the firmware does not see it
                c.session_ws, c.charge_s = ws, charge_s
            else:
                self.st.in_session = True  # EnergyMeter::startSession: Ws = 0
            self.st.sessions.append(
                SessionLog(self.now, self.st.lifetime_wh, total_before_wh=self.conn.energy_total_wh)
            )

    def unplug(self) -> None:
        with self.lock:
            if not self.conn.plugged:
                return
            self.conn.unplug(self.now)
            if self.st.frozen_plug is None:
                self._end_session()
            log = self.st.sessions[-1] if self.st.sessions else None
            if log is not None and log.unplugged_at is None:
                log.unplugged_at = self.now
                log.lifetime_after_wh = self.st.lifetime_wh
                log.ws_at_unplug = int(self.conn.session_ws)
                log.delivered_wh = self.conn.energy_total_wh - log.total_before_wh

    def _end_session(self) -> None:
        if self.st.in_session:  # EnergyMeter::endSession: truncating division
            self.st.in_session = False
            self.st.lifetime_wh += int(self.conn.session_ws) // 3600

    def set_paused(self, paused: bool) -> None:
        with self.lock:
            if self.conn.ev is not None:
                self.conn.tick(self.now)
                self.conn.ev.paused = paused
                self.conn.power_w = self.conn.ev.demand_w(self.conn.offered_w)

    # ------------------------------------------------------------ faults

    def inject(self, kind: str, arg: float | None = None) -> None:
        """Inject a fault now: an electrical one stays until `clear()` (or `arg` seconds)."""
        with self.lock:
            if kind in ELECTRICAL:
                self.st.electrical_fault = kind
                self.conn.fault = ELECTRICAL[kind][1]
                self.conn.set_enabled(self.conn.enabled, self.now)
                if kind == "gfci":
                    self.st.gfci_count += 1
                elif kind == "noground":
                    self.st.noground_count += 1
                elif kind == "stuckrelay":
                    self.st.stuck_count += 1
                self._fault_clear_at = time.monotonic() + arg if arg else None
            elif kind == "silence":
                self.st.silent_until = time.monotonic() + (arg or 5.0)
            elif kind == "garbage":
                self.st.garbage_left += int(arg or 1)
                self.endpoint.write(bytes(self.rng.randrange(256) for _ in range(24)))
            elif kind == "badsum":
                self.st.badsum_left += int(arg or 1)
            elif kind == "reboot":
                self.reboot()
            else:
                raise ValueError(f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")

    def clear(self) -> None:
        with self.lock:
            self.st.electrical_fault = None
            self.conn.fault = None
            self._fault_clear_at = None
            self.st.silent_until = 0.0
            self._apply_gate()

    def reboot(self) -> None:
        """Power cycle: the session Ws is lost (never folded), the controller boots active."""
        with self.lock:
            self.conn.tick(self.now)
            if self.st.sessions and self.st.sessions[-1].unplugged_at is None:
                self.st.sessions[-1].reboots += 1
                self.st.sessions[-1].lost_ws.append(int(self.conn.session_ws))
            self.conn.reboot(self.now)
            self.conn.charge_s = 0.0
            self.st.in_session = self.conn.plugged
            self.st.mode = "active"
            self.st.auth_locked = self.st.auth_lock_build
            self.st.electrical_fault = None
            self.st.echo = False  # EvseRapiProcessor::init
            self.conn.fault = None
            self._boot_state()
            self._apply_gate()
            self._buf.clear()
            self._collecting = False
            self._emit(_line(f"$AB {self.state_code():02x} {self.firmware}"))
            self._send_state(force=True)

    def set_port(self, present: bool) -> None:
        """Pull the USB adapter out (the pty and its symlink vanish) or plug it back."""
        ep = self.endpoint
        if not hasattr(ep, "unplug"):
            raise ValueError("only a pty port can be pulled")
        with self.lock:
            if present:
                ep.replug()
                self._last_at = None  # announce the state again, like after a power-up
            else:
                ep.unplug()

    def _random_faults(self) -> None:
        now = time.monotonic()
        if self._fault_clear_at is not None and now >= self._fault_clear_at:
            self.clear()
        if self.fault_rate <= 0 or now < self._next_random:
            return
        self._next_random = now + 1.0
        if self.rng.random() < self.fault_rate:
            kind = self.rng.choice(self.fault_kinds)
            arg: float | None = None
            if kind in ELECTRICAL or kind == "silence":
                arg = self.fault_duration_s
            self.inject(kind, arg)

    # ------------------------------------------------------------ the wire

    def _emit(self, data: bytes) -> None:
        if self.st.garbage_left > 0:
            self.st.garbage_left -= 1
            junk = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 12)))
            data = junk.replace(b"$", b"#") + data
        self.endpoint.write(data)

    def _send_state(self, force: bool = False) -> None:
        if self.rapi < (5, 0, 0):  # RapiSendEvseState: `$ST xx` when the state changes
            code = self.state_code()
            if force or code != self._last_st:
                self._last_st = code
                self._emit(_line(f"$ST {code:02x}"))
            return
        cur = (self.state_code(), self.pilot_code(), int(self.conn.current_limit_a), self.vflags())
        if force or cur != self._last_at:
            self._last_at = cur
            self._emit(_line(f"$AT {cur[0]:02x} {cur[1]:02x} {cur[2]} {cur[3]:04x}"))

    def feed(self, data: bytes) -> None:
        """Bytes from the driver, processed like `EvseRapiProcessor::doCmd`."""
        echoed = bytearray()
        for b in data:
            if self.st.echo:
                echoed.append(b)
                if b == 0x0D:
                    self.endpoint.write(bytes(echoed))
                    echoed.clear()
            if b == 0x24:  # '$' restarts the buffer
                self._buf = bytearray(b"$")
                self._collecting = True
            elif self._collecting:
                if len(self._buf) < BUFLEN:
                    if b == 0x0D:
                        line = self._buf.decode("latin-1")
                        self._buf = bytearray()
                        self._collecting = False
                        self._process(line, len(line) + 1)
                    else:
                        self._buf.append(b)
                else:  # too many characters: dropped, no reply
                    self._buf = bytearray()
                    self._collecting = False
        if echoed:
            self.endpoint.write(bytes(echoed))

    def _process(self, line: str, nbytes: int) -> None:
        with self.lock:
            if time.monotonic() < self.st.silent_until:
                return
            self.conn.tick(self.now)
            reply = self._answer(line)
            if reply is None:
                return
            bad = self.st.badsum_left > 0
            if bad:
                self.st.badsum_left -= 1
        data = _line(reply, bad_checksum=bad)
        if self.st.echo:
            data += b"\n"
        delay = self.wire.delay(nbytes, len(data))
        if delay > 0:
            time.sleep(delay)
        with self.lock:
            self._emit(data)
            self._send_state()

    def _answer(self, line: str) -> str | None:
        """The reply text (without checksum) to one command line."""
        body, chk_kind, chk = line, None, 0
        for mark in ("^", "*"):
            at = line.find(mark)
            if at >= 0:
                body, chk_kind = line[:at], mark
                try:
                    chk = int(line[at + 1 : at + 3], 16)
                except ValueError:
                    chk = -1
                break
        tokens = body[1:].split(" ")
        if len(tokens) > MAX_TOKENS or (
            (chk_kind == "^" and chk != _xor(body)) or (chk_kind == "*" and chk != _sum(body))
        ):
            return "$NK"  # the firmware does not echo the sequence id here
        seq = ""
        if self.rapi >= (3, 0, 0) and len(tokens) > 1 and tokens[-1].startswith(":"):
            sid = tokens.pop()[1:3]
            try:
                if int(sid, 16) != 0:
                    seq = f" :{int(sid, 16):02X}"
            except ValueError:
                pass
        cmd, args = tokens[0].upper(), tokens[1:]
        if self.log_commands or self.on_command:
            stamp = time.monotonic()
            if self.log_commands:
                self.st.commands.append((stamp, cmd))
            for cb in list(self.on_command):
                cb(stamp, cmd)
        ok, values = self._command(cmd, args)
        text = ("$OK" if ok else "$NK") + (f" {values}" if values else "") + seq
        return text

    def _command(self, cmd: str, args: list[str]) -> tuple[bool, str]:
        c, st, v5 = self.conn, self.st, self.rapi >= (5, 0, 0)
        if cmd == "GS":
            elapsed = int(c.charge_s)  # charging time since plug-in (m_ElapsedChargeTime)
            code, pilot, flags = self.state_code(), self.pilot_code(), self.vflags()
            if not v5:
                return True, f"{code} {elapsed}"  # RAPI ≤ 4.0.1: "%d %ld"
            return True, f"{code:02x} {elapsed} {pilot:02x} {flags:04x}"
        if cmd in ("GU", "GG", "GA", "SV") and not self.ammeter:
            return False, ""  # AMMETER (and KWH_RECORDING) not built in
        if cmd == "GU":
            return True, f"{int(c.session_ws)} {st.lifetime_wh}"
        if cmd == "GG":  # one phase measured, the configured voltage
            amps = c.power_w / (c.voltage_v * c.phases) if c.power_w > 0 else 0.0
            return True, f"{round(amps * 1000)} {st.configured_mv}"
        if cmd == "GA":
            return True, "220 0"
        if cmd == "SV" and len(args) == 1:
            st.configured_mv = _dtou(args[0])
            self._rescale()
            return True, ""
        if cmd == "GP":  # DS3231, MCP9808, TMP007 in 0.1 °C; -2560: not fitted
            return True, "-2560 254 -2560"
        if cmd == "GV":
            return True, f"{self.firmware} {self.rapi_version}"
        if cmd == "GE":
            return True, f"{int(c.current_limit_a)} 0201"
        if cmd == "GC":
            if self.rapi < (5, 1, 0):
                return True, f"6 {int(c.max_current_a)}"
            return True, f"6 {int(c.max_current_a)} {int(c.current_limit_a)} {int(c.max_current_a)}"
        if cmd == "GF":
            return True, f"{st.gfci_count:x} {st.noground_count:x} {st.stuck_count:x}"
        if cmd == "G0":
            if st.mode == "disabled":
                return True, "2"  # pilot at -12 V: unknown
            return True, "1" if c.plugged else "0"
        if cmd == "GT":
            t = time.gmtime(self.now)
            return True, time.strftime("%y %m %d %H %M %S", t).replace(" 0", " ")
        if cmd in ("G4", "S4") and not st.auth_lock_build:
            return False, ""
        if cmd == "G4":
            return True, "1" if st.auth_locked else "0"
        if cmd == "S4" and len(args) == 1:
            st.auth_locked = args[0] == "1"
            self._apply_gate()
            return True, ""
        if cmd == "FF" and self.rapi >= (4, 0, 0):
            if len(args) != 2:
                return False, ""
            value = (ord(args[1][0]) - ord("0")) & 0xFF
            if value > 1 or args[0][:1] not in ("B", "D", "E", "F", "G", "R", "T", "V"):
                return False, ""
            if args[0][:1] == "E":
                st.echo = True  # `echo = ((u1.u8 == '0') ? 0 : 1)`: always on
            return True, ""
        if cmd == "SE" and self.rapi < (4, 0, 0) and len(args) == 1:
            st.echo = args[0][:1] != "0"
            return True, ""
        if cmd in ("GY", "SY") and v5:
            return self._heartbeat(cmd, args)
        if cmd == "SB":
            if not self.bootlock:
                return False, ""
            if st.electrical_fault:
                return True, "1"
            st.boot_locked = False
            self._apply_gate()
            return True, "0"
        if cmd in ("FE", "FS"):
            st.mode = "active" if cmd == "FE" else "sleeping"
            self._unfreeze()
            self._apply_gate()
            return True, ""
        if cmd == "FD":
            st.mode = "disabled"
            if st.frozen_plug is None:
                st.frozen_plug = c.plugged  # Update() returns at once: the flag stays
            self._apply_gate()
            return True, ""
        if cmd == "FR":
            threading.Timer(0.05, self.reboot).start()
            return True, ""
        if cmd == "SC" and len(args) in (1, 2):
            try:
                amps = int(args[0])
            except ValueError:
                return False, f"{int(c.current_limit_a)}"
            if len(args) == 2 and args[1] == "M":
                c.max_current_a = float(max(6, min(amps, 80)))
                return True, f"{int(c.max_current_a)}"
            ok = 6 <= amps <= c.max_current_a
            c.set_current(float(max(6, min(amps, int(c.max_current_a)))), self.now)
            return ok, f"{int(c.current_limit_a)}"
        if cmd == "S1" and len(args) == 6:
            return True, ""
        return False, ""

    def _unfreeze(self) -> None:
        """Leaving FF: the energy meter sees the plug again (a swap meanwhile goes unseen)."""
        st, c = self.st, self.conn
        if st.frozen_plug is None:
            return
        was, st.frozen_plug = st.frozen_plug, None
        if c.plugged and not was:
            c.session_ws, c.charge_s = 0.0, 0.0
            st.in_session = True
        elif was and not c.plugged:
            self._end_session()

    def _heartbeat(self, cmd: str, args: list[str]) -> tuple[bool, str]:
        """`$GY` / `$SY` as J1772EVSEController's heartbeat supervision does them."""
        st, ok = self.st, True
        if cmd == "SY":
            if not args:  # a pulse: $NK while a missed pulse is not acknowledged
                ok = st.hs_trigger != 2
                st.hs_last = time.monotonic()
            elif len(args) == 2:
                interval, fallback = _dtou(args[0]) & 0xFFFF, _dtou(args[1]) & 0xFF
                if interval == 0:
                    ok = self._hs_restore()
                st.hs_interval, st.hs_fallback, st.hs_trigger = interval, fallback, 0
                st.hs_last = time.monotonic()
            elif len(args) == 1:  # acknowledge a missed pulse with the cookie
                ok = False
                if (_dtou(args[0]) & 0xFF) == HS_ACK_COOKIE:
                    ok = True
                    if st.hs_trigger == 2:
                        ok = self._hs_restore()
                        if ok:
                            st.hs_trigger = 1
            else:
                ok = False
        return ok, f"{st.hs_interval} {st.hs_fallback} {st.hs_trigger}"

    def _hs_restore(self) -> bool:
        """HsRestoreAmpacity: back to the EEPROM maximum (not the current set before)."""
        if self.st.hs_trigger:
            self.conn.set_current(self.conn.max_current_a, self.now)
        return True

    def _hs_check(self) -> None:
        """HsExpirationCheck, once per loop (the AVR computes interval*1000 in 16 bits)."""
        st = self.st
        limit_s = ((st.hs_interval * 1000) & 0xFFFF) / 1000.0
        if not st.hs_interval or time.monotonic() - st.hs_last <= limit_s:
            return
        if st.hs_fallback < self.conn.current_limit_a:
            self.conn.set_current(float(max(6, st.hs_fallback)), self.now)
        st.hs_trigger = 2
        st.hs_last = time.monotonic()

    # ------------------------------------------------------------ running

    def step(self, timeout: float = 0.02) -> None:
        """One turn of the loop: read what arrived, answer, tick, push `$AT`."""
        if self.endpoint.wait(timeout):
            data = self.endpoint.read()
            if data:
                self.feed(data)
        with self.lock:
            self.conn.tick(self.now)
            self._random_faults()
            self._hs_check()
            if time.monotonic() >= self.st.silent_until:
                self._send_state()

    def start(self) -> OpenEVSESim:
        self._thread = threading.Thread(target=self.serve, name="sim-openevse", daemon=True)
        self._thread.start()
        return self

    def serve(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self.endpoint.close()

    # ------------------------------------------------------------ control channel

    def status(self) -> dict[str, Any]:
        with self.lock:
            c = self.conn
            return {
                "port": self.endpoint.name,
                "state": f"{self.state_code():02x}",
                "mode": self.st.mode,
                "plugged": c.plugged,
                "power_w": round(c.power_w, 1),
                "session_ws": int(c.session_ws),
                "lifetime_wh": self.st.lifetime_wh,
                "soc": round(c.ev.soc, 4) if c.ev else None,
                "fault": self.st.electrical_fault,
                "current_a": c.current_limit_a,
                "sessions": len(self.st.sessions),
                "firmware": self.firmware,
                "rapi": self.rapi_version,
                "heartbeat": [self.st.hs_interval, self.st.hs_fallback, self.st.hs_trigger],
                "echo": self.st.echo,
                "boot_locked": self.st.boot_locked,
                "phases": c.phases,
                "configured_mv": self.st.configured_mv,
                "delivered_wh": round(c.energy_total_wh, 3),
                "charge_s": round(c.charge_s, 1),
            }

    def control(self, line: str) -> str:
        """One control command (see `HELP`)."""
        words = line.split()
        cmd, args = words[0].lower(), words[1:]
        kv = dict(a.split("=", 1) for a in args if "=" in a)
        if cmd == "help":
            return "ok " + HELP
        if cmd == "plug":
            ev = EV(
                capacity_wh=float(kv.get("capacity_wh", 60000)),
                soc=float(kv.get("soc", 0.3)),
                max_power_w=float(kv.get("max_power_w", 7400)),
                target_soc=float(kv.get("target_soc", 1.0)),
            )
            self.plug(ev)
        elif cmd == "unplug":
            self.unplug()
        elif cmd in ("pause", "resume"):
            self.set_paused(cmd == "pause")
        elif cmd == "fault":
            self.inject(args[0].lower(), float(args[1]) if len(args) > 1 else None)
        elif cmd == "clear":
            self.clear()
        elif cmd == "reboot":
            self.reboot()
        elif cmd == "port":
            self.set_port(args[0].lower() in ("on", "in", "1"))
        elif cmd == "status":
            return "ok " + json.dumps(self.status())
        elif cmd == "sessions":
            return "ok " + json.dumps(
                [dict(s.__dict__, counter_delta_wh=s.counter_delta_wh) for s in self.st.sessions]
            )
        elif cmd in ("quit", "exit"):
            self._stop.set()
        else:
            return f"error unknown command {cmd!r}; try help"
        return "ok"


HELP = (
    "plug [capacity_wh=N soc=F max_power_w=N target_soc=F] | unplug | pause | resume | "
    "fault gfci|noground|stuckrelay|overtemp [seconds] | fault silence SECONDS | "
    "fault garbage N | fault badsum N | fault reboot | reboot | clear | port off|on | status | "
    "sessions | quit"
)
