"""Charger setup under pytest-qt (offscreen), through the site client — in-process and over
a real site API on loopback: add a charger with its bays, map a reader to a bay, edit,
remove, refusals inline, the running site applying each change; Test connection (the probe
on the worker) against a virtual OpenEVSE on a real pty, on the site's own PC only; and
the core rules of `stationmgr.site_setup`."""

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
from tests.ui_site import app_context
from ui.chargers.dialogs import REMOTE_PROBE, ChargerDialog, ReaderDialog
from ui.chargers.page import APPLIED, PAGE, SAVED_FOR_START, ChargersPage
from ui.context import AppContext

WAIT_MS = 20_000


@pytest.fixture
def ctx(sqlite_db: Database, ui_client: str) -> Iterator[AppContext]:
    with app_context(sqlite_db, None, client=ui_client) as c:
        yield c  # type: ignore[misc]


@pytest.fixture
def local_ctx(sqlite_db: Database) -> Iterator[AppContext]:
    with app_context(sqlite_db, None) as c:
        yield c  # type: ignore[misc]


def open_page(qtbot: QtBot, ctx: AppContext) -> ChargersPage:
    p = ChargersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    qtbot.waitUntil(lambda: p.loads >= 1, timeout=WAIT_MS)
    return p


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> ChargersPage:
    return open_page(qtbot, ctx)


@pytest.fixture
def openevse() -> Iterator[OpenEVSESim]:
    sim = OpenEVSESim(PtyEndpoint(), lifetime_wh=123_456).start()
    try:
        yield sim
    finally:
        sim.stop()


def ready(qtbot: QtBot, dlg: ChargerDialog | ReaderDialog) -> None:
    qtbot.waitUntil(lambda: dlg.ready, timeout=WAIT_MS)


def save(qtbot: QtBot, dlg: ChargerDialog | ReaderDialog) -> None:
    """Save and wait for the site's answer (the dialog closes, or shows why not)."""
    dlg.save()
    qtbot.waitUntil(lambda: not dlg.saving, timeout=WAIT_MS)


def settled(qtbot: QtBot, page: ChargersPage) -> str:
    """The page's message once the change is saved and, on a running site, applied."""
    qtbot.waitUntil(lambda: not page.busy and not page.applying, timeout=WAIT_MS)
    expected = APPLIED if page.rows is not None and page.rows.running else SAVED_FOR_START
    qtbot.waitUntil(lambda: page.message.text().endswith(expected), timeout=WAIT_MS)
    return page.message.text()


