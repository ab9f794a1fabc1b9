"""The one owner of a Modbus RTU port, shared by every slave on that RS-485 bus.

Why the synchronous pymodbus client on a dedicated thread (not `AsyncModbusSerialClient`):
the async client watches the port's file descriptor with the event loop, which pyserial's
`rfc2217://` ports do not have, and it runs its own reconnect loop that would fight the
backoff and once-only logging here. A single worker thread per port *is* the queue: requests
from every driver on the bus run one after another, in order, never interleaved on the wire,
and the event loop never blocks on serial I/O.

Pacing, done here because pymodbus's serial client does not: before each request the line
stays silent for t3.5 (3.5 characters; fixed 1.75 ms above 19200 baud) after the previous
reply, and consecutive requests start at least `turnaround_s` apart (Heidelberg boxes want
~100 ms of room per request, EVSE-DIN boards ~200 ms). A box that answers slower than that
costs nothing extra; one that answers fast still gets its room.

When the port vanishes (USB adapter pulled, gateway off) requests fail fast with
`DeviceError` and the port is reopened with exponential backoff; the loss and the recovery
are each logged once. A slave that does not answer only fails its own request.

The port is any pyserial URL: `/dev/ttyUSB0`, `COM3`, `socket://host:port` (a transparent
serial-over-TCP gateway carrying raw RTU frames), `rfc2217://host:port`. The port is opened
here with `serial.serial_for_url` and handed to the pymodbus client, so the person at the
site sees pyserial's own reason when it cannot be opened (e.g. a Linux pty refusing even
parity with EINVAL: use `parity="N"` or a `socket://` URL for simulators).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import serial
from pymodbus.client import ModbusSerialClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException
from pymodbus.framer import FramerType

from stationmgr.drivers.options import Setting
from stationmgr.errors import DeviceError, UserError

log = logging.getLogger(__name__)
T = TypeVar("T")

# pymodbus logs every timeout at ERROR; this module reports failures itself, once.
_pymodbus_log = logging.getLogger("pymodbus")
if _pymodbus_log.level == logging.NOTSET:
    _pymodbus_log.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class LineSettings:
    """How the bus is driven. Defaults are Heidelberg's: 19200 8E1, ~100 ms per request."""

    baud: int = 19200
    parity: str = "E"  # "N", "E" or "O"
    bytesize: int = 8
    stopbits: int = 1
    turnaround_s: float = 0.100
    timeout_s: float = 0.5  # waiting for one reply
    retries: int = 1  # extra attempts after a timeout or a mangled reply
    backoff_min_s: float = 0.5  # reopening a vanished port
    backoff_max_s: float = 30.0

    @property
    def bits_per_char(self) -> int:
        return 1 + self.bytesize + (0 if self.parity.upper() == "N" else 1) + self.stopbits

    @property
    def t35_s(self) -> float:
        return 0.00175 if self.baud > 19200 else 3.5 * self.bits_per_char / self.baud

    @classmethod
    def from_settings(
        cls, base: LineSettings, baud: int | None, settings: Mapping[str, Any]
    ) -> LineSettings:
        """Apply a charger row's `baud` and checked `settings` (see LINE_SETTINGS)."""
        changes: dict[str, Any] = {}
        if baud:
            changes["baud"] = int(baud)
        if settings.get("parity") is not None:
            changes["parity"] = str(settings["parity"]).upper()
        if settings.get("stopbits") is not None:
            changes["stopbits"] = int(settings["stopbits"])
        if settings.get("turnaround_ms") is not None:
            changes["turnaround_s"] = float(settings["turnaround_ms"]) / 1000.0
        if settings.get("timeout_ms") is not None:
            changes["timeout_s"] = float(settings["timeout_ms"]) / 1000.0
        if settings.get("retries") is not None:
            changes["retries"] = int(settings["retries"])
        return replace(base, **changes)


