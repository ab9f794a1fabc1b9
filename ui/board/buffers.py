"""Live curve buffers: every bay's recent (time, power, energy) in preallocated numpy
arrays, sampled once a second from the snapshots (no pyqtgraph here: it loads later)."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from ui import fmt
from ui.board.state import BaySnap

LIVE_POINTS = 7200  # per bay: two hours of 1 s ticks before the oldest half is dropped


class Ring:
    """Preallocated (t, power W, energy Wh) columns; appends without reallocating."""

    def __init__(self, size: int = LIVE_POINTS) -> None:
        self.data = np.full((3, size), np.nan)
        self.n = 0

    def append(self, t: float, power: float, energy: float) -> None:
        if self.n == self.data.shape[1]:  # keep the newest half
            half = self.n // 2
            self.data[:, :half] = self.data[:, self.n - half : self.n]
            self.n = half
        self.data[:, self.n] = (t, power, energy)
        self.n += 1

    def view(self) -> np.ndarray:
        return self.data[:, : self.n]


class LiveBuffers:
    """Every bay's live ring plus the site total, fed once a second from the snapshots."""

    def __init__(self) -> None:
        self.bays: dict[int, Ring] = {}
        self.site = Ring()

    def sample(self, now: float, snaps: dict[int, BaySnap]) -> None:
        total = 0.0
        for bay_id, s in snaps.items():
            ring = self.bays.get(bay_id)
            if ring is None:
                ring = self.bays[bay_id] = Ring()
            p = (s.power_w or 0.0) if s.tx_uid is not None else 0.0
            e = s.energy_wh if s.energy_wh is not None else np.nan
            ring.append(now, p, e)
            total += p
        self.site.append(now, total, np.nan)


def midnight(now: float) -> float:
    """Local midnight before `now` (epoch seconds)."""
    local = datetime.fromtimestamp(now).astimezone(fmt.site_zone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
