"""Failed sign-ins per network address: the account lockout stops guessing one operator's
password, this stops one machine trying many names (or many operators' passwords) at once.
Past `max_failures` within `window_s`, that address is answered 429 with the seconds to
wait, before any password is checked; a good sign-in does not clear the count."""

from __future__ import annotations

import threading
from collections import deque

from stationmgr.client.errors import TooManyAttempts
from stationmgr.clock import Clock, SystemClock

MAX_FAILURES = 30
WINDOW_S = 600.0


class LoginThrottle:
    def __init__(
        self,
        clock: Clock | None = None,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
    ) -> None:
        self.clock = clock or SystemClock()
        self.max_failures = max_failures
        self.window_s = window_s
        self._failed: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failed.setdefault(address, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def check(self, address: str) -> None:
        """Refuse (TooManyAttempts) while `address` is over the limit."""
        now = self.clock.now()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.max_failures:
                if not times:
                    self._failed.pop(address, None)
                return
            wait = max(1, int(times[0] + self.window_s - now + 0.999))
        raise TooManyAttempts(
            f"too many failed sign-ins from {address}: try again in {wait} s", wait
        )

    def failed(self, address: str) -> None:
        now = self.clock.now()
        with self._lock:
            self._recent(address, now).append(now)
            if len(self._failed) > 10_000:  # a scan of many addresses: keep memory bounded
                for key in list(self._failed)[:5_000]:
                    del self._failed[key]
