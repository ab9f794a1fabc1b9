"""Qt objects in cyclic garbage die on the GUI thread, however busy the other threads are."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt
from pytestqt.qtbot import QtBot

from ui.gcguard import GuiThreadCollector


class Node:
    """A reference cycle that keeps a Qt object alive until the collector runs."""

    def __init__(self, obj: QObject) -> None:
        self.obj = obj
        self.me = self


def test_garbage_made_while_workers_allocate_is_collected_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    died_on: list[threading.Thread] = []
    guard = GuiThreadCollector(interval_ms=50)
    try:
        assert not gc.isenabled()
        obj = QObject()
        obj.destroyed.connect(
            lambda *_: died_on.append(threading.current_thread()),
            Qt.ConnectionType.DirectConnection,
        )
        Node(obj)
        del obj

        kept: list[object] = []

        def allocate() -> None:  # far past the threshold: Python would collect right here
            kept.append([[i] for i in range(20_000)])

        workers = [threading.Thread(target=allocate) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        qtbot.waitUntil(lambda: bool(died_on), timeout=20_000)
        assert died_on == [threading.main_thread()]
        kept.clear()
    finally:
        guard.stop()
    assert gc.isenabled() is guard.was_enabled


def test_the_collector_does_what_python_would_generation_by_generation(qtbot: QtBot) -> None:
    guard = GuiThreadCollector(interval_ms=50)
    try:
        t0 = gc.get_threshold()[0]
        for _ in range(t0 * 3):
            Node(None)  # type: ignore[arg-type]
        assert gc.get_count()[0] > t0  # nothing collected them: the collector is off
        qtbot.waitUntil(lambda: gc.get_count()[0] < t0, timeout=20_000)
    finally:
        guard.stop()
