"""Charger setup under pytest-qt (offscreen), against a virtual OpenEVSE on a real pty:
add a charger with its bays, test the connection (the probe on the worker), map a reader to
a bay, edit, remove; and the core rules of `stationmgr.site_setup`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from stationmgr.errors import UserError
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.site_setup import ChargerInput, ReaderInput, add_charger, add_reader, update_charger
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, CardReaderDevice, Charger, ChargeSession
from ui.chargers.page import ChargersPage
from ui.context import AppContext
from ui.worker import Worker


@pytest.fixture
def ctx(sqlite_db: Database) -> Iterator[AppContext]:
    worker = Worker()
    yield AppContext(db=sqlite_db, engine=None, bridge=None, worker=worker)
    worker.shutdown()


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> ChargersPage:
    p = ChargersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    return p


@pytest.fixture
def openevse() -> Iterator[OpenEVSESim]:
    sim = OpenEVSESim(PtyEndpoint(), lifetime_wh=123_456).start()
    try:
        yield sim
    finally:
        sim.stop()


def test_add_a_charger_test_connection_and_save(
    qtbot: QtBot, page: ChargersPage, openevse: OpenEVSESim
) -> None:
    openevse.plug(EV(capacity_wh=40_000, soc=0.5, max_power_w=7000))
    dlg = page.open_charger(None)
    dlg.name.setText("North")
    dlg.driver.setCurrentText("openevse")
    dlg.port.set_port(openevse.endpoint.name)
    assert dlg.port.port() == openevse.endpoint.name
    assert "115200" in dlg.baud.lineEdit().placeholderText()  # the driver's default shown
    assert dlg.labels() == ("North",)  # the bay label follows the name
    dlg.test()
    assert not dlg.test_button.isEnabled()  # running on the worker
    qtbot.waitUntil(lambda: not dlg.probing, timeout=15_000)
    text = dlg.result.text()
    assert "✓" in text, text
    assert "firmware 8.2.1" in text
    assert "Connector 1" in text
    assert "SuspendedEV" in text or "SuspendedEVSE" in text or "Charging" in text
    assert "kWh" in text and "123.456 kWh" in text.replace(",", ".")
    dlg.connectors.setValue(2)
    assert dlg.labels() == ("North-1", "North-2")
    dlg.bays.item(1, 0).setText("North-B")
    dlg.name.setText("Nord")  # the generated label follows, the typed one stays
    assert dlg.labels() == ("Nord-1", "North-B")
    dlg.save()
    assert dlg.error.text() == ""
    qtbot.waitUntil(lambda: page.dialog is None)
    with page.ctx.db.session() as s:
        c = s.scalar(select(Charger).where(Charger.name == "Nord"))
        assert c is not None and c.driver == "openevse" and c.port == openevse.endpoint.name
        assert [(b.connector, b.label) for b in c.bays] == [(1, "Nord-1"), (2, "North-B")]
    assert "restart" in page.message.text()
    assert page.chargers.topLevelItem(0).text(0) == "Nord"
    assert page.chargers.topLevelItem(0).childCount() == 2


def test_test_connection_reports_silence_in_one_line(
    qtbot: QtBot, page: ChargersPage, openevse: OpenEVSESim
) -> None:
    dlg = page.open_charger(None)
    dlg.name.setText("Quiet")
    dlg.driver.setCurrentText("openevse")
    dlg.port.set_port(openevse.endpoint.name)
    openevse.inject("silence", 30)
    dlg.test()
    qtbot.waitUntil(lambda: not dlg.probing, timeout=30_000)
    text = dlg.result.text()
    assert "✗" in text and "Traceback" not in text and "<br>" not in text
    dlg.port.set_port("socket://nohost")
    dlg.test()
    assert "socket://HOST:PORT" in dlg.result.text()  # refused before any I/O
    dlg.port.set_port("")
    dlg.test()
    assert "port" in dlg.result.text()
    dlg.reject()


def test_save_refusals_show_inline(qtbot: QtBot, page: ChargersPage, ctx: AppContext) -> None:
    with ctx.db.session() as s:
        add_charger(s, ChargerInput("East", "openevse", "/dev/ttyUSB0", bays=("E1",)))
    dlg = page.open_charger(None)
    dlg.name.setText("West")
    dlg.driver.setCurrentText("openevse")
    dlg.port.set_port("/dev/ttyUSB0")
    dlg.save()
    assert "already uses /dev/ttyUSB0" in dlg.error.text()
    dlg.port.set_port("/dev/ttyUSB1")
    dlg.bays.item(0, 0).setText("E1")
    dlg.save()
    assert "bay label(s) already used: E1" in dlg.error.text()
    dlg.bays.item(0, 0).setText("W1")
    dlg.baud.setEditText("fast")
    dlg.save()
    assert "not a number" in dlg.error.text()
    dlg.baud.setEditText("")
    dlg.save()
    assert dlg.error.text() == ""
    with ctx.db.session() as s:
        assert s.scalar(select(Bay.label).where(Bay.label == "W1")) == "W1"


def test_reader_to_bay_mapping_and_removal(
    qtbot: QtBot, page: ChargersPage, ctx: AppContext
) -> None:
    with ctx.db.session() as s:
        add_charger(s, ChargerInput("Box", "openevse", "/dev/ttyUSB0", bays=("B1", "B2")))
    page.refresh()
    dlg = page.open_reader(None)
    dlg.name.setText("gate reader")
    dlg.driver.setCurrentText("rdm6300")
    dlg.port.set_port("/dev/ttyUSB3")
    assert "9600" in dlg.baud.lineEdit().placeholderText()
    dlg.bay.setCurrentIndex(dlg.bay.findData("B2"))
    dlg.save()
    assert dlg.error.text() == ""
    qtbot.waitUntil(lambda: page.dialog is None)
    assert page.readers.topLevelItem(0).text(4) == "bay B2"
    charger = page.chargers.topLevelItem(0)
    assert charger.child(1).text(5) == "card reader: gate reader"
    # Move it to the desk.
    page.readers.setCurrentItem(page.readers.topLevelItem(0))
    edit = page.open_reader(page.selected_reader_id())
    assert edit.bay.currentData() == "B2" and edit.port.port() == "/dev/ttyUSB3"
    edit.bay.setCurrentIndex(0)
    edit.save()
    qtbot.waitUntil(lambda: page.dialog is None)
    assert page.readers.topLevelItem(0).text(4) == "the desk (enrolment)"
    page.readers.setCurrentItem(page.readers.topLevelItem(0))
    page.remove_selected_reader(confirm=False)
    assert page.readers.topLevelItemCount() == 0
    page.chargers.setCurrentItem(page.chargers.topLevelItem(0))
    page.remove_selected_charger(confirm=False)
    assert page.chargers.topLevelItemCount() == 0
    assert "restart" in page.message.text()


def test_edit_keeps_history_bays(qtbot: QtBot, page: ChargersPage, ctx: AppContext) -> None:
    from datetime import UTC, datetime

    with ctx.db.session() as s:
        c = add_charger(s, ChargerInput("Old", "openevse", "/dev/ttyS1", bays=("O1", "O2")))
        o2 = next(b for b in c.bays if b.label == "O2")
        now = datetime(2026, 1, 1, tzinfo=UTC)
        s.add(
            ChargeSession(
                tx_uid="t1",
                bay_id=o2.id,
                plugged_at=now,
                authorized_at=now,
                meter_start_wh=0,
                meter_last_wh=0,
                segment_start_wh=0,
            )
        )
        cid = c.id
    page.refresh()
    page.select_charger(cid)
    dlg = page.open_charger(cid)
    assert dlg.labels() == ("O1", "O2")
    dlg.connectors.setValue(1)
    dlg.save()
    assert "O2 have 1 session(s) on record" in dlg.error.text()
    dlg.reject()
    qtbot.waitUntil(lambda: page.dialog is None)
    page.select_charger(cid)
    page.remove_selected_charger(confirm=False)
    assert "disabled, not removed" in page.message.text()
    with ctx.db.session() as s:
        assert s.get(Charger, cid).enabled is False  # type: ignore[union-attr]


# ------------------------------------------------------------------ core rules


def test_site_setup_rules(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        a = add_charger(s, ChargerInput("A", "heidelberg", "/dev/ttyUSB0", address=1))
        add_charger(s, ChargerInput("B", "heidelberg", "/dev/ttyUSB0", address=2))  # one bus
        assert [b.label for b in a.bays] == ["A"]
        with pytest.raises(UserError, match="address 1"):
            add_charger(s, ChargerInput("C", "heidelberg", "/dev/ttyUSB0", address=1))
        with pytest.raises(UserError, match="unknown charger driver"):
            add_charger(s, ChargerInput("D", "nope", "/dev/ttyUSB9"))
        with pytest.raises(UserError, match="1 … 247"):
            ChargerInput("E", "heidelberg", "/dev/ttyUSB9", address=300).validate()
        with pytest.raises(UserError, match="same bay label"):
            ChargerInput("F", "openevse", "/dev/ttyUSB9", bays=("x", "x")).validate()
        with pytest.raises(UserError, match="a charger already uses"):
            add_reader(s, ReaderInput("r", "rdm6300", "/dev/ttyUSB0"))
        r = add_reader(s, ReaderInput("r", "rdm6300", "socket://gw:4001", bay="A"))
        assert r.bay_id == a.bays[0].id
        with pytest.raises(UserError, match="no bay labelled"):
            add_reader(s, ReaderInput("r2", "rdm6300", "/dev/ttyUSB7", bay="Z"))
        # Swapping two labels in one edit is fine (no unique-constraint clash on the way).
        two = add_charger(s, ChargerInput("Two", "openevse", "/dev/ttyACM0", bays=("L", "R")))
        update_charger(s, two.id, ChargerInput("Two", "openevse", "/dev/ttyACM0", bays=("R", "L")))
        assert [b.label for b in two.bays] == ["R", "L"]
        assert s.scalar(select(CardReaderDevice.port)) == "socket://gw:4001"


def test_test_connection_leaves_a_port_the_running_site_polls(
    qtbot: QtBot, page: ChargersPage, ctx: AppContext
) -> None:
    from tests.site import build_site, running

    build_site(ctx.db, chargers=1)
    with ctx.db.session() as s:
        port = s.scalar(select(Charger.port))
    with running(ctx.db) as engine:
        ctx.engine = engine
        try:
            dlg = page.open_charger(None)
            dlg.driver.setCurrentText("inproc")
            dlg.port.set_port(port)
            dlg.test()
            assert "the running site polls" in dlg.result.text()
            assert not dlg.probing  # nothing was opened
            dlg.reject()
            with ctx.db.session() as s:
                add_charger(s, ChargerInput("Later", "openevse", "/dev/ttyUSB4"))
            page.refresh()
            status = {
                page.chargers.topLevelItem(i).text(0): page.chargers.topLevelItem(i).text(5)
                for i in range(page.chargers.topLevelItemCount())
            }
            assert "restart the site" in status["Later"]

            def answering() -> bool:
                page._tick_status()  # what the page's 2 s timer does
                return any("answering" in v and "not" not in v for v in status_of(page))

            qtbot.waitUntil(answering, timeout=10_000)
        finally:
            ctx.engine = None


def status_of(page: ChargersPage) -> list[str]:
    return [page.chargers.topLevelItem(i).text(5) for i in range(page.chargers.topLevelItemCount())]
