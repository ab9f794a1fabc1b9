"""The cards page under pytest-qt (offscreen): dialog validation, tap-to-enrol from a
keyboard-wedge burst (injected key clock) and from a serial desk reader on a real pty, CSV
import preview that rejects a file whole, block/unblock and export, and the list following
a change made elsewhere. Every test runs with both site clients (`ui_client`: in-process,
and a real site API on loopback); the database effects are checked on the test's own `db`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from stationmgr.cards import CardInput, add_card
from stationmgr.drivers import DeviceConfig, create_reader
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, CardReaderDevice, Charger
from tests.ui_site import app_context
from ui.cards.dialog import CardDialog
from ui.cards.page import CardsPage
from ui.context import AppContext

WAIT_MS = 20_000  # the machine is loaded: generous, never a threshold


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    with sqlite_db.session() as s:
        c = Charger(name="c1", driver="inproc", port="inproc://c1")
        s.add(c)
        s.flush()
        for i in (1, 2, 3):
            s.add(Bay(charger_id=c.id, connector=i, label=f"P{i}"))
        s.flush()
        add_card(s, CardInput(uid="0A1B2C3D", label="Tag A", holder="Anna"))
        add_card(s, CardInput(uid="11223344", label="Tag B", holder="Bo", group="Staff"))
    return sqlite_db


@pytest.fixture
def ctx(db: Database, ui_client: str) -> Iterator[AppContext]:
    with app_context(db, None, client=ui_client) as c:
        assert isinstance(c, AppContext)
        yield c


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[CardsPage]:
    p = CardsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    qtbot.waitUntil(lambda: p.loads >= 1, timeout=WAIT_MS)
    yield p
    p.shutdown()


def dialog(qtbot: QtBot, ctx: AppContext, card_id: int | None = None) -> CardDialog:
    assert ctx.client is not None
    dlg = CardDialog(ctx.client, ctx.worker, card_id)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.loaded, timeout=WAIT_MS)
    return dlg


def wait(qtbot: QtBot, cond: object) -> None:
    qtbot.waitUntil(cond, timeout=WAIT_MS)  # type: ignore[arg-type]


def card_count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Card.id))) or 0


class KeyClock:
    """The tap field's clock, moved by the test between key presses."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def type_keys(widget: QWidget, text: str, clock: KeyClock, gap: float) -> None:
    for ch in text:
        QTest.keyClick(widget, ch)
        clock.t += gap


def press_enter(widget: QWidget, clock: KeyClock) -> None:
    QTest.keyClick(widget, Qt.Key.Key_Return)


# ------------------------------------------------------------------ the dialog


def test_dialog_rejects_bad_uid_inline(qtbot: QtBot, db: Database, ctx: AppContext) -> None:
    dlg = dialog(qtbot, ctx)
    dlg.uid.setText("hello")
    assert "unknown card number format" in dlg.uid_hint.text()
    dlg.save()
    assert "unknown card number format" in dlg.error.text()
    assert dlg.result() == 0 and dlg.saved_card_id is None
    assert card_count(db) == 2


def test_dialog_warns_and_refuses_duplicate_in_another_spelling(
    qtbot: QtBot, db: Database, ctx: AppContext
) -> None:
    dlg = dialog(qtbot, ctx)
    dlg.uid.setText("3D2C1B0A")  # 0A1B2C3D with its bytes reversed
    wait(qtbot, lambda: "Already enrolled as 0A1B2C3D" in dlg.uid_hint.text())
    assert "Anna" in dlg.uid_hint.text()
    dlg.uid.setText("0169552957")  # the same card as a 10-digit decimal
    wait(qtbot, lambda: "Stored as" not in dlg.uid_hint.text())
    wait(qtbot, lambda: "Already enrolled as 0A1B2C3D" in dlg.uid_hint.text())
    dlg.save()
    wait(qtbot, lambda: "already enrolled" in dlg.error.text())
    assert dlg.saved_card_id is None
    assert card_count(db) == 2


def test_dialog_refuses_end_before_start(qtbot: QtBot, db: Database, ctx: AppContext) -> None:
    from PySide6.QtCore import QDate

    dlg = dialog(qtbot, ctx)
    dlg.uid.setText("DEADBEEF")
    dlg.valid_from.check.setChecked(True)
    dlg.valid_from.edit.setDate(QDate(2027, 5, 1))
    dlg.valid_to.check.setChecked(True)
    dlg.valid_to.edit.setDate(QDate(2027, 4, 1))
    dlg.save()
    assert "valid_to is before valid_from" in dlg.error.text()
    assert card_count(db) == 2


