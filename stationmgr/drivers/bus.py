"""One owner per physical port.

Several chargers may share one RS-485 bus; each port URL gets exactly one owner object (a
line-protocol link, a Modbus client…) created on first use and shared by every driver on that
port. The owner queues and paces requests; `PortPool` only guarantees there is one of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class PortPool:
    """Shared per-port owners, keyed by the port URL (and the kind of owner)."""

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], Any] = {}

    def get(self, port: str, kind: str, factory: Callable[[], T]) -> T:
        key = (port, kind)
        if key not in self._owners:
            self._owners[key] = factory()
        return self._owners[key]

    def owners(self) -> list[Any]:
        return list(self._owners.values())

    async def release(self, port: str) -> None:
        """Close and forget every owner of `port` (its last device was removed): the port
        is free for another program, and a later user opens it with its own settings."""
        for key in [k for k in self._owners if k[0] == port]:
            await _close(self._owners.pop(key))

    async def close_all(self) -> None:
        for owner in self.owners():
            await _close(owner)
        self._owners.clear()


async def _close(owner: Any) -> None:
    close = getattr(owner, "close", None)
    if close is not None:
        result = close()
        if asyncio.iscoroutine(result):
            await result