# The bus settings every Modbus driver takes (None: the driver's own default).
LINE_SETTINGS: tuple[Setting, ...] = (
    Setting("parity", str, None, choices=("N", "E", "O"), doc="serial parity"),
    Setting("stopbits", int, None, 1, 2, doc="serial stop bits"),
    Setting("turnaround_ms", float, None, 0, 5000, doc="pause between requests on the bus"),
    Setting("timeout_ms", float, None, 20, 10000, doc="waiting for one reply"),
    Setting("retries", int, None, 0, 5, doc="extra attempts after a lost reply"),
)


class _RtuSerialClient(ModbusSerialClient):
    """pymodbus's sync serial client with a receive that waits for the reply, not a poll.

    The stock `recv(None)` polls `in_waiting`, which pyserial's `socket://` handler reports
    as 1 whenever anything is readable: the reply then trickles in one byte per poll (about
    100 ms for a 35-byte reply). Here the first byte is awaited up to the timeout, then
    bytes are taken until the line has been quiet for `quiet_s` (t3.5, at least 2 ms). The
    frame is still parsed by pymodbus's RTU framer, which asks again if it needs more."""

    quiet_s = 0.002
    last_byte_at = 0.0

    def recv(self, size: int | None) -> bytes:
        if size is not None:
            return super().recv(size)
        port = self.socket
        if port is None:
            raise ConnectionException(str(self))
        try:
            # The port's timeout stays at `quiet_s` (changing it reconfigures a tty each
            # time): wait for the first byte in quiet-sized steps up to the reply timeout.
            deadline = time.monotonic() + self.comm_params.timeout_connect
            data = bytearray(port.read(512))
            while not data and time.monotonic() < deadline:
                data += port.read(512)
            if data:
                while chunk := port.read(512):
                    data += chunk
                self.last_byte_at = time.monotonic() - self.quiet_s
            return bytes(data)
        except (BlockingIOError, InterruptedError):
            raise
        except Exception:  # OSError, SerialException, termios.error: the port is gone
            self.close()
            raise ConnectionException(str(self)) from None


