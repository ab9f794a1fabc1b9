"""A simulated OCPP 1.6J charge point for the demo site, on the `ocpp` package's ChargePoint.

Built on the pinned `ocpp` package (its message classes, its schema checks on everything
sent and received, its call/answer loop), not on `stationmgr.ocpp`, so the demo's OCPP bays
talk to the central system the way a third-party charger does. It has one connector with
the demo's physics (`VirtualConnector` + `EV`) and behaves like a wallbox with a card
reader: plug in (Preparing), tap a card (Authorize, then StartTransaction once Accepted),
MeterValues every MeterValueSampleInterval the site configured, tap again or unplug
(StopTransaction Local / EVDisconnected), faults as StatusNotification Faulted. Taken
offline (`set_silent`), it keeps a StopTransaction queued and sends it when it is back, at
its own timestamp, like a real charger.

All charge points of a `SimChargePoints` share one thread with its own event loop; the
demo's scenario (another thread) calls `plug`, `tap`, `unplug`, … which return at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

import aiohttp
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from stationmgr.clock import Clock
from stationmgr.sim.device import VirtualConnector
from stationmgr.sim.ev import EV

log = logging.getLogger(__name__)
# The ocpp package logs every frame at INFO; the demo's log would be nothing else.
_QUIET = logging.getLogger("stationmgr.sim.ocpp_cp.frames")
_QUIET.setLevel(logging.WARNING)

RECONNECT_S = 1.0  # real seconds between connection attempts


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Connection:
    """What the `ocpp` package's ChargePoint reads and writes: `recv()` and `send()` over an
    aiohttp client WebSocket (aiohttp is already a core dependency)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def recv(self) -> str:
        msg = await self.ws.receive()
        if msg.type == aiohttp.WSMsgType.TEXT:
            return str(msg.data)
        raise ConnectionError(f"connection closed ({msg.type.name})")

    async def send(self, text: str) -> None:
        await self.ws.send_str(text)


class _Link(ChargePoint):
    """One connection's protocol side: the central system's calls, answered for `station`."""

    def __init__(self, station: SimChargePoint, conn: _Connection) -> None:
        super().__init__(station.cpid, conn, response_timeout=30, logger=_QUIET)
        self.station = station

    @on(Action.change_configuration)
    def change_configuration(self, key: str, value: str) -> call_result.ChangeConfiguration:
        self.station.config[key] = value
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.get_configuration)
    def get_configuration(self, key: list[str] | None = None) -> call_result.GetConfiguration:
        known = self.station.config
        wanted = key or list(known)
        return call_result.GetConfiguration(
            configuration_key=[
                {"key": k, "readonly": False, "value": known[k]} for k in wanted if k in known
            ],
            unknown_key=[k for k in wanted if k not in known] or None,
        )

    @on(Action.remote_start_transaction)
    def remote_start(self, id_tag: str, **_kw: Any) -> call_result.RemoteStartTransaction:
        ok = self.station.connector.plugged and self.station.tx_id is None
        if ok:
            self.station._spawn(self.station._start(id_tag, authorize=False))
        return call_result.RemoteStartTransaction(status="Accepted" if ok else "Rejected")

    @on(Action.remote_stop_transaction)
    def remote_stop(self, transaction_id: int) -> call_result.RemoteStopTransaction:
        ok = transaction_id == self.station.tx_id
        if ok:
            self.station._spawn(self.station._stop("Remote"))
        return call_result.RemoteStopTransaction(status="Accepted" if ok else "Rejected")

    @on(Action.change_availability)
    def change_availability(self, connector_id: int, type: str) -> call_result.ChangeAvailability:
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.reset)
    def reset(self, type: str) -> call_result.Reset:
        return call_result.Reset(status="Accepted")

    @on(Action.unlock_connector)
    def unlock(self, connector_id: int) -> call_result.UnlockConnector:
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.clear_cache)
    def clear_cache(self) -> call_result.ClearCache:
        return call_result.ClearCache(status="Accepted")

    @on(Action.trigger_message)
    def trigger(self, requested_message: str, **_kw: Any) -> call_result.TriggerMessage:
        if requested_message == "StatusNotification":
            self.station._spawn(self.station._status())
        elif requested_message == "Heartbeat":
            self.station._spawn(self.station._call(call.Heartbeat()))
        else:
            return call_result.TriggerMessage(status="NotImplemented")
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.get_local_list_version)
    def local_list_version(self) -> call_result.GetLocalListVersion:
        return call_result.GetLocalListVersion(list_version=self.station.local_list_version)

    @on(Action.send_local_list)
    def send_local_list(self, list_version: int, update_type: str, **_kw: Any) -> Any:
        self.station.local_list_version = list_version
        return call_result.SendLocalList(status="Accepted")

    @on(Action.set_charging_profile)
    def set_charging_profile(self, connector_id: int, cs_charging_profiles: dict) -> Any:
        return call_result.SetChargingProfile(status="Accepted")

    @on(Action.clear_charging_profile)
    def clear_charging_profile(self, **_kw: Any) -> call_result.ClearChargingProfile:
        return call_result.ClearChargingProfile(status="Accepted")


