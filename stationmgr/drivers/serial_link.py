"""The one owner of a serial port for line/byte protocols (RAPI, card readers).

Any pyserial URL works: ``/dev/ttyUSB0``, ``COM3``, ``socket://host:port`` (a serial-over-TCP
gateway), ``rfc2217://host:port``. A `SerialLink` is obtained through
``PortPool.get(url, "serial", factory)`` so every driver on a port shares it.

- One reader thread per port turns bytes into frames (the protocol's `framer` decides what
  a frame is) and hands each either to the request waiting for it or to subscribers
  (asynchronous messages, card frames).
- Requests are queued: one at a time, each at least `turnaround_s` after the previous
  answer (devices need a breath between requests), each with a timeout so a silent device
  never hangs the caller.
- The port is opened with DTR low where the platform allows (a DTR pulse resets some
  controllers). When the port vanishes (USB unplug, gateway gone) the link fails the waiting
  request, logs once, and reopens on the next use after a backoff that doubles up to
  `backoff_max_s`; the recovery is logged once too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from stationmgr.errors import DeviceError

log = logging.getLogger(__name__)

Framer = Callable[[bytearray], list[bytes]]
FrameCallback = Callable[[bytes], None]
LostCallback = Callable[[str], None]


def cr_lines(buffer: bytearray) -> list[bytes]:
    """The default framer: CR- or LF-terminated lines, empty ones dropped."""
    out: list[bytes] = []
    while True:
        cut = min((i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0), default=-1)
        if cut < 0:
            break
        line = bytes(buffer[:cut])
        del buffer[: cut + 1]
        if line:
            out.append(line)
    if len(buffer) > 4096:
        del buffer[:-256]
    return out


class SerialLink:
    """A serial port with a reader thread, a paced request queue and reconnect with backoff."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 115200,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: float = 1,
        framer: Framer = cr_lines,
        turnaround_s: float = 0.0,
        backoff_min_s: float = 0.5,
        backoff_max_s: float = 30.0,
    ) -> None:
        self.url = url
        self.settings = {
            "baudrate": baudrate,
            "bytesize": bytesize,
            "parity": parity,
            "stopbits": stopbits,
        }
        self.framer = framer
        self.turnaround_s = turnaround_s
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self._port: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._state = threading.Lock()
        self._pending: tuple[Callable[[bytes], bool], asyncio.Future[bytes]] | None = None
        self._subscribers: list[tuple[FrameCallback, LostCallback | None]] = []
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._last_done = 0.0
        self._backoff = backoff_min_s
        self._retry_at = 0.0
        self._failing = False
        self.last_error = ""
        self.frames_in = 0
        self.bytes_in = 0

    # ------------------------------------------------------------ open / close

    @property
    def is_open(self) -> bool:
        return self._port is not None and self._thread is not None and self._thread.is_alive()

    def _open_port(self) -> Any:
        port = serial.serial_for_url(self.url, do_not_open=True, timeout=0.05, **self.settings)
        try:
            port.exclusive = True
        except (AttributeError, ValueError, serial.SerialException):
            pass
        port.dtr = False  # a DTR pulse resets some controllers
        port.rts = False
        port.open()
        # Bytes waiting from before this open are not ours to act on: a card tapped while
        # the site was down (a pty keeps it) would start a session for whichever car is
        # plugged in now; a stale reply would answer the wrong request.
        try:
            port.reset_input_buffer()
        except (OSError, serial.SerialException):
            pass
        return port

    async def open(self) -> None:
        """Open the port if it is not; raises DeviceError while the backoff runs or it fails."""
        if self.is_open:
            return
        now = time.monotonic()
        if now < self._retry_at:
            raise DeviceError(
                f"{self.url}: {self.last_error or 'unavailable'} "
                f"(retrying in {self._retry_at - now:.1f} s)"
            )
        try:
            port = await asyncio.get_running_loop().run_in_executor(None, self._open_port)
        except (serial.SerialException, OSError, ValueError) as e:
            self._failed(f"cannot open: {e}")
            raise DeviceError(f"{self.url}: cannot open ({e})") from None
        self.open_sync_with(port)

    def open_blocking(self) -> None:
        """Open from a thread without an event loop (CLI tools)."""
        if not self.is_open:
            self.open_sync_with(self._open_port())

    def open_sync_with(self, port: Any) -> None:
        self._port = port
        self._stop.clear()
        if self._failing:
            log.warning("serial port %s is back", self.url)
        self._failing = False
        self._backoff = self.backoff_min_s
        self._retry_at = 0.0
        self._thread = threading.Thread(
            target=self._reader, args=(port,), name=f"serial-{self.url}", daemon=True
        )
        self._thread.start()

    def _failed(self, why: str) -> None:
        self.last_error = why
        if not self._failing:
            log.warning("serial port %s: %s", self.url, why)
        self._failing = True
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.backoff_max_s)

    async def close(self) -> None:
        self.close_blocking()

    def close_blocking(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        self._close_port()
        self._fail_pending(DeviceError(f"{self.url}: closed"))

    def _close_port(self) -> None:
        with self._state:
            port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:
                pass

    # ------------------------------------------------------------ reading

    def subscribe(self, on_frame: FrameCallback, on_lost: LostCallback | None = None) -> None:
        """Receive frames nobody is waiting for (called on the reader thread)."""
        self._subscribers.append((on_frame, on_lost))

    def unsubscribe(self, on_frame: FrameCallback) -> None:
        self._subscribers = [s for s in self._subscribers if s[0] is not on_frame]

    def _reader(self, port: Any) -> None:
        buffer = bytearray()
        while not self._stop.is_set():
            try:
                chunk = port.read(max(1, port.in_waiting))
            except Exception as e:  # SerialException, OSError, TypeError from a closed fd
                if self._stop.is_set():
                    return
                self._lost(f"lost: {e}")
                return
            if not chunk:
                continue
            self.bytes_in += len(chunk)
            buffer += chunk
            for frame in self.framer(buffer):
                self.frames_in += 1
                self._dispatch(frame)

    def _dispatch(self, frame: bytes) -> None:
        with self._state:
            pending = self._pending
            taken = False
            if pending is not None:
                accept, fut = pending
                try:
                    taken = accept(frame)
                except Exception:
                    taken = False
                if taken:
                    self._pending = None
        if taken and pending is not None:
            fut = pending[1]
            fut.get_loop().call_soon_threadsafe(_resolve, fut, frame)
            return
        for on_frame, _ in list(self._subscribers):
            try:
                on_frame(frame)
            except Exception:
                log.exception("serial port %s: subscriber failed", self.url)

    def _lost(self, why: str) -> None:
        self._failed(why)
        self._close_port()
        self._fail_pending(DeviceError(f"{self.url}: {why}"))
        for _, on_lost in list(self._subscribers):
            if on_lost is not None:
                try:
                    on_lost(why)
                except Exception:
                    log.exception("serial port %s: subscriber failed", self.url)

    def _fail_pending(self, error: Exception) -> None:
        with self._state:
            pending, self._pending = self._pending, None
        if pending is not None:
            fut = pending[1]
            fut.get_loop().call_soon_threadsafe(_reject, fut, error)

    # ------------------------------------------------------------ writing

    def _queue_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock = asyncio.Lock()
            self._lock_loop = loop
        return self._lock

    def _write_now(self, data: bytes) -> None:
        port = self._port
        if port is None:
            raise DeviceError(f"{self.url}: not open")
        try:
            port.write(data)
        except Exception as e:
            self._lost(f"write failed: {e}")
            raise DeviceError(f"{self.url}: write failed ({e})") from None

    async def _pace(self) -> None:
        wait = self._last_done + self.turnaround_s - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def request(self, data: bytes, accept: Callable[[bytes], bool], timeout: float) -> bytes:
        """Write `data` and return the first frame `accept` takes; other frames go to the
        subscribers. Raises TimeoutError when nothing fitting comes, DeviceError when the
        port is (or gets) lost."""
        async with self._queue_lock():
            await self.open()
            await self._pace()
            fut: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
            with self._state:
                self._pending = (accept, fut)
            try:
                self._write_now(data)
                # asyncio.timeout, not wait_for: Python 3.11's wait_for returns the reply and
                # swallows a cancellation that lands as the reply arrives (engine stop hung).
                async with asyncio.timeout(timeout):
                    return await fut
            finally:
                with self._state:
                    if self._pending is not None and self._pending[1] is fut:
                        self._pending = None
                _settle(fut)
                self._last_done = time.monotonic()

    async def send(self, data: bytes) -> None:
        """Write without waiting for an answer (queued and paced like a request)."""
        async with self._queue_lock():
            await self.open()
            await self._pace()
            self._write_now(data)
            self._last_done = time.monotonic()


def _resolve(fut: asyncio.Future[bytes], frame: bytes) -> None:
    if not fut.done():
        fut.set_result(frame)


def _reject(fut: asyncio.Future[bytes], error: Exception) -> None:
    if not fut.done():
        fut.set_exception(error)


def _settle(fut: asyncio.Future[bytes]) -> None:
    """Close a request's future once nobody will await it again.

    A write that fails loses the port, and losing the port rejects the pending future
    through the loop a moment later; the request has already raised by then, so that
    exception would never be retrieved and asyncio logs it as an error at collection.
    Cancelling first makes the late rejection a no-op; an exception already set is read.
    """
    if not fut.done():
        fut.cancel()
    elif not fut.cancelled():
        fut.exception()


def get_link(pool: Any, url: str, **kwargs: Any) -> SerialLink:
    """The port's shared link from the engine's `PortPool` (a private one without a pool)."""
    if pool is None:
        return SerialLink(url, **kwargs)
    return pool.get(url, "serial", lambda: SerialLink(url, **kwargs))
