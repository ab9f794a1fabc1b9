"""Alert events: published on the engine's bus and persisted by its single writer.

Subscribe with ``engine.bus.subscribe(fn, AlertRaised, AlertCleared, AlertAcknowledged)``
to badge bay tiles and the tray; ``ExpectedEnd`` carries each running session's estimate
(published when it moves by a minute or more) for the expected end on the tile.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stationmgr.alerts.estimator import Estimate


class AlertKind(StrEnum):
    OVERRUN = "overrun"  # charging goes on well past the expected end
    STALLED = "stalled"  # the bay says Charging but the meter does not move
    BLOCKED = "blocked"  # charging is over, the car still occupies the bay past the grace
    FAULT = "fault"  # the charger reports a fault
    COMM_LOST = "comm_lost"  # the charger does not answer
    CARD_DENIED = "card_denied"  # one card refused again and again at one bay
    RECORD_DROPPED = "record_dropped"  # the writer could not store a record (until seen)


TITLES = {
    AlertKind.OVERRUN: "Session overrun",
    AlertKind.STALLED: "Charging stalled",
    AlertKind.BLOCKED: "Bay blocked",
    AlertKind.FAULT: "Charger fault",
    AlertKind.COMM_LOST: "Charger not answering",
    AlertKind.CARD_DENIED: "Card denied repeatedly",
    AlertKind.RECORD_DROPPED: "Record not stored",
}


@dataclass(frozen=True, slots=True)
class AlertRaised:
    uid: str
    kind: AlertKind
    bay_id: int | None
    charger_id: int | None
    tx_uid: str | None
    card_uid: str | None
    subject: str | None
    since: float  # when the condition began
    at: float  # when it was raised
    detail: str
    label: str = ""  # bay label or charger name, for messages


@dataclass(frozen=True, slots=True)
class AlertCleared:
    uid: str
    kind: AlertKind
    bay_id: int | None
    charger_id: int | None
    at: float
    detail: str


@dataclass(frozen=True, slots=True)
class AlertAcknowledged:
    """An operator has seen the alert (audited); it stays open until its condition ends."""

    uid: str
    operator: str
    at: float
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AlertsReset:
    """The monitor (re)started (bus only): forget the badges you hold; the alerts still
    open (including those adopted from an earlier run) are published again right after."""

    at: float


@dataclass(frozen=True, slots=True)
class ExpectedEnd:
    bay_id: int
    tx_uid: str | None
    estimate: Estimate | None  # None: the bay is free again
