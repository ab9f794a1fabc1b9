"""Live cost estimates of running sessions, for the bay board.

`estimate_cost(tx, tariffs, now)` (in `pricing`) is the pure function; `LiveEstimates`
keeps each scope's tariff versions in memory (read once, refreshed every few minutes, so a
new version shows up without a restart) and answers from a transaction snapshot without
touching the database on the caller's thread after the first call for a scope.
"""

from __future__ import annotations

import threading
import time

from stationmgr import sessions as sm
from stationmgr.billing.pricing import Pricing, TariffTerms, estimate_cost
from stationmgr.billing.tariffs import versions_for
from stationmgr.store.db import Database

REFRESH_S = 300.0


class LiveEstimates:
    def __init__(self, db: Database, refresh_s: float = REFRESH_S) -> None:
        self.db = db
        self.refresh_s = refresh_s
        self._cache: dict[tuple[int | None, bool], tuple[float, list[TariffTerms]]] = {}
        self._lock = threading.Lock()

    def tariffs(self, group_id: int | None, guest: bool) -> list[TariffTerms]:
        key = (None if guest else group_id, guest)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.refresh_s:
            return hit[1]
        with self.db.session() as s:
            versions = versions_for(s, key[0], guest)
        with self._lock:
            self._cache[key] = (time.monotonic(), versions)
        return versions

    def estimate(self, tx: sm.Transaction, now: float) -> Pricing:
        """What the running session would cost if it stopped `now` (net, VAT, total)."""
        return estimate_cost(tx, self.tariffs(tx.auth.group_id, tx.auth.is_guest), now)

    def forget(self) -> None:
        """Drop the cache (after a tariff was added)."""
        with self._lock:
            self._cache.clear()
