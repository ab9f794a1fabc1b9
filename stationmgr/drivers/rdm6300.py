"""Serial 125 kHz card readers: RDM6300/RDM630 and ID Innovations ID-12/ID-20.

9600 8N1, the reader only transmits. A frame is STX, 10 ASCII hex characters (a version
byte and the 4-byte card number), 2 ASCII hex of the XOR of those five bytes, ETX — 14
bytes; ID Innovations readers put CR LF before ETX (16 bytes). Both drivers (`rdm6300`,
`id12`) accept both shapes, so a reader configured with the wrong make still works.

While a card lies on the reader the frame repeats: one `CardTap` per placement, and a new
one only after the card was gone for `release_s` (a frame for another card is a new tap at
once). The UID is the frame's 5 bytes as uppercase hex — the canonical form of
`stationmgr.auth` — taken from the frame directly: a frame is hex even when its ten digits
happen to be decimal digits (`0100423515` is 01 00 42 35 15, never the decimal 100423515).
Its match key is the 32-bit number (the last 4 bytes), the number printed on the card.
"""

from __future__ import annotations

import asyncio
import time

from stationmgr.clock import Clock, SystemClock
from stationmgr.drivers import DeviceConfig, register_reader
from stationmgr.drivers.api import CardTap
from stationmgr.drivers.options import Setting
from stationmgr.drivers.serial_link import SerialLink, get_link
from stationmgr.errors import DeviceError

STX, ETX = 0x02, 0x03
FRAME_LENGTHS = (14, 16)  # RDM6300, ID-12 (CR LF before ETX)
DEFAULT_BAUD = 9600
_HEXDIGITS = b"0123456789ABCDEFabcdef"


class CardFrameError(DeviceError):
    """Bytes that are not a valid reader frame."""


def stx_frames(buffer: bytearray) -> list[bytes]:
    """Framer: every complete STX…ETX frame in `buffer` (noise between frames dropped)."""
    out: list[bytes] = []
    while True:
        start = buffer.find(bytes([STX]))
        if start < 0:
            buffer.clear()
            return out
        del buffer[:start]
        end = buffer.find(bytes([ETX]))
        if end < 0:
            if len(buffer) > max(FRAME_LENGTHS):  # no ETX where one belongs: resync
                restart = buffer.find(bytes([STX]), 1)
                del buffer[: restart if restart > 0 else len(buffer)]
                continue
            return out
        restart = buffer.find(bytes([STX]), 1, end)
        if restart > 0:  # a new frame began before this one ended
            del buffer[:restart]
            continue
        out.append(bytes(buffer[: end + 1]))
        del buffer[: end + 1]


def parse_frame(frame: bytes) -> str:
    """The 10 hex characters (version + card number) of a frame; raises CardFrameError."""
    if not isinstance(frame, bytes | bytearray):
        raise CardFrameError("not bytes")
    if len(frame) not in FRAME_LENGTHS or frame[0] != STX or frame[-1] != ETX:
        raise CardFrameError(f"not a reader frame ({len(frame)} bytes)")
    body = bytes(frame[1:13])
    if len(frame) == 16 and frame[13:15] != b"\r\n":
        raise CardFrameError("16-byte frame without CR LF before ETX")
    if any(b not in _HEXDIGITS for b in body):
        raise CardFrameError("frame holds non-hex characters")
    data = bytes.fromhex(body.decode("ascii"))
    check = 0
    for b in data[:5]:
        check ^= b
    if check != data[5]:
        raise CardFrameError(f"bad checksum {data[5]:02X} (expected {check:02X})")
    return body[:10].decode("ascii").upper()


def encode_frame(card: str, id12: bool = False) -> bytes:
    """A frame for 10 hex characters (tests and tools; the simulator has its own)."""
    data = bytes.fromhex(card)
    if len(data) != 5:
        raise CardFrameError("a card number here is 5 bytes (10 hex characters)")
    check = 0
    for b in data:
        check ^= b
    tail = b"\r\n" if id12 else b""
    return bytes([STX]) + f"{card.upper()}{check:02X}".encode() + tail + bytes([ETX])


class Debouncer:
    """One tap per placement: a repeat of the same card within `release_s` is the same tap."""

    def __init__(self, release_s: float = 0.5) -> None:
        self.release_s = release_s
        self._card: str | None = None
        self._seen = float("-inf")

    def seen(self, card: str, at: float) -> bool:
        """A frame for `card` at monotonic time `at`; True when it is a new placement."""
        new = card != self._card or at - self._seen > self.release_s
        self._card, self._seen = card, at
        return new


class SerialCardReader:
    """An RDM6300 or ID-12 reader on a serial link (CardReader)."""

    def __init__(
        self, link: SerialLink, *, release_s: float = 0.5, clock: Clock | None = None
    ) -> None:
        self.link = link
        self.clock = clock or SystemClock()
        self.debouncer = Debouncer(release_s)
        self.bad_frames = 0
        self._queue: asyncio.Queue[CardTap | Exception] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribed = False

    def _on_frame(self, frame: bytes) -> None:
        try:
            uid = parse_frame(frame)  # canonical already: 5 bytes of hex
        except CardFrameError:
            self.bad_frames += 1
            return
        if self.debouncer.seen(uid, time.monotonic()):
            self._put(CardTap(uid=uid, raw=uid, at=self.clock.now()))

    def _on_lost(self, why: str) -> None:
        self._put(DeviceError(f"card reader on {self.link.url}: {why}"))

    def _put(self, item: CardTap | Exception) -> None:
        if self._loop is not None and self._queue is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        if not self._subscribed:
            self.link.subscribe(self._on_frame, self._on_lost)
            self._subscribed = True
        await self.link.open()

    async def next_tap(self) -> CardTap:
        if self._queue is None:
            raise DeviceError("card reader is not open")
        item = await self._queue.get()
        if isinstance(item, Exception):
            raise item
        return item

    async def close(self) -> None:
        if self._subscribed:
            self.link.unsubscribe(self._on_frame)
            self._subscribed = False
        self._queue = None
        await self.link.close()


def _factory(config: DeviceConfig, ports: object) -> SerialCardReader:
    link = get_link(ports, config.port, baudrate=config.baud or DEFAULT_BAUD, framer=stx_frames)
    return SerialCardReader(link, release_s=config.settings.get("release_s") or 0.5)


SETTINGS = (Setting("release_s", float, 0.5, 0.05, 10, doc="card lifted after this silence"),)
register_reader("rdm6300", _factory, SETTINGS)
register_reader("id12", _factory, SETTINGS)
