"""A virtual RS-485 bus of Modbus RTU charger boxes, served on a pty or TCP.

One thread owns the line, as a real bus has one wire: it cuts incoming bytes into frames
(`rtu.RequestSplitter`, plus 3.5 characters of silence), hands each request to the box with
that slave id, and writes the reply after the time the bytes would take on a real wire at
`baud` (11 bits per character for 8E1), the inter-frame silence t3.5 and the box's
turnaround. So a pty or a TCP socket behaves like a real bus, and the polling benchmark
measures against the physical floor of `wire-time.md`.

Faults, on demand (`fault()`) or by probability: error state, over temperature, silence,
garbage bytes, bad CRC, reboot with the power-on counter reset; plus the whole port
vanishing and coming back (`vanish()` / `restore()`, a USB adapter pulled out).

In-process: build a `ModbusBusSim`, `serve_tcp()` or `serve_pty()`, `start()`, and call its
control methods from any thread. As a process: `stationmgr simulate heidelberg|evse-din`
(`modbus_cli.py`) prints where it serves, then takes the `COMMANDS_HELP` commands on stdin
or its `--control` socket.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import select
import socket
import threading
import time
import tty
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from stationmgr.clock import Clock, SystemClock
from stationmgr.sim import rtu
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox, ModbusBox

log = logging.getLogger(__name__)

# Per model: box class, default baud, bits per character, turnaround (wire-time.md).
MODELS: dict[str, tuple[type[ModbusBox], int, int, float]] = {
    "heidelberg": (HeidelbergBox, 19200, 11, 0.100),
    "evse-din": (EvseDinBox, 9600, 10, 0.200),
}

FAULT_KINDS = ("E", "F", "error", "overtemp", "silence", "garbage", "bad_crc", "reboot")


@dataclass
class WireTiming:
    """How slow the virtual wire is. `wire=False` keeps only the turnaround."""

    baud: int = 19200
    bits_per_char: int = 11
    turnaround_s: float = 0.100
    wire: bool = True

    @property
    def t35_s(self) -> float:
        return rtu.t35_s(self.baud, self.bits_per_char)

    def bytes_s(self, n: int) -> float:
        return rtu.wire_time_s(n, self.baud, self.bits_per_char) if self.wire else 0.0

    def reply_delay_s(self, request_len: int, reply_len: int) -> float:
        """From the request's first byte to the reply's last: what a real bus takes."""
        silence = self.t35_s if self.wire else 0.0
        return self.bytes_s(request_len) + silence + self.turnaround_s + self.bytes_s(reply_len)


@dataclass
class BusStats:
    frames: int = 0
    replies: int = 0
    bad_frames: int = 0  # CRC or length errors (counted, never answered)
    unaddressed: int = 0  # requests for a slave id nobody has
    dropped_bytes: int = 0
    connections: int = 0
    random_faults: int = 0


@dataclass
class Probabilities:
    """Per-reply fault probabilities (0…1), drawn from a seeded generator."""

    silence: float = 0.0
    garbage: float = 0.0
    bad_crc: float = 0.0
    # Device faults (E, F, error, overtemp, silence, reboot) arriving at random: the chance
    # per second that one starts on a random box; each lasts `fault_duration_s`.
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = ("E", "F", "error", "overtemp", "silence", "reboot")
    fault_duration_s: float = 5.0


class ModbusBusSim:
    def __init__(
        self,
        boxes: Sequence[ModbusBox],
        clock: Clock | None = None,
        timing: WireTiming | None = None,
        probabilities: Probabilities | None = None,
        seed: int | None = None,
    ) -> None:
        self.boxes = {b.slave: b for b in boxes}
        if len(self.boxes) != len(boxes):
            raise ValueError("two boxes with the same slave id")
        self.clock = clock or SystemClock()
        self.timing = timing or WireTiming()
        self.p = probabilities or Probabilities()
        self.rng = random.Random(seed)
        self.stats = BusStats()
        self.splitter = rtu.RequestSplitter()
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._master: int | None = None
        self._slave_fd: int | None = None
        self._tcp_addr: tuple[str, int] | None = None
        self._pty_link: Path | None = None
        self._mode: str | None = None
        self._endpoint: Any = None  # a stationmgr.sim.transport.Endpoint, in endpoint mode
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._calls: queue.Queue[tuple[Callable[[], Any], threading.Event, list[Any]]] = (
            queue.Queue()
        )
        self._wake_r, self._wake_w = os.pipe()
        self._last_tick = 0.0
        self._random_fault_until: dict[int, float] = {}
        self._endpoint_addr: tuple[str, int] = ("127.0.0.1", 0)
        self.vanished = False
        self.url: str = ""

    # ------------------------------------------------------------ serving

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on TCP (raw RTU frames, as a serial-over-TCP gateway); returns the URL."""
        self._mode = "tcp"
        self._open_tcp(host, port)
        assert self._tcp_addr is not None
        self.url = f"socket://{self._tcp_addr[0]}:{self._tcp_addr[1]}"
        return self.url

    def serve_pty(self, link: str | os.PathLike[str] | None = None) -> str:
        """Serve on a new pseudo-terminal; returns its path (or `link`, a symlink to it that
        moves to the new pty after vanish/restore, like /dev/serial/by-id/…)."""
        self._mode = "pty"
        self._pty_link = Path(link) if link else None
        self._open_pty()
        return self.url

    def serve_endpoint(self, endpoint: Any) -> str:
        """Serve on an `Endpoint` from `stationmgr.sim.transport` (what `stationmgr
        simulate` hands every simulator): a pty or a TCP gateway port."""
        self._mode = "endpoint"
        self._endpoint = endpoint
        self.url = endpoint.name
        return self.url

    def _open_tcp(self, host: str, port: int) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(1)
        self._listener = s
        self._tcp_addr = s.getsockname()[:2]

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        self._master, self._slave_fd = master, slave
        path = os.ttyname(slave)
        if self._pty_link is not None:
            tmp = self._pty_link.with_name(self._pty_link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(path)
            tmp.replace(self._pty_link)
            self.url = str(self._pty_link)
        else:
            self.url = path

    def start(self) -> ModbusBusSim:
        if self._mode is None:
            raise RuntimeError("call serve_tcp() or serve_pty() first")
        self._thread = threading.Thread(target=self._run, name="modbus-bus-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(5.0)
        self._close_io()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> ModbusBusSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _close_io(self) -> None:
        if self._endpoint is not None:
            try:
                self._endpoint.close()
            except OSError:
                pass
            link = getattr(self._endpoint, "link", None)
            if link is not None:
                Path(link).unlink(missing_ok=True)
        for s in (self._conn, self._listener):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        self._conn = self._listener = None
        for fd in (self._master, self._slave_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave_fd = None
        if self._pty_link is not None:
            self._pty_link.unlink(missing_ok=True)

    # ------------------------------------------------------------ the line

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._loop_once()
                self._idle()
        except Exception:  # a simulator bug must be loud, not a silent bus
            log.exception("modbus bus simulator crashed")
            raise

    def _loop_once(self) -> None:
        if self._mode == "endpoint":
            self._endpoint_once()
            return
        fds: list[Any] = [self._wake_r]
        for f in (self._listener, self._conn, self._master):
            if f is not None:
                fds.append(f)
        timeout = self.timing.t35_s if self.splitter.buf else 0.05
        readable, _, _ = select.select(fds, [], [], timeout)
        if not readable:
            if self.splitter.buf:  # the line fell silent: whatever is there is one frame
                self._frame(self.splitter.flush(), time.monotonic())
            return
        for f in readable:
            if f == self._wake_r:
                os.read(self._wake_r, 64)
                self._run_calls()
            elif f is self._listener and self._listener is not None:
                conn, _ = self._listener.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self._conn is not None:  # one master on the bus: the newest wins
                    self._conn.close()
                self._conn = conn
                self.splitter = rtu.RequestSplitter()
                self.stats.connections += 1
            elif f is self._conn and self._conn is not None:
                try:
                    data = self._conn.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    self._conn.close()
                    self._conn = None
                    continue
                self._received(data)
            elif f == self._master and self._master is not None:
                try:
                    data = os.read(self._master, 4096)
                except OSError:
                    continue
                self._received(data)

    def _endpoint_once(self) -> None:
        self._run_calls()
        ep = self._endpoint
        if self.vanished or ep is None:
            time.sleep(0.02)
            return
        if not ep.wait(self.timing.t35_s if self.splitter.buf else 0.02):
            if self.splitter.buf:
                self._frame(self.splitter.flush(), time.monotonic())
            return
        data = ep.read()
        if data:
            self._received(data)

    def _received(self, data: bytes) -> None:
        arrived = time.monotonic()
        before = self.splitter.dropped
        frames = self.splitter.feed(data)
        self.stats.dropped_bytes += self.splitter.dropped - before
        for frame in frames:
            self._frame(frame, arrived)

    def _frame(self, frame: bytes, arrived: float) -> None:
        try:
            req = rtu.parse_request(frame)
        except rtu.RtuError:
            self.stats.bad_frames += 1
            return
        self.stats.frames += 1
        now = self.clock.now()
        if req.slave == 0:  # broadcast: every box acts, nobody answers
            for box in self.boxes.values():
                box.handle(req, now)
            return
        box = self.boxes.get(req.slave)
        if box is None:
            self.stats.unaddressed += 1
            return
        reply = box.handle(req, now)
        if reply is None:
            return
        reply = self._wire_faults(box, reply)
        if reply is None:
            return
        due = arrived + self.timing.reply_delay_s(len(frame), len(reply))
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._write(reply)
        self.stats.replies += 1

    def _wire_faults(self, box: ModbusBox, reply: bytes) -> bytes | None:
        f = box.faults
        with box.lock:
            garbage = f.garbage > 0
            bad_crc = not garbage and f.bad_crc > 0
            if garbage:
                f.garbage -= 1
            if bad_crc:
                f.bad_crc -= 1
        if self.p.silence and self.rng.random() < self.p.silence:
            return None
        if garbage or (self.p.garbage and self.rng.random() < self.p.garbage):
            return bytes(self.rng.randrange(256) for _ in range(len(reply)))
        if bad_crc or (self.p.bad_crc and self.rng.random() < self.p.bad_crc):
            return reply[:-1] + bytes([reply[-1] ^ 0x5A])
        return reply

    def _write(self, data: bytes) -> None:
        try:
            if self._mode == "endpoint":
                self._endpoint.write(data)
            elif self._conn is not None:
                self._conn.sendall(data)
            elif self._master is not None:
                os.write(self._master, data)
        except OSError:
            pass  # the master went away mid-reply, as on a real bus

    def _idle(self) -> None:
        """Every turn: each box's own timers (watchdog). Twice a second: advance the
        physics, start and end random faults."""
        now = self.clock.now()
        for box in self.boxes.values():
            box.housekeeping(now)
        mono = time.monotonic()
        elapsed = mono - self._last_tick
        if elapsed < 0.5:
            return
        self._last_tick = mono
        now = self.clock.now()
        for box in self.boxes.values():
            with box.lock:
                box.connector.tick(now)
        for slave, until in list(self._random_fault_until.items()):
            if mono >= until:
                del self._random_fault_until[slave]
                self.clear(slave)
        if self.p.fault_rate and self.rng.random() < self.p.fault_rate * min(elapsed, 1.0):
            slave = self.rng.choice(sorted(self.boxes))
            kind = self.rng.choice(self.p.fault_kinds)
            if slave not in self._random_fault_until:
                log.info("random fault %s on slave %d", kind, slave)
                boot = min(1.0, self.p.fault_duration_s)  # a reboot is silent while booting
                self.fault(
                    slave, kind, seconds=boot if kind == "reboot" else self.p.fault_duration_s
                )
                if kind not in ("silence", "reboot"):
                    self._random_fault_until[slave] = mono + self.p.fault_duration_s
                self.stats.random_faults += 1

    # ------------------------------------------------------------ control (any thread)

    def _on_line(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the bus thread (it owns the sockets) and wait for it."""
        if self._thread is None or not self._thread.is_alive():
            return fn()
        done = threading.Event()
        out: list[Any] = []
        self._calls.put((fn, done, out))
        if self._mode != "endpoint":
            os.write(self._wake_w, b"c")
        done.wait(5.0)
        return out[0] if out else None

    def _run_calls(self) -> None:
        while True:
            try:
                fn, done, out = self._calls.get_nowait()
            except queue.Empty:
                return
            try:
                out.append(fn())
            finally:
                done.set()

    def box(self, slave: int) -> ModbusBox:
        try:
            return self.boxes[slave]
        except KeyError:
            raise KeyError(f"no box with slave id {slave}") from None

    def plug(self, slave: int, ev: EV | None = None) -> None:
        self.box(slave).plug(self.clock.now(), ev)

    def unplug(self, slave: int) -> None:
        self.box(slave).unplug(self.clock.now())

    def fault(self, slave: int, kind: str, count: int = 1, seconds: float | None = None) -> None:
        """Inject a fault: E, F, error, overtemp (until `clear`); silence (for `seconds`, or
        until `clear`); garbage / bad_crc (the next `count` replies); reboot (box silent for
        `seconds` while it boots)."""
        box = self.box(slave)
        now = self.clock.now()
        with box.lock:
            if kind in ("E", "F", "error", "overtemp"):
                box.set_error(kind, now)  # type: ignore[attr-defined]
            elif kind == "silence":
                if seconds is None:
                    box.faults.silent = True
                else:
                    box.faults.silent_until = time.monotonic() + seconds
            elif kind == "garbage":
                box.faults.garbage += count
            elif kind == "bad_crc":
                box.faults.bad_crc += count
            elif kind == "reboot":
                box.reboot(now, seconds or 0.0)
            else:
                raise ValueError(f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")

    def clear(self, slave: int) -> None:
        box = self.box(slave)
        with box.lock:
            box.faults.silent = False
            box.faults.silent_until = 0.0
            box.faults.garbage = box.faults.bad_crc = 0
            box.set_error(None, self.clock.now())  # type: ignore[attr-defined]

    def vanish(self) -> None:
        """The port disappears (USB adapter pulled, gateway off): connections drop."""

        def go() -> None:
            if self.vanished:  # already gone: a second vanish changes nothing
                return
            ep = self._endpoint
            if self._mode == "endpoint" and hasattr(ep, "unplug"):
                ep.unplug()
            elif self._mode == "endpoint":
                self._endpoint_addr = (ep.host, ep.port)
                ep.close()
            else:
                self._close_io()
            self.splitter = rtu.RequestSplitter()
            self.vanished = True

        self._on_line(go)

    def restore(self) -> None:
        """The port comes back at the same URL (same TCP port, or the same symlink)."""

        def go() -> None:
            if not self.vanished:  # still there: a second restore must not bind the port again
                return
            if self._mode == "endpoint":
                from stationmgr.sim.transport import TcpEndpoint

                if hasattr(self._endpoint, "replug"):
                    self._endpoint.replug()
                else:
                    self._endpoint = TcpEndpoint(*self._endpoint_addr)
            elif self._mode == "tcp":
                assert self._tcp_addr is not None
                self._open_tcp(*self._tcp_addr)
            else:
                self._open_pty()
            self.vanished = False

        self._on_line(go)

    def status(self, slave: int) -> dict[str, Any]:
        box = self.box(slave)
        with box.lock:
            c = box.connector
            return {
                "slave": slave,
                "model": box.model,
                "plugged": c.plugged,
                "enabled": c.enabled,
                "current_limit_a": c.current_limit_a,
                "power_w": round(c.power_w, 1),
                "energy_total_wh": round(c.energy_total_wh, 3),
                "energy_since_boot_wh": round(c.energy_since_boot_wh, 3),
                "soc": round(c.ev.soc, 4) if c.ev else None,
                "fault": c.fault,
                "boots": c.boots,
                "requests": box.requests,
                "holding": {str(k): v for k, v in box.holding.items()},
                "writes": [list(w) for w in getattr(box, "writes", [])],
                "variant": box.variant() if hasattr(box, "variant") else "",
            }


def build_bus(
    model: str,
    slaves: Sequence[int],
    clock: Clock | None = None,
    baud: int | None = None,
    turnaround_s: float | None = None,
    wire: bool = True,
    probabilities: Probabilities | None = None,
    seed: int | None = None,
) -> ModbusBusSim:
    """A bus of `model` boxes at `slaves` with the model's default line settings."""
    try:
        cls, default_baud, bits, default_turn = MODELS[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r} (known: {', '.join(MODELS)})") from None
    timing = WireTiming(
        baud or default_baud,
        bits,
        default_turn if turnaround_s is None else turnaround_s,
        wire,
    )
    return ModbusBusSim([cls(s) for s in slaves], clock, timing, probabilities, seed)


# ------------------------------------------------------------------ process mode

COMMANDS_HELP = """commands (one per line on stdin; each answers one JSON line on stdout):
  plug SLAVE [SOC [CAPACITY_WH [MAX_POWER_W]]]   a vehicle arrives
  unplug SLAVE                                    it leaves
  pause SLAVE | resume SLAVE                      the vehicle stops/starts drawing
  fault SLAVE KIND [N]     KIND: E F error overtemp silence garbage bad_crc reboot
                           N: replies for garbage/bad_crc, seconds for silence/reboot
  clear SLAVE              clear every fault of the box
  status [SLAVE]           the box as the simulator sees it
  vanish | restore         the whole port disappears / comes back
  quit"""


def control(bus: ModbusBusSim, line: str) -> dict[str, Any]:
    """Execute one control command; returns the JSON-able answer."""
    words = line.split()
    if not words:
        return {"ok": True}
    cmd, args = words[0].lower(), words[1:]
    try:
        if cmd == "plug":
            nums = [float(a) for a in args[1:]]
            ev = EV()
            if len(nums) > 0:
                ev.soc = nums[0]
            if len(nums) > 1:
                ev.capacity_wh = nums[1]
            if len(nums) > 2:
                ev.max_power_w = nums[2]
            bus.plug(int(args[0]), ev)
        elif cmd == "unplug":
            bus.unplug(int(args[0]))
        elif cmd in ("pause", "resume"):
            box = bus.box(int(args[0]))
            with box.lock:
                if box.connector.ev is not None:
                    box.connector.tick(bus.clock.now())
                    box.connector.ev.paused = cmd == "pause"
                    box.connector.set_enabled(box.connector.enabled, bus.clock.now())
        elif cmd == "fault":
            n = float(args[2]) if len(args) > 2 else None
            count = int(n) if n is not None else 1
            bus.fault(int(args[0]), args[1], count=count, seconds=n)
        elif cmd == "clear":
            bus.clear(int(args[0]))
        elif cmd == "status":
            slaves = [int(args[0])] if args else sorted(bus.boxes)
            boxes = [bus.status(s) for s in slaves]
            return {"ok": True, "boxes": boxes, "stats": asdict(bus.stats)}
        elif cmd == "vanish":
            bus.vanish()
        elif cmd == "restore":
            bus.restore()
        elif cmd in ("quit", "exit"):
            return {"ok": True, "quit": True}
        else:
            return {"ok": False, "error": f"unknown command {cmd!r}"}
    except (IndexError, ValueError, KeyError) as e:
        return {"ok": False, "error": str(e).strip("'\"") or "bad arguments"}
    return {"ok": True}


def parse_slaves(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            first, last = int(lo), int(hi or lo)
        except ValueError:
            raise ValueError(f"invalid slave list {text!r}") from None
        out.extend(range(first, last + 1))
    if not out or any(not 1 <= s <= 247 for s in out):
        raise ValueError(f"slave ids must be 1…247, got {text!r}")
    return out
