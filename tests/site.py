"""A small site for engine tests: in-process virtual chargers behind the real engine, built
by the production composition root (`stationmgr.runtime`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from stationmgr.cards import CardInput, add_card
from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.sessions import SessionConfig
from stationmgr.sim.device import VirtualCharger
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger


def build_site(
    db: Database, chargers: int = 2, cards: tuple[str, ...] = ("0A1B2C3D",)
) -> list[VirtualCharger]:
    """Charger rows + bays P1..Pn, each backed by a fresh in-process VirtualCharger."""
    devices = []
    with db.session() as s:
        for i in range(1, chargers + 1):
            name = f"vc{i}-{id(db)}"
            c = Charger(name=name, driver="inproc", port=f"inproc://{name}")
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=f"P{i}"))
            dev = VirtualCharger()
            inproc.VIRTUAL_CHARGERS[name] = dev
            devices.append(dev)
        for uid in cards:
            add_card(s, CardInput(uid=uid, holder=f"Holder {uid[-2:]}"))
    return devices


def fast_config(speed: float, **session: float) -> EngineConfig:
    """Fast polls and backoff; a gap of a few real seconds is no car swap, even warped;
    a card stops its session even right after the start (the repeat guard: test_sessions)."""
    return EngineConfig(
        CoordinatorConfig(poll_interval_s=0.02, backoff_min_s=0.05, backoff_max_s=0.2),
        SessionConfig(**{"continuity_gap_s": 5 * speed, "retap_guard_s": 0.0, **session}),
    )


@contextmanager
def running_site(
    db: Database, speed: float = 60.0, *, alerts: bool = True, **session: float
) -> Iterator[SiteRuntime]:
    """The production runtime (billing, alerts, activity log) on a warped clock."""
    clock = WarpClock(speed)
    inproc.CLOCK[0] = clock
    with build_runtime(db, clock, config=fast_config(speed, **session), alerts=alerts) as rt:
        yield rt


@contextmanager
def running(db: Database, speed: float = 60.0, **session: float) -> Iterator[Engine]:
    """The engine with billing (no alert monitor: engine tests count their own events)."""
    with running_site(db, speed, alerts=False, **session) as runtime:
        yield runtime.engine


def wait_for(cond: Callable[[], object], timeout: float = 15.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
