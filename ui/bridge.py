"""The engine → GUI bridge: event-bus callbacks (engine thread) become Qt signals (GUI thread).

The bus calls `_on_event` on the engine's thread; it only stores the event under a lock.
A GUI-thread timer flushes every `interval_ms` (100 ms): snapshots are coalesced per bay
(the newest wins, so a bay updates at most ~10 times a second however chatty its charger),
every other event (sessions, samples, faults, alerts, comm) is delivered once, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from stationmgr.events import BaySnapshot, EventBus


class EngineBridge(QObject):
    snapshots = Signal(object)  # {bay_id: BaySnapshot}: the bays that changed since last flush
    events = Signal(object)  # list: every other bus event since the last flush, in publish order

    def __init__(
        self, bus: EventBus, interval_ms: int = 100, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._snaps: dict[int, BaySnapshot] = {}
        self._events: list[object] = []
        self.latest: dict[int, BaySnapshot] = {}
        self.flushes = 0
        self.received = 0
        self._unsubscribe: Callable[[], None] | None = bus.subscribe(self._on_event)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def seed(self, snaps: list[BaySnapshot]) -> None:
        """Start from the engine's current snapshots (before the first event arrives)."""
        with self._lock:
            for s in snaps:
                self._snaps.setdefault(s.bay_id, s)
        self.flush()

    def _on_event(self, event: object) -> None:  # engine thread: store only
        with self._lock:
            self.received += 1
            if isinstance(event, BaySnapshot):
                self._snaps[event.bay_id] = event
            else:
                self._events.append(event)

    def flush(self) -> None:
        """Deliver what arrived since the last flush (GUI thread)."""
        with self._lock:
            snaps, self._snaps = self._snaps, {}
            events, self._events = self._events, []
        if events:
            self.events.emit(events)
        if snaps:
            self.latest.update(snaps)
            self.flushes += 1
            self.snapshots.emit(snaps)

    def close(self) -> None:
        self._timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
