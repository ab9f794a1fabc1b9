"""OpenEVSE RAPI frames: encode commands, parse replies and asynchronous lines.

Pure functions over bytes, no I/O, so every rule of the fact sheet (`openevse-rapi.md`) and
of the firmware (`rapi_proc.cpp`) is tested against exact bytes:

- a frame is ``$`` + two letters + space-separated values + optional `` :ss`` sequence id +
  optional ``^XX`` (XOR) or ``*XX`` (8-bit sum) checksum + CR;
- a ``$`` anywhere restarts a frame; the controller's input buffer is 32 bytes (a longer
  command is dropped without reply, so the encoder refuses to build one);
- replies are ``$OK``/``$NK``; lines starting with ``$A`` (``$AT``, ``$AB``, ``$AN``),
  ``$WF`` and (RAPI ≤ 4.0.1) ``$ST xx`` are asynchronous;
- numbers are strict: ASCII digits only (no ``_``, ``+``, ``0x``, no other scripts' digits),
  never negative where the firmware prints an unsigned value.

The reply formats changed with the RAPI version (`Dialect`): `$GS` is ``%d %ld`` up to
4.0.1 and ``%02x %ld %02x %04x`` from 5.0.0; `$GC` has 2 values before 5.1.0; sequence ids
exist from 3.0.0.

Only `RapiError` escapes from the parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stationmgr.errors import DeviceError

SOC = ord("$")
EOC = b"\r"
INPUT_BUFFER = 32  # the controller's command buffer, CR included
MAX_TOKENS = 10
ASYNC_KINDS = frozenset({"AT", "AB", "AN", "WF", "ST"})

# J1772EvseController.h state codes → what a site owner reads.
STATE_NAMES = {
    0x00: "unknown",
    0x01: "A",
    0x02: "B",
    0x03: "C",
    0x04: "D",
    0x05: "diode check failed",
    0x06: "GFCI fault",
    0x07: "no ground",
    0x08: "stuck relay",
    0x09: "GFI self-test failed",
    0x0A: "over temperature",
    0x0B: "over current",
    0x0E: "relay closure fault",
    0xFE: "sleeping",
    0xFF: "disabled",
}
FAULT_OF_STATE = {
    0x04: "VentRequired",
    0x05: "DiodeCheck",
    0x06: "GFCI",
    0x07: "NoGround",
    0x08: "StuckRelay",
    0x09: "GFISelfTest",
    0x0A: "OverTemperature",
    0x0B: "OverCurrent",
    0x0E: "RelayClosure",
}
STATE_SLEEPING = 0xFE
STATE_DISABLED = 0xFF

VFLAG_HARD_FAULT = 0x0002
VFLAG_AUTH_LOCKED = 0x0008
VFLAG_CHARGING_ON = 0x0040
VFLAG_EV_CONNECTED = 0x0100
VFLAG_BOOT_LOCK = 0x4000

HS_ACK_COOKIE = 165  # `$SY 165` acknowledges a missed heartbeat (J1772EvseController.h)
HS_MISSED_NOACK = 2  # `$GY` trigger: a pulse was missed and not yet acknowledged


class RapiError(DeviceError):
    """Bytes that are not a valid RAPI frame (or a reply that makes no sense)."""


def xor_checksum(data: bytes) -> int:
    c = 0
    for b in data:
        c ^= b
    return c


def sum_checksum(data: bytes) -> int:
    return sum(data) & 0xFF


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded line: kind (``OK``, ``NK``, ``AT``, ``GS``…), its values, its sequence id."""

    kind: str
    values: tuple[str, ...] = ()
    seq: int | None = None
    checksum: str = "none"  # "xor", "sum" or "none"

    @property
    def is_reply(self) -> bool:
        return self.kind in ("OK", "NK")

    @property
    def is_async(self) -> bool:
        return self.kind in ASYNC_KINDS


def encode(command: str, *values: object, seq: int | None = None, checksum: str = "xor") -> bytes:
    """A command line ready for the wire, e.g. ``encode("GS", seq=0x1A)`` → ``$GS :1A^5A\\r``.

    Raises `RapiError` for a command the controller would silently drop (over 32 bytes) or
    a sequence id it treats as absent (0)."""
    if len(command) != 2 or not command.isascii() or not command.isalnum():
        raise RapiError(f"a RAPI command is two letters, not {command!r}")
    body = "$" + command.upper()
    for v in values:
        text = str(v)
        if (
            not text
            or not text.isascii()
            or any(ord(c) < 0x21 or ord(c) == 0x7F for c in text)  # space and controls
            or any(c in text for c in "$^*")
            or text.startswith(":")  # the firmware would take it for a sequence id
        ):
            raise RapiError(f"bad RAPI value {text!r}")
        body += " " + text
    if seq is not None:
        if not 1 <= seq <= 0xFF:
            raise RapiError(f"sequence id {seq} out of range 1..255")
        body += f" :{seq:02X}"
    raw = body.encode("ascii")
    if checksum == "xor":
        raw += f"^{xor_checksum(raw):02X}".encode()
    elif checksum == "sum":
        raw += f"*{sum_checksum(raw):02X}".encode()
    elif checksum != "none":
        raise RapiError(f"unknown checksum kind {checksum!r}")
    raw += EOC
    if len(raw) > INPUT_BUFFER:
        raise RapiError(f"command is {len(raw)} bytes; the controller drops more than 32")
    if len(body.split(" ")) > MAX_TOKENS:
        raise RapiError("more than 10 tokens")
    return raw


