"""Cyclic garbage is collected on the GUI thread only.

Python's collector runs in whichever thread happens to allocate when a generation fills up:
in this app that is usually a worker or the site's own threads, busy in SQLAlchemy. A
collection there destroys whatever Qt objects the garbage holds (a closed dialog in a
reference cycle, a page of an earlier sign-in) on the wrong thread, with the GIL held all
along: Qt's destructors then take locks the GUI thread may hold while it waits for the GIL,
and the process stops. pyqtgraph ships the same remedy for the same reason: switch the
automatic collector off and collect from a timer on the GUI thread, generation by generation,
at the thresholds Python itself would use.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

INTERVAL_MS = 500  # often enough that garbage never piles up between two looks


class GuiThreadCollector(QObject):
    """Install once, on the GUI thread, after the QApplication exists; `stop` gives the
    collector back to Python (at exit and between tests)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> int:
        """Collect the generations that are over their threshold (what Python would do)."""
        t0, t1, t2 = self.thresholds
        c0, c1, c2 = gc.get_count()
        if c2 > t2:
            return gc.collect(2)
        if c1 > t1:
            return gc.collect(1)
        if c0 > t0:
            return gc.collect(0)
        return 0

    def collect(self) -> int:
        """Everything, now (a test's end, a window closing)."""
        return gc.collect()

    def stop(self) -> None:
        self.timer.stop()
        gc.collect()
        if self.was_enabled:
            gc.enable()
