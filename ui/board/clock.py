"""The site's time as this window knows it, from the bays' snapshots alone.

A window on a second PC has no engine clock (and the site may run a warped one in a demo):
each bay's `at` is the site's time when the engine made it. `SiteClock.now()` is the
newest `at` seen, run on by this PC's monotonic clock since it arrived — so timers on the
tiles and the status bar clock tick on between snapshots, and never run backwards.
"""

from __future__ import annotations

import time


class SiteClock:
    def __init__(self) -> None:
        self._at: float | None = None  # the newest site time seen
        self._seen = 0.0  # time.monotonic() when it was seen

    def saw(self, at: float) -> None:
        """A snapshot made at site time `at` arrived now."""
        if self._at is None or at > self.now():
            self._at, self._seen = at, time.monotonic()

    @property
    def known(self) -> bool:
        return self._at is not None

    def now(self) -> float:
        """The site's time now (this PC's wall clock before any snapshot came)."""
        if self._at is None:
            return time.time()
        return self._at + (time.monotonic() - self._seen)