def test_dialog_enrols_with_bays_and_limits_then_edits(
    qtbot: QtBot, db: Database, ctx: AppContext
) -> None:
    dlg = dialog(qtbot, ctx)
    dlg.uid.setText("de:ad:be:ef")
    wait(qtbot, lambda: "Stored as DEADBEEF" in dlg.uid_hint.text())
    dlg.label.setText("Van 3")
    dlg.holder.setCurrentText("Carla")
    dlg.group.setCurrentText("Tenants")
    dlg.bays.item(1).setCheckState(Qt.CheckState.Checked)  # P2
    dlg.max_concurrent.setValue(2)
    dlg.max_current.setValue(16)
    dlg.save()
    wait(qtbot, lambda: dlg.saved_card_id is not None)
    assert dlg.error.text() == ""
    with db.session() as s:
        card = s.get(Card, dlg.saved_card_id)
        assert card is not None
        assert (card.uid, card.label, card.holder.name, card.group.name) == (
            "DEADBEEF",
            "Van 3",
            "Carla",
            "Tenants",
        )
        assert card.max_concurrent == 2 and card.max_current_a == 16.0
        assert [a.bay_id for a in card.allowed] == [
            s.scalar(select(Bay.id).where(Bay.label == "P2"))
        ]
    edit = dialog(qtbot, ctx, dlg.saved_card_id)
    assert edit.uid.text() == "DEADBEEF" and edit.holder.currentText() == "Carla"
    wait(qtbot, lambda: "Stored as DEADBEEF" in edit.uid_hint.text())  # itself: no duplicate
    edit.bays.item(1).setCheckState(Qt.CheckState.Unchecked)
    edit.bays.item(2).setCheckState(Qt.CheckState.Checked)
    edit.blocked.setChecked(True)
    edit.max_current.setValue(0)  # "no limit"
    edit.save()
    wait(qtbot, lambda: edit.saved_card_id is not None)
    assert edit.error.text() == ""
    with db.session() as s:
        card = s.get(Card, dlg.saved_card_id)
        assert card is not None and card.blocked and card.max_current_a is None
        assert [a.bay_id for a in card.allowed] == [
            s.scalar(select(Bay.id).where(Bay.label == "P3"))
        ]
    renamed = dialog(qtbot, ctx, dlg.saved_card_id)
    renamed.uid.setText("44332211")  # Bo's card reversed: refused
    renamed.save()
    wait(qtbot, lambda: "already enrolled" in renamed.error.text())
    assert renamed.saved_card_id is None


def test_dialog_edits_a_vehicle_credential_by_its_id_tag(
    qtbot: QtBot, db: Database, ctx: AppContext
) -> None:
    """A vehicle's id tag (Autocharge `VID:…`) is not an RFID number: the dialog shows it
    as the vehicle's tag, saves changes to it, and it stays a vehicle with the same tag."""
    vid = "VID:0A1B2C3D4E5F"
    with db.session() as s:
        car = add_card(s, CardInput(uid=vid, holder="Vera", kind="vehicle"))
        car_id = car.id
    edit = dialog(qtbot, ctx, car_id)
    assert edit.uid.text() == vid
    assert edit.form.labelForField(edit.uid).text() == "Vehicle id tag"  # type: ignore[attr-defined]
    wait(qtbot, lambda: f"Stored as {vid}" in edit.uid_hint.text())  # no number error
    edit.label.setText("Vera's van")
    edit.max_current.setValue(16)
    edit.save()
    wait(qtbot, lambda: edit.saved_card_id is not None)
    assert edit.error.text() == ""
    with db.session() as s:
        row = s.get(Card, car_id)
        assert row is not None
        assert (row.kind, row.uid, row.label, row.max_current_a) == (
            "vehicle", vid, "Vera's van", 16.0,
        )  # fmt: skip
    bad = dialog(qtbot, ctx, car_id)
    bad.uid.setText("VID has space")
    assert "vehicle id tag" in bad.uid_hint.text()
    bad.save()
    wait(qtbot, lambda: "vehicle id tag" in bad.error.text())
    assert bad.saved_card_id is None


