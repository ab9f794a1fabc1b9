"""One composition root: `stationmgr run`, `stationmgr gui` and `stationmgr demo` run the
same site (`stationmgr.runtime.build_runtime`): on each, a closed session is priced (billing)
and a card refused three times raises an alert (the alert monitor). `stationmgr run` also
logs the site's activity at INFO and applies a configuration changed by another program on
SIGHUP. Real engine, real SQLite; `run` as a real process with simulators on ptys."""

from __future__ import annotations

import argparse
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stationmgr.alerts.events import AlertKind, AlertRaised
from stationmgr.billing.charges import current_price
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cards import CardInput, add_card
from stationmgr.clock import SystemClock
from stationmgr.drivers import inproc
from stationmgr.ocpp_words import BayStatus, StopReason
from stationmgr.runtime import SiteRuntime
from stationmgr.sim.device import VirtualCharger
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.site import SerialSite
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.site_setup import ChargerInput, add_charger
from stationmgr.store.alert_models import Alert
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, ChargeSession, Tariff
from tests.helpers.openevse import status_polls
from tests.helpers.wait import wait_until

PROOF_CARD = "5EC0FFEE"
STRANGER = "0BADCAFE"
TARIFF = TariffInput(
    name="Proof", valid_from=datetime(2020, 1, 1, tzinfo=UTC), energy_minor_per_kwh=350
)


def prove_wired(rt: SiteRuntime) -> None:
    """Add a charger to the running site, refuse a stranger's card three times (an alert),
    charge a session to its end (priced)."""
    db, eng = rt.db, rt.engine
    assert rt.billing is not None and rt.alerts is not None
    name = f"proof-{id(rt)}"
    inproc.VIRTUAL_CHARGERS[name] = dev = VirtualCharger()
    with db.session() as s:
        add_charger(s, ChargerInput(name, "inproc", f"inproc://{name}", bays=("W1",)))
        add_card(s, CardInput(uid=PROOF_CARD, holder="Proof"))
        if s.scalar(select(Tariff.id).limit(1)) is None:  # (the demo has its own)
            add_tariff(s, TARIFF)
        bay = s.scalar(select(Bay.id).where(Bay.label == "W1"))
        assert bay is not None
    rt.changed({"chargers", "cards", "tariffs"}).result(30)
    alerts: list[AlertRaised] = []
    rt.bus.subscribe(alerts.append, AlertRaised)

    dev.connectors[0].plug(EV(capacity_wh=60_000, soc=0.3), eng.clock.now())
    wait_until(lambda: eng.bays[bay].status is BayStatus.PREPARING, what="preparing")
    for _ in range(3):
        assert not eng.present_card(STRANGER, bay).result(10).accepted
    wait_until(
        lambda: any(a.kind == AlertKind.CARD_DENIED and a.bay_id == bay for a in alerts),
        what="the card-denied alert",
    )
    assert eng.present_card(PROOF_CARD, bay).result(10).accepted
    wait_until(lambda: (eng.bays[bay].tx or 0) and eng.bays[bay].tx.energy_wh > 0, what="energy")
    dev.connectors[0].unplug(eng.clock.now())
    wait_until(lambda: eng.bays[bay].tx is None, what="the session closed")
    eng.drain()
    with db.session() as s:
        row = s.scalars(select(ChargeSession).where(ChargeSession.bay_id == bay)).one()
        assert row.stop_reason == StopReason.EV_DISCONNECTED
        price = current_price(s, row.id)
        assert price is not None and price.currency == "SEK"  # priced as it closed


