"""Background work with callbacks on the GUI thread (Anki's aqt/operations, in small).

`Worker.run(fn, on_done, on_error)` runs `fn()` on a QThreadPool thread and calls
`on_done(result)` or `on_error(exc)` back on the GUI thread. `Worker.wait_future(fut, ...)`
does the same for a concurrent future from an engine service without ever blocking the GUI
thread: the future's own done-callback (engine thread) posts the result over a queued signal.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; emitted from any thread, delivered queued on the GUI thread."""

    finished = Signal(object, object, object)  # (callback, value, is_error)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, done: Done, failed: Failed) -> None:
        super().__init__()
        self.fn, self.relay, self.done, self.failed = fn, relay, done, failed
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as e:  # delivered to the GUI thread, never lost
            self.relay.finished.emit(self.failed, e, True)
        else:
            self.relay.finished.emit(self.done, result, False)


def _log_failure(e: BaseException) -> None:
    log.error("background task failed: %s", e, exc_info=e)


class Worker(QObject):
    """A small pool (2 threads: never more than the machine can spare for I/O)."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self.pending = 0

    def run(
        self, fn: Callable[[], Any], on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        self.pending += 1
        self.pool.start(
            _Job(fn, self._relay, on_done or (lambda _r: None), on_error or _log_failure)
        )

    def wait_future(
        self,
        fut: concurrent.futures.Future[Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        """Deliver a future's result (from the engine thread) to callbacks on the GUI thread."""
        self.pending += 1
        done = on_done or (lambda _r: None)
        failed = on_error or _log_failure

        def relay(f: concurrent.futures.Future[Any]) -> None:
            try:
                value = f.result()
            except BaseException as e:
                self._relay.finished.emit(failed, e, True)
            else:
                self._relay.finished.emit(done, value, False)

        fut.add_done_callback(relay)

    @Slot(object, object, object)
    def _deliver(self, callback: Callable[[Any], None], value: Any, _is_error: bool) -> None:
        self.pending -= 1
        try:
            callback(value)
        except Exception:
            log.exception("callback of a background task failed")

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Wait for running jobs (called at exit and by test fixtures)."""
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)