class ModbusDeviceError(DeviceError):
    """A slave answered with a Modbus exception (it is there, but refused the request)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class ModbusLink:
    """Queue, pacing and reconnection for one port; `PortPool.get(url, "modbus", …)`."""

    def __init__(self, url: str, settings: LineSettings | None = None) -> None:
        self.url = url
        self.settings = settings or LineSettings()
        self._client: _RtuSerialClient | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._users: set[object] = set()
        self._lock = threading.Lock()
        # Worker-thread state (only the worker touches these).
        self._last_start = 0.0
        self._last_end = 0.0
        self._retry_at = 0.0
        self._backoff = self.settings.backoff_min_s
        self._down_since: float | None = None
        self._down_reason = ""
        self._failed_opens = 0
        # Figures for benchmarks and `probe`.
        self.requests = 0
        self.timeouts = 0
        self.opens = 0

    # ------------------------------------------------------------ sharing

    def attach(self, user: object, settings: LineSettings | None = None) -> None:
        """A driver starts using the port. The first user's line settings win; a later
        user may only ask for more room per request (the slowest box sets the pace)."""
        with self._lock:
            if settings is not None:
                if not self._users:
                    self.settings = settings
                else:
                    if (settings.baud, settings.parity) != (
                        self.settings.baud,
                        self.settings.parity,
                    ):
                        log.warning(
                            "port %s: a device asks %d %s but the bus runs at %d %s",
                            self.url,
                            settings.baud,
                            settings.parity,
                            self.settings.baud,
                            self.settings.parity,
                        )
                    if settings.turnaround_s > self.settings.turnaround_s:
                        self.settings = replace(self.settings, turnaround_s=settings.turnaround_s)
            self._users.add(user)
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"modbus {self.url}")

    async def detach(self, user: object) -> None:
        """A driver stops; the last one out closes the port and ends the worker."""
        with self._lock:
            self._users.discard(user)
            if self._users or self._executor is None:
                return
            executor, self._executor = self._executor, None
        await asyncio.get_running_loop().run_in_executor(executor, self._close_port)
        executor.shutdown(wait=False)

    async def close(self) -> None:
        """Close regardless of users (PortPool.close_all)."""
        with self._lock:
            self._users.clear()
            executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(executor, self._close_port)
            executor.shutdown(wait=False)

    # ------------------------------------------------------------ requests

    async def read_input(self, slave: int, address: int, count: int) -> list[int]:
        return await self._submit(
            slave,
            f"read input registers {address}+{count}",
            lambda c: c.read_input_registers(address, count=count, device_id=slave),
            count,
        )

    async def read_holding(self, slave: int, address: int, count: int) -> list[int]:
        return await self._submit(
            slave,
            f"read holding registers {address}+{count}",
            lambda c: c.read_holding_registers(address, count=count, device_id=slave),
            count,
        )

    async def write_single(self, slave: int, address: int, value: int) -> None:
        """Function 06."""
        await self._submit(
            slave,
            f"write register {address}={value}",
            lambda c: c.write_register(address, value, device_id=slave),
            None,
        )

    async def write_multiple(self, slave: int, address: int, values: Sequence[int]) -> None:
        """Function 16 (0x10)."""
        await self._submit(
            slave,
            f"write registers {address}={list(values)}",
            lambda c: c.write_registers(address, list(values), device_id=slave),
            None,
        )

    async def _submit(
        self, slave: int, what: str, call: Callable[[ModbusSerialClient], Any], count: int | None
    ) -> Any:
        executor = self._executor
        if executor is None:
            raise DeviceError(f"port {self.url} is not open (no driver attached)")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, self._exchange, slave, what, call, count)
        except RuntimeError as e:  # the executor was shut down under us
            raise DeviceError(f"port {self.url} closed") from e

    # ------------------------------------------------------------ the worker thread

    def _exchange(
        self,
        slave: int,
        what: str,
        call: Callable[[ModbusSerialClient], Any],
        count: int | None,
    ) -> Any:
        client = self._ensure_open()
        self._pace()
        self._last_start = time.monotonic()
        self.requests += 1
        try:
            reply = call(client)
        except ConnectionException as e:
            self._port_failed(f"connection lost ({e})")
            raise DeviceError(f"port {self.url}: connection lost") from None
        except ModbusIOException:
            self.timeouts += 1
            raise DeviceError(f"slave {slave} on {self.url} does not answer ({what})") from None
        except ModbusException as e:
            raise DeviceError(f"slave {slave} on {self.url}: {what} failed: {e}") from None
        except OSError as e:  # pyserial's own errors escape pymodbus on some paths
            self._port_failed(str(e))
            raise DeviceError(f"port {self.url}: {e}") from None
        finally:
            # The receive already waited out the silence after the reply's last byte.
            self._last_end = max(client.last_byte_at, self._last_start)
        if reply.isError():
            code = int(getattr(reply, "exception_code", 0) or 0)
            raise ModbusDeviceError(
                f"slave {slave} on {self.url} refused to {what} (exception {code})", code
            )
        if count is not None:
            regs = list(getattr(reply, "registers", []))
            if len(regs) != count:
                raise DeviceError(
                    f"slave {slave} on {self.url}: {what} returned {len(regs)} registers"
                )
            return regs
        return None

    def _pace(self) -> None:
        """Silence after the last reply, and room for the box since the last request."""
        s = self.settings
        ready = max(self._last_end + s.t35_s, self._last_start + s.turnaround_s)
        delay = ready - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _ensure_open(self) -> _RtuSerialClient:
        if self._client is not None:
            return self._client
        now = time.monotonic()
        if now < self._retry_at:
            raise DeviceError(f"port {self.url} unavailable: {self._down_reason}")
        s = self.settings
        client = _RtuSerialClient(
            self.url,
            framer=FramerType.RTU,
            baudrate=s.baud,
            bytesize=s.bytesize,
            parity=s.parity,
            stopbits=s.stopbits,
            timeout=s.timeout_s,
            retries=s.retries,
        )
        try:
            port = serial.serial_for_url(
                self.url,
                baudrate=s.baud,
                bytesize=s.bytesize,
                parity=s.parity,
                stopbits=s.stopbits,
                timeout=max(0.002, s.t35_s),
                write_timeout=s.timeout_s,
                exclusive=True,
            )
        except Exception as e:  # pyserial also lets termios.error (not an OSError) escape
            reason = (str(e) or type(e).__name__).removeprefix(f"Could not open port {self.url}: ")
            self._port_failed(reason)
            raise DeviceError(f"cannot open port {self.url}: {reason}") from None
        if not _parity_took(port, s.parity):
            port.close()
            reason = f"the port cannot do parity {s.parity} (a pseudo-terminal?)"
            self._port_failed(reason)
            raise DeviceError(
                f"cannot open port {self.url}: {reason}; use parity N or a socket:// URL"
            )
        client.quiet_s = max(0.002, s.t35_s)
        client.socket = port  # pymodbus uses an already open port as is
        self._client = client
        self.opens += 1
        self._last_end = time.monotonic()
        if self._down_since is not None:
            log.warning(
                "modbus port %s is back after %.1f s (%d failed attempt(s))",
                self.url,
                time.monotonic() - self._down_since,
                self._failed_opens,
            )
        self._down_since = None
        self._failed_opens = 0
        self._backoff = s.backoff_min_s
        self._retry_at = 0.0
        return client

    def _port_failed(self, reason: str) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None
        now = time.monotonic()
        if self._down_since is None:
            log.warning("modbus port %s lost: %s; reopening with backoff", self.url, reason)
            self._down_since = now
            self._backoff = self.settings.backoff_min_s
        else:
            self._failed_opens += 1
            self._backoff = min(self._backoff * 2, self.settings.backoff_max_s)
        self._down_reason = reason
        self._retry_at = now + self._backoff

    def _close_port(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None

    @property
    def online(self) -> bool:
        return self._client is not None


def _parity_took(port: Any, parity: str) -> bool:
    """A Linux pty silently drops even/odd parity (and refuses any later reconfiguration
    with EINVAL): check what the terminal really got."""
    fd = getattr(port, "fd", None)
    if parity == "N" or not isinstance(fd, int):
        return True
    try:
        import termios

        return bool(termios.tcgetattr(fd)[2] & termios.PARENB)
    except Exception:  # no termios (Windows) or not a terminal after all
        return True


def link_for(ports: Any, url: str, settings: LineSettings) -> ModbusLink:
    """The shared link of `url` from the engine's PortPool (or a private one without it)."""
    if ports is None:
        return ModbusLink(url, settings)
    return ports.get(url, "modbus", lambda: ModbusLink(url, settings))


class ModbusSlave:
    """One box on a shared link: reads blocks and writes registers at its slave id."""

    def __init__(self, link: ModbusLink, slave: int, settings: LineSettings) -> None:
        if not 1 <= slave <= 247:
            raise UserError(f"Modbus slave id must be 1…247, not {slave}")
        self.link = link
        self.slave = slave
        self.settings = settings
        self.attached = False

    def attach(self) -> None:
        if not self.attached:
            self.link.attach(self, self.settings)
            self.attached = True

    async def detach(self) -> None:
        if self.attached:
            self.attached = False
            await self.link.detach(self)

    async def read(self, table: str, start: int, count: int) -> list[int]:
        if table == "input":
            return await self.link.read_input(self.slave, start, count)
        return await self.link.read_holding(self.slave, start, count)

    async def write(self, address: int, value: int, function: int = 0x06) -> None:
        if function == 0x10:
            await self.link.write_multiple(self.slave, address, [value])
        else:
            await self.link.write_single(self.slave, address, value)
