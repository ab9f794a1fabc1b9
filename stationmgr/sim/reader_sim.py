"""A virtual RDM6300 / ID-12 card reader writing frames on a pty or TCP.

While a card lies on the reader the frame repeats every `repeat_s` (like the real module);
`tap(card, hold_s)` places a card and takes it away again. Its own framing and checksum
(no code shared with the driver). Faults: garbage bytes between frames, bad checksums.
"""

from __future__ import annotations

import json
import random
import threading
import time

from stationmgr.sim.transport import Endpoint


def frame(card: str, id12: bool = False, bad_checksum: bool = False) -> bytes:
    """STX + 10 hex + XOR checksum (+ CR LF for ID-12) + ETX."""
    card = card.strip().upper()
    if len(card) == 8:  # a 4-byte card number: version byte 00
        card = "00" + card
    try:
        raw = bytes.fromhex(card)
    except ValueError:
        raw = b""
    if len(raw) != 5:
        raise ValueError(f"card {card!r}: 8 or 10 hex characters expected")
    chk = 0
    for b in raw:
        chk ^= b
    if bad_checksum:
        chk ^= 0xFF
    return b"\x02" + (card + f"{chk:02X}").encode() + (b"\r\n" if id12 else b"") + b"\x03"


class ReaderSim:
    def __init__(
        self,
        endpoint: Endpoint,
        *,
        id12: bool = False,
        repeat_s: float = 0.1,
        baud: int = 0,
        seed: int | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.id12 = id12
        self.repeat_s = repeat_s
        self.baud = baud
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.card: str | None = None
        self.remove_at: float | None = None
        self.garbage_left = 0
        self.badsum_left = 0
        self.frames_sent = 0
        self.placements = 0
        self._next = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_frame: list = []  # callbacks(monotonic time of the write, card)

    def place(self, card: str) -> None:
        """A card is laid on the reader (stays until `remove`)."""
        frame(card)  # validate
        with self.lock:
            self.card, self.remove_at, self._next = card, None, 0.0
            self.placements += 1
        self._wake.set()

    def remove(self) -> None:
        with self.lock:
            self.card, self.remove_at = None, None

    def tap(self, card: str, hold_s: float = 0.3) -> None:
        """Place a card and take it away after `hold_s` seconds (real time)."""
        self.place(card)
        with self.lock:
            self.remove_at = time.monotonic() + hold_s

    def inject(self, kind: str, count: int = 1) -> None:
        if kind == "garbage":
            self.garbage_left += count
        elif kind == "badsum":
            self.badsum_left += count
        else:
            raise ValueError(f"unknown reader fault {kind!r} (garbage, badsum)")

    def _send_once(self) -> None:
        with self.lock:
            now = time.monotonic()
            if self.remove_at is not None and now >= self.remove_at:
                self.card, self.remove_at = None, None
            if self.card is None or now < self._next:
                return
            self._next = now + self.repeat_s
            # Counted when decided, under the lock: once `remove()` returns, every frame
            # counted is on its way and no other will follow.
            self.frames_sent += 1
            bad = self.badsum_left > 0
            if bad:
                self.badsum_left -= 1
            data = frame(self.card, self.id12, bad)
            if self.garbage_left > 0:
                self.garbage_left -= 1
                junk = bytes(self.rng.randrange(4, 256) for _ in range(self.rng.randrange(1, 9)))
                data = junk + data
            card = self.card
        if self.baud:
            time.sleep(len(data) * 10 / self.baud)
        # Observers hear of the frame just before it goes out: the other side may answer
        # before this thread runs again.
        stamp = time.monotonic()
        for cb in list(self.on_frame):
            cb(stamp, card)
        self.endpoint.write(data)

    def serve(self) -> None:
        while not self._stop.is_set():
            if self.endpoint.wait(0.0):
                self.endpoint.read()  # the reader ignores what it is sent
            self._send_once()
            self._wake.wait(0.01)
            self._wake.clear()

    def start(self) -> ReaderSim:
        self._thread = threading.Thread(target=self.serve, name="sim-reader", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self.endpoint.close()

    def control(self, line: str) -> str:
        words = line.split()
        cmd, args = words[0].lower(), words[1:]
        if cmd == "tap":
            self.tap(args[0], float(args[1]) if len(args) > 1 else 0.3)
        elif cmd == "place":
            self.place(args[0])
        elif cmd == "remove":
            self.remove()
        elif cmd == "fault":
            self.inject(args[0].lower(), int(args[1]) if len(args) > 1 else 1)
        elif cmd == "status":
            return "ok " + json.dumps(
                {"port": self.endpoint.name, "card": self.card, "frames": self.frames_sent}
            )
        elif cmd == "help":
            return "ok tap CARD [hold_s] | place CARD | remove | fault garbage|badsum [N] | status"
        elif cmd in ("quit", "exit"):
            self._stop.set()
        else:
            return f"error unknown command {cmd!r}; try help"
        return "ok"
