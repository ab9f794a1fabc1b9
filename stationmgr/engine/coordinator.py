"""One coordinator per charger: polls it, reports readings, carries out commands.

Modelled on Home Assistant's DataUpdateCoordinator: the driver is polled at an interval
(sooner when the device pushes a change); a failure marks the charger's bays unavailable,
is logged once, and is retried with backoff; the recovery is logged once too.

It is also the one choke point every current passes through on its way to the device:
`execute` clamps each `SetCurrent` and writes the session's current before every
`AllowCharging(True)`, by the rule in `engine/current.py` (installation maximum, device
maximum from `open()`, cable limit from the readings, card limit). A charger with no safe
current (it cannot tell its maximum and no `installation_max_a` is set) is never allowed to
charge: its connectors read the fault "Misconfigured", so the bays refuse cards.

The backoff is bounded (`backoff_max_s`, 5 s): a flaky charger is still probed often enough
to catch faults and plug changes. Each time the charger is opened its own failsafe is set
(`Failsafe` capability: stop, or a safe current, when the site stops talking to it).
`fresh_reading()` lets a stop wait for a reading taken after it was asked for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from stationmgr.clock import Clock
from stationmgr.drivers.api import (
    ChangeNotifier,
    Charger,
    ChargerInfo,
    ChargerReading,
    CurrentLimit,
    Failsafe,
    Gate,
)
from stationmgr.engine import current
from stationmgr.engine.continuity import FailsafePlan
from stationmgr.errors import DeviceError
from stationmgr.sessions import AllowCharging, Command, SetCurrent

log = logging.getLogger(__name__)
T = TypeVar("T")
MISCONFIGURED = "Misconfigured"


@dataclass
class CoordinatorConfig:
    poll_interval_s: float = 1.0
    read_timeout_s: float = 5.0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 5.0  # a charger in backoff is still probed this often
    fresh_timeout_s: float = 10.0  # longest a stop waits for a fresh reading


def next_backoff(current: float, config: CoordinatorConfig) -> float:
    """The wait after one more failed attempt: doubling, never above `backoff_max_s`."""
    return min(max(current, config.backoff_min_s) * 2, config.backoff_max_s)


class ChargerCoordinator:
    def __init__(
        self,
        charger_id: int,
        name: str,
        driver: Charger,
        bays: dict[int, int],  # connector → bay id
        clock: Clock,
        on_reading: Callable[[ChargerCoordinator, ChargerReading], Awaitable[None]],
        on_comm: Callable[[ChargerCoordinator, bool, str], Awaitable[None]],
        config: CoordinatorConfig | None = None,
        installation_max_a: float | None = None,
        failsafe: FailsafePlan | None = None,
    ) -> None:
        self.charger_id = charger_id
        self.name = name
        self.driver = driver
        self.bays = bays
        self.clock = clock
        self.on_reading = on_reading
        self.on_comm = on_comm
        self.config = config or CoordinatorConfig()
        self.online: bool | None = None
        self.opened = False
        self.polls = 0
        self.failures = 0
        self.installation_max_a = installation_max_a
        self.info: ChargerInfo | None = None  # what open() said
        self.refusal: str | None = None  # why this charger must not charge (misconfigured)
        self.cable_a: dict[int, float | None] = {}  # connector → cable limit last read
        self.offered_a: dict[int, float] = {}  # connector → the current last written
        self.failsafe = failsafe
        self.last_ok_at: float | None = None  # clock time of the last good reading
        self.lost_at: float | None = None  # clock time the charger stopped answering
        self._wake = asyncio.Event()
        self._waiting: list[asyncio.Future[bool]] = []  # fresh_reading() callers
        if isinstance(driver, ChangeNotifier):
            loop = asyncio.get_event_loop()
            driver.on_change(lambda: loop.call_soon_threadsafe(self._wake.set))

    def poll_now(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        backoff = self.config.backoff_min_s
        try:
            while True:
                asked = self._waiting  # answered by this attempt (asked before it began)
                self._waiting = []
                try:
                    reading = await self.poll_once()
                except (DeviceError, OSError, TimeoutError) as e:
                    self.failures += 1
                    if self.online is not False:
                        log.warning(
                            "charger %s does not answer: %s", self.name, e or type(e).__name__
                        )
                        self.online = False
                        self.lost_at = self.clock.now()
                        await self.on_comm(self, False, str(e) or type(e).__name__)
                    self.opened = False
                    try:
                        await self.driver.close()
                    except Exception:
                        pass
                    _answer(asked, False)
                    await self._wait(backoff)
                    backoff = next_backoff(backoff, self.config)
                    continue
                backoff = self.config.backoff_min_s
                self.polls += 1
                if self.online is not True:
                    if self.online is False:
                        log.warning("charger %s answers again", self.name)
                    self.online = True
                    await self.on_comm(self, True, "")
                await self.on_reading(self, reading)
                self.last_ok_at = self.clock.now()
                _answer(asked, True)
                await self._wait(self.config.poll_interval_s)
        finally:
            _answer(self._waiting, False)
            try:
                await self.driver.close()
            except Exception:
                pass

    async def poll_once(self) -> ChargerReading:
        """Open the driver if needed (learning its limits), then read it once."""
        if not self.opened:
            info = await self._call(self.driver.open())
            self.opened = True
            self._learn(info)
            await self._set_failsafe()
        reading = await self._call(self.driver.read())
        for conn in reading.connectors:
            self.cable_a[conn.connector] = conn.cable_max_a
        if self.refusal is not None:
            reading = replace(
                reading,
                connectors=tuple(
                    c if c.fault else replace(c, fault=MISCONFIGURED, allowed=False)
                    for c in reading.connectors
                ),
            )
        return reading

    def _learn(self, info: ChargerInfo) -> None:
        self.info = info
        why = current.refusal(self.limits(None))
        if why != self.refusal:
            if why:
                log.error("charger %s may not charge: %s", self.name, why)
            else:
                log.warning("charger %s: a safe current is known again", self.name)
        self.refusal = why

    def limits(self, connector: int | None) -> current.CurrentLimits:
        """What is known about this connector's limits (None: the charger's alone)."""
        info = self.info
        return current.CurrentLimits(
            installation_max_a=self.installation_max_a,
            device_max_a=info.max_current_a if info else None,
            device_min_a=info.min_current_a if info else 6.0,
            cable_max_a=self.cable_a.get(connector) if connector is not None else None,
        )

    def clamp(self, connector: int, amps: float | None) -> float | None:
        """`amps` (None: the most allowed) within what this connector may offer; None: no
        current is safe. Use it for any current sent to the device (e.g. a failsafe one)."""
        return current.session_current_a(self.limits(connector), amps)

    async def fresh_reading(self, timeout: float | None = None) -> bool:
        """Poll now and wait until a reading taken after this call has been handled (True),
        or the attempt failed / took too long (False). Never call it holding a bay lock: the
        reading itself steps the bays."""
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append(fut)
        self.poll_now()
        try:
            async with asyncio.timeout(timeout or self.config.fresh_timeout_s):
                return await fut
        except TimeoutError:
            return False

    async def _set_failsafe(self) -> None:
        """Let the charger fall back on its own (stop, or the safe current) when the site
        stops talking to it; set at every open, since a reboot may have reset it. The safe
        current is clamped like every other (0 A, stop, stays 0)."""
        if self.failsafe is None or not isinstance(self.driver, Failsafe):
            return
        fallback = self.failsafe.fallback_a
        if fallback > 0:
            fallback = self.clamp(1, fallback) or 0.0  # no safe current known: stop
        try:
            async with asyncio.timeout(self.config.read_timeout_s):
                await self.driver.set_failsafe(self.failsafe.timeout_s, fallback)
        except (DeviceError, OSError, TimeoutError) as e:
            # Keep polling (the site still commands it); tried again at the next open.
            log.warning("charger %s: setting its failsafe failed (%s)", self.name, e)

    async def _call(self, aw: Awaitable[T]) -> T:
        async with asyncio.timeout(self.config.read_timeout_s):
            return await aw

    async def _wait(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
        # that arrives just as the event is set, which would hang the engine's shutdown.
        self._wake.clear()
        if self._waiting:  # someone asked for a fresh reading while we were reading
            return
        try:
            async with asyncio.timeout(seconds / max(self.clock_speed, 1e-9)):
                await self._wake.wait()
        except TimeoutError:
            pass

    @property
    def clock_speed(self) -> float:
        # Polling keeps its real-time pace under a warped clock up to 10x, then speeds up
        # with it so a fast-forwarded day still sees each state change.
        speed = float(getattr(self.clock, "speed", 1.0))
        return 1.0 if speed <= 10 else speed / 10

    async def execute(self, connector: int, command: Command) -> None:
        """Carry out a state-machine command; a failure is logged, the machine re-asserts.

        Every current is clamped here (`engine/current.py`); opening the gate writes the
        session's current first, so no session inherits the last one's limit and a charger
        that rebooted or lost its volatile limit gets it again with the gate."""
        try:
            match command:
                case AllowCharging(allowed=True, amps=amps) if isinstance(self.driver, Gate):
                    await self._open_gate(connector, amps)
                case AllowCharging(allowed=False) if isinstance(self.driver, Gate):
                    await self._call(self.driver.allow_charging(connector, False))
                case SetCurrent(amps=amps) if isinstance(self.driver, CurrentLimit):
                    amps_out = self.clamp(connector, amps)
                    if amps_out is None:
                        why = current.refusal(self.limits(connector))
                        log.warning("charger %s: no current written: %s", self.name, why)
                        return
                    await self._write_current(connector, amps_out)
                case _:
                    log.debug("charger %s cannot %r", self.name, command)
                    return
        except (DeviceError, OSError, TimeoutError) as e:
            log.info("charger %s: %r failed (%s); will retry", self.name, command, e)
            return
        self.poll_now()

    async def _open_gate(self, connector: int, card_max_a: float | None) -> None:
        assert isinstance(self.driver, Gate)
        limits = self.limits(connector)
        amps = self.clamp(connector, card_max_a)
        top = current.allowed_max_a(limits)
        settable = isinstance(self.driver, CurrentLimit)
        if (
            amps is None
            or top is None
            or (not settable and (limits.device_max_a is None or top < limits.device_max_a))
        ):
            why = current.refusal(limits) or "its current cannot be set below the device maximum"
            log.error("charger %s: not allowing charging: %s", self.name, why)
            await self._call(self.driver.allow_charging(connector, False))
            return
        if settable:
            await self._write_current(connector, amps)
        await self._call(self.driver.allow_charging(connector, True))

    async def _write_current(self, connector: int, amps: float) -> None:
        assert isinstance(self.driver, CurrentLimit)
        await self._call(self.driver.set_current_limit(connector, amps))
        self.offered_a[connector] = amps


def _answer(waiting: list[asyncio.Future[bool]], ok: bool) -> None:
    for fut in waiting:
        if not fut.done():
            fut.set_result(ok)
