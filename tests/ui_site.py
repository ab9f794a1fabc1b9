"""A small live site for the GUI tests: real Engine, in-process virtual chargers, WarpClock,
and the app context (bridge, worker) the pages get. Everything is stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stationmgr.cards import CardInput, add_card
from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.sessions import SessionConfig
from stationmgr.sim.device import VirtualCharger
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger

CARD = "0A1B2C3D"
HOLDER = "Maria Nilsson"


@dataclass
class LiveSite:
    engine: Engine
    devices: dict[str, VirtualCharger]  # bay label -> device
    bay_ids: dict[str, int]  # bay label -> id


def build(db: Database, bays: int) -> tuple[dict[str, VirtualCharger], dict[str, int]]:
    devices: dict[str, VirtualCharger] = {}
    ids: dict[str, int] = {}
    with db.session() as s:
        for i in range(1, bays + 1):
            name = f"ui-vc{i}-{id(db)}"
            c = Charger(name=name, driver="inproc", port=f"inproc://{name}")
            s.add(c)
            s.flush()
            bay = Bay(charger_id=c.id, connector=1, label=f"P{i}")
            s.add(bay)
            s.flush()
            dev = VirtualCharger()
            inproc.VIRTUAL_CHARGERS[name] = dev
            devices[bay.label] = dev
            ids[bay.label] = bay.id
        add_card(s, CardInput(uid=CARD, holder=HOLDER))
    return devices, ids


@contextmanager
def live_site(db: Database, bays: int = 2, speed: float = 20.0) -> Iterator[LiveSite]:
    devices, ids = build(db, bays)
    clock = WarpClock(speed)
    inproc.CLOCK[0] = clock
    cfg = EngineConfig(
        CoordinatorConfig(poll_interval_s=0.05, backoff_min_s=0.05, backoff_max_s=0.2),
        SessionConfig(idle_after_s=60.0),
    )
    engine = Engine(db, clock, cfg)
    engine.start()
    try:
        yield LiveSite(engine, devices, ids)
    finally:
        engine.stop()


@contextmanager
def app_context(db: Database, engine: Engine | None) -> Iterator[object]:
    """The AppContext a page gets; the bridge and the worker pool are closed afterwards."""
    from ui.bridge import EngineBridge
    from ui.context import AppContext
    from ui.worker import Worker

    worker = Worker()
    bridge = EngineBridge(engine.bus) if engine is not None else None
    ctx = AppContext(db, engine, bridge, worker, actor="owner")
    try:
        yield ctx
    finally:
        if bridge is not None:
            bridge.close()
        worker.shutdown()
