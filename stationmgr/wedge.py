"""Telling a keyboard-wedge card reader from a person typing, by the rhythm of the keys.

A USB "keyboard wedge" reader types the card number as keystrokes followed by Enter, a few
milliseconds apart. A person types the same characters 80–300 ms apart. The classifier is
fed every key with the time it was pressed (injected, so tests need no sleeping) and, at
Enter, says whether what came before was one machine burst: enough card characters, every
gap short, the whole burst quick. Anything else is typing, and the enrolment field treats
the text as typed by hand (still validated, just not auto-submitted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Characters a wedge reader types for a card number (decimal or hex, either case).
CARD_CHARS = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class WedgeTiming:
    """Limits for a burst. Defaults fit common 125 kHz and MIFARE wedge readers (keys
    4–20 ms apart) with headroom for a busy PC, and stay far below human typing speed."""

    max_gap_s: float = 0.035  # longest pause between two keys of one burst
    max_total_s: float = 0.6  # first key to Enter
    min_chars: int = 8  # 8 hex digits is the shortest card number we accept
    max_chars: int = 20  # OCPP idTag limit


@dataclass(frozen=True)
class Burst:
    """What came before an Enter: the text, and whether a reader typed it."""

    text: str
    from_reader: bool
    reason: str  # why not a reader (empty when it was one), for logs and tests


@dataclass
class WedgeClassifier:
    """Feed keys with their times; `enter(t)` closes the line and classifies it.

    Only the *tail* of the line counts as a burst: if a person typed something first and
    then tapped a card, the card's burst (after the pause) is still recognised and returned
    on its own, so the field can replace the stray text with the card number.
    """

    timing: WedgeTiming = field(default_factory=WedgeTiming)
    _chars: list[str] = field(default_factory=list)
    _times: list[float] = field(default_factory=list)
    _run_start: int = 0  # index where the current fast run of card characters began

    def reset(self) -> None:
        self._chars.clear()
        self._times.clear()
        self._run_start = 0

    def key(self, char: str, t: float) -> None:
        """A printable key at time `t` (seconds, any monotonic origin)."""
        if char not in CARD_CHARS:
            self._run_start = len(self._chars) + 1  # a letter no reader types ends any run
        elif self._times and t - self._times[-1] > self.timing.max_gap_s:
            self._run_start = len(self._chars)  # a pause: a new run may start here
        self._chars.append(char)
        self._times.append(t)

    def edit(self) -> None:
        """A non-printing edit key (Backspace, Delete, arrows): a person is at work, so a
        burst can only start after it."""
        self._run_start = len(self._chars)

    @property
    def text(self) -> str:
        return "".join(self._chars)

    def enter(self, t: float) -> Burst:
        """Enter pressed at `t`: classify the line and start afresh."""
        burst = self._classify(t)
        self.reset()
        return burst

    def _classify(self, t: float) -> Burst:
        text, tm = self.text, self.timing
        if not self._chars:
            return Burst(text, False, "nothing typed")
        run = self._chars[self._run_start :]
        times = self._times[self._run_start :]
        if not run:
            return Burst(text, False, "not a burst of card digits")
        if t - times[-1] > tm.max_gap_s:
            return Burst(text, False, f"Enter {(t - times[-1]) * 1000:.0f} ms after the last key")
        if not tm.min_chars <= len(run) <= tm.max_chars:
            return Burst(text, False, f"a run of {len(run)} characters")
        if t - times[0] > tm.max_total_s:
            return Burst(text, False, f"burst took {(t - times[0]) * 1000:.0f} ms")
        return Burst("".join(run), True, "")
