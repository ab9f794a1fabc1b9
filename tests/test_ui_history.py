"""The history model pages lazily, filters, sorts and totals over a generated database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import func, insert, select

from stationmgr.cards import CardInput, add_card, holder_by_name
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession
from stationmgr.store.queries import SessionFilter
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
def model(qtbot, history_db: Database) -> Iterator[object]:
    from ui.history.model import SessionTableModel

    with app_context(history_db, None) as ctx:
        m = SessionTableModel(ctx)
        yield m


def wait_loaded(qtbot, m) -> None:
    qtbot.waitUntil(lambda: not m.loading and m.total is not None, timeout=10_000)


def test_pages_load_lazily(qtbot, model) -> None:
    from ui.history.model import PAGE, HistoryQuery

    model.set_query(HistoryQuery())
    wait_loaded(qtbot, model)
    assert model.rowCount() == PAGE
    assert model.total == N
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE, timeout=10_000)
    # newest first, no duplicates across pages
    ids = [r.id for r in model.rows]
    assert len(set(ids)) == len(ids)
    times = [r.plugged_at for r in model.rows]
    assert times == sorted(times, reverse=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    assert model.rowCount() == N
    assert model.data(model.index(0, 1)) == "P" + str(1 + (N - 1) % 3)


def test_filters_match_the_database(qtbot, model, history_db: Database) -> None:
    from ui.history.model import HistoryQuery

    f = SessionFilter(bay_id=2, stop_reason="Local")
    model.set_query(HistoryQuery(f))
    wait_loaded(qtbot, model)
    assert model.total == N // 3
    assert {r.bay for r in model.rows} == {"P2"}
    assert {r.stop_reason for r in model.rows} == {"Local"}

    model.set_query(HistoryQuery(SessionFilter(holder_name="taxi")))
    wait_loaded(qtbot, model)
    assert model.total == N // 3 and all(r.holder == "Nordic Taxi AB" for r in model.rows)

    # a card in another spelling (reversed byte order) finds its sessions
    model.set_query(HistoryQuery(card_text="3D2C1B0A"))
    wait_loaded(qtbot, model)
    assert model.total == N // 3 and all(r.card == "0A1B2C3D" for r in model.rows)

    model.set_query(HistoryQuery(card_text="FFFFFFFF"))  # unknown card: nothing, no error
    wait_loaded(qtbot, model)
    assert model.total == 0 and model.rowCount() == 0

    since, until = T0 + timedelta(days=10), T0 + timedelta(days=11)
    model.set_query(HistoryQuery(SessionFilter(since=since, until=until)))
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
    model.set_query(HistoryQuery(SessionFilter(bay_id=1)))
    wait_loaded(qtbot, model)
    energy_col = [c[1] for c in COLUMNS].index("energy")
    model.sort(energy_col, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10_000)
    energies = [r.energy_wh for r in model.rows]
    assert energies == sorted(energies, reverse=True)
    qtbot.waitUntil(lambda: len(totals) >= 2, timeout=10_000)
    t = totals[-1]
    assert t.sessions == N // 3
    assert t.plugged_s == 3600 * (N // 3)


def test_late_page_of_an_old_query_is_dropped(qtbot, model) -> None:
    from ui.history.model import HistoryQuery

    model.set_query(HistoryQuery(SessionFilter(bay_id=1)))
    model.set_query(HistoryQuery(SessionFilter(bay_id=3)))  # before the first answered
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


def test_history_page_and_detail_dialog(qtbot, history_db: Database) -> None:
    from ui.history.detail import SessionDetailDialog
    from ui.history.page import HistoryPage

    with app_context(history_db, None) as ctx:
        page = HistoryPage(ctx)
        qtbot.addWidget(page)
        page.period.setCurrentIndex(page.period.findData("all"))
        qtbot.waitUntil(lambda: page.model.total == N and page.model.rowCount() > 0, timeout=10_000)
        qtbot.waitUntil(
            lambda: (
                str(N) in page.totals.text().replace(",", "").replace("\u00a0", "").replace(" ", "")
            ),
            timeout=10_000,
        )
        page.holder.setText("Erik")
        qtbot.waitUntil(
            lambda: page.model.total == N // 3 and page.model.rowCount() > 0, timeout=10_000
        )
        dlg = SessionDetailDialog(ctx, page.model.session_id(0), page)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=10_000)
        assert dlg.detail.row.holder_name == "Erik Johansson"