class SimChargePoint:
    """One simulated charge point with one connector (its state outlives connections)."""

    def __init__(
        self,
        cpid: str,
        clock: Clock,
        connector: VirtualConnector,
        vendor: str = "stationmgr-sim",
        model: str = "Demo OCPP wallbox",
    ) -> None:
        self.cpid = cpid
        self.clock = clock
        self.connector = connector
        self.vendor = vendor
        self.model = model
        self.url: str | None = None
        self.config: dict[str, str] = {
            "MeterValueSampleInterval": "60",
            "MeterValuesSampledData": "Energy.Active.Import.Register",
            "HeartbeatInterval": "300",
        }
        self.local_list_version = 0
        self.tx_id: int | None = None
        self.tx_card: str | None = None
        self.status_word = "Available"
        self.silent = False
        self.online = False
        self.queued: list[Any] = []  # calls kept while offline (StopTransaction)
        self.counts: dict[str, int] = {}
        self._link: _Link | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._lock: asyncio.Lock | None = None  # one scene at a time
        self._heartbeat_s = 60.0

    # ------------------------------------------------------------ from the scenario thread

    def plug(self, ev: EV, now: float) -> None:
        self._submit(self._plug(ev))

    def unplug(self, now: float) -> None:
        self._submit(self._unplug())

    def tap(self, card: str) -> None:
        self._submit(self._tap(card))

    def set_fault(self, word: str | None) -> None:
        self._submit(self._fault(word))

    def set_silent(self, silent: bool) -> None:
        self._submit(self._silence(silent))

    def _submit(self, coro: Coroutine[Any, Any, None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            return
        fut = asyncio.run_coroutine_threadsafe(self._scene(coro), loop)
        fut.add_done_callback(self._log_failure)

    def _log_failure(self, fut: concurrent.futures.Future[None]) -> None:
        if not fut.cancelled() and fut.exception() is not None:
            log.warning("demo charge point %s: %r", self.cpid, fut.exception())

    # ------------------------------------------------------------ on the sim loop

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._scene(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _scene(self, coro: Coroutine[Any, Any, None]) -> None:
        assert self._lock is not None
        async with self._lock:
            await coro

    async def _call(self, payload: Any) -> Any:
        """Send `payload` now; None when offline (the caller decides whether to queue)."""
        link = self._link
        if link is None or not self.online:
            return None
        name = type(payload).__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        try:
            return await link.call(payload)
        except (ConnectionError, aiohttp.ClientError, TimeoutError) as e:
            log.info("demo charge point %s: %s not answered (%r)", self.cpid, name, e)
            return None

    def _status_now(self) -> str:
        c = self.connector
        if c.fault:
            return "Faulted"
        if self.tx_id is not None:
            return "Charging" if c.power_w > 0 else "SuspendedEV"
        return "Preparing" if c.plugged else "Available"

    async def _status(self, error: str = "NoError") -> None:
        self.status_word = self._status_now()
        await self._call(
            call.StatusNotification(
                connector_id=self.connector.connector,
                error_code=error if self.connector.fault else "NoError",
                status=self.status_word,
                timestamp=_stamp(self.clock.now()),
            )
        )

    async def _plug(self, ev: EV) -> None:
        self.connector.plug(ev, self.clock.now())
        await self._status()

    async def _tap(self, card: str) -> None:
        if self.tx_id is not None:
            if card == self.tx_card:
                await self._stop("Local")
            return
        if not self.online:
            return  # no light on the charger: the driver taps again
        if not self.connector.plugged:
            await self._call(call.Authorize(id_tag=card))
            return
        await self._start(card, authorize=True)

    async def _start(self, card: str, authorize: bool) -> None:
        if self.tx_id is not None or not self.connector.plugged:
            return
        if authorize:
            answer = await self._call(call.Authorize(id_tag=card))
            if answer is None or answer.id_tag_info.get("status") != "Accepted":
                return
        now = self.clock.now()
        self.connector.tick(now)
        answer = await self._call(
            call.StartTransaction(
                connector_id=self.connector.connector,
                id_tag=card,
                meter_start=round(self.connector.energy_total_wh),
                timestamp=_stamp(now),
            )
        )
        if answer is None:
            return
        if answer.id_tag_info.get("status") != "Accepted":
            # The charger ends a transaction the central system refused at once.
            await self._call(
                call.StopTransaction(
                    meter_stop=round(self.connector.energy_total_wh),
                    timestamp=_stamp(self.clock.now()),
                    transaction_id=answer.transaction_id,
                    reason="DeAuthorized",
                )
            )
            return
        self.tx_id, self.tx_card = answer.transaction_id, card
        self.connector.set_enabled(True, self.clock.now())
        await self._status()

    async def _stop(self, reason: str) -> None:
        if self.tx_id is None:
            return
        now = self.clock.now()
        self.connector.set_enabled(False, now)
        stop = call.StopTransaction(
            meter_stop=round(self.connector.energy_total_wh),
            timestamp=_stamp(now),
            transaction_id=self.tx_id,
            reason=reason,
            id_tag=self.tx_card if reason == "Local" else None,
        )
        self.tx_id = self.tx_card = None
        if not self.online:
            self.queued.append(stop)  # sent when the charger is back
            return
        await self._call(stop)
        await self._status()

    async def _unplug(self) -> None:
        await self._stop("EVDisconnected")
        self.connector.unplug(self.clock.now())
        await self._status()

    async def _fault(self, word: str | None) -> None:
        self.connector.tick(self.clock.now())
        self.connector.fault = word
        if word is not None:
            await self._status(word)
        else:
            await self._status()

    async def _silence(self, silent: bool) -> None:
        self.silent = silent
        if silent and self._ws is not None:
            await self._ws.close()

    async def _meter(self) -> None:
        now = self.clock.now()
        c = self.connector
        c.tick(now)
        if self.tx_id is None:
            return
        if self._status_now() != self.status_word:
            await self._status()
        amps = c.power_w / (c.voltage_v * c.phases) if c.power_w else 0.0
        values = [
            {"value": f"{c.energy_total_wh:.0f}", "measurand": "Energy.Active.Import.Register",
             "unit": "Wh"},
            {"value": f"{c.power_w:.0f}", "measurand": "Power.Active.Import", "unit": "W"},
        ]  # fmt: skip
        for phase in ("L1", "L2", "L3")[: c.phases]:
            values.append(
                {"value": f"{amps:.1f}", "measurand": "Current.Import", "phase": phase,
                 "unit": "A"}
            )  # fmt: skip
        if c.ev is not None:
            values.append({"value": f"{c.ev.soc * 100:.0f}", "measurand": "SoC", "unit": "Percent"})
        await self._call(
            call.MeterValues(
                connector_id=c.connector,
                transaction_id=self.tx_id,
                meter_value=[{"timestamp": _stamp(now), "sampledValue": values}],
            )
        )

    # ------------------------------------------------------------ connection

    async def run(self, session: aiohttp.ClientSession, stopping: asyncio.Event) -> None:
        """Connect, boot and report until `stopping`; reconnect after a drop."""
        self._loop = asyncio.get_running_loop()
        if self._lock is None:
            self._lock = asyncio.Lock()
        while not stopping.is_set():
            if self.silent or self.url is None:
                await _sleep(stopping, 0.2)
                continue
            try:
                async with session.ws_connect(
                    f"{self.url}/{self.cpid}", protocols=("ocpp1.6",), heartbeat=None
                ) as ws:
                    await self._connected(ws, stopping)
            except (aiohttp.ClientError, ConnectionError, OSError) as e:
                log.debug("demo charge point %s: %r", self.cpid, e)
            finally:
                self.online, self._link, self._ws = False, None, None
            await _sleep(stopping, RECONNECT_S)

    async def _connected(
        self, ws: aiohttp.ClientWebSocketResponse, stopping: asyncio.Event
    ) -> None:
        link = _Link(self, _Connection(ws))
        reader = asyncio.create_task(link.start())
        self._ws, self._link, self.online = ws, link, True
        try:
            async with self._lock:  # type: ignore[union-attr]
                boot = await self._call(
                    call.BootNotification(
                        charge_point_vendor=self.vendor,
                        charge_point_model=self.model,
                        firmware_version="sim-1.0",
                    )
                )
                if boot is None or boot.status != "Accepted":
                    return  # Pending/Rejected: try again later
                self._heartbeat_s = float(boot.interval or 60)
                await self._status()
                while self.queued:
                    await self._call(self.queued.pop(0))
            next_meter = next_beat = self.clock.now()
            while not stopping.is_set() and not ws.closed and not reader.done():
                now = self.clock.now()
                if now >= next_meter:
                    async with self._lock:  # type: ignore[union-attr]
                        await self._meter()
                    every = float(self.config.get("MeterValueSampleInterval") or 60)
                    next_meter = now + max(1.0, every)
                if now >= next_beat:
                    await self._call(call.Heartbeat())
                    next_beat = now + self._heartbeat_s
                await _sleep(stopping, 0.2)
        finally:
            self.online = False
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


async def _sleep(stopping: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await stopping.wait()
    except TimeoutError:
        pass


class SimChargePoints:
    """The demo's simulated charge points on one thread of their own."""

    def __init__(self, points: list[SimChargePoint]) -> None:
        self.points = points
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()

    def start(self, url: str) -> None:
        """Connect every charge point to `url` (`ws://HOST:PORT/ocpp`)."""
        for p in self.points:
            p.url = url.rstrip("/")
        self._thread = threading.Thread(target=self._main, name="demo-ocpp-cps", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        for p in self.points:  # the loop is known before the scenario's first call
            p._loop, p._lock = self._loop, asyncio.Lock()
        async with aiohttp.ClientSession() as session:
            runs = [asyncio.create_task(p.run(session, self._stopping)) for p in self.points]
            self._ready.set()
            await self._stopping.wait()
            await asyncio.sleep(0.1)  # a run between two steps ends by itself
            for t in runs:
                t.cancel()  # one waiting for an answer does not wait out its timeout
            await asyncio.gather(*runs, return_exceptions=True)

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._stopping is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._stopping.set)
            except RuntimeError:
                pass  # the loop ended already
        thread.join(10)
        self._thread = None
