"""The event bus: the engine publishes, the GUI bridge, alerts and loggers subscribe.

Subscribers are called on the engine's thread, in publish order; they must be quick (the
Qt bridge only queues). A subscriber that raises is logged and kept; it cannot stop the
engine.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from stationmgr.ocpp_words import BayStatus

log = logging.getLogger(__name__)

Subscriber = Callable[[object], None]


class EventBus:
    def __init__(self) -> None:
        self._subs: list[tuple[Subscriber, tuple[type, ...] | None]] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Subscriber, *kinds: type) -> Callable[[], None]:
        """Call `fn(event)` for every event (or only those of `kinds`); returns unsubscribe."""
        entry = (fn, kinds or None)
        with self._lock:
            self._subs.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subs:
                    self._subs.remove(entry)

        return unsubscribe

    def publish(self, event: object) -> None:
        with self._lock:
            subs = list(self._subs)
        for fn, kinds in subs:
            if kinds is not None and not isinstance(event, kinds):
                continue
            try:
                fn(event)
            except Exception:
                log.exception("event subscriber %r failed on %r", fn, type(event).__name__)


@dataclass(frozen=True, slots=True)
class BaySnapshot:
    """What a bay tile shows, published after every reading of the bay."""

    bay_id: int
    label: str
    status: BayStatus
    at: float
    plugged_at: float | None
    power_w: float | None
    energy_wh: float | None  # of the running session
    tx_uid: str | None
    holder_name: str | None
    card_uid: str | None
    charging_started_at: float | None
    charging_ended_at: float | None
    authorized_at: float | None
    fault: str | None
    online: bool


@dataclass(frozen=True, slots=True)
class ChargerCommLost:
    charger_id: int
    name: str
    at: float
    detail: str


@dataclass(frozen=True, slots=True)
class ChargerCommRestored:
    charger_id: int
    name: str
    at: float


@dataclass(frozen=True, slots=True)
class CardTapped:
    """A card presented at a reader (before authorisation); bay_id None at the desk."""

    uid: str
    raw: str
    bay_id: int | None
    reader: str
    at: float
