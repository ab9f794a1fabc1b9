"""The reader simulator checked with raw bytes on a pty (no driver code involved)."""

from __future__ import annotations

import os
import select
import termios
import time
import tty

import pytest

from stationmgr.sim.control import run_command
from stationmgr.sim.reader_sim import ReaderSim, frame
from stationmgr.sim.transport import PtyEndpoint


def _read_for(fd: int, seconds: float) -> bytes:
    buf = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.02)
        if r:
            buf += os.read(fd, 4096)
    return buf


def _read_n(fd: int, n: int, timeout: float = 20.0) -> bytes:
    """Exactly the next `n` bytes (the simulator's thread may be slow on a loaded machine)."""
    buf = b""
    end = time.monotonic() + timeout
    while len(buf) < n and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            buf += os.read(fd, n - len(buf))
    return buf


def _frames_sent(sim: ReaderSim, at_least: int, timeout: float = 20.0) -> int:
    end = time.monotonic() + timeout
    while sim.frames_sent < at_least and time.monotonic() < end:
        time.sleep(0.01)
    return sim.frames_sent


@pytest.mark.parametrize(
    ("id12", "expected"),
    [
        (False, bytes.fromhex("02 36 32 45 33 30 38 36 43 45 44 30 38 03")),
        (True, bytes.fromhex("02 36 32 45 33 30 38 36 43 45 44 30 38 0D 0A 03")),
    ],
)
def test_frames_repeat_while_the_card_lies(id12: bool, expected: bytes) -> None:
    assert frame("62E3086CED", id12) == expected
    sim = ReaderSim(PtyEndpoint(), id12=id12, repeat_s=0.05).start()
    fd = os.open(sim.endpoint.name, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd, termios.TCSANOW)
    try:
        # While the card lies there the frame repeats, whole frames only; how many depends
        # on how often the simulator's thread runs, so count what it says it sent (final
        # once the card is removed).
        sim.place("62E3086CED")
        _frames_sent(sim, 3)
        sim.remove()
        n = sim.frames_sent
        assert n >= 3
        data = _read_n(fd, n * len(expected))
        assert data == expected * n  # nothing but whole frames
        assert _read_for(fd, 0.2) == b""  # removed: silent
        sim.inject("badsum")
        sim.place("62E3086CED")
        _frames_sent(sim, n + 1)
        sim.remove()
        bad = _read_n(fd, len(expected))
        assert bad[:11] == expected[:11] and bad[11:13] == b"F7"  # 08 ^ FF
    finally:
        os.close(fd)
        sim.stop()


def test_card_numbers() -> None:
    assert frame("1B2C3D4E")[1:11] == b"001B2C3D4E"
    with pytest.raises(ValueError, match="8 or 10 hex"):
        frame("123")
    sim = ReaderSim(PtyEndpoint())
    try:
        assert run_command(sim.control, "tap nothex").startswith("error card 'NOTHEX'")
        assert run_command(sim.control, "fault garbage 2") == "ok" and sim.garbage_left == 2
        assert run_command(sim.control, "dance").startswith("error unknown command")
    finally:
        sim.endpoint.close()
