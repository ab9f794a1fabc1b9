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

    async def close_all(self) -> None:
        for owner in self.owners():
            close = getattr(owner, "close", None)
            if close is not None:
                result = close()
                if asyncio.iscoroutine(result):
                    await result
        self._owners.clear()
