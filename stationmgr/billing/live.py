"""Live cost estimates of running sessions, for the bay board.

`estimate_cost(tx, tariffs, now)` (in `pricing`) is the pure function; `LiveEstimates`
keeps each scope's tariff versions in memory (read once, refreshed every few minutes, so a
new version shows up without a restart) and answers from a transaction snapshot without
touching the database on the caller's thread after the first call for a scope.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from stationmgr import sessions as sm
from stationmgr.billing.pricing import Pricing, TariffTerms, estimate_cost
from stationmgr.billing.tariffs import versions_for
from stationmgr.events import BaySnapshot
from stationmgr.store.db import Database

if TYPE_CHECKING:
    from stationmgr.engine.engine import Engine

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


class LiveCost:
    """A snapshot enricher (`Engine.add_snapshot_enricher`): each running session's cost so
    far, in the bay's snapshot, so every client shows the same figure. Tariffs come from
    `LiveEstimates`' cache (one short read per scope every few minutes, then memory)."""

    def __init__(self, estimates: LiveEstimates) -> None:
        self.estimates = estimates

    def __call__(self, snap: BaySnapshot, bay: sm.BayState) -> BaySnapshot:
        tx = bay.tx
        if tx is None:
            return snap
        if not self.estimates.tariffs(tx.auth.group_id, tx.auth.is_guest):
            return snap  # no tariff for this scope: no figure rather than a zero
        p = self.estimates.estimate(tx, snap.at)
        if not p.tariffs:
            return snap  # plugged in before any valid version: it will not be priced
        return replace(snap, cost_minor=p.total_minor, currency=p.currency)


def install_live_cost(engine: Engine, estimates: LiveEstimates | None = None) -> LiveCost:
    """Put the cost so far into `engine`'s bay snapshots (the composition root calls it)."""
    cost = LiveCost(estimates or LiveEstimates(engine.db))
    engine.add_snapshot_enricher(cost)
    return cost
