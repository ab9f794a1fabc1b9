"""The engine: an asyncio loop on its own thread that runs the site.

One coordinator per charger, one task per card reader, the session manager (the bay state
machines), the single database writer and the event bus. The GUI and the CLI talk to it only
through the thread-safe service methods at the bottom, which return concurrent futures.

The engine knows nothing of billing or alerts: `stationmgr.runtime` builds a site from the
engine and its extensions, which hook in through the extension points (`card_policies`,
`session_policies`, `persister`, the bus). `apply_changes` loads a changed configuration
(chargers, readers, settings) into the running site.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.access.context import Actor, operator_name, require
from stationmgr.auth import CardFacts, authorize, shown_uid
from stationmgr.cards import card_facts, find_card_facts
from stationmgr.clock import Clock, SystemClock, to_datetime
from stationmgr.drivers import DeviceConfig, check_settings, create_charger, create_reader
from stationmgr.drivers.api import CardReader, CardTap, Charger, ChargerReading
from stationmgr.drivers.bus import PortPool
from stationmgr.engine.continuity import (
    DEFAULT_FAILSAFE_TIMEOUT_S,
    accounted_meters,
    failsafe_plan,
    needs_fresh_reading,
)
from stationmgr.engine.coordinator import ChargerCoordinator, CoordinatorConfig
from stationmgr.engine.writer import Writer
from stationmgr.errors import DeviceError, UserError
from stationmgr.events import (
    CONFIG_KINDS,
    BaySnapshot,
    CardTapped,
    ChargerCommLost,
    ChargerCommRestored,
    ChargerMisconfigured,
    ConfigurationChanged,
    EventBus,
)
from stationmgr.ocpp_words import AuthStatus
from stationmgr.settings import get_setting, load_session_config
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, CardReaderDevice, ChargeSession
from stationmgr.store.models import Charger as ChargerRow
from stationmgr.store.persist import AuditAppended, Persister, transaction_from_row
from stationmgr.store.retention import DEFAULT_KEEP_RAW_DAYS, DEFAULT_RESOLUTION_S, downsample

log = logging.getLogger(__name__)

# `fn(snapshot, bay_state) -> snapshot`: see `Engine.add_snapshot_enricher`.
SnapshotEnricher = Callable[[BaySnapshot, sm.BayState], BaySnapshot]
T = TypeVar("T")

# A card policy may refuse a card that authorisation accepted (e.g. a used-up budget):
# (db session, card facts, now) -> refusal text or None.
CardPolicy = Callable[[Session, CardFacts, datetime], str | None]
# A session policy may end a running session (e.g. budget reached): (tx, now) -> detail or None.
SessionPolicy = Callable[[sm.Transaction, float], str | None]
# (bay id, the manual event) → done once the charger took it, with a note for the audit
# entry (e.g. the charger will do it once its session ends); see `external_commands`
ExternalCommands = Callable[[int, sm.Event | sm.CardStart], Awaitable[str | None]]


@dataclass
class EngineConfig:
    coordinator: CoordinatorConfig = field(default_factory=CoordinatorConfig)
    session: sm.SessionConfig | None = None  # None: from site settings
    tick_interval_s: float = 1.0


@dataclass
class BayInfo:
    bay_id: int
    label: str
    charger_id: int
    connector: int


# The stop detail of a session closed because its bay left the site's configuration.
REMOVED_DETAIL = "charger removed or disabled in the site configuration"


@dataclass(frozen=True)
class _SiteRows:
    """The configuration as stored: enabled chargers, all bays, open sessions, readers."""

    chargers: list[ChargerRow]
    bays: list[Bay]
    open_sessions: list[ChargeSession]
    readers: list[CardReaderDevice]
    accounted: dict[int, tuple[float, float]]


@dataclass(frozen=True)
class _ChargerSpec:
    """What a running coordinator was built from; a change in `device` restarts it."""

    port: str
    device: tuple[object, ...]

    @classmethod
    def of(cls, c: ChargerRow, bays: list[Bay]) -> _ChargerSpec:
        connectors = tuple(sorted((b.connector, b.id) for b in bays if b.charger_id == c.id))
        settings = tuple(sorted((c.settings or {}).items()))
        return cls(c.port, (c.name, c.driver, c.port, c.address, c.baud, settings, connectors))


@dataclass(frozen=True)
class _ReaderSpec:
    name: str
    driver: str
    port: str
    baud: int | None
    settings: tuple[tuple[str, object], ...]
    bay_id: int | None

    @classmethod
    def of(cls, r: CardReaderDevice) -> _ReaderSpec:
        settings = tuple(sorted((r.settings or {}).items()))
        return cls(r.name, r.driver, r.port, r.baud, settings, r.bay_id)


@dataclass(frozen=True)
class _Reader:
    spec: _ReaderSpec
    reader: CardReader


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
        self._readers: dict[int, _Reader] = {}  # reader row id → its driver
        # what extensions add to every bay snapshot (the cost so far, the expected end)
        self._enrichers: tuple[SnapshotEnricher, ...] = ()
        self._enricher_failed: tuple[SnapshotEnricher, ...] = ()
        self._charger_specs: dict[int, _ChargerSpec] = {}  # enabled charger rows, as loaded
        self._retired: dict[int, sm.BayState] = {}  # bays removed while running
        self._device_tasks: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._config_lock: asyncio.Lock | None = None
        self._stopping = False
        # Drivers whose chargers run their own sessions and push what happens (OCPP): no
        # coordinator polls them; an extension steps their bays with `external_step`.
        self.external_drivers: set[str] = set()
        self.external_chargers: dict[int, ChargerRow] = {}  # enabled rows of those drivers
        # The extension that talks to such a charger carries out its bays' manual commands
        # (guest start, stop, out of order, deauthorise), by driver: it asks the charger
        # and returns; the charger's own messages then step the bay (`external_step`).
        # It raises a StationError to refuse; nothing is then changed.
        self.external_commands: dict[str, ExternalCommands] = {}

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
                if loop is not None and not loop.is_closed():
                    loop.call_soon_threadsafe(_log_pending_tasks, loop)

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
        self.writer = Writer(self.db, self.persister, clock=self.clock, on_failed=self.bus.publish)
        self._config_lock = asyncio.Lock()
        writer_task = asyncio.create_task(self.writer.run(), name="writer")
        tasks: list[asyncio.Task[Any]] = []
        try:
            await self.writer.start()  # replay a crashed run's journal before restoring
            async with self._config_lock:  # a change asked for meanwhile waits for the load
                await self._load()
                for charger_id in self.coordinators:
                    self._start_charger(charger_id)
                for reader_id in self._readers:
                    self._start_reader(reader_id)
            tasks.append(asyncio.create_task(self._ticker(), name="ticker"))
            tasks.append(asyncio.create_task(self._maintenance(), name="maintenance"))
            self._ready.set()
            await asyncio.Event().wait()  # until cancelled by stop()
        finally:
            async with self._config_lock:  # a change being applied ends first; no more start
                self._stopping = True
            tasks.extend(self._device_tasks.values())
            self._device_tasks.clear()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for bay in self.bays.values():  # no reading comes any more: record what flowed
                rec = sm.outside_at_stop(bay)
                if rec is not None:
                    self.writer.put(rec)
            try:
                await self.ports.close_all()  # release every serial port we own
            except Exception:
                log.exception("closing ports failed")
            await self.writer.settle()  # committed, or journaled while the database is busy
            writer_task.cancel()
            await asyncio.gather(writer_task, return_exceptions=True)
            self.writer.close()

    async def _read_config(self) -> _SiteRows:
        assert self.writer is not None

        def read(s: Session) -> _SiteRows:
            return _SiteRows(
                list(s.scalars(select(ChargerRow).where(ChargerRow.enabled))),
                list(s.scalars(select(Bay))),
                list(s.scalars(select(ChargeSession).where(ChargeSession.stopped_at.is_(None)))),
                list(s.scalars(select(CardReaderDevice).where(CardReaderDevice.enabled))),
                accounted_meters(s),
            )

        return await self.writer.call(read)

    async def _load(self) -> None:
        assert self.writer is not None
        if self.config.session is None:
            self.session_config = await self.writer.call(load_session_config)
        rows = await self._read_config()
        open_by_bay = {r.bay_id: transaction_from_row(r) for r in rows.open_sessions}
        self.writer.overlay_open_sessions(open_by_bay)  # journaled, not yet in the database
        enabled = {c.id for c in rows.chargers}
        for b in rows.bays:
            if b.charger_id in enabled:
                tx = open_by_bay.pop(b.id, None)
                self._add_bay(b, sm.restore(b.id, tx, b.out_of_order, rows.accounted.get(b.id)))
        if open_by_bay:  # sessions on bays whose charger is gone or disabled
            log.warning("%d open session(s) belong to no enabled charger", len(open_by_bay))
        for c in rows.chargers:
            self._charger_specs[c.id] = _ChargerSpec.of(c, rows.bays)
            await self._make_coordinator(c)
        for r in rows.readers:
            self._make_reader(r)
        if rows.open_sessions:
            log.info(
                "restored %d open session(s); each is resumed or closed at its "
                "charger's first reading",
                len(rows.open_sessions),
            )

    def _add_bay(self, b: Bay, state: sm.BayState) -> None:
        assert self.writer is not None
        self._bay_locks.setdefault(b.id, asyncio.Lock())
        self.bay_info[b.id] = BayInfo(b.id, b.label, b.charger_id, b.connector)
        self.bays[b.id] = state  # after bay_info: a reader of bays finds its info
        self.writer.persister.charger_of_bay[b.id] = b.charger_id

    async def _make_coordinator(self, c: ChargerRow) -> None:
        """The charger's coordinator (not started), or its bays marked misconfigured."""
        if c.driver in self.external_drivers:
            self.external_chargers[c.id] = c
            return
        cfg = DeviceConfig(c.port, c.address, c.baud, c.settings or {})
        try:
            driver = create_charger(c.driver, cfg, self.ports)
            settings = check_settings(c.driver, c.settings)
            failsafe = failsafe_plan(
                c.driver,
                c.settings,
                max(DEFAULT_FAILSAFE_TIMEOUT_S, 3 * self.config.coordinator.poll_interval_s),
            )
        except UserError as e:  # a stored bad setting: this charger only, the site runs
            await self._misconfigured(c.id, c.name, str(e))
            return
        connectors = {i.connector: i.bay_id for i in self.bay_info.values() if i.charger_id == c.id}
        self.coordinators[c.id] = ChargerCoordinator(
            c.id,
            c.name,
            driver,
            connectors,
            self.clock,
            self._on_reading,
            self._on_comm,
            self.config.coordinator,
            installation_max_a=settings.get("installation_max_a"),
            failsafe=failsafe,
        )

    def _make_reader(self, r: CardReaderDevice) -> None:
        try:
            reader = create_reader(
                r.driver, DeviceConfig(r.port, None, r.baud, r.settings or {}), self.ports
            )
        except UserError as e:
            log.error("card reader %s: %s", r.name, e)
            return
        self._readers[r.id] = _Reader(_ReaderSpec.of(r), reader)

    def _start_charger(self, charger_id: int) -> None:
        coord = self.coordinators[charger_id]
        self._device_tasks[("charger", charger_id)] = asyncio.create_task(
            coord.run(), name=f"charger-{coord.name}"
        )

    def _start_reader(self, reader_id: int) -> None:
        r = self._readers[reader_id]
        self._device_tasks[("reader", reader_id)] = asyncio.create_task(
            self._reader_loop(r.spec.name, r.spec.bay_id, r.reader), name=f"reader-{r.spec.name}"
        )

    async def _stop_task(self, key: tuple[str, int]) -> None:
        task = self._device_tasks.pop(key, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # ------------------------------------------------------------ live configuration

    async def _apply(self, kinds: frozenset[str]) -> None:
        assert self._config_lock is not None and self.writer is not None
        async with self._config_lock:
            if self._stopping:
                raise RuntimeError("the engine is stopping")
            if "settings" in kinds and self.config.session is None:
                self.session_config = await self.writer.call(load_session_config)
            if kinds & {"chargers", "readers"}:
                rows = await self._read_config()
                if "chargers" in kinds:
                    await self._reload_chargers(rows)
                await self._reload_readers(rows)  # a removed bay also unmaps its reader
            if "cards" in kinds:
                await self._recheck_cards()
            ev = ConfigurationChanged(kinds, self.clock.now())
            self.bus.publish(ev)

    async def _reload_chargers(self, rows: _SiteRows) -> None:
        """Added chargers start, removed ones stop (their bays' sessions closed first),
        edited ones restart with their new settings; the others keep polling."""
        new = {c.id: _ChargerSpec.of(c, rows.bays) for c in rows.chargers}
        old = self._charger_specs
        restart = {i for i in old if i not in new or old[i].device != new[i].device}
        start = {i for i in new if i not in old or i in restart}
        kept_bays = {b.id: b for b in rows.bays if b.charger_id in new}
        for bay_id in [i for i in self.bay_info if i not in kept_bays]:
            await self._retire_bay(bay_id)
        ports = {old[i].port for i in restart}
        for charger_id in restart:
            await self._stop_task(("charger", charger_id))
            self.coordinators.pop(charger_id, None)
            self.external_chargers.pop(charger_id, None)
        self._charger_specs = new
        await self._release_unused(ports, starting=start)
        open_by_bay = {r.bay_id: transaction_from_row(r) for r in rows.open_sessions}
        for bay_id, b in kept_bays.items():
            info = self.bay_info.get(bay_id)
            if info is None:
                self._add_bay(b, self._returning_bay(b, open_by_bay, rows.accounted))
            elif info != BayInfo(b.id, b.label, b.charger_id, b.connector):
                self.bay_info[bay_id] = BayInfo(b.id, b.label, b.charger_id, b.connector)
                self.bus.publish(self.snapshot(bay_id))  # the board shows the new label
        for c in rows.chargers:
            if c.id not in start:
                continue
            for bay_id, info in self.bay_info.items():
                if info.charger_id == c.id and bay_id in self.bays:
                    # The restarted charger gets the gate (and its current) again.
                    async with self._bay_locks[bay_id]:
                        self.bays[bay_id] = replace(self.bays[bay_id], gate_sent=None)
            await self._make_coordinator(c)
            if c.id in self.coordinators:
                self._start_charger(c.id)
        if restart or start:
            log.info(
                "chargers reloaded: %d stopped, %d started, %d running",
                len(restart),
                len(start),
                len(self.coordinators),
            )

    def _returning_bay(
        self,
        b: Bay,
        open_by_bay: dict[int, sm.Transaction],
        accounted: dict[int, tuple[float, float]],
    ) -> sm.BayState:
        """A bay that joins the running site, restored as at start: from what this run
        knew of it when it was removed, else from the database."""
        was = self._retired.pop(b.id, None)
        if was is None:
            return sm.restore(b.id, open_by_bay.get(b.id), b.out_of_order, accounted.get(b.id))
        last = None
        if was.last_reading_at is not None and was.last_energy_wh is not None:
            last = (was.last_reading_at, was.last_energy_wh)
        return sm.restore(b.id, was.tx, was.out_of_order, last)

    async def _retire_bay(self, bay_id: int) -> None:
        """A bay leaves the site (its charger was removed or disabled, or it was dropped):
        an open session is stopped first (stop reason Remote, the charger told to stop,
        its meter read), what flowed outside a session is recorded, then it is forgotten."""
        assert self.writer is not None
        info = self.bay_info[bay_id]
        if self.bays[bay_id].tx is not None:
            await self._fresh_step(bay_id, sm.RemoteStop("system", REMOVED_DETAIL))
            tx = self.bays[bay_id].tx
            if tx is not None:  # restored and never read again: nothing proves its end
                log.warning(
                    "bay %s was removed with session %s still open (its charger was not "
                    "read since the start); it stays open until the bay returns",
                    info.label,
                    tx.uid,
                )
        async with self._bay_locks[bay_id]:
            bay = self.bays.pop(bay_id)
            del self.bay_info[bay_id]
            rec = sm.outside_at_stop(bay)
            if rec is not None:
                self.writer.put(rec)
            self._retired[bay_id] = bay
        log.info("bay %s removed from the running site", info.label)

    async def _recheck_cards(self) -> None:
        """Cards are read at every tap; a running session whose card has since been
        blocked (or its group) or has expired is stopped now (DeAuthorized)."""
        assert self.writer is not None
        running = {
            b: bay.tx.auth.card_id
            for b, bay in self.bays.items()
            if bay.tx is not None and self._polled(b)  # an OCPP charger stops its own
        }
        when = to_datetime(self.clock.now())

        def check(s: Session) -> dict[int, str]:
            out: dict[int, str] = {}
            for bay_id, card_id in running.items():
                card = s.get(Card, card_id) if card_id is not None else None
                if card is None:
                    continue  # a guest, or a card deleted since: its session runs its course
                facts = replace(card_facts(s, card), open_sessions=0, budget_refusal=None)
                auth = authorize(facts, bay_id, when, uid=card.uid)
                if auth.status in (AuthStatus.BLOCKED, AuthStatus.EXPIRED):
                    out[bay_id] = f"card {card.uid}: {auth.reason}"
            return out

        for bay_id, detail in (await self.writer.read(check)).items():
            if bay_id in self.bays:
                await self._fresh_step(bay_id, sm.Deauthorize(detail))

    async def _reload_readers(self, rows: _SiteRows) -> None:
        new = {r.id: r for r in rows.readers}
        gone = [
            i for i, r in self._readers.items() if i not in new or _ReaderSpec.of(new[i]) != r.spec
        ]
        ports = set()
        for reader_id in gone:
            await self._stop_task(("reader", reader_id))
            r = self._readers.pop(reader_id)
            ports.add(r.spec.port)
            try:
                await r.reader.close()
            except Exception:
                log.debug("closing card reader %s", r.spec.name, exc_info=True)
        await self._release_unused(ports)
        for reader_id, row in new.items():
            if reader_id not in self._readers:
                self._make_reader(row)
                if reader_id in self._readers:
                    self._start_reader(reader_id)

    async def _release_unused(self, ports: set[str], starting: set[int] | None = None) -> None:
        """Close and forget the owners of ports no running device uses any more (the next
        user, e.g. a restarted charger in `starting`, opens the port afresh with its own
        line settings)."""
        used = {s.port for i, s in self._charger_specs.items() if i not in (starting or set())}
        used |= {r.spec.port for r in self._readers.values()}
        for port in ports - used:
            try:
                await self.ports.release(port)
            except Exception:
                log.exception("closing port %s failed", port)

    async def _misconfigured(self, charger_id: int, name: str, problem: str) -> None:
        """Log one line naming the charger and its setting, store a comm_lost event and
        mark its bays unavailable: the board shows it, the other chargers run."""
        log.error("charger %s is misconfigured and not started: %s", name, problem)
        detail = f"misconfigured: {problem}"[:500]
        for bay_id, info in self.bay_info.items():
            if info.charger_id == charger_id:
                await self._step(bay_id, sm.CommLost(detail))
        ev = ChargerCommLost(charger_id, name, self.clock.now(), detail)
        assert self.writer is not None
        self.writer.put(ev)
        self.bus.publish(ev)

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
            ev = ChargerCommRestored(coord.charger_id, coord.name, now, coord.lost_at)
            if coord.refusal is not None:  # reached, but not safe to charge: say so once
                problem = ChargerMisconfigured(coord.charger_id, coord.name, now, coord.refusal)
                assert self.writer is not None
                self.writer.put(problem)
                self.bus.publish(problem)
        else:
            ev = ChargerCommLost(coord.charger_id, coord.name, now, detail, coord.last_ok_at)
            for bay_id in coord.bays.values():
                await self._step(bay_id, sm.CommLost(detail))
        assert self.writer is not None
        self.writer.put(ev)
        self.bus.publish(ev)

    def _polled(self, bay_id: int) -> bool:
        """The bay's sessions are the state machine's (not an external charger's)."""
        info = self.bay_info.get(bay_id)
        return info is not None and info.charger_id not in self.external_chargers

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
            decisive = []  # this step's session start/stop: safe before the charger acts
            for rec in result.records:
                if not isinstance(rec, sm.StatusChanged):
                    ticket = self.writer.put(rec)
                    if isinstance(rec, sm.TransactionStarted | sm.TransactionStopped):
                        decisive.append(ticket)
                self.bus.publish(rec)
            info = self.bay_info[bay_id]
            coord = self.coordinators.get(info.charger_id)
            if result.commands and decisive:
                # The session's start/stop is durable before the charger acts on it (a crash
                # between "$FE" and the record would let a car charge with no session), but
                # in the journal, not the database: a busy database never holds a charger.
                # Only this bay's own records are waited for, never another bay's (nor a
                # record the writer cannot store: it is dropped, see engine.writer).
                await self.writer.durable(decisive)
            for cmd in result.commands:
                if coord is not None:
                    await coord.execute(info.connector, cmd)
            self.bus.publish(self.snapshot(bay_id, now))
            return result

    def snapshot(self, bay_id: int, now: float | None = None) -> BaySnapshot:
        """The bay's read model now: the state machine's facts, then each enricher's."""
        bay = self.bays[bay_id]
        tx = bay.tx
        at = self.clock.now() if now is None else now
        pending = bay.pending
        snap = BaySnapshot(
            bay_id=bay_id,
            label=self.bay_info[bay_id].label,
            status=bay.status,
            at=at,
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
            out_of_order=bay.out_of_order,
            pending_card=pending.card_uid if pending else None,
            pending_holder=pending.holder_name if pending else None,
            pending_until=bay.pending_until if pending else None,
            idle_since=bay.idle_since,
            charging_s=bay.charging_s(at),
            finished_tx_uid=bay.finished.tx_uid if bay.finished and bay.plugged else None,
        )
        for enrich in self._enrichers:
            try:
                snap = enrich(snap, bay)
            except Exception:  # an estimate must never stop the bay's own facts
                if enrich not in self._enricher_failed:  # logged once, not every poll
                    self._enricher_failed = (*self._enricher_failed, enrich)
                    log.exception("snapshot enricher %r failed for bay %s", enrich, bay_id)
        return snap

    # Snapshot enrichers: `fn(snapshot, bay_state) -> snapshot` adding what another part of
    # the core knows (billing's cost so far, the alerts' expected end and open count).
    # Called on whichever thread asks for a snapshot: they must be quick and thread-safe.
    def add_snapshot_enricher(self, fn: SnapshotEnricher) -> None:
        self._enrichers = (*self._enrichers, fn)

    async def _ticker(self) -> None:
        while True:
            await self.clock.sleep(self.config.tick_interval_s)
            for bay_id in list(self.bays):
                bay = self.bays.get(bay_id)  # None: removed by a configuration change
                info = self.bay_info.get(bay_id)
                if info is None or info.charger_id in self.external_chargers:
                    continue  # its charger keeps its own time (OCPP)
                if bay is not None and (bay.pending is not None or bay.tx is not None):
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
        log.debug("card %s at reader %s (bay %s)", tap.uid or tap.raw, reader, bay_id)
        self.bus.publish(CardTapped(tap.uid, tap.raw, bay_id, reader, tap.at))
        if bay_id is not None and bay_id in self.bays:
            await self._present(tap.uid or tap.raw, bay_id, exact=bool(tap.uid))

    async def decide_card(self, text: str, bay_id: int, exact: bool = False) -> sm.Authorization:
        """The card rules for `text` presented at `bay_id` (status, validity, group,
        allow-list, concurrency, then the card policies such as budgets), decided at once
        even while a write waits for the database (open sessions come from memory; budgets
        count unwritten ones live). A tap and a charger's own Authorize both use it."""
        assert self.writer is not None
        _check_bay(self.bays, bay_id)
        open_by_card: dict[int, int] = {}
        for b in self.bays.values():
            if b.tx is not None and b.tx.auth.card_id is not None and b.bay_id != bay_id:
                open_by_card[b.tx.auth.card_id] = open_by_card.get(b.tx.auth.card_id, 0) + 1
        policies = list(self.card_policies)
        now = self.clock.now()

        def decide(s: Session) -> sm.Authorization:
            facts = find_card_facts(s, text, exact)
            when = to_datetime(now)
            if facts is not None:
                facts = replace(facts, open_sessions=open_by_card.get(facts.card_id, 0))
            auth = authorize(facts, bay_id, when, uid=shown_uid(text, exact))
            if auth.accepted and facts is not None:
                for policy in policies:
                    refusal = policy(s, facts, when)
                    if refusal:
                        return replace(auth, status=AuthStatus.BLOCKED, reason=refusal)
            return auth

        return await self.writer.read(decide)

    async def _present(self, text: str, bay_id: int, exact: bool = False) -> sm.Authorization:
        """`exact`: `text` is a reader's canonical UID (never re-read as typed digits)."""
        auth = await self.decide_card(text, bay_id, exact)
        event = sm.CardPresented(auth)
        await self._fresh_before(bay_id, event)
        await self._step(bay_id, event)
        return auth

    async def external_step(self, bay_id: int, fn: Callable[[sm.BayState], sm.Step]) -> sm.Step:
        """Step a bay whose charger runs its own sessions (see `external_drivers`):
        `fn(bay) -> Step` under the bay's lock; its records go to the writer (journal
        first while the database is busy) and the bus, then the bay's snapshot. Returns
        once the step's records are durable."""
        assert self.writer is not None
        _check_bay(self.bays, bay_id)
        async with self._bay_locks[bay_id]:
            result = fn(self.bays[bay_id])
            self.bays[bay_id] = result.bay
            tickets = []
            for rec in result.records:
                if not isinstance(rec, sm.StatusChanged):
                    tickets.append(self.writer.put(rec))
                self.bus.publish(rec)
            if tickets:
                await self.writer.durable(tickets)
            self.bus.publish(self.snapshot(bay_id))
            return result

    async def _fresh_before(self, bay_id: int, event: sm.Event) -> None:
        """A stop reads the charger first (its meter_stop is then not up to a poll old); a
        restored bay waits for its charger's first reading. Not under the bay lock: the
        reading itself steps the bay."""
        if not needs_fresh_reading(self.bays[bay_id], event):
            return
        coord = self.coordinators.get(self.bay_info[bay_id].charger_id)
        if coord is not None and not await coord.fresh_reading():
            log.info("bay %s: no fresh reading before %s", bay_id, type(event).__name__)

    async def _fresh_step(self, bay_id: int, event: sm.Event) -> sm.Step:
        _check_bay(self.bays, bay_id)
        external = self._external_commands(bay_id)
        if external is not None:
            await external(bay_id, event)
            return sm.Step(self.bays[bay_id])
        await self._fresh_before(bay_id, event)
        return await self._step(bay_id, event)

    def _external_commands(self, bay_id: int) -> ExternalCommands | None:
        """Who carries out a command for the bay's charger, when it runs its own sessions;
        with nobody to carry it out, a refusal (never a session closed only here)."""
        info = self.bay_info.get(bay_id)
        row = self.external_chargers.get(info.charger_id) if info is not None else None
        if row is None:
            return None
        fn = self.external_commands.get(row.driver)
        if fn is None:
            raise DeviceError(
                f"bay {self.bay_label(bay_id)}: charger {row.name} ({row.driver}) takes "
                "commands only from the site service it connects to; none runs here"
            )
        return fn

    # ------------------------------------------------------------ thread-safe services

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._loop is None or not self.running:
            coro.close()
            raise RuntimeError("the engine is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _bay_event(self, bay_id: int, event: sm.Event) -> concurrent.futures.Future[sm.Step]:
        if bay_id not in self.bays:
            raise UserError(f"no bay with id {bay_id}")
        return self.submit(self._fresh_step(bay_id, event))

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
        self,
        bay_id: int,
        event: sm.Event | sm.CardStart,
        action: str,
        operator: str,
        detail: str | None,
    ) -> concurrent.futures.Future[sm.Step]:
        """A manual command: the bay's event, then its audit entry by the single writer."""
        if bay_id not in self.bays:
            raise UserError(f"no bay with id {bay_id}")
        label = self.bay_info[bay_id].label

        async def run() -> sm.Step:
            assert self.writer is not None
            note = None
            try:
                _check_bay(self.bays, bay_id)
                external = self._external_commands(bay_id)
                if external is not None:
                    note = await external(bay_id, event)
                    result = sm.Step(self.bays[bay_id])
                elif isinstance(event, sm.CardStart):  # as if tapped at the bay's reader
                    auth = await self._present(event.card, bay_id)
                    if not auth.accepted:
                        why = f" ({auth.reason})" if auth.reason else ""
                        raise UserError(f"card {event.card[:24]}: {auth.status}{why}")
                    result = sm.Step(self.bays[bay_id])
                else:
                    result = await self._fresh_step(bay_id, event)
            except DeviceError as e:  # the charger refused or did not answer: audited
                failed = AuditAppended(
                    operator, action, label, None, None, "failed", str(e), self.clock.now()
                )
                await self.writer.settled([self.writer.put(failed)])
                raise
            status = {"status": str(result.bay.status)}
            now = self.clock.now()
            # In order with the session's records; journaled with them while the database
            # is busy, so the answer never waits for another program's lock.
            said = "; ".join(x for x in (detail, note) if x) or None
            audit = AuditAppended(operator, action, label, None, status, "ok", said, now)
            await self.writer.settled([self.writer.put(audit)])
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

    def card_start(
        self, bay_id: int, operator: str, card: str, actor: Actor | None = None
    ) -> concurrent.futures.Future[sm.Step]:
        """Start a session for a card from the site (`bays.remote_start`, audited): the card
        rules of a tap at the bay; an OCPP charger is asked to start with it as the idTag."""
        operator = self._permit("bays.remote_start", actor, bay_id, operator)
        card = card.strip()
        if not card or len(card) > 64 or not card.isprintable():
            raise UserError("a card start needs the card number (1 … 64 printable characters)")
        event = sm.CardStart(operator, card)
        return self._audited_event(bay_id, event, "bays.remote_start", operator, f"card {card}")

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

    def record(self, rec: object) -> concurrent.futures.Future[bool]:
        """Queue a record for the single writer and publish it (thread-safe). Returns at
        once; the future is True once the record is committed, False if its handler refused
        it (then it is kept in persist_failures). A record type without a handler raises
        UnregisteredRecord here, in the caller's thread."""
        self.persister.handler(type(rec))

        async def put() -> bool:
            assert self.writer is not None
            ticket = self.writer.put(rec)
            self.bus.publish(rec)
            return await ticket

        return self.submit(put())

    def drain(self, timeout: float = 10.0) -> None:
        """Block until every record produced so far is written (tests, shutdown): committed,
        or refused by its handler and dropped — a bad record never holds this up."""
        assert self.writer is not None
        self.submit(self.writer.drain()).result(timeout)

    def apply_changes(self, kinds: Iterable[str]) -> concurrent.futures.Future[None]:
        """Load what changed in the site's configuration into the running site, at once.

        `kinds` (among `events.CONFIG_KINDS`): "chargers" starts added chargers, stops
        removed or disabled ones (an open session on a bay that goes is stopped first,
        stop reason Remote, and the port is released) and restarts edited ones with their
        new settings, while the others keep polling; "readers" likewise for card readers;
        "settings" re-reads the session settings; "cards" stops a running session whose
        card is now blocked or expired (cards are read at each tap: nothing else is kept);
        "tariffs" holds nothing in the engine; the extensions drop their caches. Then
        `ConfigurationChanged(kinds)` is published. Thread-safe; changes apply one at a
        time, in order. The future fails with RuntimeError if the engine is not running."""
        wanted = frozenset(kinds)
        unknown = wanted - CONFIG_KINDS
        if unknown:
            raise UserError(
                f"unknown configuration kind(s) {', '.join(sorted(unknown))} "
                f"(one of {', '.join(sorted(CONFIG_KINDS))})"
            )
        return self.submit(self._apply(wanted))

    def charger_ids(self) -> set[int]:
        """The enabled chargers the site runs (or tried to: a misconfigured one too)."""
        return set(self._charger_specs)

    def bay_label(self, bay_id: int) -> str:
        """The bay's label (its id as text once it is gone)."""
        info = self.bay_info.get(bay_id)
        return info.label if info is not None else str(bay_id)

    def snapshots(self) -> list[BaySnapshot]:
        now = self.clock.now()
        out = []
        for b in sorted(self.bays):
            try:
                out.append(self.snapshot(b, now))
            except KeyError:  # removed by a configuration change meanwhile (another thread)
                continue
        return out


__all__ = ["BayInfo", "Charger", "Engine", "EngineConfig"]


def _check_bay(bays: dict[int, sm.BayState], bay_id: int) -> None:
    if bay_id not in bays:  # e.g. removed by a configuration change since it was asked
        raise UserError(f"no bay with id {bay_id}")


def _log_pending_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """What a stop that hangs is waiting for (one line per task, with where it waits)."""
    for task in asyncio.all_tasks(loop):
        frames = task.get_stack(limit=3)
        where = " < ".join(f"{f.f_code.co_name}:{f.f_lineno}" for f in frames) or "?"
        log.error("  still running: %s at %s", task.get_name(), where)
