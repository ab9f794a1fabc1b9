"""A line edit that recognises a keyboard-wedge reader's burst (digits then Enter, a few ms
apart) and tells it from a person typing; the rhythm rule is `stationmgr.wedge`."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from stationmgr.wedge import WedgeClassifier


class TapField(QLineEdit):
    """Emits `tapped(text)` when a reader typed a card number, `typed(text)` when a person
    pressed Enter after typing. A burst replaces whatever stray text was in the field."""

    tapped = Signal(str)
    typed = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.clock = clock  # injected so tests drive key timing without sleeping
        self.classifier = WedgeClassifier()
        self.setMaxLength(64)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        now = self.clock()
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            burst = self.classifier.enter(now)
            if burst.from_reader:
                self.setText(burst.text)
                self.tapped.emit(burst.text)
            elif self.text().strip():
                self.typed.emit(self.text().strip())
            event.accept()
            return
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if (
            len(text) == 1
            and text.isprintable()
            and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        ):
            self.classifier.key(text, now)
        elif key not in (Qt.Key.Key_Shift, Qt.Key.Key_NumLock):
            self.classifier.edit()  # Backspace, arrows, paste: a person at work
        super().keyPressEvent(event)
