"""The rotation hint: the bays expected to free up soonest, for a driver who is waiting.

Reads the alert monitor's estimates (`engine.alerts.rotation()`: pure, engine-side values,
no I/O) every few seconds and whenever an `ExpectedEnd` arrives over the bridge.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from stationmgr.alerts.estimator import FreeUp
from stationmgr.alerts.events import ExpectedEnd
from ui import fmt
from ui.context import AppContext


class RotationHint(QGroupBox):
    def __init__(self, ctx: AppContext, limit: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Free soonest"))
        self.ctx = ctx
        self.limit = limit
        self.rows: list[FreeUp] = []
        self._labels: list[QLabel] = []
        lay = QVBoxLayout(self)
        for _ in range(limit):
            lab = QLabel()
            lay.addWidget(lab)
            self._labels.append(lab)
        self.note = QLabel()
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self._timer = QTimer(self)
        self._timer.setInterval(5000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        if ctx.bridge is not None:
            ctx.bridge.events.connect(self._on_events)
        self.refresh()

    def _on_events(self, events: list[object]) -> None:
        if any(isinstance(e, ExpectedEnd) for e in events):
            self.refresh()

    def refresh(self) -> None:
        eng = self.ctx.engine
        monitor = getattr(eng, "alerts", None) if eng is not None else None
        if monitor is None:
            self.rows = []
            self.note.setText(self.tr("No live engine: no estimates."))
        else:
            self.rows = monitor.rotation(self.limit)
            self.note.setText("" if self.rows else self.tr("No bay can take a car now."))
        now = eng.clock.now() if eng is not None else 0.0
        for i, lab in enumerate(self._labels):
            lab.setText(self.line(self.rows[i], now) if i < len(self.rows) else "")

    def line(self, f: FreeUp, now: float) -> str:
        if f.free_now:
            return self.tr("{0}: free now").format(f.label)
        minutes = max(0, round((f.free_at - now) / 60))
        at = fmt.when(self.ctx.locale, f.free_at)
        return self.tr("{0}: about {1} (in {2} min)").format(f.label, at, minutes)