def top_texts(view, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [view.topLevelItem(i).text(column) for i in range(view.topLevelItemCount())]


def test_driver_list_names_the_devices_and_offers_no_internal_driver(
    qtbot: QtBot, local_ctx: AppContext
) -> None:
    page = open_page(qtbot, local_ctx)
    dlg = page.open_charger(None)
    names = [dlg.driver.itemText(i) for i in range(dlg.driver.count())]
    ids = [dlg.driver.itemData(i) for i in range(dlg.driver.count())]
    assert "inproc" not in ids and ids[0] == "openevse" == dlg.driver.driver()
    assert names[0] == "OpenEVSE (RAPI, serial)" and "evse-din" in ids
    assert dlg.address.value() == 0  # point to point
    dlg.driver.select("heidelberg")
    assert dlg.address.value() == 1  # a Modbus box's factory address
    dlg.address.setValue(3)
    dlg.driver.select("evse-din")
    assert dlg.address.value() == 3  # a chosen address is kept
    dlg.driver.select("openevse")
    assert dlg.address.value() == 0
    dlg.driver.select("inproc")  # editing such a charger keeps its driver
    assert dlg.charger_input().driver == "inproc"
    dlg.reject()


def test_test_connection_reads_the_device(
    qtbot: QtBot, local_ctx: AppContext, openevse: OpenEVSESim
) -> None:
    """Local only: the probe opens a serial port of this PC (over --site it is not offered)."""
    page = open_page(qtbot, local_ctx)
    openevse.plug(EV(capacity_wh=40_000, soc=0.5, max_power_w=7000))
    dlg = page.open_charger(None)
    dlg.name.setText("North")
    dlg.driver.select("openevse")
    dlg.port.set_port(openevse.endpoint.name)
    assert dlg.port.port() == openevse.endpoint.name
    dlg.test()
    assert not dlg.test_button.isEnabled()  # running on the worker
    qtbot.waitUntil(lambda: not dlg.probing, timeout=15_000)
    text = dlg.result.text()
    assert "✓" in text, text
    assert "firmware 8.2.1" in text
    assert "Connector 1" in text
    assert "SuspendedEV" in text or "SuspendedEVSE" in text or "Charging" in text
    assert "kWh" in text and "123.456 kWh" in text.replace(",", ".")
    dlg.reject()


def test_add_a_charger_and_save(
    qtbot: QtBot, page: ChargersPage, ctx: AppContext, sqlite_db: Database
) -> None:
    assert PAGE.remote
    dlg = page.open_charger(None)
    dlg.name.setText("North")
    dlg.driver.select("openevse")
    dlg.port.set_port("/dev/ttyUSB7")
    assert dlg.port.port() == "/dev/ttyUSB7"
    assert "115200" in dlg.baud.lineEdit().placeholderText()  # the driver's default shown
    assert dlg.labels() == ("North",)  # the bay label follows the name
    if ctx.remote:  # this PC's serial ports are not the site's: no probe, and it says why
        assert not dlg.test_button.isEnabled() and dlg.result.text() == REMOTE_PROBE
    dlg.connectors.setValue(2)
    assert dlg.labels() == ("North-1", "North-2")
    dlg.bays.item(1, 0).setText("North-B")
    dlg.name.setText("Nord")  # the generated label follows, the typed one stays
    assert dlg.labels() == ("Nord-1", "North-B")
    save(qtbot, dlg)
    assert dlg.saved_name == "Nord"  # saved: the dialog closed
    qtbot.waitUntil(lambda: page.dialog is None)
    with sqlite_db.session() as s:
        c = s.scalar(select(Charger).where(Charger.name == "Nord"))
        assert c is not None and c.driver == "openevse" and c.port == "/dev/ttyUSB7"
        assert [(b.connector, b.label) for b in c.bays] == [(1, "Nord-1"), (2, "North-B")]
    settled(qtbot, page)  # saved for the start, or applied by the running site
    qtbot.waitUntil(lambda: top_texts(page.chargers, 0) == ["Nord"], timeout=WAIT_MS)
    assert page.chargers.topLevelItem(0).childCount() == 2


def test_test_connection_reports_silence_in_one_line(
    qtbot: QtBot, local_ctx: AppContext, openevse: OpenEVSESim
) -> None:
    """Local only: the probe opens a serial port of this PC (over --site it is not offered)."""
    page = open_page(qtbot, local_ctx)
    dlg = page.open_charger(None)
    dlg.name.setText("Quiet")
    dlg.driver.select("openevse")
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


def test_save_refusals_show_inline(qtbot: QtBot, page: ChargersPage, sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        add_charger(s, ChargerInput("East", "openevse", "/dev/ttyUSB0", bays=("E1",)))
    dlg = page.open_charger(None)
    dlg.name.setText("West")
    dlg.driver.select("openevse")
    dlg.port.set_port("/dev/ttyUSB0")
    save(qtbot, dlg)
    assert "already uses /dev/ttyUSB0" in dlg.error.text()
    dlg.port.set_port("/dev/ttyUSB1")
    dlg.bays.item(0, 0).setText("E1")
    save(qtbot, dlg)
    assert "bay label(s) already used: E1" in dlg.error.text()
    dlg.bays.item(0, 0).setText("W1")
    dlg.baud.setEditText("fast")
    save(qtbot, dlg)
    assert "not a number" in dlg.error.text()
    dlg.baud.setEditText("")
    save(qtbot, dlg)
    assert dlg.saved_name == "West"
    with sqlite_db.session() as s:
        assert s.scalar(select(Bay.label).where(Bay.label == "W1")) == "W1"


def test_reader_to_bay_mapping_and_removal(
    qtbot: QtBot, page: ChargersPage, sqlite_db: Database
) -> None:
    with sqlite_db.session() as s:
        add_charger(s, ChargerInput("Box", "openevse", "/dev/ttyUSB0", bays=("B1", "B2")))
    loads = page.loads
    page.refresh()
    qtbot.waitUntil(lambda: page.loads > loads, timeout=WAIT_MS)
    dlg = page.open_reader(None)
    ready(qtbot, dlg)
    dlg.name.setText("gate reader")
    dlg.driver.select("rdm6300")
    dlg.port.set_port("/dev/ttyUSB3")
    assert "9600" in dlg.baud.lineEdit().placeholderText()
    dlg.bay.setCurrentIndex(dlg.bay.findData("B2"))
    save(qtbot, dlg)
    assert dlg.saved_name == "gate reader"
    qtbot.waitUntil(lambda: page.dialog is None)
    qtbot.waitUntil(lambda: top_texts(page.readers, 4) == ["bay B2"], timeout=WAIT_MS)
    charger = page.chargers.topLevelItem(0)
    assert charger.child(1).text(5) == "card reader: gate reader"
    settled(qtbot, page)
    # Move it to the desk.
    page.readers.setCurrentItem(page.readers.topLevelItem(0))
    edit = page.open_reader(page.selected_reader())
    ready(qtbot, edit)
    assert edit.bay.currentData() == "B2" and edit.port.port() == "/dev/ttyUSB3"
    edit.bay.setCurrentIndex(0)
    save(qtbot, edit)
    qtbot.waitUntil(lambda: page.dialog is None)
    qtbot.waitUntil(lambda: top_texts(page.readers, 4) == ["the desk (enrolment)"], timeout=WAIT_MS)
    settled(qtbot, page)
    page.readers.setCurrentItem(page.readers.topLevelItem(0))
    page.remove_selected_reader(confirm=False)
    qtbot.waitUntil(lambda: page.readers.topLevelItemCount() == 0, timeout=WAIT_MS)
    settled(qtbot, page)
    page.chargers.setCurrentItem(page.chargers.topLevelItem(0))
    page.remove_selected_charger(confirm=False)
    qtbot.waitUntil(lambda: page.chargers.topLevelItemCount() == 0, timeout=WAIT_MS)
    settled(qtbot, page)
    with sqlite_db.session() as s:
        assert s.scalar(select(CardReaderDevice.id)) is None


def test_edit_keeps_history_bays(qtbot: QtBot, page: ChargersPage, sqlite_db: Database) -> None:
    from datetime import UTC, datetime

    with sqlite_db.session() as s:
        c = add_charger(s, ChargerInput("Old", "openevse", "/dev/ttyS1", bays=("O1", "O2")))
        o2 = next(b for b in c.bays if b.label == "O2")
        now = datetime(2026, 1, 1, tzinfo=UTC)
        s.add(
            ChargeSession(
                tx_uid="t1",
                bay_id=o2.id,
                plugged_at=now,
                authorized_at=now,
                stopped_at=now,
                meter_start_wh=0,
                meter_last_wh=0,
                segment_start_wh=0,
            )
        )
        cid = c.id
    loads = page.loads
    page.refresh()
    qtbot.waitUntil(lambda: page.loads > loads, timeout=WAIT_MS)
    page.select_charger("Old")
    dlg = page.open_charger("Old")
    ready(qtbot, dlg)
    assert dlg.labels() == ("O1", "O2")
    dlg.connectors.setValue(1)
    save(qtbot, dlg)
    assert "O2 have 1 session(s) on record" in dlg.error.text()
    dlg.reject()
    qtbot.waitUntil(lambda: page.dialog is None)
    page.select_charger("Old")
    page.remove_selected_charger(confirm=False)
    assert "disabled, not removed" in settled(qtbot, page)
    with sqlite_db.session() as s:
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


def test_the_running_site_applies_what_the_page_saves(
    qtbot: QtBot, sqlite_db: Database, ui_client: str
) -> None:
    """With the site running, a charger added here is polled at once, one removed leaves
    the site; a port the site polls is not opened by Test connection."""
    from stationmgr.drivers import inproc
    from stationmgr.sim.device import VirtualCharger
    from tests.site import build_site, running_site

    db = sqlite_db
    build_site(db, chargers=1)
    with db.session() as s:
        port = s.scalar(select(Charger.port))
    with running_site(db) as rt, app_context(db, rt, client=ui_client) as ctx:
        page = open_page(qtbot, ctx)
        assert page.rows is not None and page.rows.running
        dlg = page.open_charger(None)
        dlg.driver.select("inproc")
        dlg.port.set_port(port)
        dlg.test()
        qtbot.waitUntil(lambda: not dlg.probing, timeout=WAIT_MS)
        if ctx.remote:  # the probe is this PC's: over --site it is refused before any I/O
            assert REMOTE_PROBE in dlg.result.text()
        else:
            assert "the running site polls" in dlg.result.text()  # nothing was opened
        dlg.reject()

        inproc.VIRTUAL_CHARGERS[f"later-{id(db)}"] = VirtualCharger()
        dlg = page.open_charger(None)
        dlg.name.setText("Later")
        dlg.driver.select("inproc")
        dlg.port.set_port(f"inproc://later-{id(db)}")
        save(qtbot, dlg)
        assert dlg.saved_name == "Later"
        assert settled(qtbot, page) == APPLIED
        assert sorted(s.label for s in rt.engine.snapshots()) == ["Later", "P1"]

        def answering() -> bool:
            page._tick_status()  # what the page's 2 s timer does
            return all("answering" in v and "not" not in v for v in status_of(page))

        qtbot.waitUntil(lambda: len(status_of(page)) == 2, timeout=WAIT_MS)
        qtbot.waitUntil(answering, timeout=WAIT_MS)

        first = rt.engine.bay_info[min(rt.engine.bay_info)].charger_id
        with db.session() as s:
            name = s.scalar(select(Charger.name).where(Charger.id == first))
        page.select_charger(name)
        page.remove_selected_charger(confirm=False)
        assert page.busy or page.applying
        assert settled(qtbot, page) == APPLIED
        assert len(rt.engine.snapshots()) == 1 and len(rt.engine.coordinators) == 1


def test_a_charger_that_goes_silent_shows_at_once(
    qtbot: QtBot, sqlite_db: Database, ui_client: str
) -> None:
    """`charger_offline` / `charger_online` from the site change the row's state."""
    from tests.site import build_site, running_site

    db = sqlite_db
    (dev,) = build_site(db, chargers=1)
    with running_site(db) as rt, app_context(db, rt, client=ui_client) as ctx:
        page = open_page(qtbot, ctx)
        page._status_timer.stop()  # only the events move the state here
        qtbot.waitUntil(lambda: ctx.site.connected, timeout=WAIT_MS)
        (coord,) = rt.engine.coordinators.values()
        qtbot.waitUntil(lambda: coord.online is True, timeout=WAIT_MS)
        page.refresh()
        qtbot.waitUntil(lambda: status_of(page) == ["enabled · answering"], timeout=WAIT_MS)
        dev.silent = True
        qtbot.waitUntil(lambda: status_of(page) == ["enabled · not answering"], timeout=30_000)
        dev.silent = False
        qtbot.waitUntil(lambda: status_of(page) == ["enabled · answering"], timeout=30_000)


def status_of(page: ChargersPage) -> list[str]:
    return [page.chargers.topLevelItem(i).text(5) for i in range(page.chargers.topLevelItemCount())]
