"""The engine: an asyncio loop on its own thread that runs the site.

One coordinator per charger, one task per card reader, the session manager (the bay state
machines), the single database writer and the event bus. The GUI and the CLI talk to it only
through the thread-safe service methods at the bottom, which return concurrent futures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.access import audit
from stationmgr.access.context import Actor, operator_name, require
from stationmgr.auth import CardFacts, authorize
from stationmgr.cards import find_card_facts
from stationmgr.clock import Clock, SystemClock, to_datetime
from stationmgr.drivers import DeviceConfig, create_charger, create_reader
from stationmgr.drivers.api import CardReader, CardTap, Charger, ChargerReading
from stationmgr.drivers.bus import PortPool
from stationmgr.engine.coordinator import ChargerCoordinator, CoordinatorConfig
from stationmgr.engine.writer import Writer
from stationmgr.errors import DeviceError, UserError
from stationmgr.events import (
    BaySnapshot,
    CardTapped,
    ChargerCommLost,
    ChargerCommRestored,
    EventBus,
)
from stationmgr.ocpp_words import AuthStatus
from stationmgr.settings import get_setting, load_session_config
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, CardReaderDevice, ChargeSession
from stationmgr.store.models import Charger as ChargerRow
from stationmgr.store.persist import Persister, transaction_from_row
from stationmgr.store.retention import DEFAULT_KEEP_RAW_DAYS, DEFAULT_RESOLUTION_S, downsample

log = logging.getLogger(__name__)
T = TypeVar("T")

# A card policy may refuse a card that authorisation accepted (e.g. a used-up budget):
# (db session, card facts, now) -> refusal text or None.
CardPolicy = Callable[[Session, CardFacts, datetime], str | None]
# A session policy may end a running session (e.g. budget reached): (tx, now) -> detail or None.
SessionPolicy = Callable[[sm.Transaction, float], str | None]


@dataclass
class EngineConfig:
    coordinator: CoordinatorConfig = field(default_factory=CoordinatorConfig)
    session: sm.SessionConfig | None = None  # None: from site settings
    tick_interval_s: float = 1.0
    billing: bool = True  # price + ledger each closed session, enforce budgets (billing.install)


@dataclass
class BayInfo:
    bay_id: int
    label: str
    charger_id: int
    connector: int


class Engine:
    """Runs the site on a background thread; every public method is thread-safe."""

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        config: EngineConfig | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.config = config or EngineConfig()
        self.bus = bus or EventBus()
        self.card_policies: list[CardPolicy] = []
        self.session_policies: list[SessionPolicy] = []
        self.bays: dict[int, sm.BayState] = {}
        self.bay_info: dict[int, BayInfo] = {}
        self.coordinators: dict[int, ChargerCoordinator] = {}
        self.session_config = self.config.session or sm.SessionConfig()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._main_task: asyncio.Task[None] | None = None
        self.writer: Writer | None = None
        # Extend persistence here before start(): see Persister.register / closed_hooks.
        self.persister = Persister()
        self._bay_locks: dict[int, asyncio.Lock] = {}
        self.ports = PortPool()  # the one owner of each serial port, shared by drivers
        self._readers: list[tuple[str, int | None, CardReader]] = []
        if self.config.billing:
            from stationmgr.billing import install as install_billing

            install_billing(self)

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 30.0) -> None:
        """Start the engine thread; returns once chargers are loaded and sessions restored."""
        self._thread = threading.Thread(
            target=self._thread_main, name="stationmgr-engine", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("engine did not start in time")
        if self._start_error is not None:
            raise self._start_error

    def stop(self, timeout: float = 15.0) -> None:
        """Stop polling, write everything queued, close ports."""
        loop = self._loop
        if loop is not None and self._main_task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._main_task.cancel)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("engine did not stop within %.0f s", timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._main_task = loop.create_task(self._main())
            loop.run_until_complete(self._main_task)
        except asyncio.CancelledError:
            pass
        except BaseException as e:  # surfaced to start()
            self._start_error = e
            log.exception("engine failed")
        finally:
            self._ready.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    async def _main(self) -> None:
        self.writer = Writer(self.db, self.persister)
        tasks: list[asyncio.Task[Any]] = [asyncio.create_task(self.writer.run(), name="writer")]
        try:
            await self._load()
            for coord in self.coordinators.values():
                tasks.append(asyncio.create_task(coord.run(), name=f"charger-{coord.name}"))
            for name, bay_id, reader in self._readers:
                tasks.append(
                    asyncio.create_task(
                        self._reader_loop(name, bay_id, reader), name=f"reader-{name}"
                    )
                )
            tasks.append(asyncio.create_task(self._ticker(), name="ticker"))
            tasks.append(asyncio.create_task(self._maintenance(), name="maintenance"))
            self._ready.set()
            await asyncio.Event().wait()  # until cancelled by stop()
        finally:
            for t in tasks[1:]:
                t.cancel()
            await asyncio.gather(*tasks[1:], return_exceptions=True)
            try:
                await self.ports.close_all()  # release every serial port we own
            except Exception:
                log.exception("closing ports failed")
            await self.writer.drain()
            tasks[0].cancel()
            await asyncio.gather(tasks[0], return_exceptions=True)
            self.writer.close()

    async def _load(self) -> None:
        assert self.writer is not None
        if self.config.session is None:
            self.session_config = await self.writer.call(load_session_config)

        def read(
            s: Session,
        ) -> tuple[list[ChargerRow], list[Bay], list[ChargeSession], list[CardReaderDevice]]:
            chargers = list(s.scalars(select(ChargerRow).where(ChargerRow.enabled)))
            bays = list(s.scalars(select(Bay)))
            open_rows = list(
                s.scalars(select(ChargeSession).where(ChargeSession.stopped_at.is_(None)))
            )
            readers = list(s.scalars(select(CardReaderDevice).where(CardReaderDevice.enabled)))
            return chargers, bays, open_rows, readers

        chargers, bays, open_rows, readers = await self.writer.call(read)
        open_by_bay = {r.bay_id: transaction_from_row(r) for r in open_rows}
        enabled = {c.id for c in chargers}
        for b in bays:
            if b.charger_id not in enabled:
                continue
            self.bay_info[b.id] = BayInfo(b.id, b.label, b.charger_id, b.connector)
            self.bays[b.id] = sm.restore(b.id, open_by_bay.pop(b.id, None), b.out_of_order)
            self._bay_locks[b.id] = asyncio.Lock()
            self.writer.persister.charger_of_bay[b.id] = b.charger_id
        if open_by_bay:  # sessions on bays whose charger is gone or disabled
            log.warning("%d open session(s) belong to no enabled charger", len(open_by_bay))
        for c in chargers:
            cfg = DeviceConfig(c.port, c.address, c.baud, c.settings or {})
            try:
                driver = create_charger(c.driver, cfg, self.ports)
            except UserError as e:
                log.error("charger %s: %s", c.name, e)
                continue
            connectors = {b.connector: b.id for b in bays if b.charger_id == c.id}
            self.coordinators[c.id] = ChargerCoordinator(
                c.id,
                c.name,
                driver,
                connectors,
                self.clock,
                self._on_reading,
                self._on_comm,
                self.config.coordinator,
            )
        for r in readers:
            try:
                reader = create_reader(
                    r.driver, DeviceConfig(r.port, None, r.baud, r.settings or {}), self.ports
                )
            except UserError as e:
                log.error("card reader %s: %s", r.name, e)
                continue
            self._readers.append((r.name, r.bay_id, reader))
        if open_rows:
            log.info(
                "restored %d open session(s); each is resumed or closed at its "
                "charger's first reading",
                len(open_rows),
            )

    # ------------------------------------------------------------ the loop's work

    async def _on_reading(self, coord: ChargerCoordinator, reading: ChargerReading) -> None:
        for conn in reading.connectors:
            bay_id = coord.bays.get(conn.connector)
            if bay_id is None:
                continue
            await self._step(bay_id, sm.Observed(conn, reading.rebooted))
            await self._apply_session_policies(bay_id)

    async def _on_comm(self, coord: ChargerCoordinator, online: bool, detail: str) -> None:
        now = self.clock.now()
        ev: object
        if online:
            ev = ChargerCommRestored(coord.charger_id, coord.name, now)
        else:
            ev = ChargerCommLost(coord.charger_id, coord.name, now, detail)
            for bay_id in coord.bays.values():
                await self._step(bay_id, sm.CommLost(detail))
        assert self.writer is not None
        self.writer.put(ev)
        self.bus.publish(ev)

    async def _apply_session_policies(self, bay_id: int) -> None:
        tx = self.bays[bay_id].tx
        if tx is None or not self.session_policies:
            return
        now = self.clock.now()
        for policy in self.session_policies:
            detail = policy(tx, now)
            if detail:
                await self._step(bay_id, sm.Deauthorize(detail))
                return

    async def _step(self, bay_id: int, event: sm.Event) -> sm.Step:
        async with self._bay_locks[bay_id]:
            now = self.clock.now()
            result = sm.step(self.bays[bay_id], event, now, self.session_config)
            self.bays[bay_id] = result.bay
            assert self.writer is not None
            for rec in result.records:
                if not isinstance(rec, sm.StatusChanged):
                    self.writer.put(rec)
                self.bus.publish(rec)
            info = self.bay_info[bay_id]
            coord = self.coordinators.get(info.charger_id)
            if result.commands and any(
                isinstance(r, sm.TransactionStarted | sm.TransactionStopped) for r in result.records
            ):
                # Commit the session's start/stop before the charger acts on it: a crash
                # between "$FE" and the commit would let a car charge with no session.
                await self.writer.drain()
            for cmd in result.commands:
                if coord is not None:
                    await coord.execute(info.connector, cmd)
            self.bus.publish(self.snapshot(bay_id, now))
            return result

    def snapshot(self, bay_id: int, now: float | None = None) -> BaySnapshot:
        bay = self.bays[bay_id]
        tx = bay.tx
        return BaySnapshot(
            bay_id=bay_id,
            label=self.bay_info[bay_id].label,
            status=bay.status,
            at=self.clock.now() if now is None else now,
            plugged_at=bay.plugged_at,
            power_w=tx.power_w if tx else None,
            energy_wh=tx.energy_wh if tx else None,
            tx_uid=tx.uid if tx else None,
            holder_name=tx.auth.holder_name if tx else None,
            card_uid=tx.auth.card_uid if tx else None,
            charging_started_at=tx.charging_started_at if tx else None,
            charging_ended_at=tx.charging_ended_at if tx else None,
            authorized_at=tx.authorized_at if tx else None,
            fault=bay.fault,
            online=bay.online,
        )

    async def _ticker(self) -> None:
        while True:
            await self.clock.sleep(self.config.tick_interval_s)
            for bay_id in list(self.bays):
                bay = self.bays[bay_id]
                if bay.pending is not None or bay.tx is not None:
                    await self._step(bay_id, sm.Tick())

    async def _maintenance(self) -> None:
        """Thin old sessions' samples now and every six hours (see store.retention)."""
        assert self.writer is not None
        while True:
            now = to_datetime(self.clock.now())

            def thin(s: Session, now: datetime = now) -> int:
                cfg = get_setting(s, "retention", {}) or {}
                return downsample(
                    s,
                    now,
                    int(cfg.get("keep_raw_days", DEFAULT_KEEP_RAW_DAYS)),
                    int(cfg.get("resolution_s", DEFAULT_RESOLUTION_S)),
                )

            try:
                n = await self.writer.call(thin)
                if n:
                    log.info("downsampled history: %d old samples removed", n)
            except Exception:
                log.exception("sample retention failed; will try again later")
            await asyncio.sleep(6 * 3600)

    async def _reader_loop(self, name: str, bay_id: int | None, reader: CardReader) -> None:
        backoff = 1.0
        failing = False
        while True:
            try:
                await reader.open()
                if failing:
                    log.warning("card reader %s is back", name)
                failing = False
                backoff = 1.0
                while True:
                    tap = await reader.next_tap()
                    await self._tap(name, bay_id, tap)
            except (DeviceError, OSError) as e:
                if not failing:
                    log.warning("card reader %s lost: %s", name, e)
                failing = True
                try:
                    await reader.close()
                except Exception:
                    pass
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    async def _tap(self, reader: str, bay_id: int | None, tap: CardTap) -> None:
        self.bus.publish(CardTapped(tap.uid, tap.raw, bay_id, reader, tap.at))
        if bay_id is not None and bay_id in self.bays:
            await self._present(tap.raw or tap.uid, bay_id)

    async def _present(self, text: str, bay_id: int) -> sm.Authorization:
        assert self.writer is not None
        now = self.clock.now()
        open_by_card: dict[int, int] = {}
        for b in self.bays.values():
            if b.tx is not None and b.tx.auth.card_id is not None and b.bay_id != bay_id:
                open_by_card[b.tx.auth.card_id] = open_by_card.get(b.tx.auth.card_id, 0) + 1
        policies = list(self.card_policies)

        def decide(s: Session) -> sm.Authorization:
            facts = find_card_facts(s, text)
            when = to_datetime(now)
            if facts is not None:
                facts = replace(facts, open_sessions=open_by_card.get(facts.card_id, 0))
            auth = authorize(facts, bay_id, when, uid=text)
            if auth.accepted and facts is not None:
                for policy in policies:
                    refusal = policy(s, facts, when)
                    if refusal:
                        return replace(auth, status=AuthStatus.BLOCKED, reason=refusal)
            return auth

        auth = await self.writer.call(decide)
        await self._step(bay_id, sm.CardPresented(auth))
        return auth

    # ------------------------------------------------------------ thread-safe services

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._loop is None or not self.running:
            coro.close()
            raise RuntimeError("the engine is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _bay_event(self, bay_id: int, event: sm.Event) -> concurrent.futures.Future[sm.Step]:
        if bay_id not in self.bays:
            raise UserError(f"no bay with id {bay_id}")
        return self.submit(self._step(bay_id, event))

    def present_card(self, text: str, bay_id: int) -> concurrent.futures.Future[sm.Authorization]:
        """A card number presented at a bay (as a reader or an attendant typed it)."""
        if bay_id not in self.bays:
            raise UserError(f"no bay with id {bay_id}")
        return self.submit(self._present(text, bay_id))

    def _permit(self, action: str, actor: Actor | None, bay_id: int, operator: str) -> str:
        """Check the acting operator may do `action` (a refusal is audited and raised);
        the name to record: the signed-in operator's, else the one the caller gave."""
        target = self.bay_info[bay_id].label if bay_id in self.bay_info else f"bay {bay_id}"
        with self.db.session() as s:
            actor = require(actor, action, s, target=target)
        return operator_name(actor) or operator

    def _audited_event(
        self, bay_id: int, event: sm.Event, action: str, operator: str, detail: str | None
    ) -> concurrent.futures.Future[sm.Step]:
        """A manual command: the bay's event, then its audit entry by the single writer."""
        if bay_id not in self.bays:
            raise UserError(f"no bay with id {bay_id}")
        label = self.bay_info[bay_id].label

        async def run() -> sm.Step:
            result = await self._step(bay_id, event)
            status = {"status": str(result.bay.status)}
            now = self.clock.now()
            assert self.writer is not None
            await self.writer.call(
                lambda s: audit.append(s, operator, action, label, None, status, "ok", detail, now)
            )
            return result

        return self.submit(run())

    def remote_start(
        self, bay_id: int, operator: str, reason: str, actor: Actor | None = None
    ) -> concurrent.futures.Future[sm.Step]:
        """Start a guest session without a card; a reason is required (`bays.remote_start`,
        audited)."""
        operator = self._permit("bays.remote_start", actor, bay_id, operator)
        if not reason.strip():
            raise UserError("a guest start needs a reason")
        event = sm.RemoteStart(operator, reason.strip())
        return self._audited_event(bay_id, event, "bays.remote_start", operator, reason.strip())

    def remote_stop(
        self, bay_id: int, operator: str, detail: str | None = None, actor: Actor | None = None
    ) -> concurrent.futures.Future[sm.Step]:
        """Stop the bay's session (`bays.remote_stop`, audited)."""
        operator = self._permit("bays.remote_stop", actor, bay_id, operator)
        event = sm.RemoteStop(operator, detail)
        return self._audited_event(bay_id, event, "bays.remote_stop", operator, detail)

    def set_out_of_order(
        self, bay_id: int, out_of_order: bool, operator: str, actor: Actor | None = None
    ) -> concurrent.futures.Future[sm.Step]:
        """Take a bay out of service or back (`bays.out_of_order`, audited)."""
        operator = self._permit("bays.out_of_order", actor, bay_id, operator)
        event = sm.SetOutOfOrder(out_of_order, operator)
        detail = "out of order" if out_of_order else "back in service"
        return self._audited_event(bay_id, event, "bays.out_of_order", operator, detail)

    def deauthorize(self, bay_id: int, detail: str) -> concurrent.futures.Future[sm.Step]:
        return self._bay_event(bay_id, sm.Deauthorize(detail))

    def record(self, rec: object) -> None:
        """Queue a record for the single writer and publish it (thread-safe)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the engine is not running")

        def put() -> None:
            assert self.writer is not None
            self.writer.put(rec)
            self.bus.publish(rec)

        loop.call_soon_threadsafe(put)

    def drain(self, timeout: float = 10.0) -> None:
        """Block until every record produced so far is in the database (tests, shutdown)."""
        assert self.writer is not None
        self.submit(self.writer.drain()).result(timeout)

    def snapshots(self) -> list[BaySnapshot]:
        now = self.clock.now()
        return [self.snapshot(b, now) for b in sorted(self.bays)]


__all__ = ["BayInfo", "Charger", "Engine", "EngineConfig"]