# ------------------------------------------------------------------ tap to enrol


def test_wedge_burst_opens_enrol_dialog_with_the_number(
    qtbot: QtBot, db: Database, page: CardsPage
) -> None:
    clock = KeyClock()
    page.tap.clock = clock
    tapped: list[str] = []
    page.tap.tapped.connect(tapped.append)
    type_keys(page.tap, "ab", clock, 0.25)  # someone fiddled with the field first
    clock.t += 2.0
    type_keys(page.tap, "0420113377", clock, 0.006)  # then the reader typed a card
    press_enter(page.tap, clock)
    assert tapped == ["0420113377"]
    assert page.tap.text() == "0420113377"  # the stray text is gone
    wait(qtbot, lambda: page.dialog is not None and page.dialog.loaded)
    assert page.dialog is not None and page.dialog.isVisible()
    assert page.dialog.uid.text() == "0420113377"
    assert "New card 190A6BE1" in page.tap_status.text()
    assert "keyboard reader" in page.tap_status.text()
    page.dialog.label.setText("From the desk")
    page.dialog.save()
    wait(qtbot, lambda: page.dialog is None)
    assert card_count(db) == 3
    wait(qtbot, lambda: page.model.row_of(page.selected_card_id() or -1) is not None)
    assert page.model.rows[page.model.row_of(page.selected_card_id())].uid == "190A6BE1"


def test_wedge_burst_of_a_known_card_warns_and_selects_it(qtbot: QtBot, page: CardsPage) -> None:
    clock = KeyClock()
    page.tap.clock = clock
    type_keys(page.tap, "0169552957", clock, 0.004)  # 0A1B2C3D as a decimal wedge reader
    press_enter(page.tap, clock)
    wait(qtbot, lambda: "already enrolled as 0A1B2C3D (Anna)" in page.tap_status.text())
    assert page.dialog is None
    assert page.show_known.isVisibleTo(page)
    row = page.model.row_of(page.selected_card_id())
    assert row is not None and page.model.rows[row].uid == "0A1B2C3D"


def test_burst_while_the_list_has_focus_goes_to_the_enrol_field(
    qtbot: QtBot, page: CardsPage
) -> None:
    clock = KeyClock()
    page.tap.clock = clock
    page.table.setFocus()
    page.table.selectRow(1)
    page.tap.setText("stray")
    type_keys(page.table, "3", clock, 0.005)  # the reader's first key lands on the list…
    assert page.tap.text() == "3"  # …and moves to the enrol field (stray text dropped)
    type_keys(page.tap, "D2C1B0A", clock, 0.005)  # where the focus now is
    press_enter(page.tap, clock)
    assert page.tap.text() == "3D2C1B0A"
    wait(qtbot, lambda: "already enrolled as 0A1B2C3D (Anna)" in page.tap_status.text())
    assert "keyboard reader" in page.tap_status.text()


def test_person_typing_is_not_taken_for_a_reader(qtbot: QtBot, page: CardsPage) -> None:
    clock = KeyClock()
    page.tap.clock = clock
    tapped: list[str] = []
    typed: list[str] = []
    page.tap.tapped.connect(tapped.append)
    page.tap.typed.connect(typed.append)
    type_keys(page.tap, "12ZZ", clock, 0.2)
    clock.t += 0.2
    press_enter(page.tap, clock)
    assert tapped == [] and typed == ["12ZZ"]
    assert "unknown card number format" in page.tap_status.text()  # inline, no dialog
    assert page.dialog is None


def test_serial_desk_reader_frame_on_a_pty(qtbot: QtBot, page: CardsPage) -> None:
    # A reader opened on this PC only reads a number into the field: the same with a site
    # elsewhere (the page asks the site whether the card is known).
    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        reader = create_reader("rdm6300", DeviceConfig(sim.endpoint.name))
        page.desk.open_reader("desk", reader)
        sim.tap("0A1B2C3D", hold_s=0.3)  # an EM4100 card: version 00 + 0A1B2C3D
        qtbot.waitUntil(lambda: "already enrolled" in page.tap_status.text(), timeout=10_000)
        assert "desk reader desk" in page.tap_status.text()
        assert "0A1B2C3D (Anna)" in page.tap_status.text()
        sim.tap("00C0FFEE42", hold_s=0.3)
        qtbot.waitUntil(lambda: page.dialog is not None, timeout=WAIT_MS)
        assert page.dialog is not None and page.dialog.uid.text() == "00C0FFEE42"
        wait(qtbot, lambda: "Stored as 00C0FFEE42" in page.dialog.uid_hint.text())
        sim.tap("0A1B2C3D", hold_s=0.3)  # a tap while the dialog is open fills its field
        qtbot.waitUntil(lambda: page.dialog.uid.text() == "000A1B2C3D", timeout=WAIT_MS)
        wait(qtbot, lambda: "Already enrolled as 0A1B2C3D" in page.dialog.uid_hint.text())
    finally:
        page.desk.stop()
        sim.stop()


