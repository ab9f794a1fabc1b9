"""The cards page under pytest-qt (offscreen): dialog validation, tap-to-enrol from a
keyboard-wedge burst (injected key clock) and from a serial desk reader on a real pty, CSV
import preview that rejects a file whole, block/unblock and export."""

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
from ui.cards.dialog import CardDialog
from ui.cards.page import CardsPage
from ui.context import AppContext
from ui.worker import Worker


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
def ctx(db: Database) -> Iterator[AppContext]:
    worker = Worker()
    yield AppContext(db=db, engine=None, bridge=None, worker=worker)
    worker.shutdown()


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[CardsPage]:
    p = CardsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    yield p
    p.shutdown()


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


def test_dialog_rejects_bad_uid_inline(qtbot: QtBot, db: Database) -> None:
    dlg = CardDialog(db)
    qtbot.addWidget(dlg)
    dlg.uid.setText("hello")
    assert "unknown card number format" in dlg.uid_hint.text()
    dlg.save()
    assert "unknown card number format" in dlg.error.text()
    assert dlg.result() == 0 and dlg.saved_card_id is None
    assert card_count(db) == 2


def test_dialog_warns_and_refuses_duplicate_in_another_spelling(qtbot: QtBot, db: Database) -> None:
    dlg = CardDialog(db)
    qtbot.addWidget(dlg)
    dlg.uid.setText("3D2C1B0A")  # 0A1B2C3D with its bytes reversed
    assert "Already enrolled as 0A1B2C3D" in dlg.uid_hint.text()
    assert "Anna" in dlg.uid_hint.text()
    dlg.uid.setText("0169552957")  # the same card as a 10-digit decimal
    assert "Already enrolled as 0A1B2C3D" in dlg.uid_hint.text()
    dlg.save()
    assert "already enrolled" in dlg.error.text()
    assert card_count(db) == 2


def test_dialog_refuses_end_before_start(qtbot: QtBot, db: Database) -> None:
    from PySide6.QtCore import QDate

    dlg = CardDialog(db)
    qtbot.addWidget(dlg)
    dlg.uid.setText("DEADBEEF")
    dlg.valid_from.check.setChecked(True)
    dlg.valid_from.edit.setDate(QDate(2027, 5, 1))
    dlg.valid_to.check.setChecked(True)
    dlg.valid_to.edit.setDate(QDate(2027, 4, 1))
    dlg.save()
    assert "valid_to is before valid_from" in dlg.error.text()
    assert card_count(db) == 2


def test_dialog_enrols_with_bays_and_limits_then_edits(qtbot: QtBot, db: Database) -> None:
    dlg = CardDialog(db)
    qtbot.addWidget(dlg)
    dlg.uid.setText("de:ad:be:ef")
    assert "Stored as DEADBEEF" in dlg.uid_hint.text()
    dlg.label.setText("Van 3")
    dlg.holder.setCurrentText("Carla")
    dlg.group.setCurrentText("Tenants")
    dlg.bays.item(1).setCheckState(Qt.CheckState.Checked)  # P2
    dlg.max_concurrent.setValue(2)
    dlg.max_current.setValue(16)
    dlg.save()
    assert dlg.error.text() == "" and dlg.saved_card_id is not None
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
    edit = CardDialog(db, dlg.saved_card_id)
    qtbot.addWidget(edit)
    assert edit.uid.text() == "DEADBEEF" and edit.holder.currentText() == "Carla"
    assert "Already enrolled" not in edit.uid_hint.text()  # itself is not a duplicate
    edit.bays.item(1).setCheckState(Qt.CheckState.Unchecked)
    edit.bays.item(2).setCheckState(Qt.CheckState.Checked)
    edit.blocked.setChecked(True)
    edit.max_current.setValue(0)  # "no limit"
    edit.save()
    assert edit.error.text() == ""
    with db.session() as s:
        card = s.get(Card, dlg.saved_card_id)
        assert card is not None and card.blocked and card.max_current_a is None
        assert [a.bay_id for a in card.allowed] == [
            s.scalar(select(Bay.id).where(Bay.label == "P3"))
        ]
    renamed = CardDialog(db, dlg.saved_card_id)
    qtbot.addWidget(renamed)
    renamed.uid.setText("44332211")  # Bo's card reversed: refused
    renamed.save()
    assert "already enrolled" in renamed.error.text()


