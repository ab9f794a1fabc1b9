"""Background work with callbacks on the GUI thread (Anki's aqt/operations, in small).

`Worker.run(fn, on_done, on_error)` runs `fn()` on a worker thread and calls
`on_done(result)` or `on_error(exc)` back on the GUI thread. `Worker.wait_future(fut, ...)`
does the same for a concurrent future from an engine service without ever blocking the GUI
thread: the future's own done-callback (engine thread) posts the result over a queued signal.

The pool is Python's, not Qt's: a Python `QRunnable` that `QThreadPool` deletes needs the GIL
while the pool holds its own mutex, and `QThreadPool.start` from the GUI thread holds the GIL
while it takes that mutex: the two threads then wait for each other for ever (seen as a CI run
that hung in the history tests, where no test timeout can fire).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; emitted from any thread, delivered queued on the GUI thread."""

    finished = Signal(object, object, object)  # (callback, value, is_error)


def _log_failure(e: BaseException) -> None:
    log.error("background task failed: %s", e, exc_info=e)


class Worker(QObject):
    """A small pool (2 threads: never more than the machine can spare for I/O)."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="ui-worker")
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self.pending = 0

    def run(
        self, fn: Callable[[], Any], on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        self.pending += 1
        done = on_done or (lambda _r: None)
        failed = on_error or _log_failure
        relay = self._relay

        def job() -> None:
            try:
                result = fn()
            except BaseException as e:  # delivered to the GUI thread, never lost
                relay.finished.emit(failed, e, True)
            else:
                relay.finished.emit(done, result, False)

        try:
            self.pool.submit(job)
        except RuntimeError:  # after shutdown (a timer firing while the window closes)
            self.pending -= 1
            log.debug("background task dropped: the worker is shut down")

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

    def shutdown(self) -> None:
        """Drop queued jobs and wait for running ones (called at exit and by test fixtures)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