def test_desk_taps_come_from_the_running_engine(qtbot: QtBot, db: Database) -> None:
    # Local only: the engine on this PC owns the serial desk reader's port.
    from tests.site import running

    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        with db.session() as s:
            s.add(CardReaderDevice(name="desk", driver="rdm6300", port=sim.endpoint.name))
        with running(db) as engine, app_context(db, engine) as ctx:
            assert isinstance(ctx, AppContext)
            p = CardsPage(ctx)
            qtbot.addWidget(p)
            p.start_desk_readers()
            assert p.desk._loops == []  # the engine owns the port; we only listen
            try:
                sim.tap("0A1B2C3D", hold_s=0.3)
                qtbot.waitUntil(lambda: "already enrolled" in p.tap_status.text(), timeout=10_000)
                sim.tap("00C0FFEE42", hold_s=0.3)  # a new card while the page is not shown
                qtbot.waitUntil(
                    lambda: "New card 00C0FFEE42" in p.tap_status.text(), timeout=10_000
                )
                assert p.dialog is None  # nothing pops up over another page
                assert p.tap.text() == "00C0FFEE42"  # it waits in the enrol field
            finally:
                p.shutdown()
    finally:
        sim.stop()


# ------------------------------------------------------------------ CSV


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["uid", "label", "holder", "allowed_bays", "valid_to"])
        w.writeheader()
        w.writerows(rows)
    return path


def test_csv_preview_rejects_the_file_whole(
    qtbot: QtBot, db: Database, page: CardsPage, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "cards.csv",
        [
            {"uid": "AABBCCDD", "label": "ok 1", "holder": "Eve"},
            {"uid": "not-a-card", "label": "bad", "holder": "Eve"},
            {"uid": "01020304", "label": "ok 2", "holder": "Eve"},
        ],
    )
    dlg = page.open_import(path)
    wait(qtbot, lambda: dlg.preview is not None)
    assert "line 3" in dlg.summary.text() and "unknown card number format" in dlg.summary.text()
    assert "nothing will be imported" in dlg.summary.text()
    assert not dlg.import_button.isEnabled()
    assert dlg.table.rowCount() == 3
    assert dlg.table.item(1, 0).text() == "3"  # the bad line is shown and selected
    assert dlg.table.selectionModel().isRowSelected(1)
    assert card_count(db) == 2
    dlg.reject()


def test_csv_preview_rejects_known_card_other_spelling(
    qtbot, db: Database, page: CardsPage, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "cards.csv",
        [
            {"uid": "AABBCCDD", "label": "new"},
            {"uid": "0169552957", "label": "Anna's card again"},
        ],
    )
    dlg = page.open_import(path)
    wait(qtbot, lambda: dlg.preview is not None)
    assert "line 3: card 0A1B2C3D is already enrolled" in dlg.summary.text()
    assert not dlg.import_button.isEnabled()
    dlg.reject()
    bad_bay = write_csv(tmp_path / "bays.csv", [{"uid": "AABBCCDD", "allowed_bays": "P1 P9"}])
    dlg = page.open_import(bad_bay)
    wait(qtbot, lambda: dlg.preview is not None)
    assert "line 2: no bay labelled 'P9'" in dlg.summary.text()
    dlg.reject()
    assert card_count(db) == 2


