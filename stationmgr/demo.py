"""The demo site: a virtual charging site that shows every feature within a minute.

`build_site(db)` writes the site (4 OpenEVSE bays with a card reader each, 3 Heidelberg
boxes sharing one RS-485 bus, 2 OCPP 1.6J charge points connected to the site's own OCPP
endpoint on loopback, cards and holders, two weeks of history) and `DemoSite` runs
the scenario next to a running engine: cars arrive, tap a card (now and then an unknown or
blocked one), charge with a tapering curve, sit idle after they are full, leave; a charger
faults now and then and one box on the bus goes silent for a while. Time is the engine's
clock, so `--speed` warps the whole day.

Core only (no Qt): `stationmgr demo --headless` and the desktop demo share it.
"""

from __future__ import annotations

import heapq
import logging
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from stationmgr.cards import CardInput, add_card
from stationmgr.clock import Clock, SystemClock, WarpClock, to_datetime
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.errors import UserError
from stationmgr.events import ChargerCommLost
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.sessions import FaultRaised, TransactionStarted, TransactionStopped
from stationmgr.sim.device import VirtualCharger, VirtualConnector
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import (
    Bay,
    Card,
    CardReaderDevice,
    Charger,
    ChargeSession,
    Fault,
    MeterSample,
    Operator,
    SiteSetting,
    Tariff,
)

log = logging.getLogger(__name__)

OPENEVSE_BAYS = 4
HEIDELBERG_BOXES = 3
OCPP_POINTS = 2  # simulated on the `ocpp` package's ChargePoint (stationmgr.sim.ocpp_cp)
OCPP_ID = "DEMO-OCPP-{}"

# (uid, holder, group, blocked) — the last two are refused at a bay, on purpose.
DEMO_CARDS: list[tuple[str, str, str, bool]] = [
    ("04A1B2C3", "Anna Lindqvist", "Staff", False),
    ("04D4E5F6", "Erik Johansson", "Staff", False),
    ("0A1B2C3D", "Maria Nilsson", "Tenants", False),
    ("1F2E3D4C", "Johan Berg", "Tenants", False),
    ("5A6B7C8D", "Sara Ek", "Tenants", False),
    ("9E8D7C6B", "Lars Holm", "Visitors", False),
    ("A1B2C3D4", "Karin Sjöberg", "Visitors", False),
    ("B5C6D7E8", "Nordic Taxi AB", "Fleet", False),
    ("C9D0E1F2", "Nordic Taxi AB", "Fleet", False),
    ("DEADBEEF", "Old card (lost)", "Visitors", True),
]
UNKNOWN_CARD = "13579BDF"


class DemoBay:
    """One bay of the demo and the hands that move its device (the in-process kind: the
    physics object itself; the serial kinds below go through their protocol simulators)."""

    faults: tuple[str, ...] = ("GFCI", "OverTemperature", "NoGround")

    def __init__(self, bay_id: int, label: str, connector: VirtualConnector) -> None:
        self.bay_id = bay_id
        self.label = label
        self.connector = connector
        self.silent = False

    @property
    def plugged(self) -> bool:
        return self.connector.plugged

    def plug(self, ev: EV, now: float) -> None:
        self.connector.plug(ev, now)

    def unplug(self, now: float) -> None:
        self.connector.unplug(now)

    def set_fault(self, word: str | None, now: float) -> None:
        self.connector.tick(now)
        self.connector.fault = word

    def set_silent(self, silent: bool) -> None:
        self.silent = silent

    def tap(self, card: str) -> bool:
        """Hold `card` to the bay's reader; False when the bay has no reader of its own."""
        return False


class InprocBay(DemoBay):
    def __init__(self, bay_id: int, label: str, device: VirtualCharger) -> None:
        super().__init__(bay_id, label, device.connectors[0])
        self.device = device

    def set_silent(self, silent: bool) -> None:
        self.device.silent = silent