def parse(line: bytes, require_checksum: bool = True) -> Frame:
    """Decode one line (with or without its CR/LF).

    Text before the last ``$`` is dropped (the firmware restarts on ``$``). A missing
    checksum is an error unless `require_checksum` is false (the controller always sends
    one; a command from a test terminal may not)."""
    if not isinstance(line, bytes | bytearray):
        raise RapiError("not bytes")
    start = line.rfind(b"$")
    if start < 0:
        raise RapiError("no '$' in line")
    raw = bytes(line[start:]).rstrip(b"\r\n")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise RapiError("non-ASCII bytes in frame") from None
    checked = text
    kind_of_sum = "none"
    for mark, name, fn in (("^", "xor", xor_checksum), ("*", "sum", sum_checksum)):
        at = text.find(mark)
        if at >= 0:
            digits = text[at + 1 :]
            if len(digits) != 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise RapiError(f"malformed checksum {digits!r}")
            checked = text[:at]
            if fn(checked.encode("ascii")) != int(digits, 16):
                raise RapiError(f"bad checksum in {text!r}")
            kind_of_sum = name
            break
    if kind_of_sum == "none" and require_checksum:
        raise RapiError(f"no checksum in {text!r}")
    if any(c in checked for c in "^*") or any(ord(c) < 0x20 for c in checked):
        raise RapiError(f"stray control or checksum character in {text!r}")
    tokens = checked[1:].split(" ")
    kind = tokens[0]
    if len(kind) != 2 or not kind.isalnum():
        raise RapiError(f"bad frame kind {kind!r}")
    values = tokens[1:]
    if any(v == "" for v in values):
        raise RapiError(f"empty value in {text!r}")
    seq = None
    if values and values[-1].startswith(":"):
        token = values.pop()[1:]
        if len(token) != 2 or any(c not in "0123456789abcdefABCDEF" for c in token):
            raise RapiError(f"bad sequence id {token!r}")
        seq = int(token, 16)
        if seq == 0:
            raise RapiError("sequence id 00 is invalid")
    return Frame(kind.upper(), tuple(values), seq, kind_of_sum)


# ------------------------------------------------------------ typed values of replies


_HEX = re.compile(r"[0-9a-fA-F]{1,8}")
_UNSIGNED = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")


def _hex(v: str, what: str) -> int:
    if not _HEX.fullmatch(v):
        raise RapiError(f"{what}: {v!r} is not hex")
    return int(v, 16)


def _dec(v: str, what: str, signed: bool = False) -> int:
    """A decimal the firmware printed with ``%d``/``%lu``: ASCII digits, `-` only if signed."""
    if not (_SIGNED if signed else _UNSIGNED).fullmatch(v):
        raise RapiError(f"{what}: {v!r} is not a {'' if signed else 'non-negative '}number")
    return int(v, 10)


def _need(frame: Frame, n: int, what: str) -> tuple[str, ...]:
    if len(frame.values) < n:
        raise RapiError(f"{what}: expected {n} values, got {len(frame.values)}")
    return frame.values


@dataclass(frozen=True, slots=True)
class Dialect:
    """What a RAPI version's replies look like (from the firmware's history)."""

    version: tuple[int, int, int]

    @property
    def sequence_ids(self) -> bool:  # echoed from RAPI 3.0.0
        return self.version >= (3, 0, 0)

    @property
    def status_v5(self) -> bool:  # `$GS` with pilot and vflags, `$AT` instead of `$ST`
        return self.version >= (5, 0, 0)

    @property
    def range_v4(self) -> bool:  # `$GC min hmax pilot cmax` (before: `min max`)
        return self.version >= (5, 1, 0)

    @property
    def has_ff(self) -> bool:  # `$FF feature 0|1` (before: `$SE` and friends)
        return self.version >= (4, 0, 0)

    def __str__(self) -> str:
        return ".".join(map(str, self.version))


_VERSION = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")


def dialect(rapi_version: str) -> Dialect:
    """The `Dialect` of a `$GV` protocol version such as ``5.2.1``."""
    m = _VERSION.fullmatch(rapi_version)
    if not m:
        raise RapiError(f"cannot read RAPI version {rapi_version!r}")
    return Dialect((int(m[1]), int(m[2]), int(m[3])))


