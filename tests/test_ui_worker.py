"""The worker pool delivers results and errors on the GUI thread (every client call a
page makes runs there, never on the GUI thread)."""

from __future__ import annotations

import concurrent.futures
import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication


def test_worker_delivers_result_and_error_on_gui_thread(qtbot) -> None:
    from ui.worker import Worker

    w = Worker()
    results: list[tuple[str, object, object]] = []
    gui = QApplication.instance().thread()
    w.run(
        lambda: threading.current_thread().name,
        lambda r: results.append(("ok", r, QThread.currentThread())),
    )

    def boom() -> None:
        raise ValueError("bad row")

    w.run(boom, None, lambda e: results.append(("err", e, QThread.currentThread())))
    fut: concurrent.futures.Future[int] = concurrent.futures.Future()
    w.wait_future(fut, lambda r: results.append(("fut", r, QThread.currentThread())))
    threading.Timer(0.05, lambda: fut.set_result(42)).start()
    qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    by = {k: (v, th) for k, v, th in results}
    assert by["ok"][0] != threading.current_thread().name  # ran elsewhere
    assert isinstance(by["err"][0], ValueError)
    assert by["fut"][0] == 42
    assert all(th is gui for _v, th in by.values())
    assert w.pending == 0
    w.shutdown()
