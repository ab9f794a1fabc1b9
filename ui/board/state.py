"""What a bay tile shows, derived from the bay's last snapshot and the site clock.

Plain Python (no Qt): the board repaints every second from `BayView.figures(now)` without
asking the engine anything; the timers run on from the snapshot's own timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stationmgr.events import BaySnapshot
from stationmgr.ocpp_words import BayStatus


@dataclass(frozen=True, slots=True)
class Figures:
    plugged_s: float | None
    charging_s: float | None
    idle_s: float | None
    power_w: float | None
    energy_wh: float | None


@dataclass
class BayView:
    """One bay as the board knows it: the last snapshot plus what the GUI remembers."""

    snap: BaySnapshot
    alerts: dict[str, str] = field(default_factory=dict)  # alert key → short text
    cost_minor: int | None = None
    expected_end: float | None = None
    idle_since: float | None = None  # remembered when a session ends with the car still there
    charging_s_at_end: float | None = None

    def update(self, snap: BaySnapshot) -> None:
        old = self.snap
        if snap.tx_uid is None and old.tx_uid is not None and snap.plugged_at is not None:
            # The session ended (card re-tap, attendant, fault) while the car stays plugged:
            # idle runs on from the last energy flow of that session.
            self.idle_since = old.charging_ended_at or old.authorized_at or snap.at
            if old.charging_started_at is not None and old.charging_ended_at is not None:
                self.charging_s_at_end = old.charging_ended_at - old.charging_started_at
        if snap.plugged_at is None or snap.tx_uid is not None:
            self.idle_since = None
            self.charging_s_at_end = None
        if snap.tx_uid is None:
            self.cost_minor = None
            self.expected_end = None
        self.snap = snap

    def figures(self, now: float) -> Figures:
        s = self.snap
        now = max(now, s.at)
        plugged = None if s.plugged_at is None else now - s.plugged_at
        charging: float | None = None
        idle: float | None = None
        if s.tx_uid is not None:
            if s.charging_started_at is not None:
                end = now if s.status is BayStatus.CHARGING else (s.charging_ended_at or now)
                charging = max(0.0, end - s.charging_started_at)
            if s.status in (BayStatus.SUSPENDED_EV, BayStatus.FINISHING):
                idle = max(0.0, now - (s.charging_ended_at or s.authorized_at or now))
        elif s.plugged_at is not None and self.idle_since is not None:
            charging = self.charging_s_at_end
            idle = max(0.0, now - self.idle_since)
        power = s.power_w if s.tx_uid is not None else None
        return Figures(plugged, charging, idle, power, s.energy_wh)


def blocks_bay(view: BayView) -> bool:
    """A finished car still parked: the attendant's first concern after faults."""
    return view.snap.status is BayStatus.FINISHING
