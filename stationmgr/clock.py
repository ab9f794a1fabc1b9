"""Injected time.

The session logic never reads the wall clock itself: it is handed a clock, so a two-hour
session is tested in milliseconds and the simulator and demo can run faster than real time.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC), possibly warped."""

    async def sleep(self, seconds: float) -> None:
        """Sleep for `seconds` of this clock's time."""


class SystemClock:
    """Real time."""

    speed = 1.0

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class WarpClock:
    """Time that runs `speed` times faster than real time, starting at `start` (default now)."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._t0_real = time.monotonic()
        self._t0 = time.time() if start is None else start

    def now(self) -> float:
        return self._t0 + (time.monotonic() - self._t0_real) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class ManualClock:
    """A clock that only moves when told to (pure-logic tests)."""

    speed = 1.0

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


def to_datetime(ts: float) -> datetime:
    """Epoch seconds → aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)


def to_epoch(dt: datetime) -> float:
    """Aware (or naive-UTC) datetime → epoch seconds."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
