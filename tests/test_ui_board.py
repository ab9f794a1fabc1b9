"""The bay board follows a real engine (in-process chargers, warped clock), and the
attendant's actions reach the engine and come back without blocking the GUI thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import ChargeSession, Fault
from tests.ui_site import CARD, HOLDER, LiveSite, app_context, live_site

pytest.importorskip("pytestqt")


@pytest.fixture
def site(sqlite_db: Database) -> Iterator[LiveSite]:
    with live_site(sqlite_db, bays=3) as s:
        yield s


@pytest.fixture
def board(qtbot, sqlite_db: Database, site: LiveSite):
    from ui.board.page import BoardPage

    with app_context(sqlite_db, site.engine) as ctx:
        page = BoardPage(ctx)
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        yield page
        page.shutdown()


def status(page, site: LiveSite, label: str) -> BayStatus | None:
    v = page.views.get(site.bay_ids[label])
    return v.snap.status if v else None


def test_tiles_follow_plug_card_charge_unplug(qtbot, board, site: LiveSite) -> None:
    qtbot.waitUntil(lambda: status(board, site, "P1") is BayStatus.AVAILABLE, timeout=10_000)
    assert len(board.grid.order) == 3
    clock = site.engine.clock
    site.devices["P1"].connectors[0].plug(EV(soc=0.3), clock.now())
    qtbot.waitUntil(lambda: status(board, site, "P1") is BayStatus.PREPARING, timeout=10_000)

    site.engine.present_card(CARD, site.bay_ids["P1"]).result(10)
    qtbot.waitUntil(lambda: status(board, site, "P1") is BayStatus.CHARGING, timeout=10_000)
    view = board.views[site.bay_ids["P1"]]
    assert view.snap.holder_name == HOLDER
    qtbot.waitUntil(lambda: (view.snap.energy_wh or 0) > 0, timeout=10_000)
    f1 = view.figures(clock.now())
    assert f1.power_w and f1.power_w > 1000
    assert f1.plugged_s is not None and f1.charging_s is not None

    # The panel shows the selected bay; the curves got live points for it.
    board.grid.select(site.bay_ids["P1"])
    qtbot.waitUntil(lambda: board.panel.fields["who"].text().startswith(HOLDER), timeout=5000)
    assert board.panel.stop_btn.isEnabled() and not board.panel.guest_btn.isEnabled()
    ring = lambda: board.buffers.bays.get(site.bay_ids["P1"])  # noqa: E731
    qtbot.waitUntil(lambda: ring() is not None and ring().n >= 2, timeout=5000)
    assert board.grid.grab().width() > 0  # the painted grid renders

    site.devices["P1"].connectors[0].unplug(clock.now())
    qtbot.waitUntil(lambda: status(board, site, "P1") is BayStatus.AVAILABLE, timeout=10_000)
    assert board.views[site.bay_ids["P1"]].snap.tx_uid is None


def test_timers_run_on_between_snapshots(board, site: LiveSite, qtbot) -> None:
    clock = site.engine.clock
    site.devices["P2"].connectors[0].plug(EV(soc=0.5), clock.now())
    qtbot.waitUntil(lambda: status(board, site, "P2") is BayStatus.PREPARING, timeout=10_000)
    view = board.views[site.bay_ids["P2"]]
    a = view.figures(view.snap.at).plugged_s
    b = view.figures(view.snap.at + 90).plugged_s
    assert a is not None and b is not None and b - a == pytest.approx(90)


def test_guest_start_stop_and_out_of_order(
    board, site: LiveSite, qtbot, sqlite_db: Database
) -> None:
    bay = site.bay_ids["P3"]
    clock = site.engine.clock
    site.devices["P3"].connectors[0].plug(EV(soc=0.4), clock.now())
    qtbot.waitUntil(lambda: status(board, site, "P3") is BayStatus.PREPARING, timeout=10_000)
    done: list[str] = []
    board.actions_.done.connect(done.append)

    # No reason, no session (and no dialog without a parent to show it on).
    assert board.actions_.start_guest(bay, None, reason="   ") is False
    assert board.actions_.start_guest(bay, None, reason="driver forgot the card")
    qtbot.waitUntil(lambda: status(board, site, "P3") is BayStatus.CHARGING, timeout=10_000)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    site.engine.drain()
    with sqlite_db.session() as s:
        row = s.scalar(select(ChargeSession).where(ChargeSession.bay_id == bay))
        assert row is not None
        assert row.start_kind == "guest"
        assert row.guest_reason == "driver forgot the card"

    assert board.actions_.stop_session(bay, None, confirm=False)
    qtbot.waitUntil(lambda: status(board, site, "P3") is BayStatus.FINISHING, timeout=10_000)
    site.engine.drain()
    with sqlite_db.session() as s:
        row = s.scalar(select(ChargeSession).where(ChargeSession.bay_id == bay))
        assert row is not None and row.stop_reason == "Remote"

    assert board.actions_.set_out_of_order(bay, True, None)
    qtbot.waitUntil(lambda: status(board, site, "P3") is BayStatus.UNAVAILABLE, timeout=10_000)
    board.grid.select(bay)
    qtbot.waitUntil(lambda: "service" in board.panel.ooo_btn.text(), timeout=5000)
    assert not board.panel.guest_btn.isEnabled()
    assert board.actions_.set_out_of_order(bay, False, None)
    qtbot.waitUntil(lambda: status(board, site, "P3") is not BayStatus.UNAVAILABLE, timeout=10_000)


def test_fault_badge_and_acknowledge(board, site: LiveSite, qtbot, sqlite_db: Database) -> None:
    bay = site.bay_ids["P2"]
    alerts: list[tuple[str, str]] = []
    board.alert.connect(lambda t, x: alerts.append((t, x)))
    site.devices["P2"].connectors[0].fault = "GFCI"
    qtbot.waitUntil(lambda: status(board, site, "P2") is BayStatus.FAULTED, timeout=10_000)
    qtbot.waitUntil(lambda: any("GFCI" in x for _t, x in alerts), timeout=5000)
    board.grid.select(bay)
    qtbot.waitUntil(lambda: board.panel.ack_btn.isEnabled(), timeout=5000)
    failed: list[str] = []
    board.actions_.failed.connect(failed.append)
    done: list[str] = []
    board.actions_.done.connect(done.append)
    assert board.actions_.acknowledge(bay, None)
    qtbot.waitUntil(lambda: bool(done or failed), timeout=10_000)
    assert not failed
    with sqlite_db.session() as s:
        f = s.scalar(select(Fault).where(Fault.bay_id == bay))
        assert f is not None and f.acknowledged_by == "owner" and f.acknowledged_at is not None


def test_refused_action_reports_failure_not_exception(board, site: LiveSite, qtbot) -> None:
    failed: list[str] = []
    board.actions_.failed.connect(failed.append)
    assert board.actions_.start_guest(9999, None, reason="x") is False
    assert failed and "9999" in failed[0]
