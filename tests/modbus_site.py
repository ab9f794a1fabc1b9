"""Shared pieces of the Modbus tests: a virtual bus on TCP or a pty, raw exchanges, and an
independent CRC (a different algorithm from the simulator's, so neither vouches for itself)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from stationmgr.clock import Clock
from stationmgr.drivers import DeviceConfig
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox, ModbusBox
from stationmgr.sim.modbus_sim import ModbusBusSim, WireTiming

FAST = WireTiming(baud=19200, bits_per_char=11, turnaround_s=0.0, wire=False)
# Driver settings for a simulated bus: no parity on a pty, little room per request.
SIM_SETTINGS: dict[str, Any] = {"parity": "N", "turnaround_ms": 2, "timeout_ms": 500}


def _reflect(x: int, bits: int) -> int:
    return int(format(x, f"0{bits}b")[::-1], 2)


def crc_independent(data: bytes) -> int:
    """CRC-16/MODBUS by plain long division with the unreflected polynomial 0x8005
    (input and output reflected): a different algorithm from the simulator's."""
    crc = 0xFFFF
    for byte in data:
        crc ^= _reflect(byte, 8) << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return _reflect(crc, 16)


def frame(*body: int) -> bytes:
    data = bytes(body)
    return data + crc_independent(data).to_bytes(2, "little")


@contextmanager
def bus_on(
    boxes: list[ModbusBox],
    where: str = "tcp",
    clock: Clock | None = None,
    timing: WireTiming | None = None,
    **kw: Any,
) -> Iterator[ModbusBusSim]:
    bus = ModbusBusSim(boxes, clock, timing or FAST, **kw)
    if where == "tcp":
        bus.serve_tcp()
    else:
        bus.serve_pty()
    bus.start()
    try:
        yield bus
    finally:
        bus.stop()


def heidelberg_bus(slaves: tuple[int, ...] = (1,), **kw: Any) -> Any:
    return bus_on([HeidelbergBox(s) for s in slaves], **kw)


def evse_bus(slaves: tuple[int, ...] = (1,), **kw: Any) -> Any:
    return bus_on([EvseDinBox(s) for s in slaves], **kw)


def config(bus: ModbusBusSim, address: int, **settings: Any) -> DeviceConfig:
    return DeviceConfig(bus.url, address, None, {**SIM_SETTINGS, **settings})


class RawMaster:
    """A Modbus master with no library at all: bytes out, bytes back (TCP only)."""

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("socket://").rpartition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=2.0)

    def exchange(self, request: bytes, expect: int, timeout: float = 1.0) -> bytes:
        """Send, then collect until `expect` bytes came or the line stayed silent."""
        self.sock.sendall(request)
        data = b""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.05)
        while len(data) < expect and time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(512)
            except TimeoutError:
                continue
            if not chunk:
                break
            data += chunk
        return data

    def close(self) -> None:
        self.sock.close()


def record_requests(box: ModbusBox) -> list[tuple[int, int, int, bool]]:
    """Every request the box answers, as (function, address, count, refused)."""
    seen: list[tuple[int, int, int, bool]] = []
    original = box.handle

    def spy(req: Any, now: float) -> bytes | None:
        reply = original(req, now)
        if reply is not None:
            seen.append((req.function, req.address, req.count, bool(reply[1] & 0x80)))
        return reply

    box.handle = spy  # type: ignore[method-assign]
    return seen
