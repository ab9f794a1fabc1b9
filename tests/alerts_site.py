"""A small site for the alert tests: in-process virtual chargers behind the real engine,
a warped clock, and helpers that wait in *simulated* time (never a wall-clock threshold)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from stationmgr.alerts.monitor import AlertMonitor
from stationmgr.cards import CardInput, add_card
from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.drivers.api import ConnectorReading
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.sessions import SessionConfig
from stationmgr.settings import set_setting
from stationmgr.sim.device import VirtualCharger, VirtualConnector
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession

_names = count(1)


@dataclass
class StuckMeterConnector(VirtualConnector):
    """A connector whose energy register freezes while it still reports power (a broken
    meter or a charger that lies): the bay stays Charging but no energy is counted."""

    stuck_at: float | None = None

    def reading(self, register: str = "total") -> ConnectorReading:
        r = super().reading(register)
        if self.stuck_at is None:
            return r
        return ConnectorReading(
            r.connector,
            r.plugged,
            r.charging,
            r.allowed,
            self.stuck_at,
            r.power_w,
            r.currents_a,
            r.voltages_v,
            r.fault,
            r.raw_state,
        )


def build_site(db: Database, labels: list[str], cards: dict[str, str]) -> dict[str, VirtualCharger]:
    """One single-connector virtual charger per bay label; cards uid → holder name."""
    devices: dict[str, VirtualCharger] = {}
    with db.session() as s:
        for label in labels:
            name = f"al{next(_names)}-{label}"
            c = Charger(name=name, driver="inproc", port=f"inproc://{name}")
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=label))
            dev = VirtualCharger(connectors=[StuckMeterConnector()])
            inproc.VIRTUAL_CHARGERS[name] = dev
            devices[label] = dev
        for uid, holder in cards.items():
            add_card(s, CardInput(uid=uid, holder=holder))
    return devices


def set_alert_settings(db: Database, **values: object) -> None:
    with db.session() as s:
        set_setting(s, "alerts", values)


def add_history(
    db: Database, label: str, card_uid: str | None, start: datetime, sessions: list[tuple]
) -> None:
    """Finished sessions: (energy Wh, plugged s, charging s, idle s), one a day back from
    `start`, so the estimator has something to learn from."""
    from stationmgr.cards import get_card

    with db.session() as s:
        bay = s.query(Bay).filter_by(label=label).one()
        card = get_card(s, card_uid) if card_uid else None
        for i, (wh, plugged, charging, idle) in enumerate(sessions, 1):
            t0 = start - timedelta(days=i)
            s.add(
                ChargeSession(
                    tx_uid=f"hist-{label}-{i}-{card_uid}",
                    bay_id=bay.id,
                    card_id=card.id if card else None,
                    card_uid=card.uid if card else None,
                    plugged_at=t0,
                    authorized_at=t0,
                    charging_started_at=t0,
                    charging_ended_at=t0 + timedelta(seconds=charging),
                    stopped_at=t0 + timedelta(seconds=plugged),
                    meter_start_wh=0.0,
                    meter_last_wh=wh,
                    meter_stop_wh=wh,
                    segment_start_wh=0.0,
                    energy_wh=wh,
                    stop_reason="EVDisconnected",
                    plugged_s=plugged,
                    charging_s=charging,
                    idle_s=idle,
                    waiting_s=plugged - charging - idle,
                )
            )


@contextmanager
def running_site(
    db: Database,
    speed: float,
    session: SessionConfig,
    start: float | None = None,
    listener: Callable[[object], None] | None = None,
) -> Iterator[tuple[SiteRuntime, WarpClock]]:
    """The production runtime (billing and alerts) on a warped clock."""
    clock = WarpClock(speed, start)
    inproc.CLOCK[0] = clock
    cfg = EngineConfig(
        CoordinatorConfig(poll_interval_s=0.2, backoff_min_s=0.2, backoff_max_s=1.0), session
    )
    runtime = build_runtime(db, clock, config=cfg)
    if listener is not None:  # before start: sees the very first events
        runtime.bus.subscribe(listener)
    with runtime:
        yield runtime, clock


@contextmanager
def running(
    db: Database,
    speed: float,
    session: SessionConfig,
    start: float | None = None,
    listener: Callable[[object], None] | None = None,
) -> Iterator[tuple[Engine, AlertMonitor, WarpClock]]:
    with running_site(db, speed, session, start, listener) as (runtime, clock):
        assert runtime.alerts is not None
        yield runtime.engine, runtime.alerts, clock


def wait_for(cond: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> object:
    """Poll `cond` until true; the timeout only guards against a hung test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def sim_sleep(clock: WarpClock, seconds: float) -> None:
    """Let `seconds` of simulated time pass."""
    until = clock.now() + seconds
    wait_for(lambda: clock.now() >= until, timeout=seconds / clock.speed + 30, what="sim time")


def epoch(dt: datetime) -> float:
    return dt.replace(tzinfo=UTC).timestamp() if dt.tzinfo is None else dt.timestamp()
