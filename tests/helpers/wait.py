"""Waiting in tests: for a condition or an event, with a deadline — never a fixed sleep.

A fixed sleep is a guess about how fast the machine is; on a loaded CI box it is too short
and on an idle one it is wasted time. These helpers return as soon as the thing happened and
fail with a clear message only when it has not happened by a generous deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEADLINE_S = 30.0  # generous: a deadline is a hang detector, not a timing threshold
_POLL_S = 0.01


def wait_until(
    predicate: Callable[[], T], timeout: float = DEADLINE_S, what: str = "condition"
) -> T:
    """Return the predicate's first truthy value; fail once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(_POLL_S)


async def async_wait_until(
    predicate: Callable[[], T], timeout: float = DEADLINE_S, what: str = "condition"
) -> T:
    """`wait_until` for coroutines: yields to the loop between checks."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(_POLL_S)


async def async_wait_for(
    awaitable: Awaitable[T], timeout: float = DEADLINE_S, what: str = "event"
) -> T:
    """Await an event (a future, a queue get) with a deadline and a clear failure."""
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}") from None