# ------------------------------------------------------------------ tap to enrol


def test_wedge_burst_opens_enrol_dialog_with_the_number(qtbot: QtBot, page: CardsPage) -> None:
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
    assert page.dialog is not None and page.dialog.isVisible()
    assert page.dialog.uid.text() == "0420113377"
    assert "New card 190A6BE1" in page.tap_status.text()
    assert "keyboard reader" in page.tap_status.text()
    page.dialog.label.setText("From the desk")
    page.dialog.save()
    qtbot.waitUntil(lambda: page.dialog is None)
    assert card_count(page.ctx.db) == 3
    assert page.model.rows[page.model.row_of(page.selected_card_id())].uid == "190A6BE1"


def test_wedge_burst_of_a_known_card_warns_and_selects_it(qtbot: QtBot, page: CardsPage) -> None:
    clock = KeyClock()
    page.tap.clock = clock
    type_keys(page.tap, "0169552957", clock, 0.004)  # 0A1B2C3D as a decimal wedge reader
    press_enter(page.tap, clock)
    assert page.dialog is None
    assert "already enrolled as 0A1B2C3D (Anna)" in page.tap_status.text()
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
    assert "keyboard reader" in page.tap_status.text()
    assert "already enrolled as 0A1B2C3D (Anna)" in page.tap_status.text()


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
    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        reader = create_reader("rdm6300", DeviceConfig(sim.endpoint.name))
        page.desk.open_reader("desk", reader)
        sim.tap("0A1B2C3D", hold_s=0.3)  # an EM4100 card: version 00 + 0A1B2C3D
        qtbot.waitUntil(lambda: "already enrolled" in page.tap_status.text(), timeout=10_000)
        assert "desk reader desk" in page.tap_status.text()
        assert "0A1B2C3D (Anna)" in page.tap_status.text()
        sim.tap("00C0FFEE42", hold_s=0.3)
        qtbot.waitUntil(lambda: page.dialog is not None, timeout=10_000)
        assert page.dialog is not None and page.dialog.uid.text() == "00C0FFEE42"
        assert "Stored as 00C0FFEE42" in page.dialog.uid_hint.text()
        sim.tap("0A1B2C3D", hold_s=0.3)  # a tap while the dialog is open fills its field
        qtbot.waitUntil(lambda: page.dialog.uid.text() == "000A1B2C3D", timeout=10_000)
        assert "Already enrolled as 0A1B2C3D" in page.dialog.uid_hint.text()
    finally:
        page.desk.stop()
        sim.stop()


def test_desk_taps_come_from_the_running_engine(qtbot: QtBot, ctx: AppContext) -> None:
    from tests.site import running

    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        with ctx.db.session() as s:
            s.add(CardReaderDevice(name="desk", driver="rdm6300", port=sim.endpoint.name))
        with running(ctx.db) as engine:
            ctx.engine = engine
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
        ctx.engine = None
        sim.stop()


# ------------------------------------------------------------------ CSV


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["uid", "label", "holder", "allowed_bays", "valid_to"])
        w.writeheader()
        w.writerows(rows)
    return path


def test_csv_preview_rejects_the_file_whole(qtbot: QtBot, page: CardsPage, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "cards.csv",
        [
            {"uid": "AABBCCDD", "label": "ok 1", "holder": "Eve"},
            {"uid": "not-a-card", "label": "bad", "holder": "Eve"},
            {"uid": "01020304", "label": "ok 2", "holder": "Eve"},
        ],
    )
    dlg = page.open_import(path)
    qtbot.waitUntil(lambda: dlg.preview is not None)
    assert "line 3" in dlg.summary.text() and "unknown card number format" in dlg.summary.text()
    assert "nothing will be imported" in dlg.summary.text()
    assert not dlg.import_button.isEnabled()
    assert dlg.table.rowCount() == 3
    assert dlg.table.item(1, 0).text() == "3"  # the bad line is shown and selected
    assert dlg.table.selectionModel().isRowSelected(1)
    assert card_count(page.ctx.db) == 2
    dlg.reject()


