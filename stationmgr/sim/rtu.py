"""Modbus RTU on the device side, written from the specification for the simulators.

Deliberately independent of pymodbus (no import of it here): the drivers use pymodbus, so a
simulator built on the same library could hide a shared addressing or framing bug. This file
has its own CRC-16, its own request parser and its own reply builders; the tests check it
against hand-built frames.

Wire addresses are used as they are (register 4 on the wire is register 4 here): no
"address + 1" device-context shift.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

READ_HOLDING = 0x03
READ_INPUT = 0x04
WRITE_SINGLE = 0x06
WRITE_MULTIPLE = 0x10

# Exception codes (Modbus application protocol, section 7).
ILLEGAL_FUNCTION = 0x01
ILLEGAL_DATA_ADDRESS = 0x02
ILLEGAL_DATA_VALUE = 0x03
SERVER_DEVICE_FAILURE = 0x04

MAX_READ = 125  # registers per read request
MAX_WRITE = 123  # registers per write-multiple request
MAX_FRAME = 256


class RtuError(ValueError):
    """A frame that is not valid Modbus RTU (bad length, bad CRC)."""


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def with_crc(body: bytes) -> bytes:
    """Append the CRC, low byte first (the one little-endian field of Modbus RTU)."""
    return body + struct.pack("<H", crc16(body))


def check_crc(frame: bytes) -> bytes:
    """The frame without its CRC; RtuError when it is too short or the CRC is wrong."""
    if len(frame) < 4:
        raise RtuError(f"frame of {len(frame)} bytes is too short")
    if len(frame) > MAX_FRAME:
        raise RtuError(f"frame of {len(frame)} bytes is too long")
    body, (crc,) = frame[:-2], struct.unpack("<H", frame[-2:])
    if crc16(body) != crc:
        raise RtuError(f"bad CRC {crc:04x}, expected {crc16(body):04x}")
    return body


@dataclass(frozen=True, slots=True)
class Request:
    """One decoded request addressed to `slave` (0 = broadcast)."""

    slave: int
    function: int
    address: int = 0
    count: int = 0
    values: tuple[int, ...] = ()


def parse_request(frame: bytes) -> Request:
    """Decode a complete request frame (CRC checked). Raises only RtuError.

    A well-formed frame with an unknown function code decodes to a Request with that code;
    the device answers it with ILLEGAL_FUNCTION."""
    body = check_crc(bytes(frame))
    slave, function = body[0], body[1]
    pdu = body[2:]
    if function in (READ_HOLDING, READ_INPUT, WRITE_SINGLE):
        if len(pdu) != 4:
            raise RtuError(f"function {function:#04x} needs 4 data bytes, got {len(pdu)}")
        address, word = struct.unpack(">HH", pdu)
        if function == WRITE_SINGLE:
            return Request(slave, function, address, 1, (word,))
        return Request(slave, function, address, word)
    if function == WRITE_MULTIPLE:
        if len(pdu) < 5:
            raise RtuError("write-multiple request is too short")
        address, count, nbytes = struct.unpack(">HHB", pdu[:5])
        data = pdu[5:]
        if nbytes != len(data) or nbytes % 2:
            raise RtuError(f"write-multiple byte count {nbytes} does not match {len(data)} bytes")
        values = struct.unpack(f">{nbytes // 2}H", data)
        if count != len(values):
            raise RtuError(f"write-multiple count {count} but {len(values)} values")
        return Request(slave, function, address, count, tuple(values))
    return Request(slave, function)


def expected_request_length(buf: bytes) -> int | None:
    """How long the request starting at `buf[0]` is, when its function code says so.

    None: not enough bytes yet to tell, or a function code whose length we cannot know
    (then only the line's silence ends the frame)."""
    if len(buf) < 2:
        return None
    fc = buf[1]
    if fc in (READ_HOLDING, READ_INPUT, WRITE_SINGLE):
        return 8
    if fc == WRITE_MULTIPLE:
        return 9 + buf[6] if len(buf) >= 7 else None
    return None


class RequestSplitter:
    """Cuts a byte stream into request frames, as a device on the bus does.

    A real device ends a frame at 3.5 characters of silence; over TCP or a pty the bytes of
    back-to-back frames may arrive together, so known function codes are cut by length and
    checked by CRC. A CRC failure drops one byte and tries again (resynchronises after
    garbage); `flush()` is called when the line has been silent and returns what is left as
    one (probably bad) frame."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.dropped = 0  # bytes thrown away while resynchronising

    def feed(self, data: bytes) -> list[bytes]:
        self.buf += data
        frames: list[bytes] = []
        while True:
            n = expected_request_length(bytes(self.buf[:7]))
            if n is None or len(self.buf) < n:
                if len(self.buf) > MAX_FRAME:
                    self.dropped += len(self.buf)
                    self.buf.clear()
                return frames
            candidate = bytes(self.buf[:n])
            try:
                check_crc(candidate)
            except RtuError:
                del self.buf[0]
                self.dropped += 1
                continue
            del self.buf[:n]
            frames.append(candidate)

    def flush(self) -> bytes:
        rest = bytes(self.buf)
        self.buf.clear()
        return rest


def read_reply(slave: int, function: int, words: list[int] | tuple[int, ...]) -> bytes:
    """Reply to 03/04: slave, function, byte count, big-endian words, CRC."""
    data = b"".join(struct.pack(">H", w & 0xFFFF) for w in words)
    return with_crc(bytes([slave, function, len(data)]) + data)


def write_single_reply(slave: int, address: int, value: int) -> bytes:
    """Reply to 06: an echo of the request."""
    return with_crc(struct.pack(">BBHH", slave, WRITE_SINGLE, address, value))


def write_multiple_reply(slave: int, address: int, count: int) -> bytes:
    return with_crc(struct.pack(">BBHH", slave, WRITE_MULTIPLE, address, count))


def exception_reply(slave: int, function: int, code: int) -> bytes:
    """Exception: function code with the high bit set, then the exception code."""
    return with_crc(bytes([slave, (function | 0x80) & 0xFF, code]))


def char_time_s(baud: int, bits_per_char: int = 11) -> float:
    return bits_per_char / baud


def t35_s(baud: int, bits_per_char: int = 11) -> float:
    """Inter-frame silence: 3.5 characters, fixed at 1.75 ms above 19200 baud."""
    return 0.00175 if baud > 19200 else 3.5 * char_time_s(baud, bits_per_char)


def wire_time_s(nbytes: int, baud: int, bits_per_char: int = 11) -> float:
    return nbytes * char_time_s(baud, bits_per_char)
