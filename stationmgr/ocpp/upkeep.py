"""What the site keeps in step on each connected charge point: its local authorisation list
(`locallist`) and its charging profiles (`profiles`).

One worker per connection does the work, one job at a time (our calls go out one at a time
anyway, `Rpc.call`): after a BootNotification, after the first message of a connection that
did not boot (a charger that reconnects keeps running), and when the site's configuration
changes (`ConfigurationChanged`: "cards" for the list, "chargers" for the limits). A job
that fails (timeout, CallError) is logged and runs again at the next trigger.

The core handlers are left as they are: `Upkeep.connected` wraps the connection's handler
table to notice the boot, the first message and each StartTransaction (a card's current
limit goes out as a TxProfile once the transaction has its id).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ocpp.exceptions import OCPPError

import stationmgr.drivers.ocpp  # noqa: F401  (registers the ocpp driver's settings)
from stationmgr.events import ConfigurationChanged
from stationmgr.ocpp import mapping, profiles
from stationmgr.ocpp.locallist import ListLimits, ListStore, LocalListSync
from stationmgr.ocpp.locallist import install as install_lists

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.ocpp.handlers import ChargePointSite
    from stationmgr.ocpp.rpc import Rpc

log = logging.getLogger(__name__)

CONFIG_KEYS = [
    "LocalAuthListEnabled",
    "LocalAuthListMaxLength",
    "SendLocalListMaxLength",
    "SupportedFeatureProfiles",
]
CARDS, LIMITS = "cards", "limits"


class Link:
    """One connected charge point: its worker and what it said of itself."""

    def __init__(self, upkeep: Upkeep, cp: ChargePointSite, rpc: Rpc) -> None:
        self.engine = upkeep.engine
        self.cp = cp
        self.rpc = rpc
        self.lists = LocalListSync(upkeep.engine, cp, rpc, upkeep.lists)
        self._config: dict[str, str] | None = None
        self._smart: bool | None = None
        self._jobs: set[str] = set()
        self._wake = asyncio.Event()
        self._greeted = False
        self._task = asyncio.create_task(self._work(), name=f"ocpp-upkeep-{cp.cpid}")

    def ask(self, *jobs: str) -> None:
        """Run these jobs soon (thread-safe via `Upkeep`; on the loop here)."""
        self._jobs.update(jobs)
        self._wake.set()

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    # ------------------------------------------------------------ the handlers, watched

    def watch(self, handlers: dict[str, Any]) -> dict[str, Any]:
        out = {action: self._watched(action, fn) for action, fn in handlers.items()}
        return out

    def _watched(
        self, action: str, fn: Callable[[dict[str, Any]], Awaitable[Any]]
    ) -> Callable[[dict[str, Any]], Awaitable[Any]]:
        async def handle(p: dict[str, Any]) -> Any:
            result = await fn(p)
            if action == "BootNotification":
                self._greeted = True
                self._config = None  # a reboot may have changed what it says
                self.lists.off = False
                self.rpc.after(self._after_boot)
            elif not self._greeted:
                self._greeted = True  # a reconnect without a boot: it kept running
                self.rpc.after(self._after_boot)
            if action == "StartTransaction":
                self._started(p, result)
            return result

        return handle

    async def _after_boot(self) -> None:
        self.ask(LIMITS, CARDS)

    def _started(self, p: dict[str, Any], result: Any) -> None:
        txid = result.get("transactionId") if isinstance(result, dict) else None
        bay_id = self.cp.bays.get(int(p["connectorId"]))
        if not isinstance(txid, int) or txid <= 0 or bay_id is None:
            return
        bay = self.engine.bays.get(bay_id)
        tx = bay.tx if bay is not None else None
        if tx is None or tx.uid != mapping.tx_uid(txid):
            return
        connector, card_max_a = int(p["connectorId"]), tx.auth.max_current_a

        async def send() -> None:
            await self._tx_profile(connector, txid, card_max_a)

        self.rpc.after(send)

    # ------------------------------------------------------------ the work

    async def _work(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            jobs, self._jobs = self._jobs, set()
            for job in (LIMITS, CARDS):
                if job not in jobs:
                    continue
                try:
                    if job == LIMITS:
                        await self._limits()
                    else:
                        await self.lists.sync(ListLimits.of(await self._configuration()))
                except (OCPPError, TimeoutError, ConnectionError) as e:
                    log.info("charge point %s: %s not brought in step: %s", self.cp.cpid, job, e)
                except Exception:
                    log.exception("charge point %s: keeping %s in step failed", self.cp.cpid, job)

    async def _configuration(self) -> dict[str, str]:
        """The keys the upkeep needs, asked once per boot (unknown: not there)."""
        if self._config is None:
            try:
                answer = await self.rpc.call("GetConfiguration", {"key": CONFIG_KEYS})
            except OCPPError as e:
                log.info("charge point %s: GetConfiguration refused: %s", self.cp.cpid, e)
                answer = {}
            self._config = {
                str(k.get("key")): str(k.get("value", ""))
                for k in answer.get("configurationKey") or []
                if isinstance(k, dict)
            }
        return self._config

    async def _smart_charging(self) -> bool:
        config = await self._configuration()
        profiles_text = config.get("SupportedFeatureProfiles")
        ok = profiles_text is None or "SmartCharging" in profiles_text.replace(" ", "").split(",")
        if ok is False and self._smart is not False:
            log.info("charge point %s: no SmartCharging profile: no current limits sent",
                     self.cp.cpid)  # fmt: skip
        self._smart = ok
        return ok

    def _plan(self) -> profiles.Plan:
        row = self.engine.external_chargers.get(self.cp.charger_id)
        return profiles.plan(row.settings if row is not None else None)

    async def _limits(self) -> None:
        p = self._plan()
        if p.installation_max_a is None or not await self._smart_charging():
            return
        for request in profiles.charger_profiles(p, self.engine.clock.now()):
            await self._set(request)

    async def _tx_profile(self, connector: int, txid: int, card_max_a: float | None) -> None:
        p = self._plan()
        request = profiles.tx_profile(p, connector, txid, card_max_a, self.engine.clock.now())
        if request is not None and await self._smart_charging():
            await self._set(request)

    async def _set(self, request: dict[str, Any]) -> None:
        prof = request["csChargingProfiles"]
        answer = await self.rpc.call("SetChargingProfile", request)
        limit = prof["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"]
        status = answer.get("status")
        level = logging.INFO if status == "Accepted" else logging.WARNING
        log.log(
            level,
            "charge point %s: %s %g A on connector %d %s",
            self.cp.cpid,
            prof["chargingProfilePurpose"],
            limit,
            request["connectorId"],
            status,
        )


class Upkeep:
    """Every connected charge point's upkeep, following the site's configuration."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lists = ListStore(engine)
        self.links: dict[str, Link] = {}
        install_lists(engine.persister)
        self._unsubscribe = engine.bus.subscribe(self._changed, ConfigurationChanged)

    def connected(self, cp: ChargePointSite, rpc: Rpc) -> Link:
        """On the loop, once the connection's handlers are set."""
        link = Link(self, cp, rpc)
        rpc.handlers = link.watch(rpc.handlers)
        self.links[cp.cpid] = link
        return link

    async def disconnected(self, link: Link) -> None:
        if self.links.get(link.cp.cpid) is link:
            del self.links[link.cp.cpid]
        await link.close()

    def close(self) -> None:
        self._unsubscribe()

    def _changed(self, ev: object) -> None:
        assert isinstance(ev, ConfigurationChanged)
        jobs = []
        if ev.kinds & {"cards", "chargers"}:
            jobs.append(CARDS)  # a bay's new charger or allow-list changes the list too
        if "chargers" in ev.kinds:
            jobs.append(LIMITS)
        if not jobs or not self.links or not self.engine.running:
            return

        async def ask() -> None:
            for link in list(self.links.values()):
                link.ask(*jobs)

        self.engine.submit(ask())
