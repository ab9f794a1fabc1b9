"""The bay's read model: the snapshot carries every fact the board shows (out of order,
pending card, idle since, charging time, cost so far), from one definition in the core;
`ui/board/state.tile_content` describes a tile from the snapshot alone (no Qt, no engine).

Before, the board read `engine.bays` for out of order and the running transaction's
tariff facts, and re-derived "idle since" itself from two consecutive snapshots."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from stationmgr import sessions as sm
from stationmgr.billing.live import LiveCost, LiveEstimates, install_live_cost
from stationmgr.billing.pricing import estimate_cost
from stationmgr.billing.tariffs import TariffInput, add_tariff, versions_for
from stationmgr.drivers.api import ConnectorReading
from stationmgr.events import BaySnapshot
from stationmgr.ocpp_words import AuthStatus, BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from tests.site import build_site, running, wait_for
from ui.board.state import Who, tile_content

CARD = "0A1B2C3D"
CFG = sm.SessionConfig(card_window_s=60, idle_after_s=300, sample_interval_s=10)
ANNA = sm.Authorization(AuthStatus.ACCEPTED, card_id=7, card_uid=CARD, holder_name="Anna")


def _r(plugged: bool, energy: float, power: float = 0.0) -> sm.Observed:
    return sm.Observed(
        ConnectorReading(
            plugged=plugged, charging=power > 0, allowed=True, energy_wh=energy, power_w=power
        )
    )


def test_a_session_ended_with_the_car_plugged_is_idle_since_its_last_flow() -> None:
    bay, t = sm.BayState(bay_id=1), 1000.0

    def at(dt: float, ev: sm.Event) -> None:
        nonlocal bay, t
        t += dt
        bay = sm.step(bay, ev, t, CFG).bay

    at(0, _r(False, 0))
    at(5, _r(True, 0))
    at(5, sm.CardPresented(ANNA))
    start = t
    for wh in range(100, 1001, 100):
        at(10, _r(True, wh, 7000))
    last_flow = t
    assert bay.charging_s(t) == last_flow - (start + 10)  # since the first reading that flowed
    at(60, _r(True, 1000, 0))  # the car takes nothing more
    at(30, sm.RemoteStop("maria", "stopped by attendant"))
    assert bay.tx is None and bay.status is BayStatus.FINISHING
    assert bay.finished is not None and bay.idle_since == bay.finished.idle_since
    assert bay.idle_since is not None and bay.idle_since <= last_flow + 60
    charged = bay.charging_s(t)
    assert charged is not None and charged > 0
    at(30, _r(False, 1000))  # unplugged: nothing idles here any more
    assert bay.finished is None and bay.idle_since is None and bay.charging_s(t) is None


def _snap(**kw: object) -> BaySnapshot:
    base = BaySnapshot(
        bay_id=1, label="P1", status=BayStatus.AVAILABLE, at=1000.0, plugged_at=None,
        power_w=None, energy_wh=None, tx_uid=None, holder_name=None, card_uid=None,
        charging_started_at=None, charging_ended_at=None, authorized_at=None, fault=None,
        online=True,
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def test_tile_content_from_the_snapshot_alone() -> None:
    charging = _snap(
        status=BayStatus.CHARGING, plugged_at=900.0, tx_uid="1-900", holder_name="Anna",
        card_uid=CARD, power_w=7000.0, energy_wh=1200.0, charging_s=60.0, cost_minor=1234,
        currency="SEK", expected_end=5000.0,
    )  # fmt: skip
    c = tile_content(charging, 1010.0)
    assert (c.who, c.holder, c.card) == (Who.HOLDER, "Anna", CARD)
    assert c.figures.charging_s == 70.0 and c.figures.plugged_s == 110.0  # runs on from `at`
    assert (c.cost_minor, c.expected_end, c.running, c.blocking) == (1234, 5000.0, True, False)
    ended = _snap(status=BayStatus.FINISHING, plugged_at=900.0, idle_since=950.0, charging_s=40.0)
    c = tile_content(ended, 1010.0)
    assert c.who is Who.ENDED and c.blocking and not c.running
    assert c.figures.idle_s == 60.0 and c.figures.charging_s == 40.0  # no longer counts up
    pending = _snap(pending_card=CARD, pending_holder="Anna")
    c = tile_content(pending, 1010.0)
    assert (c.who, c.card, c.holder) == (Who.PENDING, CARD, "Anna")
    ooo = _snap(status=BayStatus.UNAVAILABLE, out_of_order=True)
    c = tile_content(ooo, 1010.0)
    assert c.out_of_order and not c.usable


def test_the_engine_snapshot_carries_the_whole_read_model(sqlite_db: Database) -> None:
    devs = build_site(sqlite_db, chargers=2, cards=(CARD,))
    with sqlite_db.session() as s:
        add_tariff(
            s,
            TariffInput(
                name="Bas", valid_from=datetime(2026, 1, 1, tzinfo=UTC), energy_minor_per_kwh=400,
                start_fee_minor=500,
            ),
        )  # fmt: skip
        terms = versions_for(s, None, False)
    with running(sqlite_db) as engine:
        install_live_cost(engine)
        assert any(isinstance(e, LiveCost) for e in engine._enrichers)
        bay = {b.label: b.bay_id for b in engine.bay_info.values()}
        p1, p2 = bay["P1"], bay["P2"]
        # out of order, in the snapshot (the board read engine.bays for it)
        engine.set_out_of_order(p2, True, "maria").result(10)
        assert engine.snapshot(p2).out_of_order
        # a card tapped before the car: pending, in the snapshot
        engine.present_card(CARD, p1).result(10)
        snap = engine.snapshot(p1)
        assert snap.pending_card == CARD and snap.pending_holder == "Holder 3D"
        assert tile_content(snap, snap.at).who is Who.PENDING
        conn = devs[0].connectors[0]
        conn.plug(EV(capacity_wh=60_000, soc=0.2), engine.clock.now())
        wait_for(lambda: (engine.snapshot(p1).energy_wh or 0) > 50, what="energy flowing")
        # the cost so far is the core's pure estimate of that very transaction
        tx = engine.bays[p1].tx
        assert tx is not None
        snap = engine.snapshot(p1)
        expected = estimate_cost(engine.bays[p1].tx, terms, snap.at).total_minor  # type: ignore[arg-type]
        assert snap.cost_minor is not None and snap.cost_minor >= 500
        assert abs(snap.cost_minor - expected) <= 1  # the meter may move in between
        assert snap.currency == "SEK" and snap.charging_s is not None
        # a re-tap ends the session, the car stays: idle since its last flow
        engine.present_card(CARD, p1).result(10)
        wait_for(lambda: engine.bays[p1].tx is None, what="session stopped")
        snap = engine.snapshot(p1)
        assert snap.finished_tx_uid == tx.uid and snap.status is BayStatus.FINISHING
        assert snap.idle_since is not None and snap.cost_minor is None
        c = tile_content(snap, snap.at)
        assert c.who is Who.ENDED and c.blocking


def test_no_tariff_no_figure(sqlite_db: Database) -> None:
    """A scope without a tariff shows no cost (not a zero the driver would believe)."""
    cost = LiveCost(LiveEstimates(sqlite_db))
    tx = sm.Transaction("1-1", 1, ANNA, 0.0, 0.0, 0.0, 100.0, 0.0)
    bay = sm.BayState(bay_id=1, tx=tx)
    snap = _snap(tx_uid="1-1")
    assert cost(snap, bay).cost_minor is None


def test_a_failing_enricher_leaves_the_bays_own_facts(sqlite_db: Database, caplog) -> None:  # type: ignore[no-untyped-def]
    build_site(sqlite_db, chargers=1, cards=(CARD,))
    with running(sqlite_db) as engine:
        bay_id = next(iter(engine.bay_info))

        def broken(snap: BaySnapshot, bay: sm.BayState) -> BaySnapshot:
            raise RuntimeError("tariffs unreadable")

        engine.add_snapshot_enricher(broken)
        first = engine.snapshot(bay_id)
        engine.snapshot(bay_id)
        assert first.bay_id == bay_id and first.cost_minor is None
    assert sum("snapshot enricher" in r.getMessage() for r in caplog.records) == 1
