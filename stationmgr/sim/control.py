"""A control channel for a running simulator: one text command per line, one answer line.

Tests, benchmarks and the demo plug cars in, tap cards and inject faults in a simulator
that runs as a separate process, over a TCP socket on localhost (or its stdin). In the same
process they simply call the simulator's methods (or its `control(line)`).

Commands are the simulator's own (`help` lists them); answers start with ``ok`` or
``error``.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections.abc import Callable

Handler = Callable[[str], str]


def run_command(handler: Handler, line: str) -> str:
    line = line.strip()
    if not line:
        return ""
    try:
        return handler(line)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        return f"error {e}"


class ControlServer:
    """Line-based control on ``host:port`` (port 0 picks a free one), in its own thread."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.server = socket.create_server((host, port))
        self.server.settimeout(0.2)
        self.address = self.server.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sim-control", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.2)
                buf = b""
                while not self._stop.is_set():
                    try:
                        chunk = conn.recv(4096)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not chunk:
                        break
                    buf += chunk
                    while b"\n" in buf:
                        raw, buf = buf.split(b"\n", 1)
                        answer = run_command(self.handler, raw.decode("utf-8", "replace"))
                        with contextlib.suppress(OSError):
                            conn.sendall(answer.encode() + b"\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self.server.close()


def send_control(address: tuple[str, int], line: str, timeout: float = 5.0) -> str:
    """Send one command to a simulator's control socket and return its answer line."""
    with socket.create_connection(address, timeout=timeout) as s:
        s.sendall(line.encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
    return buf.decode().strip()


def serve_stdin(handler: Handler, stop: threading.Event) -> None:
    """Read commands from stdin until EOF or `stop` (process mode)."""
    for line in sys.stdin:
        if stop.is_set():
            return
        answer = run_command(handler, line)
        if answer:
            print(answer, flush=True)
        if line.strip() in ("quit", "exit"):
            stop.set()
            return
