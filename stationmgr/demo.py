"""The demo site: a virtual charging site that shows every feature within a minute.

`build_site(db)` writes the site (4 OpenEVSE bays with a card reader each, 3 Heidelberg
boxes sharing one RS-485 bus, cards and holders, two weeks of history) and `DemoSite` runs
the scenario next to a running engine: cars arrive, tap a card (now and then an unknown or
blocked one), charge with a tapering curve, sit idle after they are full, leave; a charger
faults now and then and one box on the bus goes silent for a while. Time is the engine's
clock, so `--speed` warps the whole day.

Core only (no Qt): `stationmgr demo --headless` and the desktop demo share it.
"""

from __future__ import annotations

import heapq
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select

from stationmgr.cards import CardInput, add_card
from stationmgr.clock import Clock, SystemClock, WarpClock, to_datetime
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.errors import UserError
from stationmgr.events import ChargerCommLost
from stationmgr.sessions import FaultRaised, TransactionStarted, TransactionStopped
from stationmgr.sim.device import VirtualCharger, VirtualConnector
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession, Fault, MeterSample

log = logging.getLogger(__name__)

OPENEVSE_BAYS = 4
HEIDELBERG_BOXES = 3

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


@dataclass
class DemoBay:
    bay_id: int
    label: str
    charger: str  # VIRTUAL_CHARGERS key
    connector: VirtualConnector


@dataclass
class DemoSite:
    """The virtual devices of the demo and the scenario that moves them."""

    bays: list[DemoBay]
    devices: dict[str, VirtualCharger]
    seed: int = 7
    counts: dict[str, int] = field(default_factory=dict)

    # ------------------------------------------------------------ running

    def start(self, engine: object, clock: Clock) -> None:
        """Run the scenario on its own thread next to `engine` (an `Engine`)."""
        self.engine = engine
        self.clock = clock
        self._stop = threading.Event()
        self._rng = random.Random(self.seed)
        self._queue: list[tuple[float, int, str, Callable[[], None]]] = []
        self._n = 0
        self._in_use: set[str] = set()
        self._cards_at: dict[int, set[str]] = {}
        self._unsub = engine.bus.subscribe(self._count)  # type: ignore[attr-defined]
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
        self._at(400, "bus box silent", lambda: self._silence(b[-1].charger))

    def _arrive(
        self,
        bay: DemoBay,
        soc: float | None = None,
        tap_after: float | None = None,
        stay: tuple[float, float] | None = None,
    ) -> None:
        rng = self._rng
        if bay.connector.plugged:
            return
        ev = EV(
            capacity_wh=rng.choice([40_000, 58_000, 77_000]),
            soc=rng.uniform(0.15, 0.7) if soc is None else soc,
            max_power_w=rng.choice([7_400, 11_000, 11_000]),
            taper_soc=0.8,
            target_soc=rng.choice([0.8, 0.9, 1.0]) if soc is None else max(soc, 0.9),
        )
        bay.connector.plug(ev, self.clock.now())
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

    def _tap(self, bay: DemoBay, card: str) -> None:
        if not bay.connector.plugged and card != UNKNOWN_CARD:
            return
        self.tap(bay, card)
        if card in (UNKNOWN_CARD, DEMO_CARDS[-1][0]) and bay.connector.plugged:
            good = self._pick_card(bay)
            while good == DEMO_CARDS[-1][0]:
                good = self._pick_card(bay)
            self._at(45, "second tap", lambda: self._tap(bay, good))

    def tap(self, bay: DemoBay, card: str) -> None:
        """A card held to the bay's reader (in-process: presented to the engine)."""
        self.engine.present_card(card, bay.bay_id)  # type: ignore[attr-defined]

    def _leave(self, bay: DemoBay, card: str) -> None:
        if not bay.connector.plugged:
            return
        if self._rng.random() < 0.25:  # taps out first, then unplugs
            self.tap(bay, card)
        self._at(20, "unplug", lambda: self._unplug(bay))

    def _unplug(self, bay: DemoBay) -> None:
        bay.connector.unplug(self.clock.now())
        self._in_use -= self._cards_at.pop(bay.bay_id, set())
        self._at(self._rng.uniform(300, 2400), "arrival", lambda: self._arrive(bay))

    def _fault(self, bay: DemoBay) -> None:
        bay.connector.fault = self._rng.choice(["GFCI", "OverTemperature", "NoGround"])
        self._at(self._rng.uniform(120, 300), "fault cleared", lambda: self._clear(bay))
        others = [b for b in self.bays if b is not bay]
        nxt = self._rng.choice(others)
        self._at(self._rng.uniform(1800, 3600), "fault", lambda: self._fault(nxt))

    def _clear(self, bay: DemoBay) -> None:
        bay.connector.fault = None

    def _silence(self, charger: str) -> None:
        self.devices[charger].silent = True

        def back() -> None:
            self.devices[charger].silent = False

        self._at(180, "bus box answers", back)
        self._at(self._rng.uniform(3600, 5400), "bus box silent", lambda: self._silence(charger))


# ---------------------------------------------------------------- the site in the database