class OpenEVSEBay(DemoBay):
    """An OpenEVSE simulator on a pty (RAPI) with an RDM6300 reader simulator on another."""

    faults = ("gfci", "overtemp", "noground")

    def __init__(self, bay_id: int, label: str, sim: Any, reader: Any) -> None:
        super().__init__(bay_id, label, sim.conn)
        self.sim = sim
        self.reader = reader

    def plug(self, ev: EV, now: float) -> None:
        self.sim.plug(ev)

    def unplug(self, now: float) -> None:
        self.sim.unplug()

    def set_fault(self, word: str | None, now: float) -> None:
        if word is None:
            self.sim.clear()
        else:
            self.sim.inject(word)

    def set_silent(self, silent: bool) -> None:
        self.sim.inject("silence", 3600.0) if silent else self.sim.clear()

    def tap(self, card: str) -> bool:
        self.reader.tap(f"00{card}", 0.4)  # RDM6300: version byte 00 + the 4-byte number
        return True


class HeidelbergBay(DemoBay):
    """A Heidelberg Energy Control box on the shared RS-485 bus simulator (Modbus RTU)."""

    faults = ("overtemp", "E")

    def __init__(self, bay_id: int, label: str, box: Any) -> None:
        super().__init__(bay_id, label, box.connector)
        self.box = box

    def plug(self, ev: EV, now: float) -> None:
        self.box.plug(now, ev)

    def unplug(self, now: float) -> None:
        self.box.unplug(now)

    def set_fault(self, word: str | None, now: float) -> None:
        self.box.set_error(word, now)

    def set_silent(self, silent: bool) -> None:
        self.box.faults.silent = silent


class OcppBay(DemoBay):
    """A simulated OCPP 1.6J charge point (one connector) with its own card reader: the
    demo's hands act on the charger, which tells the site over OCPP."""

    faults = ("GroundFailure", "HighTemperature", "OverCurrentFailure")

    def __init__(self, bay_id: int, label: str, cp: Any) -> None:
        super().__init__(bay_id, label, cp.connector)
        self.cp = cp
        self._plugged = False  # the scenario's view; the charger acts a moment later

    @property
    def plugged(self) -> bool:
        return self._plugged

    def plug(self, ev: EV, now: float) -> None:
        self._plugged = True
        self.cp.plug(ev, now)

    def unplug(self, now: float) -> None:
        self._plugged = False
        self.cp.unplug(now)

    def set_fault(self, word: str | None, now: float) -> None:
        self.cp.set_fault(word)

    def set_silent(self, silent: bool) -> None:
        self.cp.set_silent(silent)

    def tap(self, card: str) -> bool:
        self.cp.tap(card)
        return True


