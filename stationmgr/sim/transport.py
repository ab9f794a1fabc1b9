"""Where a simulated device's bytes go: a pseudo-terminal or a TCP port, plus wire time.

A pty has no baud rate, so `WireTime` delays each reply by what the bytes would take on a
real line (bits per character ÷ baud, per `wire-time.md`) plus the device's turnaround.
`PtyEndpoint(link=...)` keeps a stable symlink to the slave, so "unplugging" the device
(closing the pty) and "plugging it back" (a new pty, same symlink) can be simulated.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import termios
import time
import tty
from dataclasses import dataclass
from pathlib import Path


@dataclass
class WireTime:
    """Delay of one exchange on a real serial line; zero baud means no delay."""

    baud: int = 0
    bits_per_char: int = 10
    turnaround_s: float = 0.0

    def delay(self, request_bytes: int, reply_bytes: int) -> float:
        wire = 0.0
        if self.baud > 0:
            wire = (request_bytes + reply_bytes) * self.bits_per_char / self.baud
        return wire + self.turnaround_s


class Endpoint:
    """Bytes in and out of a simulated device."""

    name: str = ""

    def fileno(self) -> int | None:
        raise NotImplementedError

    def read(self) -> bytes:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def wait(self, timeout: float) -> bool:
        """True when bytes (or a client) are waiting."""
        fd = self.fileno()
        if fd is None or fd < 0:  # unplugged: nothing can arrive
            time.sleep(timeout)
            return False
        try:
            r, _, _ = select.select([fd], [], [], timeout)
        except (OSError, ValueError):  # closed under our feet (unplugged meanwhile)
            return False
        return bool(r)

    def close(self) -> None:
        raise NotImplementedError


class PtyEndpoint(Endpoint):
    """The device side (master) of a pseudo-terminal in raw mode; drivers open `name`."""

    def __init__(self, link: str | os.PathLike[str] | None = None) -> None:
        self.link = Path(link) if link else None
        self._open()

    def _open(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave, termios.TCSANOW)
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        os.set_blocking(self.master, False)
        self.pty_name = os.ttyname(self.slave)
        self.name = self.pty_name
        if self.link is not None:
            tmp = self.link.with_name(self.link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self.pty_name)
            tmp.replace(self.link)
            self.name = str(self.link)

    def fileno(self) -> int | None:
        return self.master

    def read(self) -> bytes:
        try:
            return os.read(self.master, 4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.master, view)
            except BlockingIOError:  # nobody reads the slave: drop, like a line nobody listens to
                return
            except OSError:
                return
            view = view[n:]

    def unplug(self) -> None:
        """The adapter vanishes: the pty is closed and the symlink removed."""
        self.close()
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()

    def replug(self) -> None:
        self._open()

    def close(self) -> None:
        for fd in (getattr(self, "master", -1), getattr(self, "slave", -1)):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.master = self.slave = -1


class TcpEndpoint(Endpoint):
    """A serial-over-TCP gateway: one client at a time (`socket://host:port` in pyserial)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = socket.create_server((host, port), reuse_port=False)
        self.server.setblocking(False)
        self.host, self.port = self.server.getsockname()[:2]
        self.name = f"socket://{self.host}:{self.port}"
        self.client: socket.socket | None = None

    def fileno(self) -> int | None:
        return (self.client or self.server).fileno()

    def wait(self, timeout: float) -> bool:
        fds = [self.server] + ([self.client] if self.client else [])
        r, _, _ = select.select(fds, [], [], timeout)
        if self.server in r:
            with contextlib.suppress(BlockingIOError):
                conn, _ = self.server.accept()
                if self.client is not None:
                    self.client.close()
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.client = conn
        return self.client is not None and self.client in r

    def read(self) -> bytes:
        if self.client is None:
            return b""
        try:
            data = self.client.recv(4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            data = b""
        if not data:
            self.client.close()
            self.client = None
        return data

    def write(self, data: bytes) -> None:
        if self.client is None:
            return
        try:
            self.client.sendall(data)
        except OSError:
            self.client.close()
            self.client = None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        self.server.close()


def make_endpoint(tcp: str | None = None, link: str | None = None) -> Endpoint:
    """A TCP endpoint for ``HOST:PORT``, else a pty (optionally behind a symlink)."""
    if tcp:
        host, _, port = tcp.rpartition(":")
        return TcpEndpoint(host or "127.0.0.1", int(port))
    return PtyEndpoint(link)
