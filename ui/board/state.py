"""What a bay tile and the bay panel show, described once from the bay's wire model.

Plain Python (no Qt): the board repaints every second from `tile_content(snap, now)`
without asking the site anything; timers run on from the bay's own timestamps. Every fact
comes from the site's `m.Bay` (the core's read model: out of order, idle since, charging
time, pending card, cost so far, expected end); nothing here re-derives session state. Each
`m.Bay` is read once when it arrives (`BaySnap.of`: its ISO times as epoch seconds, its
status as a `BayStatus`), so the repaint does no parsing.
The tile (`tiles.py`) and the panel (`page.py`) both draw this description, in the spirit of
Home Assistant's entity descriptions, so the two can never tell different stories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from stationmgr.client import models as m
from stationmgr.ocpp_words import BayStatus


def epoch(text: str | None) -> float | None:
    """An ISO 8601 time of the wire as epoch seconds (naive: UTC)."""
    if not text:
        return None
    dt = datetime.fromisoformat(text)
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True, slots=True)
class BaySnap:
    """One `m.Bay` as the board reads it: the same fields, times in epoch seconds."""

    bay_id: int
    label: str
    status: BayStatus
    at: float
    plugged_at: float | None
    power_w: float | None
    energy_wh: float | None
    tx_uid: str | None
    holder_name: str | None
    card_uid: str | None
    charging_started_at: float | None
    charging_ended_at: float | None
    authorized_at: float | None
    fault: str | None
    online: bool
    out_of_order: bool = False
    pending_card: str | None = None
    pending_holder: str | None = None
    pending_until: float | None = None
    idle_since: float | None = None
    charging_s: float | None = None
    finished_tx_uid: str | None = None
    cost_minor: int | None = None
    currency: str | None = None
    expected_end: float | None = None
    open_alerts: int = 0

    @classmethod
    def of(cls, b: m.Bay) -> BaySnap:
        try:
            status = BayStatus(b.status)
        except ValueError:  # a word a newer site knows: shown as not usable
            status = BayStatus.UNAVAILABLE
        return cls(
            bay_id=b.bay_id,
            label=b.label,
            status=status,
            at=epoch(b.at) or 0.0,
            plugged_at=epoch(b.plugged_at),
            power_w=b.power_w,
            energy_wh=b.energy_wh,
            tx_uid=b.tx_uid,
            holder_name=b.holder_name,
            card_uid=b.card_uid,
            charging_started_at=epoch(b.charging_started_at),
            charging_ended_at=epoch(b.charging_ended_at),
            authorized_at=epoch(b.authorized_at),
            fault=b.fault,
            online=b.online,
            out_of_order=b.out_of_order,
            pending_card=b.pending_card,
            pending_holder=b.pending_holder,
            pending_until=epoch(b.pending_until),
            idle_since=epoch(b.idle_since),
            charging_s=b.charging_s,
            finished_tx_uid=b.finished_tx_uid,
            cost_minor=b.cost_minor,
            currency=b.currency,
            expected_end=epoch(b.expected_end),
            open_alerts=b.open_alerts,
        )


class Who(StrEnum):
    """Whose bay it is, as a word the Qt layer translates."""

    HOLDER = "holder"  # a card holder's session (name, with the card number if any)
    CARD = "card"  # a card without a holder's name
    GUEST = "guest"  # a session started without a card
    PENDING = "pending"  # a card tapped, waiting for the car
    PLUGGED = "plugged"  # a car plugged in, no card yet
    ENDED = "ended"  # the session ended, the car is still plugged in
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Figures:
    plugged_s: float | None
    charging_s: float | None
    idle_s: float | None
    power_w: float | None
    energy_wh: float | None


@dataclass(frozen=True, slots=True)
class TileContent:
    """Everything the tile and the panel show for one bay at one moment."""

    who: Who
    holder: str | None
    card: str | None
    figures: Figures
    cost_minor: int | None
    currency: str | None
    expected_end: float | None  # shown while charging
    blocking: bool  # a finished car still parked: the attendant's first concern after faults
    out_of_order: bool
    usable: bool  # online, in service, no fault: a guest session may start
    running: bool  # a session is open (it can be stopped)
    open_alerts: int


def figures(s: BaySnap, now: float) -> Figures:
    """The durations at `now`, running on from the snapshot's `at`."""
    now = max(now, s.at)
    plugged = None if s.plugged_at is None else now - s.plugged_at
    charging = s.charging_s
    if charging is not None and s.tx_uid is not None and s.status is BayStatus.CHARGING:
        charging += now - s.at
    idle = None if s.idle_since is None else max(0.0, now - s.idle_since)
    power = s.power_w if s.tx_uid is not None else None
    return Figures(plugged, charging, idle, power, s.energy_wh)


def who(s: BaySnap) -> Who:
    if s.tx_uid is not None:
        if s.holder_name:
            return Who.HOLDER
        return Who.CARD if s.card_uid else Who.GUEST
    if s.pending_card is not None and s.plugged_at is None:
        return Who.PENDING
    if s.status is BayStatus.FINISHING:
        return Who.ENDED
    if s.status is BayStatus.PREPARING:
        return Who.PLUGGED
    return Who.NONE


def tile_content(s: BaySnap | m.Bay, now: float) -> TileContent:
    if isinstance(s, m.Bay):
        s = BaySnap.of(s)
    pending = s.tx_uid is None and s.pending_card is not None
    return TileContent(
        who=who(s),
        holder=s.holder_name if s.tx_uid else (s.pending_holder if pending else None),
        card=s.card_uid if s.tx_uid else (s.pending_card if pending else None),
        figures=figures(s, now),
        cost_minor=s.cost_minor if s.tx_uid else None,
        currency=s.currency,
        expected_end=s.expected_end if s.status is BayStatus.CHARGING else None,
        blocking=s.status is BayStatus.FINISHING,
        out_of_order=s.out_of_order,
        usable=s.online and not s.out_of_order and s.fault is None,
        running=s.tx_uid is not None,
        open_alerts=s.open_alerts,
    )


@dataclass
class BayView:
    """One bay as the board knows it: the site's last `m.Bay` (`bay`) as read (`snap`),
    plus the titles of its open alerts (from the alert events, for the badges)."""

    bay: m.Bay
    alerts: dict[str, str] = field(default_factory=dict)  # alert uid → short title
    snap: BaySnap = field(init=False)
    notice: tuple[str, float] | None = None  # a refused card: (line, monotonic until)

    def __post_init__(self) -> None:
        self.snap = BaySnap.of(self.bay)

    def update(self, bay: m.Bay) -> None:
        self.bay = bay
        self.snap = BaySnap.of(bay)

    def content(self, now: float) -> TileContent:
        return tile_content(self.snap, now)

    def notice_text(self, monotonic_now: float) -> str | None:
        """The refused-card line while it is shown, else None."""
        if self.notice is None or monotonic_now >= self.notice[1]:
            return None
        return self.notice[0]

    def figures(self, now: float) -> Figures:
        return figures(self.snap, now)


def blocks_bay(view: BayView) -> bool:
    """A finished car still parked: the attendant's first concern after faults."""
    return view.snap.status is BayStatus.FINISHING