def test_csv_import_of_a_good_file(
    qtbot: QtBot, db: Database, page: CardsPage, tmp_path: Path
) -> None:
    rows = [
        {"uid": f"{0xA0000000 + i:08X}", "label": f"n{i}", "holder": "Fleet", "allowed_bays": "P1"}
        for i in range(40)
    ]
    dlg = page.open_import(write_csv(tmp_path / "fleet.csv", rows))
    wait(qtbot, lambda: dlg.import_button.isEnabled())
    assert "40 cards checked" in dlg.summary.text()
    with qtbot.waitSignal(dlg.imported, timeout=WAIT_MS) as sig:
        dlg.import_button.click()
    assert sig.args == [40]
    assert card_count(db) == 42
    wait(qtbot, lambda: page.model.rowCount() == 42)
    assert "Imported 40 cards" in page.message.text()


def test_csv_that_is_not_text(qtbot: QtBot, page: CardsPage, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0 binary")
    dlg = page.open_import(path)
    assert "not UTF-8" in dlg.summary.text()
    assert not dlg.import_button.isEnabled()
    dlg.reject()


# ------------------------------------------------------------------ list actions


def test_search_block_unblock_and_export(
    qtbot: QtBot, db: Database, page: CardsPage, tmp_path: Path
) -> None:
    assert page.model.rowCount() == 2
    page.search.setText("44332211")  # Bo's card, bytes reversed
    wait(qtbot, lambda: page.model.rowCount() == 1)
    assert page.model.rows[0].holder == "Bo"
    page.table.selectRow(0)
    assert page.block_button.text() == "Block"
    page.block_button.click()
    wait(qtbot, lambda: page.model.rows[0].blocked and page.block_button.text() == "Unblock")
    assert page.model.data(page.model.index(0, 4)) == "Blocked"
    assert "Card 11223344 blocked." in page.message.text()
    with db.session() as s:
        assert s.scalar(select(Card.blocked).where(Card.uid == "11223344")) is True
    page.block_button.click()
    wait(qtbot, lambda: not page.model.rows[0].blocked)
    out = tmp_path / "export.csv"
    page.export_to(out)
    wait(qtbot, lambda: "Exported" in page.message.text())
    assert "Exported 2 cards" in page.message.text()
    lines = out.read_text().splitlines()
    assert lines[0].startswith("uid,label,holder") and len(lines) == 3
    assert not list(tmp_path.glob(".cards-*"))  # no temporary file left behind


def test_dialog_budgets_added_and_removed_with_the_card(
    qtbot: QtBot, db: Database, ctx: AppContext
) -> None:
    from stationmgr.billing.budgets import add_budget
    from stationmgr.store.billing_models import Budget

    with db.session() as s:
        add_budget(s, "month", "kWh", "500", group="Staff")  # Bo's group budget
        bo = s.scalar(select(Card.id).where(Card.uid == "11223344"))
    dlg = dialog(qtbot, ctx, bo)
    assert dlg.budgets.list.count() == 1 and "(group)" in dlg.budgets.list.item(0).text()
    dlg.budgets.limit.setText("lots")
    dlg.budgets.add_button.click()
    assert "invalid kWh limit" in dlg.error.text()
    dlg.budgets.period.setCurrentIndex(0)  # daily
    dlg.budgets.limit.setText("20")
    dlg.budgets.add_button.click()
    assert dlg.error.text() == ""
    dlg.save()
    wait(qtbot, lambda: dlg.saved_card_id is not None)
    assert dlg.error.text() == ""
    with db.session() as s:
        own = list(s.scalars(select(Budget).where(Budget.card_id == bo)))
        assert [(b.period, b.unit, b.limit_value) for b in own] == [("day", "kWh", 20_000)]
    again = dialog(qtbot, ctx, bo)
    texts = [again.budgets.list.item(i).text() for i in range(again.budgets.list.count())]
    assert any(t.startswith("daily 20.000 kWh") for t in texts), texts
    own_row = next(i for i, t in enumerate(texts) if "(group)" not in t)
    again.budgets.list.setCurrentRow(own_row)
    again.budgets.remove_button.click()
    again.save()
    wait(qtbot, lambda: again.saved_card_id is not None)
    with db.session() as s:
        assert s.scalar(select(Budget.id).where(Budget.card_id == bo)) is None
        assert s.scalar(select(Budget.id).where(Budget.group_id.is_not(None))) is not None


def test_context_menu_copies_the_card_number(qtbot: QtBot, page: CardsPage) -> None:
    from PySide6.QtWidgets import QApplication, QMenu

    rect = page.table.visualRect(page.proxy.index(1, 0))
    page._context_menu(rect.center())
    menu = page.findChildren(QMenu)[-1]  # the page's own menu, not another test's window
    actions = {a.text(): a for a in menu.actions()}
    assert {"Edit…", "Block", "Copy card number"} <= set(actions)
    actions["Copy card number"].trigger()
    assert QApplication.clipboard().text() == page.proxy.index(1, 0).data()
    menu.close()


# ------------------------------------------------------------------ live, refused, unreachable


def test_a_card_changed_elsewhere_shows_at_once(
    qtbot: QtBot, sqlite_db: Database, ui_client: str
) -> None:
    """Another client (the CLI, a second PC) enrols and blocks: the running site publishes
    `configuration_changed` and the list re-reads, with no refresh by hand."""
    from stationmgr.client.local import LocalClient
    from stationmgr.client.models import NewCard
    from tests.ui_site import live_site

    with (
        live_site(sqlite_db, bays=1) as site,
        app_context(sqlite_db, site.runtime, client=ui_client) as ctx,
    ):
        assert isinstance(ctx, AppContext)
        p = CardsPage(ctx)
        qtbot.addWidget(p)
        changes: list[object] = []
        assert ctx.site is not None
        ctx.site.events.connect(
            lambda evs: changes.extend(
                e.data["kinds"] for e in evs if e.type == "configuration_changed"
            )
        )
        try:
            wait(qtbot, lambda: p.model.rowCount() == 1)  # the site's own card
            other = LocalClient(sqlite_db, site.engine, on_change=site.runtime.changed)
            other.add_card(NewCard(uid="CAFEF00D", holder="From the CLI"))
            wait(qtbot, lambda: p.model.rowCount() == 2)
            other.set_blocked("CAFEF00D", True)
            wait(
                qtbot,
                lambda: any(r.uid == "CAFEF00D" and r.status == "Blocked" for r in p.model.rows),
            )
            assert changes and all(k == ["cards"] for k in changes)  # a list on the wire
        finally:
            p.shutdown()


def test_an_attendant_may_not_import_or_export(
    qtbot: QtBot, sqlite_db: Database, ui_client: str, tmp_path: Path
) -> None:
    """The page hides what the role may not do; the site refuses it anyway (403 over the
    network), shown as one line, and nothing is written."""
    from tests.ui_staff import staffed_context

    with staffed_context(sqlite_db, ui_client, "attendant") as ctx:
        p = CardsPage(ctx)
        qtbot.addWidget(p)
        try:
            wait(qtbot, lambda: p.loads >= 1)
            assert not p.import_button.isEnabled() and not p.export_button.isEnabled()
            out = tmp_path / "cards.csv"
            p.export_to(out)
            wait(qtbot, lambda: "permission denied" in p.message.text())
            assert "\n" not in p.message.text() and not out.exists()
        finally:
            p.shutdown()


def test_a_site_that_goes_away_is_said_and_the_list_kept(qtbot: QtBot, db: Database) -> None:
    """Over the network only (a site in this process cannot go away): the page says the
    site is not reachable, in one line, and keeps the cards it last read; a refresh that
    fails says so too, naming the URL."""
    from stationmgr.client.remote import RemoteClient
    from stationmgr.clock import WarpClock
    from stationmgr.runtime import build_runtime
    from stationmgr.service.server import Listen, SiteServer
    from ui.sitebridge import SiteBridge
    from ui.worker import Worker

    with build_runtime(db, WarpClock(1.0)) as runtime:
        server = SiteServer(db, runtime.engine, Listen("127.0.0.1", 0, False))
        url = server.start()
        remote = RemoteClient(url)
        worker = Worker()
        ctx = AppContext(None, None, worker, actor="owner")
        ctx.client, ctx.site = remote, SiteBridge(remote).start()
        p = CardsPage(ctx)
        qtbot.addWidget(p)
        try:
            wait(qtbot, lambda: p.model.rowCount() == 2 and ctx.site.connected)
            server.stop()
            wait(qtbot, lambda: "not reachable" in p.message.text())
            assert "\n" not in p.message.text() and p.model.rowCount() == 2
            p.refresh()
            wait(qtbot, lambda: "cannot reach the site service at" in p.message.text())
            assert url.split("//")[1] in p.message.text() and p.model.rowCount() == 2
        finally:
            p.shutdown()
            ctx.site.close()
            worker.shutdown()
            remote.close()
            server.stop()
