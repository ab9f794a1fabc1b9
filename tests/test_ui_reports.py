"""The reports pages under pytest-qt, through the site client (in-process and over a real
site API on loopback): the capacity view draws the hand-computed report (heat-map image,
bars, tables) and saves the PDF the site made; the alerts list shows an alert the live
engine raised, acknowledges it (audited), and the rotation hint names the free bay first."""

from __future__ import annotations

import gc
import subprocess
from contextlib import contextmanager
from datetime import date

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtGui import QPalette
from sqlalchemy import select

from stationmgr.alerts.rules import AlertConfig
from stationmgr.sessions import SessionConfig
from stationmgr.sim.ev import EV
from stationmgr.store.alert_models import Alert
from stationmgr.store.models import AuditEntry
from tests.alerts_site import build_site, running_site, sim_sleep
from tests.test_capacity import build_hand_set
from tests.ui_site import app_context as _app_context
from ui.reports.alerts_page import AlertsPage, AlertsWidget
from ui.reports.capacity_page import CapacityPage, range_for


@pytest.fixture
def site(sqlite_db):  # type: ignore[no-untyped-def]
    """The hand-computed data set of test_capacity."""
    return build_hand_set(sqlite_db)


@contextmanager
def app_context(db, engine, client="local"):  # type: ignore[no-untyped-def]
    """The pages' context, torn down at once: the worker's QObjects are deleted here rather
    than by the interpreter's last garbage collection, where PySide6 has been seen to crash
    (after the board tests) when leftover QObjects are freed in arbitrary order."""
    with _app_context(db, engine, client=client) as ctx:
        yield ctx
        worker = ctx.worker
    worker.deleteLater()
    del ctx, worker
    QCoreApplication.processEvents()
    gc.collect()


def sign_in(ctx, role):  # type: ignore[no-untyped-def]
    """Sign the window in through its client (as the login window does)."""
    from tests.access_site import PASSWORDS, USERS

    ctx.operator = ctx.client.login(USERS[role], PASSWORDS[role])
    ctx.actor = ctx.operator.username


def test_capacity_page_draws_the_report_and_exports_a_pdf(qtbot, site, tmp_path, ui_client) -> None:  # type: ignore[no-untyped-def]
    from ui.reports.capacity_page import PAGE

    assert PAGE.remote
    with app_context(site, None, ui_client) as ctx:
        page = CapacityPage(ctx)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.loads >= 1, timeout=10_000)
        loads = page.loads
        page.range.setCurrentIndex(page.range.findData("custom"))
        page.first.setDate(QDate(2026, 3, 2))
        page.last.setDate(QDate(2026, 3, 3))
        page.show_btn.click()
        qtbot.waitUntil(lambda: page.loads > loads, timeout=10_000)
        rep = page.report
        assert rep is not None and rep.first_day == "2026-03-02"

        # Heat-map: image[x = hour, y = weekday]; Monday 09:00 is 75 % occupied.
        img = page.heat.image
        assert img.shape == (24, 7)
        assert img[9, 0] == pytest.approx(75) and img[8, 0] == pytest.approx(50)  # percent
        assert page.heat_scale.levels() == (0.0, 100.0)  # with its scale beside it
        # The charts are drawn in the window's colours, not on black panels.
        base = page.palette().color(QPalette.ColorRole.Base)
        for plot in (page.heat_plot, page.day_plot, page.bay_plot):
            assert plot.backgroundBrush().color() == base
        assert np.count_nonzero(img[:, 2:]) == 0

        # Bars: sessions per day, and the stacked per-bay shares.
        assert list(page.day_bars.opts["height"]) == [3.0, 2.0]
        assert page.bay_charging.opts["height"][0] == pytest.approx(4_800 / 172_800 * 100)
        assert page.bay_idle.opts["y0"][1] == pytest.approx(10_800 / 172_800 * 100)

        # Tables.
        cells = [
            [page.bays_table.item(r, c).text() for c in range(page.bays_table.columnCount())]
            for r in range(page.bays_table.rowCount())
        ]
        assert cells[0] == ["P1", "2", "13.0", "5.2", "2.8", "2.4", "1:15"]
        groups = {page.groups_table.item(r, 0).text() for r in range(page.groups_table.rowCount())}
        assert groups == {"Staff", "no group"}
        assert page.idle_table.item(0, 0).text() == "P2"

        out = tmp_path / "cap.pdf"
        page.export_pdf(str(out))
        qtbot.waitUntil(lambda: out.exists(), timeout=15_000)
        text = subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Capacity report 2026-03-02 – 2026-03-03" in text


