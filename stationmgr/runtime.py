"""The composition root: the one place a running site is put together.

`build_runtime(db, clock)` gives a `SiteRuntime`: the engine with billing (every closed
session priced and in the ledger, budgets enforced, live cost estimates), the alert monitor
(alerts, expected ends, the rotation hint) and the activity log (session starts and stops,
refused cards and faults at INFO). `stationmgr run`, `stationmgr gui`, `stationmgr demo` and
the tests all build their site here, so what the tests run is what runs at the bays.

Configuration changes go through `runtime.changed(kinds)`: the engine loads them
(`Engine.apply_changes`) and publishes `ConfigurationChanged`, on which every extension drops
what it keeps of the old configuration (the runtime listens on the bus, so a change applied
by calling the engine directly, e.g. from the site API, reaches the extensions too).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

from stationmgr.activity import ActivityLog
from stationmgr.alerts.monitor import AlertMonitor
from stationmgr.alerts.monitor import install as install_alerts
from stationmgr.alerts.rules import AlertConfig
from stationmgr.billing import Billing
from stationmgr.billing import install as install_billing
from stationmgr.billing.budgets import BudgetGuard
from stationmgr.billing.live import LiveEstimates
from stationmgr.clock import Clock, SystemClock
from stationmgr.drivers import ocpp as ocpp_driver
from stationmgr.engine import Engine, EngineConfig
from stationmgr.errors import UserError
from stationmgr.events import CONFIG_KINDS, ConfigurationChanged, EventBus
from stationmgr.ocpp.locallist import install as install_local_lists
from stationmgr.ocpp.records import install as install_ocpp_records
from stationmgr.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class SiteRuntime:
    """A site's engine and everything wired into it; `start()`/`stop()` or `with`."""

    db: Database
    engine: Engine
    billing: Billing | None
    alerts: AlertMonitor | None
    activity: ActivityLog

    @property
    def clock(self) -> Clock:
        return self.engine.clock

    @property
    def bus(self) -> EventBus:
        return self.engine.bus

    @property
    def budgets(self) -> BudgetGuard | None:
        return self.billing.budgets if self.billing is not None else None

    @property
    def estimates(self) -> LiveEstimates | None:
        return self.billing.estimates if self.billing is not None else None

    # ------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 30.0) -> SiteRuntime:
        self.engine.start(timeout)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self.engine.stop(timeout)

    def __enter__(self) -> SiteRuntime:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ configuration

    def changed(self, kinds: Iterable[str]) -> concurrent.futures.Future[None]:
        """The site's configuration changed in the database (`events.CONFIG_KINDS`):
        apply it to the running site. Without a running engine only the extensions'
        caches are dropped (the engine reads everything when it starts)."""
        wanted = frozenset(kinds)
        if wanted - CONFIG_KINDS:
            raise UserError(
                f"unknown configuration kind(s) {', '.join(sorted(wanted - CONFIG_KINDS))}"
            )
        if self.engine.running:
            return self.engine.apply_changes(wanted)
        self._tell_extensions(wanted)
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        done.set_result(None)
        return done

    def _on_changed(self, ev: object) -> None:
        if isinstance(ev, ConfigurationChanged):
            self._tell_extensions(ev.kinds)

    def _tell_extensions(self, kinds: frozenset[str]) -> None:
        if self.billing is not None:
            self.billing.changed(kinds)
        if self.alerts is not None:
            self.alerts.changed(kinds)


def build_runtime(
    db: Database,
    clock: Clock | None = None,
    *,
    billing: bool = True,
    alerts: bool = True,
    config: EngineConfig | None = None,
    bus: EventBus | None = None,
    alert_config: AlertConfig | None = None,
) -> SiteRuntime:
    """The site, not started. `billing=False` / `alerts=False` leave an extension out (a
    test of the engine alone); production always has both."""
    engine = Engine(db, clock or SystemClock(), config, bus)
    # OCPP charge points run their own sessions: the central system steps their bays.
    engine.external_drivers.add(ocpp_driver.DRIVER)
    install_ocpp_records(engine.persister)
    install_local_lists(engine.persister)
    runtime = SiteRuntime(
        db=db,
        engine=engine,
        billing=install_billing(engine) if billing else None,
        alerts=install_alerts(engine, alert_config) if alerts else None,
        activity=ActivityLog(engine.bus, engine.bay_label),
    )
    engine.bus.subscribe(runtime._on_changed, ConfigurationChanged)
    return runtime


__all__ = ["SiteRuntime", "build_runtime"]