@dataclass(frozen=True, slots=True)
class Status:
    """`$GS`: state, seconds of charge since plug-in, pilot state, vflags.

    From RAPI ≤ 4.0.1 only state and elapsed come (`has_flags` false): pilot and vflags are
    0 and the plug state of a sleeping controller must be asked separately (`$G0`)."""

    state: int
    elapsed_s: int
    pilot: int
    vflags: int
    has_flags: bool = True

    @property
    def plugged(self) -> bool:
        return bool(self.vflags & VFLAG_EV_CONNECTED) or self.state in (0x02, 0x03, 0x04)

    @property
    def charging(self) -> bool:
        return self.state in (0x03, 0x04)

    @property
    def boot_locked(self) -> bool:
        return bool(self.vflags & VFLAG_BOOT_LOCK)

    @property
    def fault(self) -> str | None:
        if self.state in FAULT_OF_STATE:
            return FAULT_OF_STATE[self.state]
        if 0x0C <= self.state <= 0xFD:  # codes this table does not know: still a fault
            return "Error"
        return None


def _state_dec(v: str) -> int:
    state = _dec(v, "state")
    if state > 0xFF:
        raise RapiError(f"state {state} out of range")
    return state


def status(frame: Frame, dialect: Dialect | None = None) -> Status:
    """`$GS` in the format of `dialect` (default: RAPI 5.x, four values)."""
    if dialect is not None and not dialect.status_v5:
        v = _need(frame, 2, "$GS")
        return Status(_state_dec(v[0]), _dec(v[1], "elapsed"), 0, 0, has_flags=False)
    v = _need(frame, 4, "$GS")
    return Status(
        _hex(v[0], "state"), _dec(v[1], "elapsed"), _hex(v[2], "pilot"), _hex(v[3], "vflags")
    )


def state_transition(frame: Frame) -> Status:
    """`$AT state pilot amps vflags` (or RAPI ≤ 4.0.1 `$ST state`) as a Status (elapsed 0)."""
    if frame.kind == "ST":
        v = _need(frame, 1, "$ST")
        return Status(_hex(v[0], "state"), 0, 0, 0, has_flags=False)
    v = _need(frame, 4, "$AT")
    return Status(_hex(v[0], "state"), 0, _hex(v[1], "pilot"), _hex(v[3], "vflags"))


def transition_amps(frame: Frame) -> int:
    """The current capacity field of `$AT` (amps the pilot offers)."""
    return _dec(_need(frame, 4, "$AT")[2], "amps")


def energy(frame: Frame) -> tuple[int, int]:
    """`$GU`: watt-seconds of the session, lifetime Wh."""
    v = _need(frame, 2, "$GU")
    return _dec(v[0], "Ws"), _dec(v[1], "Wh")


def current_voltage(frame: Frame) -> tuple[int, int]:
    """`$GG`: milliamps (−1 without an ammeter), millivolts."""
    v = _need(frame, 2, "$GG")
    ma, mv = _dec(v[0], "mA", signed=True), _dec(v[1], "mV")
    if ma < -1:
        raise RapiError(f"$GG: {ma} mA")
    return ma, mv


def version(frame: Frame) -> tuple[str, str]:
    v = _need(frame, 2, "$GV")
    return v[0], v[1]


def current_range(frame: Frame, dialect: Dialect | None = None) -> tuple[int, int, int, int]:
    """`$GC`: min amps, hardware max, pilot (configured) amps, max capacity.

    Before RAPI 5.1.0 only `min max` come: pilot is then -1 (unknown) and cmax = max."""
    if dialect is not None and not dialect.range_v4:
        v = _need(frame, 2, "$GC")
        lo, hi = _dec(v[0], "min"), _dec(v[1], "max")
        return lo, hi, -1, hi
    v = _need(frame, 4, "$GC")
    return _dec(v[0], "min"), _dec(v[1], "hmax"), _dec(v[2], "pilot"), _dec(v[3], "cmax")


def settings(frame: Frame) -> tuple[int, int]:
    """`$GE`: the current capacity the pilot offers (A), the EEPROM flags."""
    v = _need(frame, 2, "$GE")
    return _dec(v[0], "amps"), _hex(v[1], "flags")


def heartbeat(frame: Frame) -> tuple[int, int, int]:
    """`$GY` / `$SY` reply: interval s (0 = off), fallback A, trigger (0 never missed,
    2 missed and not acknowledged, 1 missed and acknowledged)."""
    v = _need(frame, 3, "$GY")
    interval, amps, trigger = _dec(v[0], "interval"), _dec(v[1], "fallback"), _dec(v[2], "trigger")
    if interval > 0xFFFF or amps > 0xFF or trigger > 2:
        raise RapiError(f"$GY: {' '.join(v[:3])} out of range")
    return interval, amps, trigger


def connect_state(frame: Frame) -> int | None:
    """`$G0`: 1 a car is connected, 0 none, None unknown (pilot at -12 V)."""
    state = _dec(_need(frame, 1, "$G0")[0], "connect state")
    if state > 2:
        raise RapiError(f"$G0: {state}")
    return None if state == 2 else state


def fault_counters(frame: Frame) -> tuple[int, int, int]:
    v = _need(frame, 3, "$GF")
    return _hex(v[0], "gfci"), _hex(v[1], "noground"), _hex(v[2], "stuck")