def test_capacity_pdf_is_an_export_the_attendant_may_not_take(
    qtbot, site, tmp_path, ui_client
) -> None:  # type: ignore[no-untyped-def]
    """`stationmgr report` needs `sessions.export`; the page's PDF now does too (audited)."""
    from stationmgr.access.roles import Role
    from tests.access_site import add_staff, audit_entries

    add_staff(site)
    with app_context(site, None, ui_client) as ctx:
        sign_in(ctx, Role.ATTENDANT)
        page = CapacityPage(ctx)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.report is not None, timeout=20_000)  # reading is fine
        out = tmp_path / "cap.pdf"
        page.export_pdf(str(out))
        qtbot.waitUntil(lambda: "may not" in page.status.text(), timeout=20_000)
        assert "\n" not in page.status.text()
        assert not out.exists()
    (entry,) = audit_entries(site, action="sessions.export")
    assert entry.operator == "arne" and entry.outcome == "denied"


def test_range_shortcuts() -> None:
    assert range_for("7d", date(2026, 3, 10)) == (date(2026, 3, 4), date(2026, 3, 10))
    assert range_for("last_month", date(2026, 3, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert range_for("month", date(2026, 3, 10)) == (date(2026, 3, 1), date(2026, 3, 10))


def test_alerts_page_live_raise_acknowledge_and_rotation_hint(qtbot, sqlite_db, ui_client) -> None:  # type: ignore[no-untyped-def]
    from stationmgr.access.roles import Role
    from tests.access_site import add_staff
    from ui.reports.alerts_page import PAGE

    assert PAGE.remote
    db = sqlite_db
    devs = build_site(db, ["A1", "A2"], {"04CC0001": "Cleo"})
    add_staff(db)
    session = SessionConfig(idle_after_s=60)
    with running_site(db, 30.0, session) as (runtime, clock):
        engine, monitor = runtime.engine, runtime.alerts
        assert monitor is not None
        monitor.config = AlertConfig(card_denied_count=2, card_denied_window_min=30)
        bay = {b.label: b.bay_id for b in engine.bay_info.values()}
        with app_context(db, runtime, ui_client) as ctx:
            sign_in(ctx, Role.OWNER)
            page = AlertsPage(ctx)
            qtbot.addWidget(page)
            widget: AlertsWidget = page.alerts
            qtbot.waitUntil(lambda: widget.loads >= 1, timeout=20_000)
            assert widget.model.rowCount() == 0
            qtbot.waitUntil(lambda: ctx.site.connected, timeout=30_000)  # live events

            # A1 charges (an expected end exists), A2 is free: the hint names A2 first.
            devs["A1"].connectors[0].plug(EV(capacity_wh=60_000, soc=0.3), clock.now())
            engine.present_card("04CC0001", bay["A1"]).result(10)
            qtbot.waitUntil(lambda: monitor.estimate(bay["A1"]) is not None, timeout=20_000)
            qtbot.waitUntil(
                lambda: page.rotation._labels[1].text().startswith("A1: about "), timeout=20_000
            )
            lines = [lab.text() for lab in page.rotation._labels]
            assert lines[0] == "A2: free now"

            # An unknown card refused twice at A2 raises an alert; it reaches the list.
            for _ in range(2):
                engine.present_card("DEADBEEF", bay["A2"]).result(10)
                sim_sleep(clock, 5)
            qtbot.waitUntil(lambda: widget.model.rowCount() == 1, timeout=20_000)
            row = widget.model.rows[0]
            assert row.kind == "card_denied" and row.where == "A2" and row.cleared_at is None
            assert widget.model.data(widget.model.index(0, 4)) == "open"

            widget.view.selectRow(0)
            assert widget.ack_btn.isEnabled()
            widget.ack_btn.click()
            qtbot.waitUntil(
                lambda: (
                    bool(widget.model.rows) and widget.model.rows[0].acknowledged_at is not None
                ),
                timeout=20_000,
            )
            assert widget.model.rows[0].acknowledged_by == "olga"
            assert not widget.ack_btn.isEnabled()
        engine.drain()
    with db.session() as s:
        assert s.scalar(select(Alert.acknowledged_by)) == "olga"
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "alerts.acknowledge"))
        assert entry is not None and entry.operator == "olga"
