"""The site → GUI bridge over a `SiteClient`'s live events: the same for a site in this
process (`LocalClient`) and a site service elsewhere (`RemoteClient`).

Events arrive on whatever thread the client delivers them on (the engine's, or the remote
client's loop); `_on_event` only stores them under a lock. A GUI-thread timer flushes every
`interval_ms`: bay snapshots are coalesced per bay (the newest wins), every other event is
delivered once, in order. A thread of its own (re)connects the stream: when a remote site
goes away the window keeps what it last saw, says so (`link`), and reconnects with a
backoff; the site sends every bay's snapshot first on each (re)connection.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from stationmgr.client import models as m

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient
    from stationmgr.client.events import EventStream

log = logging.getLogger(__name__)

RETRY_MIN_S = 1.0
RETRY_MAX_S = 15.0


class SiteBridge(QObject):
    bays = Signal(object)  # {bay_id: m.Bay}: the bays that changed since the last flush
    events = Signal(object)  # list[m.Event]: every other event since the last flush, in order
    link = Signal(bool, str)  # connected?, and why not (one line) when not

    def __init__(
        self, client: SiteClient, interval_ms: int = 100, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self._lock = threading.Lock()
        self._bays: dict[int, m.Bay] = {}
        self._events: list[m.Event] = []
        self._link: tuple[bool, str] | None = None
        self.latest: dict[int, m.Bay] = {}
        self.connected = False
        self.last_error = ""
        self.received = 0
        self.flushes = 0
        self._stop = threading.Event()
        self._stream: EventStream | None = None
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    # ------------------------------------------------------------ connection

    def start(self) -> SiteBridge:
        """Connect in the background and start delivering (returns at once)."""
        if self._thread is None:
            self._timer.start()
            self._thread = threading.Thread(target=self._run, name="site-events", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        delay = RETRY_MIN_S
        while not self._stop.is_set():
            try:
                stream = self.client.events(self._on_event)
            except Exception as e:  # unreachable, refused, not running: say so, retry
                self._set_link(False, _line(e))
                self._stop.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            self._stream = stream
            delay = RETRY_MIN_S
            self._set_link(True, "")
            why = self._follow(stream)
            stream.close()
            self._stream = None
            if not self._stop.is_set():
                self._set_link(False, why)
                self._stop.wait(delay)

    def _follow(self, stream: EventStream) -> str:
        """Wait until the stream ends (the callback delivers its events); why it ended."""
        while not self._stop.is_set():
            try:
                ev = stream.get(0.5)
            except queue.Empty:
                continue
            if ev.type == "closed":
                return str(ev.data.get("reason") or "the event stream ended")
        return ""

    def _set_link(self, up: bool, why: str) -> None:
        with self._lock:
            self._link = (up, why)

    # ------------------------------------------------------------ delivery

    def _on_event(self, ev: m.Event) -> None:  # the client's thread: store only
        if ev.type == "closed":
            return
        bay = None
        if ev.type == "bay":
            try:
                bay = m.Bay.from_json(ev.data)
            except Exception:
                log.warning("a bay event the window cannot read: %.200r", ev.data)
                return
        with self._lock:
            self.received += 1
            if bay is not None:
                self._bays[bay.bay_id] = bay
            else:
                self._events.append(ev)

    def flush(self) -> None:
        """Deliver what arrived since the last flush (GUI thread)."""
        with self._lock:
            bays, self._bays = self._bays, {}
            events, self._events = self._events, []
            link, self._link = self._link, None
        if link is not None and (link[0] != self.connected or link[1] != self.last_error):
            self.connected, self.last_error = link
            self.link.emit(*link)
        if events:
            self.events.emit(events)
        if bays:
            self.latest.update(bays)
            self.flushes += 1
            self.bays.emit(bays)

    def close(self) -> None:
        """Stop delivering and end the stream (the client itself belongs to the caller)."""
        self._timer.stop()
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.close()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None


def _line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