@dataclass
class DemoSite:
    """The virtual devices of the demo and the scenario that moves them."""

    bays: list[DemoBay]
    virtual: str = "inproc"  # "serial": protocol simulators on ptys; "inproc": in-process
    seed: int = 7
    counts: dict[str, int] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)
    ocpp: Any = None  # the simulated OCPP charge points (`sim.ocpp_cp.SimChargePoints`)

    def close(self) -> None:
        """Stop the simulators (after the engine has stopped using their ports)."""
        # Ports vanish on purpose now; the serial layer would log each as a lost device.
        quiet = logging.getLogger("stationmgr.drivers")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            self._close()
        finally:
            quiet.setLevel(level)

    def _close(self) -> None:
        while self.closers:
            try:
                self.closers.pop()()
            except Exception:
                log.exception("demo: a simulator did not stop cleanly")

    # ------------------------------------------------------------ running

    def start(self, engine: Engine, clock: Clock) -> None:
        """Run the scenario on its own thread next to `engine`."""
        self.engine = engine
        self.clock = clock
        self._stop = threading.Event()
        self._rng = random.Random(self.seed)
        self._queue: list[tuple[float, int, str, Callable[[], None]]] = []
        self._n = 0
        self._in_use: set[str] = set()
        self._cards_at: dict[int, set[str]] = {}
        self._unsub = engine.bus.subscribe(self._count)
        self._opening_scene()
        self._thread = threading.Thread(target=self._run, name="demo-scenario", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if getattr(self, "_thread", None) is None:
            return
        self._stop.set()
        self._thread.join(5)
        self._unsub()
        self._thread = None  # type: ignore[assignment]

    def _count(self, ev: object) -> None:
        key = {
            TransactionStarted: "sessions_started",
            TransactionStopped: "sessions_finished",
            FaultRaised: "faults",
            ChargerCommLost: "comm_lost",
        }.get(type(ev))
        if key:
            self.counts[key] = self.counts.get(key, 0) + 1

    def _at(self, delay_s: float, what: str, fn: Callable[[], None]) -> None:
        self._n += 1
        heapq.heappush(self._queue, (self.clock.now() + delay_s, self._n, what, fn))

    def _run(self) -> None:
        speed = float(getattr(self.clock, "speed", 1.0))
        while not self._stop.is_set():
            now = self.clock.now()
            while self._queue and self._queue[0][0] <= now:
                _, _, what, fn = heapq.heappop(self._queue)
                try:
                    fn()
                except Exception:  # a scene that fails must not end the demo
                    log.exception("demo: %s failed", what)
            wait = 0.2 if not self._queue else min(0.2, (self._queue[0][0] - now) / speed)
            self._stop.wait(max(0.01, wait))

    # ------------------------------------------------------------ scenes

    def _opening_scene(self) -> None:
        """A site in full swing from the first second (so a newcomer sees everything)."""
        b = self.bays
        # Taps wait for the chargers' first answers (a bay nobody has heard from refuses).
        self._arrive(b[0], soc=0.35, tap_after=20)  # charging
        self._arrive(b[1], soc=1.0, tap_after=15, stay=(1500, 2400))  # full: idle, blocks
        self._arrive(b[2], soc=0.5, tap_after=150)  # waits for a card for a while
        self._arrive(b[4], soc=0.6, tap_after=25)
        self._arrive(b[5], soc=0.25, tap_after=30)
        self._arrive(b[6], soc=0.7, tap_after=22)
        self._at(self._rng.uniform(300, 900), "arrival", lambda: self._arrive(b[3]))
        self._at(200, "fault", lambda: self._fault(b[5]))
        self._at(120, "unknown card", lambda: self._tap(b[3], UNKNOWN_CARD))
        self._at(
            400, "bus box silent", lambda: self._silence(b[OPENEVSE_BAYS + HEIDELBERG_BOXES - 1])
        )
        ocpp = [x for x in b if isinstance(x, OcppBay)]
        for k, bay in enumerate(ocpp):
            self._arrive(bay, soc=0.3 + 0.25 * k, tap_after=25 + 10 * k)
        if ocpp:  # offline for a while: its stop is queued and sent when it is back
            self._at(1500, "charge point offline", lambda: self._silence(ocpp[-1]))

    def _arrive(
        self,
        bay: DemoBay,
        soc: float | None = None,
        tap_after: float | None = None,
        stay: tuple[float, float] | None = None,
    ) -> None:
        rng = self._rng
        if bay.plugged:
            return
        ev = EV(
            capacity_wh=rng.choice([40_000, 58_000, 77_000]),
            soc=rng.uniform(0.15, 0.7) if soc is None else soc,
            max_power_w=rng.choice([7_400, 11_000, 11_000]),
            taper_soc=0.8,
            target_soc=rng.choice([0.8, 0.9, 1.0]) if soc is None else max(soc, 0.9),
        )
        bay.plug(ev, self.clock.now())
        card = self._pick_card(bay)
        self._at(
            rng.uniform(20, 90) if tap_after is None else tap_after,
            "tap",
            lambda: self._tap(bay, card),
        )
        lo, hi = stay or (2400, 9000)
        self._at(rng.uniform(lo, hi), "departure", lambda: self._leave(bay, card))

    def _pick_card(self, bay: DemoBay) -> str:
        """A card not in use at another bay (one session per card), now and then the
        blocked one (refused: the driver then finds a good card)."""
        if self._rng.random() < 0.05:
            return DEMO_CARDS[-1][0]
        free = [c[0] for c in DEMO_CARDS if not c[3] and c[0] not in self._in_use]
        card = self._rng.choice(free or [c[0] for c in DEMO_CARDS if not c[3]])
        self._in_use.add(card)
        self._cards_at.setdefault(bay.bay_id, set()).add(card)
        return card

    def _tap(self, bay: DemoBay, card: str, tries: int = 3) -> None:
        if not bay.plugged and card != UNKNOWN_CARD:
            return
        self.tap(bay, card)
        if card in (UNKNOWN_CARD, DEMO_CARDS[-1][0]):
            if bay.plugged:
                good = self._pick_card(bay)
                while good == DEMO_CARDS[-1][0]:
                    good = self._pick_card(bay)
                self._at(45, "second tap", lambda: self._tap(bay, good))
        elif tries > 1:  # like a driver: no light on the charger, tap again
            speed = float(getattr(self.clock, "speed", 1.0))
            wait = max(40.0, 3.0 * speed)  # and at least 3 real seconds (a warped demo)
            self._at(wait, "tap check", lambda: self._tap_again(bay, card, tries - 1))

    def _tap_again(self, bay: DemoBay, card: str, tries: int) -> None:
        state = self.engine.bays.get(bay.bay_id)
        if bay.plugged and state is not None and state.tx is None and state.pending is None:
            self._tap(bay, card, tries)

    def tap(self, bay: DemoBay, card: str) -> None:
        """A card held to the bay's reader (without one: presented to the engine)."""
        if not bay.tap(card):
            self.engine.present_card(card, bay.bay_id)

    def _leave(self, bay: DemoBay, card: str) -> None:
        if not bay.plugged:
            return
        if self._rng.random() < 0.25:  # taps out first, then unplugs
            self.tap(bay, card)
        self._at(20, "unplug", lambda: self._unplug(bay))

    def _unplug(self, bay: DemoBay) -> None:
        bay.unplug(self.clock.now())
        self._in_use -= self._cards_at.pop(bay.bay_id, set())
        self._at(self._rng.uniform(300, 2400), "arrival", lambda: self._arrive(bay))

    def _fault(self, bay: DemoBay) -> None:
        bay.set_fault(self._rng.choice(bay.faults), self.clock.now())
        self._at(self._rng.uniform(120, 300), "fault cleared", lambda: self._clear(bay))
        others = [b for b in self.bays if b is not bay]
        nxt = self._rng.choice(others)
        self._at(self._rng.uniform(1800, 3600), "fault", lambda: self._fault(nxt))

    def _clear(self, bay: DemoBay) -> None:
        bay.set_fault(None, self.clock.now())

    def _silence(self, bay: DemoBay) -> None:
        bay.set_silent(True)
        self._at(180, "box answers", lambda: bay.set_silent(False))
        self._at(self._rng.uniform(3600, 5400), "box silent", lambda: self._silence(bay))


# ---------------------------------------------------------------- whose database

DEMO_MARKER = "demo_site"  # site setting: this database was made by the demo

# What a real site holds; a database with any of it (and no demo marker) is not the demo's.
_SITE_CONTENTS: tuple[tuple[str, Any], ...] = (
    ("operators", Operator),
    ("chargers", Charger),
    ("card readers", CardReaderDevice),
    ("cards", Card),
    ("sessions", ChargeSession),
    ("tariffs", Tariff),
)


def foreign_site(s: Session) -> str | None:
    """What makes this database someone's site, e.g. "3 chargers, 12 cards" (None: it is
    empty, or the demo made it and nobody has added operators since).

    The demo writes chargers, readers and cards of its own and runs a second engine: on a
    live site it added demo chargers, disabled the real card readers and took over the
    Modbus bus. So it runs only on a database of its own."""
    counts = {
        label: s.scalar(select(func.count()).select_from(model)) or 0
        for label, model in _SITE_CONTENTS
    }
    demo_made = s.get(SiteSetting, DEMO_MARKER) is not None
    if demo_made and not counts["operators"]:
        return None
    held = [f"{n} {label}" for label, n in counts.items() if n]
    return ", ".join(held) or None


# ---------------------------------------------------------------- the site in the database


def build_site(
    db: Database,
    history_days: int = 14,
    now: float | None = None,
    virtual: str = "inproc",
    clock: Clock | None = None,
    workdir: Path | None = None,
) -> DemoSite:
    """Write the demo site into `db` (reused when already there) and start its devices.

    `virtual="serial"`: every charger and reader is a protocol simulator on its own pty
    (the Heidelberg boxes share one), driven by the real drivers — what a site looks like
    to the program. `"inproc"`: in-process chargers, no wire (any OS). History is generated
    only into an empty database."""
    if virtual not in ("serial", "inproc"):
        raise UserError(f"unknown virtual device kind {virtual!r} (serial or inproc)")
    clock = clock or SystemClock()
    site = DemoSite([], virtual)
    try:
        with db.session() as s:
            fresh = s.scalar(select(func.count(Charger.id))) == 0
            if virtual == "serial":
                assert workdir is not None
                _serial_devices(s, site, clock, workdir)
            else:
                _inproc_devices(s, site)
            _ocpp_devices(s, site, clock)
            if fresh:
                if s.get(SiteSetting, DEMO_MARKER) is None:
                    s.add(SiteSetting(key=DEMO_MARKER, value=True))
                for uid, holder, group, blocked in DEMO_CARDS:
                    add_card(s, CardInput(uid=uid, holder=holder, group=group, blocked=blocked))
                _tariff(s)
        if fresh and history_days > 0:
            seed_history(db, [b.bay_id for b in site.bays], history_days, now)
    except BaseException:
        site.close()
        raise
    return site


def _charger_row(
    s: Any,
    name: str,
    label: str,
    driver: str,
    port: str,
    address: int | None,
    settings: dict[str, Any] | None = None,
) -> Bay:
    """The charger (and its one bay) named `name`, pointed at `port` (ptys move per run)."""
    row = s.scalar(select(Charger).where(Charger.name == name))
    if row is None:
        row = Charger(name=name, driver=driver, port=port, address=address, settings={})
        s.add(row)
        s.flush()
        s.add(Bay(charger_id=row.id, connector=1, label=label))
        s.flush()
    row.driver, row.port, row.address, row.enabled = driver, port, address, True
    if settings is not None:
        row.settings = settings
    bay = s.scalar(select(Bay).where(Bay.charger_id == row.id))
    assert bay is not None
    return bay


def _inproc_devices(s: Any, site: DemoSite) -> None:
    for r in s.scalars(select(CardReaderDevice)):
        r.enabled = False  # serial readers of an earlier serial run: nothing there now
    for i in range(1, OPENEVSE_BAYS + HEIDELBERG_BOXES + 1):
        heidelberg = i > OPENEVSE_BAYS
        name = f"Heidelberg {i - OPENEVSE_BAYS}" if heidelberg else f"OpenEVSE {i}"
        key = f"demo-{'heidelberg' if heidelberg else 'openevse'}-{i}"
        bay = _charger_row(
            s, name, f"P{i}", "inproc", f"inproc://{key}", i - OPENEVSE_BAYS if heidelberg else None
        )
        amps = 16.0 if heidelberg else 32.0
        conn = VirtualConnector(max_current_a=amps, current_limit_a=amps)
        conn.energy_total_wh = 1_000_000.0 + i * 137_000.0
        model = "Heidelberg Energy Control" if heidelberg else "OpenEVSE"
        dev = VirtualCharger(model=model, firmware="demo", connectors=[conn])
        inproc.VIRTUAL_CHARGERS[key] = dev
        site.bays.append(InprocBay(bay.id, bay.label, dev))


def _ocpp_devices(s: Any, site: DemoSite, clock: Clock) -> None:
    """Two OCPP charge points (bays O1, O2: first on the board); they connect once the site
    serves OCPP (`running_demo`). Simulated in Python on the pinned `ocpp` package's
    ChargePoint, so the demo needs nothing beyond the app's own packages (no Node.js at
    demo time)."""
    from stationmgr.drivers.ocpp import port_for
    from stationmgr.sim.ocpp_cp import SimChargePoint, SimChargePoints

    points = []
    for k in range(1, OCPP_POINTS + 1):
        cpid = OCPP_ID.format(k)
        bay = _charger_row(
            s, f"OCPP {k}", f"O{k}", "ocpp", port_for(cpid), None,
            {"charge_point_id": cpid},
        )  # fmt: skip
        conn = VirtualConnector(max_current_a=16.0, current_limit_a=16.0)
        conn.energy_total_wh = 500_000.0 + k * 77_000.0
        cp = SimChargePoint(cpid, clock, conn)
        points.append(cp)
        site.bays.append(OcppBay(bay.id, bay.label, cp))
    site.ocpp = SimChargePoints(points)
    site.closers.append(site.ocpp.stop)


def _serial_devices(s: Any, site: DemoSite, clock: Clock, workdir: Path) -> None:
    from stationmgr.sim.modbus_boxes import HeidelbergBox
    from stationmgr.sim.modbus_sim import ModbusBusSim
    from stationmgr.sim.openevse_sim import OpenEVSESim
    from stationmgr.sim.reader_sim import ReaderSim
    from stationmgr.sim.transport import PtyEndpoint

    workdir.mkdir(parents=True, exist_ok=True)
    for i in range(1, OPENEVSE_BAYS + 1):
        sim = OpenEVSESim(
            PtyEndpoint(workdir / f"openevse-{i}"),
            clock,
            seed=i,
            lifetime_wh=1_000_000 + i * 137_000,
        )
        sim.start()
        site.closers.append(sim.stop)
        reader = ReaderSim(PtyEndpoint(workdir / f"reader-{i}"), repeat_s=0.1).start()
        site.closers.append(reader.stop)
        bay = _charger_row(
            s, f"OpenEVSE {i}", f"P{i}", "openevse", str(workdir / f"openevse-{i}"), None
        )
        r = s.scalar(select(CardReaderDevice).where(CardReaderDevice.name == f"Reader P{i}"))
        if r is None:
            r = CardReaderDevice(name=f"Reader P{i}", driver="rdm6300", port="")
            s.add(r)
        r.driver, r.port, r.bay_id, r.enabled = (
            "rdm6300",
            str(workdir / f"reader-{i}"),
            bay.id,
            True,
        )
        r.settings = {"release_s": 0.3}
        site.bays.append(OpenEVSEBay(bay.id, bay.label, sim, reader))
    boxes = []
    for j in range(1, HEIDELBERG_BOXES + 1):
        box = HeidelbergBox(j)
        box.connector.energy_total_wh = 800_000.0 + j * 91_000.0
        boxes.append(box)
    bus = ModbusBusSim(boxes, clock, seed=3)
    # The bus behind a serial-over-TCP gateway (as many sites wire an RS-485 line).
    port = bus.serve_tcp()
    bus.start()
    site.closers.append(bus.stop)
    for j, box in enumerate(boxes, 1):
        i = OPENEVSE_BAYS + j
        bay = _charger_row(s, f"Heidelberg {j}", f"P{i}", "heidelberg", port, j)
        site.bays.append(HeidelbergBay(bay.id, bay.label, box))


def _tariff(s: Session) -> None:
    """The demo's seller (so receipts show every field) and a simple site tariff."""
    from stationmgr.billing.site import set_site_value
    from stationmgr.billing.tariffs import TariffInput, add_tariff

    for key, value in {
        "seller_name": "Laddplats Demo AB",
        "seller_org_number": "559999-0001",
        "seller_address": "Laddvägen 1; 123 45 Ängelholm",
        "seller_vat_number": "SE559999000101",
        "seller_email": "kvitto@laddplats.example",
    }.items():
        set_site_value(s, key, value)
    add_tariff(
        s,
        TariffInput(
            name="Standard",
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
            energy_minor_per_kwh=350,
            start_fee_minor=500,
            idle_minor_per_min=100,
            idle_grace_min=30,
        ),
    )


def seed_history(
    db: Database, bay_ids: list[int], days: int, now: float | None = None, seed: int = 11
) -> int:
    """Plausible finished sessions for the last `days` days (with meter samples)."""
    rng = random.Random(seed)
    end = time.time() if now is None else now
    t0 = end - days * 86400
    with db.session() as s:
        cards = [(uid, holder) for uid, holder, _g, blocked in DEMO_CARDS if not blocked]
        from stationmgr.store.models import Card

        # The card's group as a tap would record it (capacity by group, statements).
        card_ids = {c.uid: (c.id, c.holder_id, c.group_id) for c in s.scalars(select(Card))}
        n = 0
        samples: list[dict[str, object]] = []
        for bay_id in bay_ids:
            t = t0 + rng.uniform(0, 3 * 3600)
            meter = 1_000_000.0 + bay_id * 100_000.0
            while True:
                t += rng.uniform(1.5, 9) * 3600
                plugged_at = t
                if plugged_at > end - 4 * 3600:
                    break
                uid, holder = rng.choice(cards)
                power = rng.choice([7_400, 11_000])
                energy = rng.uniform(4_000, 40_000)
                charge_s = energy / power * 3600 * 1.15
                waiting = rng.uniform(10, 90)
                idle = rng.choice([rng.uniform(60, 900), rng.uniform(900, 7200)])
                stopped = plugged_at + waiting + charge_s + idle
                reason = rng.choice(["EVDisconnected"] * 6 + ["Local", "Remote"])
                cid, hid, gid = card_ids.get(uid, (None, None, None))
                row = ChargeSession(
                    tx_uid=f"{bay_id}-{round(plugged_at * 1000)}",
                    bay_id=bay_id,
                    card_id=cid,
                    card_uid=uid,
                    holder_id=hid,
                    group_id=gid,
                    holder_name=holder,
                    start_kind="card",
                    plugged_at=to_datetime(plugged_at),
                    authorized_at=to_datetime(plugged_at + waiting),
                    charging_started_at=to_datetime(plugged_at + waiting),
                    charging_ended_at=to_datetime(plugged_at + waiting + charge_s),
                    stopped_at=to_datetime(stopped),
                    last_seen_at=to_datetime(stopped),
                    meter_start_wh=meter,
                    meter_last_wh=meter + energy,
                    meter_stop_wh=meter + energy,
                    segment_start_wh=meter,
                    energy_wh=round(energy, 3),
                    stop_reason=reason,
                    stopped_by={"Local": uid, "Remote": "attendant"}.get(reason, "ev"),
                    plugged_s=round(stopped - plugged_at),
                    charging_s=round(charge_s),
                    idle_s=round(idle),
                )
                row.waiting_s = row.plugged_s - row.charging_s - row.idle_s  # type: ignore[operator]
                s.add(row)
                s.flush()
                steps = max(2, int(charge_s // 300))
                for k in range(steps + 1):
                    frac = k / steps
                    taper = 1.0 if frac < 0.75 else max(0.15, 1 - (frac - 0.75) * 3.4)
                    samples.append(
                        {
                            "session_id": row.id,
                            "ts": to_datetime(plugged_at + waiting + frac * charge_s),
                            "energy_wh": round(meter + energy * (1 - (1 - frac) ** 1.15)),
                            "power_w": round(power * taper) if k < steps else 0,
                        }
                    )
                if rng.random() < 0.04:
                    s.add(
                        Fault(
                            bay_id=bay_id,
                            session_id=row.id,
                            code="GFCI",
                            raised_at=to_datetime(stopped - 60),
                            cleared_at=to_datetime(stopped + 120),
                        )
                    )
                meter += energy
                t = stopped
                n += 1
        if samples:
            s.execute(insert(MeterSample), samples)
        _price_history(s)
    return n


def _price_history(s: Session) -> None:
    """Price the generated sessions as the engine's billing would have."""
    from stationmgr.billing.charges import price_closed_session

    rows = s.scalars(select(ChargeSession).order_by(ChargeSession.stopped_at))
    for row in rows:
        try:
            price_closed_session(s, row)
        except Exception as e:  # a demo without prices still works
            log.warning("demo: history not priced (%s)", e)
            return


# ---------------------------------------------------------------- headless run


@dataclass
class Summary:
    seconds: float
    site_seconds: float
    bays: int
    sessions_started: int
    sessions_finished: int
    energy_kwh: float
    faults: int
    comm_lost: int
    open_sessions: int
    devices: str = ""

    def text(self) -> str:
        return (
            f"demo site: {self.bays} bays ({self.devices}), ran {self.seconds:.0f} s "
            f"({self.site_seconds / 60:.0f} min of site time)\n"
            f"sessions started: {self.sessions_started}\n"
            f"sessions finished: {self.sessions_finished} (still charging: "
            f"{self.open_sessions})\n"
            f"energy delivered: {self.energy_kwh:.2f} kWh\n"
            f"faults: {self.faults}\n"
            f"chargers that stopped answering: {self.comm_lost}"
        )


def summarize(db: Database, site: DemoSite, since: float, until: float, real_s: float) -> Summary:
    with db.session() as s:
        energy = (
            s.scalar(
                select(func.coalesce(func.sum(ChargeSession.energy_wh), 0.0)).where(
                    ChargeSession.authorized_at >= to_datetime(since),
                )
            )
            or 0.0
        )
        open_n = (
            s.scalar(select(func.count(ChargeSession.id)).where(ChargeSession.stopped_at.is_(None)))
            or 0
        )
    return Summary(
        seconds=real_s,
        site_seconds=until - since,
        bays=len(site.bays),
        sessions_started=site.counts.get("sessions_started", 0),
        sessions_finished=site.counts.get("sessions_finished", 0),
        energy_kwh=float(energy) / 1000.0,
        faults=site.counts.get("faults", 0),
        comm_lost=site.counts.get("comm_lost", 0),
        open_sessions=int(open_n),
        devices=(
            "OpenEVSE over RAPI and RDM6300 readers on ptys, Heidelberg boxes on one "
            "Modbus RTU bus behind a TCP gateway"
            if site.virtual == "serial"
            else "in-process virtual chargers"
        )
        + (", OCPP 1.6J charge points on loopback" if site.ocpp is not None else ""),
    )


@contextmanager
def running_demo(
    db: Database, speed: float = 10.0, history_days: int = 14, virtual: str | None = None
) -> Iterator[tuple[SiteRuntime, DemoSite]]:
    """The demo site written into `db`, its runtime (`stationmgr.runtime`, as in
    production) and scenario running; stopped after."""
    if speed <= 0:
        raise UserError("--speed must be positive")
    clock: Clock = SystemClock() if speed == 1 else WarpClock(speed)
    inproc.CLOCK[0] = clock
    if virtual is None:
        virtual = "serial" if os.name == "posix" else "inproc"
    with tempfile.TemporaryDirectory(prefix="stationmgr-demo-ports-") as ports:
        site = build_site(db, history_days, clock.now(), virtual, clock, Path(ports))
        try:
            config = EngineConfig(CoordinatorConfig(poll_interval_s=1.0))
            runtime = build_runtime(db, clock, config=config).start()
            endpoint = None
            try:
                endpoint = _serve_ocpp(runtime.engine, site)
                site.start(runtime.engine, clock)
                try:
                    yield runtime, site
                finally:
                    site.stop()
            finally:
                if site.ocpp is not None:
                    site.ocpp.stop()  # before the endpoint: no reconnect attempts into it
                if endpoint is not None:
                    endpoint.stop()
                runtime.stop()
        finally:
            site.close()


def _serve_ocpp(engine: Engine, site: DemoSite) -> Any:
    """The site's OCPP endpoint on a free loopback port, with the demo's charge points
    connected to it (no passwords: the demo keeps nothing in the OS vault)."""
    from stationmgr.ocpp.endpoint import OcppServer
    from stationmgr.service.server import Listen

    if site.ocpp is None:
        return None
    endpoint = OcppServer(engine, Listen("127.0.0.1", 0, False), secrets=_NoPasswords())
    endpoint.start()
    site.ocpp.start(f"{endpoint.url}/ocpp")
    return endpoint


class _NoPasswords:
    def get(self, _name: str) -> str | None:
        return None


def run_headless(
    db: Database, speed: float, duration_s: float, virtual: str | None = None
) -> Summary:
    """Run the demo site without a window for `duration_s` real seconds."""
    if duration_s <= 0:
        raise UserError("--duration must be positive")
    t0 = time.monotonic()
    with running_demo(db, speed, virtual=virtual) as (runtime, site):
        engine = runtime.engine
        since = engine.clock.now()
        stop = threading.Event()
        try:
            stop.wait(duration_s)
        except KeyboardInterrupt:
            pass
        until = engine.clock.now()
        engine.drain()
        summary = summarize(db, site, since, until, time.monotonic() - t0)
    return summary