def test_the_gui_runs_the_production_runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stationmgr gui` (up to the window, which is left out: the runtime is the subject)."""
    import ui.app
    from stationmgr.cli import main
    from ui.commands import gui_cmd

    url = f"sqlite:///{tmp_path / 'gui.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0
    inproc.CLOCK[0] = SystemClock()  # the gui's clock (tests set it before each engine)
    seen: list[SiteRuntime] = []

    def window(db: Database, runtime: SiteRuntime, *_a: Any, **_k: Any) -> int:
        seen.append(runtime)
        prove_wired(runtime)
        return 0

    monkeypatch.setattr(ui.app, "run_window", window)
    monkeypatch.setattr(ui.app, "shutdown_app", lambda: None)  # pytest-qt's app lives on
    args = argparse.Namespace(db=url, screenshot=None, screenshot_after=4.0, page=None, bay=None)
    assert gui_cmd(args) == 0
    assert len(seen) == 1 and not seen[0].engine.running


def test_the_demo_runs_the_production_runtime(sqlite_db: Database) -> None:
    from stationmgr.demo import running_demo

    with running_demo(sqlite_db, speed=20.0, history_days=1, virtual="inproc") as (rt, site):
        assert len(site.bays) == 9  # 7 serial bays and the two OCPP charge points
        prove_wired(rt)


def refusals(site: SerialSite) -> int:
    return site.engine_log().count("card refused at bay B1")


def tap_until(reader: ReaderSim, card: str, done: Callable[[], bool]) -> None:
    """Tap like a driver who sees no light: again until it counts (a tap while the last
    one's card is still near the reader is the same tap)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reader.tap(card, 0.15)
        try:
            wait_until(done, timeout=1.5)
            return
        except AssertionError:
            continue
    raise AssertionError(f"card {card} never counted")


def test_stationmgr_run_prices_alerts_logs_and_reloads_on_sighup(tmp_path: Path) -> None:
    offline = {"offline": "safe_current", "offline_current_a": 10}
    with SerialSite(tmp_path, bays=1, sim_speed=30.0, charger_settings=offline) as site:
        (bay,) = site.bays
        db = site.db()
        try:
            with db.session() as s:
                add_tariff(s, TARIFF)
        finally:
            db.dispose()
        site.start_engine()
        site.wait_engine_ready()
        site.wait_gated(bay)
        # The charger's own failsafe is set at start: 15 s without a poll → 10 A by itself.
        assert (bay.charger.st.hs_interval, bay.charger.st.hs_fallback) == (15, 10)
        site.plug(bay, EV(capacity_wh=40_000, soc=0.5))
        for n in range(1, 4):  # a stranger's card, three times: refused, then an alert
            tap_until(bay.reader, "00" + STRANGER, lambda n=n: refusals(site) >= n)
        site.start_session(bay)
        wait_until(lambda: "session started at bay B1: card" in site.engine_log())
        bay.charger.unplug()
        wait_until(lambda: "session stopped at bay B1" in site.engine_log(), what="stop line")
        db = site.db()
        try:

            def priced() -> bool:
                with db.session() as s:
                    row = s.scalars(select(ChargeSession)).one()
                    return row.stopped_at is not None and current_price(s, row.id) is not None

            wait_until(priced, what="the session priced")
            with db.session() as s:
                kinds = set(s.scalars(select(Alert.kind)))
                assert str(AlertKind.CARD_DENIED) in kinds
        finally:
            db.dispose()
        log = site.engine_log()
        stop = next(line for line in log.splitlines() if "session stopped at bay B1" in line)
        assert " INFO stationmgr.activity: " in stop
        assert f"card {bay.card[2:]} (Driver 1)" in stop
        assert "kWh" in stop and "stop reason EVDisconnected" in stop

        # Another program adds a charger; SIGHUP (systemctl reload) applies it, no restart.
        sim = OpenEVSESim(PtyEndpoint(tmp_path / "evse9"), log_commands=True).start()
        try:
            assert site.cli("chargers", "add", "evse9", "--driver", "openevse", "--port",
                            str(tmp_path / "evse9"), "--bays", "B9") == 0  # fmt: skip
            assert status_polls(sim) == 0
            assert site.engine is not None
            site.engine.send_signal(signal.SIGHUP)
            wait_until(lambda: status_polls(sim) >= 3, what="the added charger polled")
            # Its failsafe too ("stop" by default; an OpenEVSE cannot go below 6 A).
            assert (sim.st.hs_interval, sim.st.hs_fallback) == (15, 6)
            assert "configuration applied: cards, chargers, readers, settings, tariffs" in (
                site.engine_log()
            )
            assert site.engine.poll() is None and site.engine_starts == 1
        finally:
            sim.stop()


def test_the_runtime_sets_each_heidelberg_boxs_own_failsafe_and_a_change_rewrites_it(
    sqlite_db: Database,
) -> None:
    """What a box does while the service is down is its own watchdog (257) and failsafe
    current (262), written at start from `offline` (stop → 0 A) and again, without a
    restart, when the setting is changed."""
    from stationmgr.clock import WarpClock
    from stationmgr.engine import EngineConfig
    from stationmgr.engine.coordinator import CoordinatorConfig
    from stationmgr.runtime import build_runtime
    from stationmgr.sim.modbus_boxes import HeidelbergBox
    from stationmgr.sim.modbus_sim import ModbusBusSim
    from stationmgr.site_setup import update_charger
    from tests.modbus_site import FAST, SIM_SETTINGS

    clock = WarpClock(20.0)
    bus = ModbusBusSim([HeidelbergBox(1), HeidelbergBox(2)], clock, FAST)
    bus.serve_tcp()
    bus.start()
    try:
        ids = {}
        with sqlite_db.session() as s:
            for slave, offline in ((1, "stop"), (2, "safe_current")):
                row = ChargerInput(f"box{slave}", "heidelberg", bus.url, (f"H{slave}",))
                row.address = slave
                row.settings = {**SIM_SETTINGS, "offline": offline, "offline_current_a": 10}
                ids[slave] = add_charger(s, row).id
        config = EngineConfig(CoordinatorConfig(poll_interval_s=0.05, backoff_min_s=0.05))
        with build_runtime(sqlite_db, clock, config=config) as rt:
            box1, box2 = bus.box(1), bus.box(2)
            # 15 s, written as 15001 ms (a box reset to its factory 15000 shows)
            wait_until(lambda: box1.holding[257] == box2.holding[257] == 15001, what="257")
            wait_until(lambda: box2.holding[262] == 100, what="262 = 10.0 A")
            assert box1.holding[262] == 0  # stop
            edited = ChargerInput("box1", "heidelberg", bus.url, ("H1",))
            edited.address = 1
            edited.settings = {**SIM_SETTINGS, "offline": "safe_current", "offline_current_a": 8}
            with sqlite_db.session() as s:
                update_charger(s, ids[1], edited)
            untouched = rt.engine.coordinators[ids[2]]
            rt.changed({"chargers"}).result(15)
            wait_until(lambda: box1.holding[262] == 80, what="box 1's new failsafe current")
            assert rt.engine.coordinators[ids[2]] is untouched and box2.holding[262] == 100
    finally:
        bus.stop()