def test_csv_preview_rejects_known_card_other_spelling(
    qtbot, page: CardsPage, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "cards.csv",
        [
            {"uid": "AABBCCDD", "label": "new"},
            {"uid": "0169552957", "label": "Anna's card again"},
        ],
    )
    dlg = page.open_import(path)
    qtbot.waitUntil(lambda: dlg.preview is not None)
    assert "line 3: card 0A1B2C3D is already enrolled" in dlg.summary.text()
    assert not dlg.import_button.isEnabled()
    dlg.reject()
    bad_bay = write_csv(tmp_path / "bays.csv", [{"uid": "AABBCCDD", "allowed_bays": "P1 P9"}])
    dlg = page.open_import(bad_bay)
    qtbot.waitUntil(lambda: dlg.preview is not None)
    assert "line 2: no bay labelled 'P9'" in dlg.summary.text()
    dlg.reject()
    assert card_count(page.ctx.db) == 2


def test_csv_import_of_a_good_file(qtbot: QtBot, page: CardsPage, tmp_path: Path) -> None:
    rows = [
        {"uid": f"{0xA0000000 + i:08X}", "label": f"n{i}", "holder": "Fleet", "allowed_bays": "P1"}
        for i in range(40)
    ]
    dlg = page.open_import(write_csv(tmp_path / "fleet.csv", rows))
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled())
    assert "40 card(s) checked" in dlg.summary.text()
    with qtbot.waitSignal(dlg.imported) as sig:
        dlg.import_button.click()
    assert sig.args == [40]
    assert card_count(page.ctx.db) == 42
    assert page.model.rowCount() == 42
    assert "Imported 40 card(s)" in page.message.text()


def test_csv_that_is_not_text(qtbot: QtBot, page: CardsPage, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0 binary")
    dlg = page.open_import(path)
    assert "not UTF-8" in dlg.summary.text()
    assert not dlg.import_button.isEnabled()
    dlg.reject()


# ------------------------------------------------------------------ list actions


def test_search_block_unblock_and_export(qtbot: QtBot, page: CardsPage, tmp_path: Path) -> None:
    assert page.model.rowCount() == 2
    page.search.setText("44332211")  # Bo's card, bytes reversed
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.rows[0].holder == "Bo"
    page.table.selectRow(0)
    assert page.block_button.text() == "Block"
    page.block_button.click()
    assert page.model.rows[0].blocked and page.block_button.text() == "Unblock"
    assert page.model.data(page.model.index(0, 4)) == "Blocked"
    page.block_button.click()
    assert not page.model.rows[0].blocked
    out = tmp_path / "export.csv"
    page.export_to(out)
    qtbot.waitUntil(lambda: "Exported" in page.message.text())
    lines = out.read_text().splitlines()
    assert lines[0].startswith("uid,label,holder") and len(lines) == 3
    assert not list(tmp_path.glob(".cards-*"))  # no temporary file left behind


def test_dialog_budgets_added_and_removed_with_the_card(qtbot: QtBot, db: Database) -> None:
    from stationmgr.billing.budgets import add_budget
    from stationmgr.store.billing_models import Budget

    with db.session() as s:
        add_budget(s, "month", "kWh", "500", group="Staff")  # Bo's group budget
        bo = s.scalar(select(Card.id).where(Card.uid == "11223344"))
    dlg = CardDialog(db, bo)
    qtbot.addWidget(dlg)
    assert dlg.budgets.list.count() == 1 and "(group)" in dlg.budgets.list.item(0).text()
    dlg.budgets.limit.setText("lots")
    dlg.budgets.add_button.click()
    assert "invalid kWh limit" in dlg.error.text()
    dlg.budgets.period.setCurrentIndex(0)  # daily
    dlg.budgets.limit.setText("20")
    dlg.budgets.add_button.click()
    assert dlg.error.text() == ""
    dlg.save()
    assert dlg.error.text() == ""
    with db.session() as s:
        own = list(s.scalars(select(Budget).where(Budget.card_id == bo)))
        assert [(b.period, b.unit, b.limit_value) for b in own] == [("day", "kWh", 20_000)]
    again = CardDialog(db, bo)
    qtbot.addWidget(again)
    texts = [again.budgets.list.item(i).text() for i in range(again.budgets.list.count())]
    assert any(t.startswith("daily 20.000 kWh") for t in texts), texts
    own_row = next(i for i, t in enumerate(texts) if "(group)" not in t)
    again.budgets.list.setCurrentRow(own_row)
    again.budgets.remove_button.click()
    again.save()
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
