"""Live events over the WebSocket `/api/v1/events`: the engine's bus, as JSON, to every
signed-in client.

Memory per client is bounded whatever the client does: bay snapshots are coalesced per bay
(a client that reads slowly gets each bay's newest snapshot, never a backlog), and the
other events (sessions, alerts, faults, chargers, configuration) wait in a bounded queue.
Those are never dropped silently: a client whose queue is full is disconnected (close code
1008 with a reason, and one line in the service's log); it reconnects and reads the
current state with `GET /api/v1/bays`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict, deque
from typing import Any

from stationmgr.client.events import to_event
from stationmgr.client.models import Event

log = logging.getLogger(__name__)

MAX_PENDING = 1000  # events (not snapshots) a client may have unsent before it is dropped


class ClientQueue:
    """One client's unsent events: snapshots coalesced per bay, the rest bounded."""

    def __init__(self, name: str, max_pending: int = MAX_PENDING) -> None:
        self.name = name
        self.max_pending = max_pending
        self.snapshots: OrderedDict[int, Event] = OrderedDict()
        self.events: deque[Event] = deque()
        self.overflowed = False
        self.wake = asyncio.Event()

    def put(self, ev: Event) -> None:
        if self.overflowed:
            return
        if ev.type == "bay":
            bay = int(ev.data["bay_id"])
            self.snapshots.pop(bay, None)  # the newest one replaces the unsent one
            self.snapshots[bay] = ev
        elif len(self.events) >= self.max_pending:
            self.overflowed = True
            self.events.clear()
            self.snapshots.clear()
        else:
            self.events.append(ev)
        self.wake.set()

    def take(self) -> list[Event]:
        """Everything unsent: events first (in order), then each bay's newest snapshot."""
        out = list(self.events) + list(self.snapshots.values())
        self.events.clear()
        self.snapshots.clear()
        self.wake.clear()
        return out


class EventHub:
    """Subscribes once to the bus; fans each event out to the connected clients' queues.
    Runs on the engine's loop (a publish from another thread is handed over to it)."""

    def __init__(self, bus: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.clients: set[ClientQueue] = set()
        self._loop_thread = threading.get_ident()
        self._unsubscribe = bus.subscribe(self._on_bus)

    def close(self) -> None:
        self._unsubscribe()

    def _on_bus(self, ev: object) -> None:
        if not self.clients:
            return
        wire = to_event(ev)
        if wire is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._fan_out(wire)
        else:
            self.loop.call_soon_threadsafe(self._fan_out, wire)

    def _fan_out(self, wire: Event) -> None:
        for q in list(self.clients):
            q.put(wire)
