"""The history model pages lazily, filters, sorts and totals over a generated database;
the page exports CSV and refreshes when a session closes; the detail shows one session —
all through the site client, in-process and over a real site API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import func, insert, select

from stationmgr.cards import CardInput, add_card, holder_by_name
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession
from tests.ui_site import app_context

N = 3000
T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOLDERS = ["Anna Lindqvist", "Erik Johansson", "Nordic Taxi AB"]
REASONS = ["EVDisconnected", "Local", "Remote"]


@pytest.fixture
def history_db(sqlite_db: Database) -> Database:
    with sqlite_db.session() as s:
        c = Charger(name="c", driver="inproc", port="inproc://c")
        s.add(c)
        s.flush()
        for i in (1, 2, 3):
            s.add(Bay(charger_id=c.id, connector=i, label=f"P{i}"))
        card = add_card(s, CardInput(uid="0A1B2C3D", holder=HOLDERS[0]))
        s.flush()
        holder_ids = [holder_by_name(s, h).id for h in HOLDERS]
        rows = []
        for i in range(N):
            plugged = T0 + timedelta(minutes=37 * i)
            rows.append(
                {
                    "tx_uid": f"t{i}",
                    "bay_id": 1 + i % 3,
                    "card_id": card.id if i % 3 == 0 else None,
                    "card_uid": "0A1B2C3D" if i % 3 == 0 else None,
                    "holder_name": HOLDERS[i % 3],
                    "holder_id": holder_ids[i % 3],
                    "start_kind": "card",
                    "plugged_at": plugged,
                    "authorized_at": plugged,
                    "stopped_at": plugged + timedelta(hours=1),
                    "meter_start_wh": 0.0,
                    "meter_last_wh": float(i),
                    "segment_start_wh": 0.0,
                    "energy_wh": float(1000 + (i * 7919) % 50_000),
                    "stop_reason": REASONS[i % 3],
                    "plugged_s": 3600,
                    "charging_s": 3000,
                    "idle_s": 500,
                    "waiting_s": 100,
                }
            )
        s.execute(insert(ChargeSession), rows)
    return sqlite_db


@pytest.fixture
def model(qtbot, history_db: Database, ui_client: str) -> Iterator[object]:
    from ui.history.model import SessionTableModel

    with app_context(history_db, None, client=ui_client) as ctx:
        m = SessionTableModel(ctx)
        yield m


def wait_loaded(qtbot, m) -> None:
    qtbot.waitUntil(lambda: not m.loading and m.total is not None, timeout=20_000)


def test_pages_load_lazily(qtbot, model) -> None:
    from ui.history.model import PAGE, HistoryQuery

    model.set_query(HistoryQuery())
    wait_loaded(qtbot, model)
    assert model.rowCount() == PAGE
    assert model.total == N
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE, timeout=20_000)
    # newest first, no duplicates across pages
    ids = [r.id for r in model.rows]
    assert len(set(ids)) == len(ids)
    times = [r.plugged_at for r in model.rows]
    assert times == sorted(times, reverse=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.loading, timeout=20_000)
    assert model.rowCount() == N
    assert model.data(model.index(0, 1)) == "P" + str(1 + (N - 1) % 3)


def test_filters_match_the_database(qtbot, model, history_db: Database) -> None:
    from ui.history.model import HistoryQuery

    failures: list[str] = []
    model.failed.connect(failures.append)
    model.set_query(HistoryQuery(bay="P2", stop_reason="Local"))
    wait_loaded(qtbot, model)
    assert model.total == N // 3
    assert {r.bay for r in model.rows} == {"P2"}
    assert {r.stop_reason for r in model.rows} == {"Local"}

    model.set_query(HistoryQuery(holder="taxi"))
    wait_loaded(qtbot, model)
    assert model.total == N // 3 and all(r.holder_name == "Nordic Taxi AB" for r in model.rows)

    # a card in another spelling (reversed byte order) finds its sessions
    model.set_query(HistoryQuery(card="3D2C1B0A"))
    wait_loaded(qtbot, model)
    assert model.total == N // 3 and all(r.card_uid == "0A1B2C3D" for r in model.rows)

    model.set_query(HistoryQuery(card="FFFFFFFF"))  # unknown card: nothing, and one line
    wait_loaded(qtbot, model)
    assert model.total == 0 and model.rowCount() == 0
    qtbot.waitUntil(lambda: any("no card" in f for f in failures), timeout=20_000)

    since, until = T0 + timedelta(days=10), T0 + timedelta(days=11)
    model.set_query(HistoryQuery(since=since.isoformat(), until=until.isoformat()))
    wait_loaded(qtbot, model)
    with history_db.session() as s:
        expected = s.scalar(
            select(func.count(ChargeSession.id)).where(
                ChargeSession.plugged_at >= since, ChargeSession.plugged_at < until
            )
        )
    assert model.total == expected == model.rowCount()


def test_sort_and_totals(qtbot, model) -> None:
    from ui.history.model import COLUMNS, HistoryQuery

    totals = []
    model.totals_changed.connect(totals.append)
    model.set_query(HistoryQuery(bay="P1"))
    wait_loaded(qtbot, model)
    energy_col = [c[1] for c in COLUMNS].index("energy")
    model.sort(energy_col, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=20_000)
    energies = [r.energy_wh for r in model.rows]
    assert energies == sorted(energies, reverse=True)
    qtbot.waitUntil(lambda: len(totals) >= 2, timeout=20_000)
    t = totals[-1]
    assert t.sessions == N // 3
    assert t.plugged_s == 3600 * (N // 3)


def test_late_page_of_an_old_query_is_dropped(qtbot, model) -> None:
    from ui.history.model import HistoryQuery

    model.set_query(HistoryQuery(bay="P1"))
    model.set_query(HistoryQuery(bay="P3"))  # before the first answered
    wait_loaded(qtbot, model)
    qtbot.wait(200)
    assert {r.bay for r in model.rows} == {"P3"}


def test_period_bounds() -> None:
    from ui.history.page import period_bounds

    today = date(2026, 3, 15)
    since, until = period_bounds("today", today, (today, today))
    assert since is not None and until is not None
    assert until - since == timedelta(days=1)
    since, until = period_bounds("last_month", today, (today, today))
    assert since is not None and until is not None
    assert 27 <= (until - since).days <= 29
    assert period_bounds("all", today, (today, today)) == (None, None)
    a, b = period_bounds("custom", today, (date(2026, 3, 10), date(2026, 3, 1)))
    assert a is not None and b is not None and (b - a).days == 10


def test_history_page_and_detail_dialog(qtbot, history_db: Database, ui_client: str) -> None:
    from ui.history.detail import SessionDetailDialog
    from ui.history.page import PAGE, HistoryPage

    assert PAGE.remote
    with app_context(history_db, None, client=ui_client) as ctx:
        page = HistoryPage(ctx)
        qtbot.addWidget(page)
        page.period.setCurrentIndex(page.period.findData("all"))
        qtbot.waitUntil(lambda: page.model.total == N and page.model.rowCount() > 0, timeout=20_000)
        qtbot.waitUntil(
            lambda: (
                str(N) in page.totals.text().replace(",", "").replace("\u00a0", "").replace(" ", "")
            ),
            timeout=20_000,
        )
        qtbot.waitUntil(lambda: page.bay.count() == 4, timeout=20_000)  # all, P1..P3
        page.holder.setText("Erik")
        qtbot.waitUntil(
            lambda: page.model.total == N // 3 and page.model.rowCount() > 0, timeout=20_000
        )
        dlg = SessionDetailDialog(ctx, page.model.session_id(0), page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        assert dlg.detail.session.holder_name == "Erik Johansson"

        missing = SessionDetailDialog(ctx, 10 * N, page)  # one line, no traceback
        qtbot.addWidget(missing)
        qtbot.waitUntil(lambda: "no session" in missing.body.text(), timeout=20_000)


def test_history_csv_export_is_made_by_the_site_and_saved_here(
    qtbot, history_db: Database, ui_client: str, tmp_path
) -> None:
    import csv

    from stationmgr.store.models import AuditEntry
    from ui.history.page import HistoryPage

    with app_context(history_db, None, client=ui_client) as ctx:
        page = HistoryPage(ctx)
        qtbot.addWidget(page)
        page.period.setCurrentIndex(page.period.findData("all"))
        page.holder.setText("taxi")
        page.apply()
        qtbot.waitUntil(lambda: page.model.total == N // 3, timeout=20_000)
        out = tmp_path / "sessions.csv"
        page.export_csv(str(out))
        qtbot.waitUntil(lambda: "Saved" in page.status.text(), timeout=30_000)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == N // 3 and {r["holder"] for r in rows} == {"Nordic Taxi AB"}
    with history_db.session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "sessions.export"))
    assert entry is not None and f"{N // 3} rows" in (entry.detail or "")


def test_a_closed_session_appears_without_asking(
    qtbot, sqlite_db: Database, ui_client: str
) -> None:
    from stationmgr.sim.ev import EV
    from tests.ui_site import CARD, HOLDER, live_site
    from ui.history.page import HistoryPage

    with (
        live_site(sqlite_db, bays=1) as site,
        app_context(sqlite_db, site.runtime, client=ui_client) as ctx,
    ):
        page = HistoryPage(ctx)
        qtbot.addWidget(page)
        page.show()
        page.period.setCurrentIndex(page.period.findData("all"))
        qtbot.waitUntil(lambda: page.model.total == 0 and not page.model.loading, timeout=20_000)
        qtbot.waitUntil(lambda: ctx.site.connected, timeout=20_000)
        p1 = site.bay_ids["P1"]
        conn = site.devices["P1"].connectors[0]
        conn.plug(EV(soc=0.3), site.engine.clock.now())
        site.engine.present_card(CARD, p1).result(10)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=30_000)
        assert page.model.rows[0].holder_name == HOLDER and page.model.rows[0].stopped_at is None
        conn.unplug(site.engine.clock.now())
        qtbot.waitUntil(
            lambda: page.model.rowCount() == 1 and page.model.rows[0].stopped_at is not None,
            timeout=30_000,
        )


def test_a_site_that_goes_away_keeps_the_rows_and_says_so(qtbot, history_db: Database) -> None:
    """Remote only: a site service that stops exists only over the network."""
    from stationmgr.client.remote import RemoteClient
    from stationmgr.clock import WarpClock
    from stationmgr.runtime import build_runtime
    from stationmgr.service.server import Listen, SiteServer
    from ui.app import close_context
    from ui.context import AppContext
    from ui.history.page import HistoryPage
    from ui.sitebridge import SiteBridge
    from ui.worker import Worker

    with build_runtime(history_db, WarpClock(1.0)) as runtime:
        server = SiteServer(history_db, runtime.engine, Listen("127.0.0.1", 0, False))
        client = RemoteClient(server.start())
        ctx = AppContext(None, None, Worker(), actor="owner", client=client)
        ctx.site = SiteBridge(client).start()
        try:
            page = HistoryPage(ctx)
            qtbot.addWidget(page)
            page.period.setCurrentIndex(page.period.findData("all"))
            qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=20_000)
            qtbot.waitUntil(lambda: ctx.site.connected, timeout=20_000)
            shown = page.model.rowCount()
            server.stop()
            qtbot.waitUntil(lambda: "cannot be reached" in page.status.text(), timeout=20_000)
            page.model.refresh()  # asks again: one line, the rows stay
            qtbot.waitUntil(lambda: "cannot reach" in page.status.text(), timeout=20_000)
            assert page.model.rowCount() == shown and "\n" not in page.status.text()
        finally:
            close_context(ctx)
            server.stop()


def test_a_running_session_s_energy_moves_on_without_refresh(
    qtbot, sqlite_db: Database, ui_client: str
) -> None:
    """Review finding 17: the row of a running session follows the bay's live energy."""
    from stationmgr.sim.ev import EV
    from tests.ui_site import CARD, live_site
    from ui.history.model import COLUMNS
    from ui.history.page import HistoryPage

    with (
        live_site(sqlite_db, bays=1) as site,
        app_context(sqlite_db, site.runtime, client=ui_client) as ctx,
    ):
        page = HistoryPage(ctx)
        qtbot.addWidget(page)
        page.show()
        page.period.setCurrentIndex(page.period.findData("all"))
        qtbot.waitUntil(lambda: ctx.site.connected, timeout=20_000)
        conn = site.devices["P1"].connectors[0]
        conn.plug(EV(soc=0.3), site.engine.clock.now())
        site.engine.present_card(CARD, site.bay_ids["P1"]).result(10)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=30_000)
        first = page.model.rows[0].energy_wh
        page.model.refresh = lambda: None  # no re-read: only the live snapshots may move it
        col = [c[1] for c in COLUMNS].index("energy")
        shown = page.model.data(page.model.index(0, col))
        qtbot.waitUntil(lambda: page.model.rows[0].energy_wh > first + 50, timeout=30_000)
        assert page.model.rows[0].stopped_at is None
        qtbot.waitUntil(lambda: page.model.data(page.model.index(0, col)) != shown, timeout=30_000)
        conn.unplug(site.engine.clock.now())
