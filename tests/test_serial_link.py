"""The per-port owner: paced request queue, timeouts, unsolicited frames, and reconnect with
backoff when the port vanishes and comes back — over a real pty and a real TCP socket."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationmgr.drivers.bus import PortPool
from stationmgr.drivers.serial_link import SerialLink, cr_lines, get_link
from stationmgr.errors import DeviceError
from stationmgr.sim.transport import PtyEndpoint, TcpEndpoint


class EchoDevice:
    """A line device at the edge of the test: answers `ask N` with `re N`, stays silent on
    `mute`, and pushes `note` lines on demand; records when each request arrived."""

    def __init__(self, endpoint: PtyEndpoint | TcpEndpoint) -> None:
        self.endpoint = endpoint
        self.arrivals: list[tuple[float, str]] = []
        self.overlap = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="echo-device", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        buf = b""
        while not self._stop.is_set():
            if not self.endpoint.wait(0.02):
                continue
            buf += self.endpoint.read()
            while b"\r" in buf:
                line, buf = buf.split(b"\r", 1)
                text = line.decode()
                self.arrivals.append((time.monotonic(), text))
                if b"\r" in buf:
                    self.overlap = True  # a second request before this one was answered
                if text.startswith("ask"):
                    self.endpoint.write(b"note unsolicited\r" + f"re {text[4:]}\r".encode())

    def push(self, line: str) -> None:
        self.endpoint.write(line.encode() + b"\r")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.endpoint.close()


@pytest.fixture
def device() -> Iterator[EchoDevice]:
    d = EchoDevice(PtyEndpoint())
    try:
        yield d
    finally:
        d.stop()


def _reply_to(n: int):
    return lambda frame: frame == f"re {n}".encode()


def test_requests_are_queued_paced_and_matched(device: EchoDevice) -> None:
    async def go() -> None:
        link = SerialLink(device.endpoint.name, turnaround_s=0.02)
        notes: list[bytes] = []
        link.subscribe(notes.append)
        try:
            replies = await asyncio.gather(
                *(link.request(f"ask {i}\r".encode(), _reply_to(i), 2.0) for i in range(8))
            )
            assert replies == [f"re {i}".encode() for i in range(8)]
            assert notes.count(b"note unsolicited") == 8  # interleaved lines reach subscribers
            assert not device.overlap
            gaps = [b[0] - a[0] for a, b in zip(device.arrivals, device.arrivals[1:], strict=False)]
            assert min(gaps) >= 0.02 * 0.9  # the turnaround is respected
        finally:
            await link.close()

    asyncio.run(go())


def test_silence_times_out_and_the_link_stays_usable(device: EchoDevice) -> None:
    async def go() -> None:
        link = SerialLink(device.endpoint.name)
        try:
            with pytest.raises(TimeoutError):
                await link.request(b"mute\r", _reply_to(0), 0.2)
            device.push("re 0")  # a late answer goes to subscribers, not the next request
            assert await link.request(b"ask 1\r", _reply_to(1), 2.0) == b"re 1"
        finally:
            await link.close()

    asyncio.run(go())


def test_port_pool_gives_one_owner_per_port(device: EchoDevice) -> None:
    pool = PortPool()
    a = get_link(pool, device.endpoint.name)
    b = get_link(pool, device.endpoint.name)
    assert a is b and get_link(None, device.endpoint.name) is not a
    asyncio.run(pool.close_all())


def test_reconnect_with_backoff_logs_once_each_way(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="stationmgr.drivers.serial_link")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    dev = EchoDevice(TcpEndpoint("127.0.0.1", port))

    async def go() -> None:
        nonlocal dev
        link = SerialLink(f"socket://127.0.0.1:{port}", backoff_min_s=0.2, backoff_max_s=0.4)
        try:
            assert await link.request(b"ask 1\r", _reply_to(1), 2.0) == b"re 1"
            dev.stop()  # the gateway vanishes
            with pytest.raises((DeviceError, TimeoutError)):
                await link.request(b"ask 2\r", _reply_to(2), 1.0)
            failures = 0
            for _ in range(5):
                try:
                    await link.request(b"ask 3\r", _reply_to(3), 0.5)
                except (DeviceError, TimeoutError):
                    failures += 1
                await asyncio.sleep(0.05)
            assert failures == 5
            dev = EchoDevice(TcpEndpoint("127.0.0.1", port))  # and comes back
            for _ in range(40):
                try:
                    assert await link.request(b"ask 4\r", _reply_to(4), 0.5) == b"re 4"
                    break
                except (DeviceError, TimeoutError):
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("the link never came back")
        finally:
            await link.close()

    try:
        asyncio.run(go())
    finally:
        dev.stop()
    msgs = [r.getMessage() for r in caplog.records]
    assert len([m for m in msgs if "is back" in m]) == 1
    assert len([m for m in msgs if "is back" not in m]) == 1, msgs


def test_a_pty_that_disappears_fails_the_waiting_request() -> None:
    dev = PtyEndpoint()

    async def go() -> None:
        link = SerialLink(dev.name)
        await link.open()
        try:
            loop = asyncio.get_running_loop()
            loop.call_later(0.2, dev.close)
            with pytest.raises((DeviceError, TimeoutError)):
                await link.request(b"mute\r", _reply_to(0), 3.0)
            assert not os.path.exists(dev.name) or not link.is_open
        finally:
            await link.close()

    asyncio.run(go())


class _DeadWritePort:
    """At the edge of the test: a port whose reader sees nothing and whose write fails the
    way pyserial's socket:// does once the reader thread has closed it under the writer."""

    in_waiting = 0

    def read(self, n: int) -> bytes:
        time.sleep(0.01)
        return b""

    def write(self, data: bytes) -> int:
        raise TypeError("argument must be an int, or have a fileno() method.")

    def close(self) -> None:
        pass


def test_a_failed_write_leaves_no_unretrieved_future(caplog: pytest.LogCaptureFixture) -> None:
    """The write's own failure rejects the pending reply a moment after the request raised;
    that rejection must land on a settled future, not be logged by asyncio as an error."""
    import gc

    caplog.set_level(logging.WARNING)

    async def go() -> None:
        link = SerialLink("socket://127.0.0.1:9", backoff_min_s=5.0)
        link.open_sync_with(_DeadWritePort())
        try:
            with pytest.raises(DeviceError, match="write failed"):
                await link.request(b"ask 1\r", _reply_to(1), 1.0)
            for _ in range(3):  # let the threadsafe rejection run
                await asyncio.sleep(0)
        finally:
            await link.close()

    asyncio.run(go())
    gc.collect()
    msgs = [r.getMessage() for r in caplog.records]
    assert not [m for m in msgs if "never retrieved" in m], msgs
    assert len([m for m in msgs if "write failed" in m]) == 1, msgs


@given(st.lists(st.binary(max_size=40), max_size=10))
def test_fuzz_cr_lines(chunks: list[bytes]) -> None:
    buf = bytearray()
    for c in chunks:
        buf += c
        for line in cr_lines(buf):
            assert line and b"\r" not in line and b"\n" not in line
    assert b"\r" not in buf and b"\n" not in buf
