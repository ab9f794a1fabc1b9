"""One coordinator per charger: polls it, reports readings, carries out commands.

Modelled on Home Assistant's DataUpdateCoordinator: the driver is polled at an interval
(sooner when the device pushes a change); a failure marks the charger's bays unavailable,
is logged once, and is retried with backoff; the recovery is logged once too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from stationmgr.clock import Clock
from stationmgr.drivers.api import ChangeNotifier, Charger, ChargerReading, CurrentLimit, Gate
from stationmgr.errors import DeviceError
from stationmgr.sessions import AllowCharging, Command, SetCurrent

log = logging.getLogger(__name__)


@dataclass
class CoordinatorConfig:
    poll_interval_s: float = 1.0
    read_timeout_s: float = 5.0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 30.0


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
        self._wake = asyncio.Event()
        if isinstance(driver, ChangeNotifier):
            loop = asyncio.get_event_loop()
            driver.on_change(lambda: loop.call_soon_threadsafe(self._wake.set))

    def poll_now(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        backoff = self.config.backoff_min_s
        try:
            while True:
                try:
                    if not self.opened:
                        async with asyncio.timeout(self.config.read_timeout_s):
                            await self.driver.open()
                        self.opened = True
                    async with asyncio.timeout(self.config.read_timeout_s):
                        reading = await self.driver.read()
                except (DeviceError, OSError, TimeoutError) as e:
                    self.failures += 1
                    if self.online is not False:
                        log.warning(
                            "charger %s does not answer: %s", self.name, e or type(e).__name__
                        )
                        self.online = False
                        await self.on_comm(self, False, str(e) or type(e).__name__)
                    self.opened = False
                    try:
                        await self.driver.close()
                    except Exception:
                        pass
                    await self._wait(backoff)
                    backoff = min(backoff * 2, self.config.backoff_max_s)
                    continue
                backoff = self.config.backoff_min_s
                self.polls += 1
                if self.online is not True:
                    if self.online is False:
                        log.warning("charger %s answers again", self.name)
                    self.online = True
                    await self.on_comm(self, True, "")
                await self.on_reading(self, reading)
                await self._wait(self.config.poll_interval_s)
        finally:
            try:
                await self.driver.close()
            except Exception:
                pass

    async def _wait(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
        # that arrives just as the event is set, which would hang the engine's shutdown.
        self._wake.clear()
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
        """Carry out a state-machine command; a failure is logged, the machine re-asserts."""
        try:
            match command:
                case AllowCharging(allowed=allowed) if isinstance(self.driver, Gate):
                    async with asyncio.timeout(self.config.read_timeout_s):
                        await self.driver.allow_charging(connector, allowed)
                case SetCurrent(amps=amps) if isinstance(self.driver, CurrentLimit):
                    async with asyncio.timeout(self.config.read_timeout_s):
                        await self.driver.set_current_limit(connector, amps)
                case _:
                    log.debug("charger %s cannot %r", self.name, command)
                    return
        except (DeviceError, OSError, TimeoutError) as e:
            log.info("charger %s: %r failed (%s); will retry", self.name, command, e)
            return
        self.poll_now()
