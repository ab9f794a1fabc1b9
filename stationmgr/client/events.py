"""Live events as clients see them: the engine's bus events turned into wire `Event`s
(`to_event`, used by the service's WebSocket and by `LocalClient`), and `EventStream`, what
a client's `events()` returns: a thread-safe queue of events, optionally with a callback.
"""

from __future__ import annotations

import dataclasses
import enum
import queue
from collections.abc import Callable, Iterator
from typing import Any

from stationmgr import sessions as sm
from stationmgr.client.local import bay_wire, iso
from stationmgr.client.models import Event
from stationmgr.events import (
    BaySnapshot,
    ChargerCommLost,
    ChargerCommRestored,
    ChargerMisconfigured,
)

OnEvent = Callable[[Event], None]


class EventStream:
    """Events as they arrive: `get(timeout)` one, or a callback per event; `close()` ends
    it. A `closed` event (type "closed", data {"reason": …}) is the last one."""

    def __init__(self, on_event: OnEvent | None = None, maxsize: int = 10_000) -> None:
        self.on_event = on_event
        self.queue: queue.Queue[Event] = queue.Queue(maxsize)
        self.closed = False
        self._close: Callable[[], None] | None = None

    def push(self, ev: Event) -> None:
        if self.on_event is not None:
            self.on_event(ev)
        try:
            self.queue.put_nowait(ev)
        except queue.Full:  # nobody reads the queue (a callback user): keep the newest
            try:
                self.queue.get_nowait()
            except queue.Empty:
                pass
            self.queue.put_nowait(ev)

    def get(self, timeout: float | None = None) -> Event:
        """The next event (queue.Empty after `timeout` seconds)."""
        return self.queue.get(timeout=timeout)

    def wait_for(self, match: Callable[[Event], bool], timeout: float, what: str) -> Event:
        """The first event that `match`es within `timeout` seconds (others are skipped)."""
        import time

        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} within {timeout:g} s")
            try:
                ev = self.get(left)
            except queue.Empty:
                continue
            if match(ev):
                return ev

    def __iter__(self) -> Iterator[Event]:
        """Every event until the stream closes (blocking)."""
        while True:
            ev = self.get()
            yield ev
            if ev.type == "closed":
                return

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self._close is not None:
                self._close()


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):  # ConfigurationChanged.kinds: a JSON list
        return sorted(str(_plain(v)) for v in value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _tx(tx: sm.Transaction) -> dict[str, Any]:
    return {
        "tx_uid": tx.uid,
        "bay_id": tx.bay_id,
        "card_uid": tx.auth.card_uid,
        "holder_name": tx.auth.holder_name,
        "started_by": tx.auth.started_by,
        "plugged_at": iso(tx.plugged_at),
        "authorized_at": iso(tx.authorized_at),
        "meter_start_wh": tx.meter_start_wh,
        "energy_wh": tx.energy_wh,
        "stopped_at": iso(tx.stopped_at),
        "stop_reason": _plain(tx.stop_reason),
        "stopped_by": tx.stopped_by,
        "meter_stop_wh": tx.meter_stop_wh,
    }


def to_event(ev: object) -> Event | None:
    """The wire event for a bus event; None for what clients do not get (meter samples,
    progress records, card taps at the desk: those are in the database and the snapshot)."""
    from stationmgr.alerts.events import AlertAcknowledged, AlertCleared, AlertRaised

    if isinstance(ev, BaySnapshot):
        return Event("bay", bay_wire(ev).to_json())
    if isinstance(ev, sm.TransactionStarted):
        return Event("session_opened", _tx(ev.tx))
    if isinstance(ev, sm.TransactionStopped):
        return Event("session_closed", _tx(ev.tx))
    if isinstance(ev, sm.FaultRaised):
        data = {"bay_id": ev.bay_id, "code": ev.code, "at": iso(ev.at), "tx_uid": ev.tx_uid}
        return Event("fault_raised", data)
    if isinstance(ev, sm.FaultCleared):
        return Event("fault_cleared", {"bay_id": ev.bay_id, "code": ev.code, "at": iso(ev.at)})
    if isinstance(ev, sm.CardRefused):
        data = {
            "bay_id": ev.bay_id,
            "card_uid": ev.auth.card_uid,
            "status": str(ev.auth.status),
            "why": ev.why,
            "at": iso(ev.at),
        }
        return Event("card_refused", data)
    if isinstance(ev, AlertRaised | AlertCleared | AlertAcknowledged):
        data = _plain(ev)
        for key in ("at", "since"):
            if isinstance(data.get(key), float):
                data[key] = iso(data[key])
        name = {AlertRaised: "alert_raised", AlertCleared: "alert_cleared"}.get(
            type(ev), "alert_acknowledged"
        )
        return Event(name, data)
    if isinstance(ev, ChargerCommLost | ChargerCommRestored | ChargerMisconfigured):
        data = _plain(ev)
        for key in ("at", "last_reading_at", "lost_at"):
            if isinstance(data.get(key), float):
                data[key] = iso(data[key])
        name = {ChargerCommLost: "charger_offline", ChargerCommRestored: "charger_online"}.get(
            type(ev), "charger_misconfigured"
        )
        return Event(name, data)
    if type(ev).__name__ == "ConfigurationChanged":  # engine.apply_changes publishes it
        return Event("configuration_changed", _plain(ev))
    return None
