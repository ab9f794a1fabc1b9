"""The bay board follows a real engine (in-process chargers, warped clock), and the
attendant's actions reach the engine and come back without blocking the GUI thread —
through the in-process client and through a real site API on loopback alike (`ui_client`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from stationmgr.errors import UserError
from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import ChargeSession, Fault
from tests.access_site import audit_entries
from tests.ui_site import CARD, HOLDER, LiveSite, app_context, live_site

pytest.importorskip("pytestqt")


@pytest.fixture
def site(sqlite_db: Database) -> Iterator[LiveSite]:
    with live_site(sqlite_db, bays=3) as s:
        yield s


@pytest.fixture
def board(qtbot, sqlite_db: Database, site: LiveSite, ui_client: str):
    from ui.board.page import BoardPage

    with app_context(sqlite_db, site.runtime, client=ui_client) as ctx:
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
    # through the core service: one audit entry (the old raw UPDATE wrote none)
    (entry,) = audit_entries(sqlite_db, action="faults.acknowledge")
    assert entry.operator == "owner" and entry.target == f"bay {bay}"


def test_refused_action_reports_failure_not_exception(board, site: LiveSite, qtbot) -> None:
    failed: list[str] = []
    board.actions_.failed.connect(failed.append)
    assert board.actions_.start_guest(9999, None, reason="x") is False
    assert failed and "9999" in failed[0]


def test_a_charger_removed_while_running_leaves_the_board(qtbot, board, site: LiveSite) -> None:
    """No restart: the board drops the bay when the site applies the change."""
    from stationmgr.site_setup import remove_charger

    qtbot.waitUntil(lambda: len(board.grid.order) == 3, timeout=10_000)
    gone = site.bay_ids["P2"]
    with site.runtime.db.session() as s:
        assert remove_charger(s, site.engine.bay_info[gone].charger_id) == "removed"
    assert gone in board.views
    site.runtime.changed({"chargers"}).result(15)
    qtbot.waitUntil(lambda: gone not in board.views, timeout=10_000)
    assert [board.views[b].snap.label for b in board.grid.order] == ["P1", "P3"]


def test_panel_shows_the_snapshots_cost_and_the_ended_session(
    qtbot, board, site: LiveSite, sqlite_db: Database
) -> None:
    """The cost so far comes from the bay's snapshot (the core's LiveCost enricher), and a
    session stopped with the car still plugged reads the same on tile and panel."""
    from datetime import UTC, datetime

    from stationmgr.billing.tariffs import TariffInput, add_tariff
    from ui.board.tiles import who_text

    with sqlite_db.session() as s:
        add_tariff(
            s,
            TariffInput(
                name="Bas", valid_from=datetime(2020, 1, 1, tzinfo=UTC), start_fee_minor=500
            ),
        )
    site.runtime.changed({"tariffs"}).result(15)
    bay = site.bay_ids["P3"]
    clock = site.engine.clock
    site.devices["P3"].connectors[0].plug(EV(soc=0.3), clock.now())
    qtbot.waitUntil(lambda: status(board, site, "P3") is BayStatus.PREPARING, timeout=10_000)
    site.engine.present_card(CARD, bay).result(10)
    board.grid.select(bay)
    view = board.views[bay]
    qtbot.waitUntil(lambda: (view.snap.cost_minor or 0) >= 500, timeout=10_000)
    qtbot.waitUntil(lambda: "5" in board.panel.fields["cost"].text(), timeout=5000)
    site.engine.present_card(CARD, bay).result(10)  # the re-tap stops; the car stays
    qtbot.waitUntil(lambda: status(board, site, "P3") is BayStatus.FINISHING, timeout=10_000)
    assert view.snap.idle_since is not None and view.snap.cost_minor is None
    qtbot.waitUntil(lambda: board.panel.fields["who"].text() == "Session ended", timeout=5000)
    assert who_text(view.content(clock.now())) == board.grid._who(view) == "Session ended"


def test_day_curves_and_fault_log_come_through_the_client(
    qtbot, board, site: LiveSite, sqlite_db: Database
) -> None:
    """The selected bay's stored samples and the site's power reach the curves over the
    client (no database in the window); the fault log and its acknowledgement too."""
    from stationmgr.client import models as m

    bay = site.bay_ids["P1"]
    clock = site.engine.clock
    site.devices["P1"].connectors[0].plug(EV(soc=0.3), clock.now())
    qtbot.waitUntil(lambda: status(board, site, "P1") is BayStatus.PREPARING, timeout=15_000)
    site.engine.present_card(CARD, bay).result(10)
    qtbot.waitUntil(lambda: (board.views[bay].snap.energy_wh or 0) > 0, timeout=15_000)
    qtbot.waitUntil(lambda: board.curves is not None, timeout=15_000)
    client = board.ctx.client

    def stored() -> bool:
        site.engine.drain()
        return bool(client.bay_day(bay, "2000-01-01T00:00:00+00:00").traces)

    qtbot.waitUntil(stored, timeout=20_000)
    board._select(bay)
    qtbot.waitUntil(lambda: len(board.curves.hist_power.getData()[0] or []) > 0, timeout=15_000)
    power = client.site_power("2000-01-01T00:00:00+00:00")
    assert bay in {b.bay_id for b in power.bays}
    board._load_site_day()
    qtbot.waitUntil(lambda: board.curves.hist_site.getData()[0] is not None, timeout=15_000)

    site.devices["P1"].connectors[0].fault = "GFCI"
    qtbot.waitUntil(lambda: status(board, site, "P1") is BayStatus.FAULTED, timeout=15_000)

    def logged() -> list[m.FaultRow]:
        site.engine.drain()
        return client.faults(m.FaultQuery(bay_id=bay, unacknowledged=True))

    qtbot.waitUntil(lambda: bool(logged()), timeout=15_000)
    (row,) = logged()
    assert row.code == "GFCI" and row.bay == "P1"
    done = client.acknowledge_faults(m.FaultAcknowledge(fault_ids=[row.id], operator="owner"))
    assert done.fault_ids == [row.id]
    assert not client.faults(m.FaultQuery(bay_id=bay, unacknowledged=True))
    with pytest.raises(UserError, match="one of the two"):
        client.acknowledge_faults(m.FaultAcknowledge(operator="owner"))


def test_a_charger_that_stops_answering_is_named_without_link_details(
    board, site: LiveSite, qtbot
) -> None:
    """The status bar says which charger went silent, in words: the link's detail (port,
    registers, timeouts) belongs to the Chargers page (review finding 19)."""
    alerts: list[tuple[str, str]] = []
    board.alert.connect(lambda t, x: alerts.append((t, x)))
    site.devices["P1"].silent = True
    qtbot.waitUntil(lambda: any(t == "Charger does not answer" for t, _x in alerts), timeout=20_000)
    ((_title, text),) = [a for a in alerts if a[0] == "Charger does not answer"][:1]
    assert "vc1-" in text and ":" not in text and "inproc" not in text
