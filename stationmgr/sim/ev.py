"""A simple electric vehicle: battery, state of charge, constant power then taper near full.

Good enough to make believable curves: the car draws what it is offered up to its on-board
charger's limit, tapers linearly above `taper_soc`, stops at `target_soc`, and can pause
(SuspendedEV) on its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EV:
    capacity_wh: float = 60_000.0
    soc: float = 0.3  # 0..1
    max_power_w: float = 11_000.0
    taper_soc: float = 0.8
    target_soc: float = 1.0
    paused: bool = False  # the car itself is not drawing (SuspendedEV)
    min_taper_fraction: float = 0.1

    @property
    def full(self) -> bool:
        return self.soc >= self.target_soc - 1e-9

    def demand_w(self, offered_w: float) -> float:
        """Power the car draws when `offered_w` is available."""
        if self.paused or self.full or offered_w <= 0:
            return 0.0
        limit = self.max_power_w
        if self.soc > self.taper_soc:
            span = max(1e-6, 1.0 - self.taper_soc)
            frac = max(self.min_taper_fraction, 1.0 - (self.soc - self.taper_soc) / span)
            limit *= frac
        return min(offered_w, limit)

    def absorb(self, wh: float) -> None:
        self.soc = min(self.target_soc, self.soc + wh / self.capacity_wh)

    def minutes_to_full(self, power_w: float) -> float:
        """Rough remaining time at `power_w` (ignores the taper), for scenarios."""
        if power_w <= 0:
            return float("inf")
        return (self.target_soc - self.soc) * self.capacity_wh / power_w * 60.0
