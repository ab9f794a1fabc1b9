"""The rotation hint: the bays expected to free up soonest, for a driver who is waiting.

Asks the site (`ctx.client.rotation`: the alert monitor's estimates and the site's own
clock, so minutes are right on a second PC and on a fast demo site) every few seconds and
when a bay's snapshot changes (`ctx.site`); one call at a time.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from stationmgr.client import models as m
from ui import fmt
from ui.context import AppContext
from ui.history.times import epoch, line


class RotationHint(QGroupBox):
    def __init__(self, ctx: AppContext, limit: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Free soonest"))
        self.ctx = ctx
        self.limit = limit
        self.rows: list[m.RotationLine] = []
        self.loads = 0
        self._busy = False
        self._again = False
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
        self._soon = QTimer(self)  # snapshots arrive ten times a second: ask once
        self._soon.setSingleShot(True)
        self._soon.setInterval(1000)
        self._soon.timeout.connect(self.refresh)
        if ctx.site is not None:
            ctx.site.bays.connect(
                lambda _b: self._soon.start() if not self._soon.isActive() else None
            )
        self.refresh()

    def refresh(self) -> None:
        if self._busy:
            self._again = True
            return
        self._busy = True
        client, limit = self.ctx.client, self.limit
        self.ctx.worker.run(lambda: client.rotation(limit), self._show, self._failed)

    def _done(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, e: BaseException) -> None:
        self.note.setText(self.tr("No estimates: {0}").format(line(e)))  # keeps the lines
        self._done()

    def _show(self, rot: m.Rotation) -> None:
        self.rows = list(rot.items)
        self.loads += 1
        if not rot.estimates:
            self.note.setText(self.tr("No live engine: no estimates."))
        else:
            self.note.setText("" if self.rows else self.tr("No bay can take a car now."))
        now = epoch(rot.at) or 0.0
        for i, lab in enumerate(self._labels):
            lab.setText(self.line(self.rows[i], now) if i < len(self.rows) else "")
        self._done()

    def line(self, f: m.RotationLine, now: float) -> str:
        if f.free_now:
            return self.tr("{0}: free now").format(f.label)
        free_at = epoch(f.free_at) or now
        minutes = max(0, round((free_at - now) / 60))
        at = fmt.when(self.ctx.locale, free_at)
        return self.tr("{0}: about {1} (in {2} min)").format(f.label, at, minutes)
