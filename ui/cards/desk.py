"""Cards tapped on a serial reader at the desk, delivered on the GUI thread.

With an engine running, the engine owns the reader's port: we subscribe to its bus for
`CardTapped` events with `bay_id=None`. Without an engine (an office PC enrolling cards),
we open the desk readers configured in the database ourselves, one small asyncio loop on a
thread per reader, and stop them when the page goes away.

This is the one place of the cards page that touches the in-process site (`start_local`):
a serial reader is hardware on the site's own PC. Over `--site` it is not opened: its port
is named in the site's configuration for the site's PC (whose engine owns it), and desk taps
do not travel over the event stream; a keyboard-wedge reader works on any PC, as it only
types the number into the enrol field.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from stationmgr.card_editor import desk_readers
from stationmgr.drivers import DeviceConfig, create_reader
from stationmgr.drivers.api import CardReader
from stationmgr.errors import DeviceError, StationError
from stationmgr.events import CardTapped, EventBus

if TYPE_CHECKING:
    from stationmgr.store.db import Database
    from ui.context import AppContext

log = logging.getLogger(__name__)


class DeskTaps(QObject):
    """Emits `tapped(uid, raw, reader)` on the GUI thread for every desk tap."""

    tapped = Signal(str, str, str)
    reader_failed = Signal(str, str)  # (reader, message): shown once, the loop keeps trying

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = None
        self._loops: list[_ReaderThread] = []

    def start_local(self, ctx: AppContext) -> None:
        """Listen for desk taps in the site's own window: from the engine when it runs,
        else from the readers themselves. Nothing over `--site` (see the module doc)."""
        if ctx.remote:
            return
        eng = ctx.engine
        if eng is not None and eng.running:
            self.follow_bus(eng.bus)
        elif ctx.db is not None:
            self.open_readers(ctx.db)

    # ---------------------------------------------------------------- with an engine

    def follow_bus(self, bus: EventBus) -> None:
        """Desk taps from the running engine (its reader tasks own the ports)."""

        def on_event(ev: object) -> None:  # engine thread: only emit (queued to the GUI)
            if isinstance(ev, CardTapped) and ev.bay_id is None:
                self.tapped.emit(ev.uid, ev.raw, ev.reader)

        self._unsubscribe = bus.subscribe(on_event, CardTapped)

    # ---------------------------------------------------------------- without an engine

    def open_readers(self, db: Database) -> list[str]:
        """Open every enabled desk reader (no bay) from the database; returns their names."""
        names = []
        for spec in desk_readers(db):
            name = spec.name
            try:
                config = DeviceConfig(spec.port, None, spec.baud, spec.settings)
                reader = create_reader(spec.driver, config)
            except StationError as e:
                self.reader_failed.emit(name, str(e))
                continue
            self.open_reader(name, reader)
            names.append(name)
        return names

    def open_reader(self, name: str, reader: CardReader) -> None:
        t = _ReaderThread(name, reader, self)
        self._loops.append(t)
        t.start()

    def stop(self) -> None:
        """Unsubscribe and stop every reader thread (always called when the page closes)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for t in self._loops:
            t.stop()
        self._loops.clear()


class _ReaderThread:
    """One desk reader read on its own asyncio loop; reopened with backoff when lost."""

    def __init__(self, name: str, reader: CardReader, out: DeskTaps) -> None:
        self.name, self.reader, self.out = name, reader, out
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"desk-reader-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(5.0)

    def stop(self) -> None:
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)
        self._thread.join(5.0)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._task = loop.create_task(self._run())
            self._ready.set()
            loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        finally:
            self._ready.set()
            loop.close()

    async def _run(self) -> None:
        backoff = 1.0
        failing = False
        try:
            while True:
                try:
                    await self.reader.open()
                    failing, backoff = False, 1.0
                    while True:
                        tap = await self.reader.next_tap()
                        self.out.tapped.emit(tap.uid, tap.raw, self.name)
                except (DeviceError, OSError) as e:
                    if not failing:  # say it once, keep trying quietly
                        log.warning("desk reader %s: %s", self.name, e)
                        self.out.reader_failed.emit(self.name, str(e))
                    failing = True
                    await _close(self.reader)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
        finally:
            await _close(self.reader)


async def _close(reader: CardReader) -> None:
    try:
        await reader.close()
    except Exception:
        log.debug("closing a desk reader failed", exc_info=True)