def _charger_specs() -> list[tuple[str, str, str, int | None, dict[str, object]]]:
    """(name, bay label, port, address, settings) of every demo charger."""
    specs: list[tuple[str, str, str, int | None, dict[str, object]]] = []
    for i in range(1, OPENEVSE_BAYS + 1):
        specs.append((f"OpenEVSE {i}", f"P{i}", f"inproc://demo-openevse-{i}", None, {}))
    for j in range(1, HEIDELBERG_BOXES + 1):
        # One RS-485 bus: same line, slave addresses 1..3 (in-process: one device each).
        specs.append(
            (f"Heidelberg {j}", f"P{OPENEVSE_BAYS + j}", f"inproc://demo-heidelberg-{j}", j, {})
        )
    return specs


def build_site(db: Database, history_days: int = 14, now: float | None = None) -> DemoSite:
    """Write the demo site into `db` (once; reused when already there) and create its
    virtual devices. History is generated only into an empty database."""
    bays: list[DemoBay] = []
    devices: dict[str, VirtualCharger] = {}
    with db.session() as s:
        fresh = s.scalar(select(func.count(Charger.id))) == 0
        for name, label, port, address, settings in _charger_specs():
            row = s.scalar(select(Charger).where(Charger.name == name))
            if row is None:
                row = Charger(
                    name=name, driver="inproc", port=port, address=address, settings=settings
                )
                s.add(row)
                s.flush()
                s.add(Bay(charger_id=row.id, connector=1, label=label))
                s.flush()
            bay = s.scalar(select(Bay).where(Bay.charger_id == row.id))
            assert bay is not None
            key = row.port.removeprefix("inproc://")
            model = "OpenEVSE" if "openevse" in key else "Heidelberg Energy Control"
            conn = VirtualConnector(
                max_current_a=32.0 if "openevse" in key else 16.0,
                current_limit_a=32.0 if "openevse" in key else 16.0,
            )
            conn.energy_total_wh = 1_000_000.0 + bay.id * 137_000.0
            dev = VirtualCharger(model=model, firmware="demo", connectors=[conn])
            devices[key] = dev
            inproc.VIRTUAL_CHARGERS[key] = dev
            bays.append(DemoBay(bay.id, bay.label, key, conn))
        if fresh:
            for uid, holder, group, blocked in DEMO_CARDS:
                add_card(s, CardInput(uid=uid, holder=holder, group=group, blocked=blocked))
            _tariff(s)
    if fresh and history_days > 0:
        seed_history(db, [b.bay_id for b in bays], history_days, now)
    return DemoSite(bays, devices)


def _tariff(s: object) -> None:
    """A simple site tariff when the billing module is there (it prices the demo)."""
    try:
        from stationmgr.billing.tariffs import TariffInput, add_tariff
    except ImportError:
        return
    from datetime import UTC, datetime

    try:
        add_tariff(
            s,  # type: ignore[arg-type]
            TariffInput(
                name="Standard",
                valid_from=datetime(2020, 1, 1, tzinfo=UTC),
                energy_minor_per_kwh=350,
                start_fee_minor=500,
                idle_minor_per_min=100,
                idle_grace_min=30,
            ),
        )
    except Exception as e:  # the billing API is young; a demo without prices still works
        log.warning("demo: no tariff (%s)", e)


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

        card_ids = {c.uid: (c.id, c.holder_id) for c in s.scalars(select(Card))}
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
                cid, hid = card_ids.get(uid, (None, None))
                row = ChargeSession(
                    tx_uid=f"{bay_id}-{round(plugged_at * 1000)}",
                    bay_id=bay_id,
                    card_id=cid,
                    card_uid=uid,
                    holder_id=hid,
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


def _price_history(s: object) -> None:
    """Price the generated sessions as the engine would have (when billing is there)."""
    try:
        from stationmgr.billing.charges import price_closed_session
    except ImportError:
        return
    rows = s.scalars(select(ChargeSession).order_by(ChargeSession.stopped_at))  # type: ignore[attr-defined]
    for row in rows:
        try:
            price_closed_session(s, row)  # type: ignore[arg-type]
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

    def text(self) -> str:
        return (
            f"demo site: {self.bays} bays, ran {self.seconds:.0f} s "
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
    )


@contextmanager
def running_demo(
    db: Database, speed: float = 10.0, history_days: int = 14
) -> Iterator[tuple[Engine, DemoSite]]:
    """The demo site written into `db`, its engine and scenario running; stopped after."""
    if speed <= 0:
        raise UserError("--speed must be positive")
    clock: Clock = SystemClock() if speed == 1 else WarpClock(speed)
    inproc.CLOCK[0] = clock
    site = build_site(db, history_days, clock.now())
    engine = Engine(db, clock, EngineConfig(CoordinatorConfig(poll_interval_s=1.0)))
    install_extensions(engine)
    engine.start()
    try:
        site.start(engine, clock)
        try:
            yield engine, site
        finally:
            site.stop()
    finally:
        engine.stop()


def run_headless(db: Database, speed: float, duration_s: float) -> Summary:
    """Run the demo site without a window for `duration_s` real seconds."""
    if duration_s <= 0:
        raise UserError("--duration must be positive")
    t0 = time.monotonic()
    with running_demo(db, speed) as (engine, site):
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


def install_extensions(engine: Engine) -> None:
    """Wire the optional core packages into an engine before it starts (idempotent):
    billing (prices closed sessions, budgets) and alerts (badges, expected end)."""
    try:
        from stationmgr import billing
    except ImportError:
        billing = None  # type: ignore[assignment]
    if billing is not None and hasattr(billing, "install"):
        billing.install(engine)
    try:
        from stationmgr.alerts import monitor
    except ImportError:
        return
    if getattr(engine, "alerts", None) is None:
        monitor.install(engine)
