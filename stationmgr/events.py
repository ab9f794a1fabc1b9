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
    """What a bay tile shows, published after every reading of the bay: the complete read
    model of one bay (clients never read `Engine.bays`)."""

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
    # The rest of the bay's read model: what the board shows without asking the engine.
    out_of_order: bool = False
    pending_card: str | None = None  # a card tapped before plug-in, waiting for the car
    pending_holder: str | None = None
    pending_until: float | None = None
    idle_since: float | None = None  # `BayState.idle_since`
    charging_s: float | None = None  # as of `at` (`BayState.charging_s`)
    finished_tx_uid: str | None = None  # the session that ended here, car still plugged
    # From snapshot enrichers (None/0 when not installed): billing's live cost, the
    # alerts' expected end and open alert count.
    cost_minor: int | None = None
    currency: str | None = None
    expected_end: float | None = None
    open_alerts: int = 0


@dataclass(frozen=True, slots=True)
class ChargerCommLost:
    charger_id: int
    name: str
    at: float
    detail: str
    last_reading_at: float | None = None  # the blind spot starts here


@dataclass(frozen=True, slots=True)
class ChargerCommRestored:
    charger_id: int
    name: str
    at: float
    lost_at: float | None = None  # when it stopped answering


@dataclass(frozen=True, slots=True)
class ChargerMisconfigured:
    """The charger answers but may not charge: no safe current is known (engine/current.py).
    Its bays show the fault "Misconfigured" and refuse cards until the setting is fixed."""

    charger_id: int
    name: str
    at: float
    detail: str


@dataclass(frozen=True, slots=True)
class CardTapped:
    """A card presented at a reader (before authorisation); bay_id None at the desk."""

    uid: str
    raw: str
    bay_id: int | None
    reader: str
    at: float


@dataclass(frozen=True, slots=True)
class PersistFailed:
    """The single writer could not store a record (its handler raised, not a busy
    database): the record was dropped from its batch, the rest committed, and the record is
    kept in `persist_failures` (`stationmgr db failures`) for the owner. Published, never
    written itself."""

    failure_id: int | None  # the persist_failures row (None: it could not be stored either)
    record_type: str
    error: str
    at: float


# What `Engine.apply_changes` knows how to apply (see `stationmgr.runtime`).
CONFIG_KINDS = frozenset({"chargers", "readers", "cards", "tariffs", "settings"})


@dataclass(frozen=True, slots=True)
class ConfigurationChanged:
    """The running site applied a change to its configuration (`CONFIG_KINDS`): every
    client re-reads what it shows of it (the board its bays, a page its list)."""

    kinds: frozenset[str]
    at: float
