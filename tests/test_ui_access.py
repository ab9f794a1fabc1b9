"""The desktop app's access widgets under pytest-qt (offscreen): first-run wizard, login
dialog with its failures and lockout, the idle lock (a short injected timeout, waited for
as a signal — no timing thresholds), lock on demand and shift change, the operators dialog,
the audit view with filters and CSV export, and `allowed()` for hiding actions."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMainWindow, QMenuBar, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from stationmgr.access import audit
from stationmgr.access.context import current_actor, demo_actor, set_session_actor
from stationmgr.access.operators import LoginFailed, authenticate
from stationmgr.access.roles import Role
from stationmgr.settings import get_setting
from stationmgr.store.db import Database
from stationmgr.store.models import Operator
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries
from ui.access import allowed
from ui.access.audit_view import AuditView
from ui.access.lock import install_session_lock
from ui.access.login import ChangePasswordDialog, LoginDialog
from ui.access.operators_dialog import OperatorForm, OperatorsDialog
from ui.access.wizard import FirstRunWizard
from ui.worker import Worker


@pytest.fixture
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.shutdown()


@pytest.fixture
def staffed(sqlite_db: Database):
    staff = add_staff(sqlite_db)
    yield sqlite_db, staff
    set_session_actor(None)


def test_first_run_wizard_names_the_site_and_signs_the_owner_in(qtbot: QtBot, sqlite_db) -> None:
    w = FirstRunWizard(sqlite_db)
    qtbot.addWidget(w)
    w.show()
    w.site_page.name.setText("Brf Solrosen garage")
    w.next()
    page = w.owner_page
    page.username.setText("olga")
    page.display.setText("Olga Owner")
    page.password.setText("short")
    page.again.setText("short")
    w.button(QWizard.WizardButton.FinishButton).click()
    assert "at least 10 characters" in page.error.text() and w.isVisible()
    page.password.setText("olgas-Pa55word")
    page.again.setText("olgas-Pa55wordX")
    w.button(QWizard.WizardButton.FinishButton).click()
    assert "differ" in page.error.text()
    page.password.setText("olgas-Pa55word")
    page.again.setText("olgas-Pa55word")
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.result() == QWizard.DialogCode.Accepted
    assert w.actor is not None and w.actor.username == "olga" and w.actor.role is Role.OWNER
    with sqlite_db.session() as s:
        assert get_setting(s, "site_name") == "Brf Solrosen garage"
        assert s.scalar(select(Operator.role)) == "owner"
    assert page.password.text() == "" and page.again.text() == ""  # not kept in widgets


def test_login_dialog_success_failure_and_lockout(qtbot: QtBot, staffed, worker) -> None:
    db, _ = staffed
    d = LoginDialog(db, worker)
    qtbot.addWidget(d)
    d.show()
    d.username.setText("arne")
    for _ in range(5):
        d.password.setText("guess-guess-guess")
        with qtbot.waitSignal(d.failed, timeout=10_000) as failed:
            d.try_sign_in()
        assert d.isVisible() and d.password.text() == ""
    assert "locked" in failed.args[0] and "locked" in d.error.text().lower()
    d.username.setText("olga")
    d.password.setText(PASSWORDS[Role.OWNER])
    with qtbot.waitSignal(d.signed_in, timeout=10_000) as ok:
        d.try_sign_in()
    assert ok.args[0].username == "olga" and d.result() == LoginDialog.DialogCode.Accepted
    failed_gui = audit_entries(db, action="login", outcome=audit.FAILED)
    assert len(failed_gui) == 5 and all(e.target == "gui" for e in failed_gui)


def test_password_change_dialog(qtbot: QtBot, staffed) -> None:
    db, staff = staffed
    d = ChangePasswordDialog(db, staff[Role.ATTENDANT])
    qtbot.addWidget(d)
    d.old.setText(PASSWORDS[Role.ATTENDANT])
    d.new.setText("arnes-new-password")
    d.again.setText("arnes-other-password")
    d.try_change()
    assert "differ" in d.error.text()
    d.again.setText("arnes-new-password")
    with qtbot.waitSignal(d.changed, timeout=5000):
        d.try_change()
    assert authenticate(db, "arne", "arnes-new-password").username == "arne"


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    w = QMainWindow()
    w.setMenuBar(QMenuBar())
    w.menuBar().addMenu("&Site")
    w.setCentralWidget(QLabel("bay board"))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_idle_lock_then_unlock_by_the_same_operator(qtbot: QtBot, staffed, window, worker) -> None:
    db, staff = staffed
    arne = staff[Role.ATTENDANT]
    set_session_actor(arne)
    lock = install_session_lock(window, current_actor, db=db, worker=worker, idle_ms=50)
    with qtbot.waitSignal(lock.locked, timeout=10_000):
        pass  # nobody touches anything: the injected idle time runs out
    assert lock.is_locked and not window.centralWidget().isVisible()
    assert not window.menuBar().isVisible()
    d = lock.dialog
    assert d is not None and d.username.text() == "arne"
    d.password.setText("wrong-password-here")
    with qtbot.waitSignal(d.failed, timeout=10_000):
        d.try_sign_in()
    assert lock.is_locked and not window.centralWidget().isVisible()
    d.password.setText(PASSWORDS[Role.ATTENDANT])
    with qtbot.waitSignal(lock.unlocked, timeout=10_000) as unlocked:
        d.try_sign_in()
    assert unlocked.args[0].username == "arne" and window.centralWidget().isVisible()
    assert not lock.is_locked and lock.timer.isActive()
    lock.uninstall()


def test_activity_restarts_the_idle_timer_and_ctrl_l_locks(
    qtbot: QtBot, staffed, window, worker
) -> None:
    db, staff = staffed
    set_session_actor(staff[Role.ATTENDANT])
    lock = install_session_lock(window, current_actor, idle_minutes=30, db=db, worker=worker)
    assert lock.idle_ms == 30 * 60_000 and lock.timer.isActive()
    seen = lock.activity
    QTest.keyClick(window.centralWidget(), Qt.Key.Key_A)
    QTest.mouseClick(window.centralWidget(), Qt.MouseButton.LeftButton)
    assert lock.activity >= seen + 2 and lock.timer.isActive() and not lock.is_locked
    with qtbot.waitSignal(lock.locked, timeout=5000):
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    # A different operator takes over the shift from the lock screen.
    d = lock.dialog
    assert d is not None
    d.username.setText("olga")
    d.password.setText(PASSWORDS[Role.OWNER])
    with qtbot.waitSignal(lock.actor_changed, timeout=10_000) as changed:
        d.try_sign_in()
    assert changed.args[0].username == "olga" and current_actor().username == "olga"
    lock.set_idle_ms(0)
    assert not lock.timer.isActive()  # 0: idle lock off
    lock.uninstall()


def test_cancelling_the_lock_dialog_keeps_the_window_locked(qtbot: QtBot, staffed, window) -> None:
    db, staff = staffed
    set_session_actor(staff[Role.OWNER])
    lock = install_session_lock(window, current_actor, db=db, idle_ms=0)
    lock.lock()
    first = lock.dialog
    first.reject()
    qtbot.waitUntil(lambda: first.isVisible(), timeout=5000)
    assert lock.is_locked and not window.centralWidget().isVisible()
    lock.uninstall()


def test_operators_dialog_add_reset_role_disable(qtbot: QtBot, staffed) -> None:
    db, staff = staffed
    d = OperatorsDialog(db, staff[Role.OWNER])
    qtbot.addWidget(d)
    d.show()
    assert d.table.rowCount() == 3 and d.add_button.isVisible()
    form = OperatorForm(d)
    form.username.setText("bertil")
    form.role.setCurrentIndex(list(Role).index(Role.ACCOUNTANT))
    form.password.setText("bertils-Pa55word")
    form.again.setText("bertils-Pa55word")
    form.accept()
    assert d.add(form), d.status.text()
    assert d.table.rowCount() == 4
    d.select("bertil")
    reset = OperatorForm(d, "bertil")
    reset.password.setText("bertil-temporary")
    reset.again.setText("bertil-temporary")
    reset.accept()
    assert d.reset(reset)
    assert authenticate(db, "bertil", "bertil-temporary").must_change_password
    d.select("bertil")
    assert d.change_role(Role.ATTENDANT)
    d.select("bertil")
    assert d.toggle_active(confirm=False) and "disabled" in d.status.text()
    d.select("olga")
    assert not d.toggle_active(confirm=False)
    assert "last active owner" in d.status.text()
    actions = [e.action for e in audit_entries(db, operator="olga")]
    for a in ("operators.add", "operators.reset", "operators.role", "operators.disable"):
        assert a in actions


def test_operators_dialog_for_an_attendant_shows_nothing(qtbot: QtBot, staffed) -> None:
    db, staff = staffed
    d = OperatorsDialog(db, staff[Role.ATTENDANT])
    qtbot.addWidget(d)
    d.show()
    assert d.table.rowCount() == 0 and not d.add_button.isVisible()
    assert "may not list operators" in d.status.text()
    form = OperatorForm(d)
    form.username.setText("sneaky")
    form.password.setText("sneaky-Pa55word")
    form.again.setText("sneaky-Pa55word")
    form.accept()
    assert not d.add(form)  # the core refuses even if the button were reachable
    assert "permission denied" in d.status.text()
    denied = [(e.operator, e.action) for e in audit_entries(db, outcome=audit.DENIED)]
    assert denied == [("arne", "operators.read"), ("arne", "operators.manage")]


def test_audit_view_filters_verify_and_export(qtbot: QtBot, staffed, tmp_path: Path) -> None:
    db, staff = staffed
    with pytest.raises(LoginFailed):
        authenticate(db, "arne", "wrong-password-1")
    v = AuditView(db, staff[Role.OWNER])
    qtbot.addWidget(v)
    v.show()
    total = v.table.rowCount()
    assert total >= 6
    v.outcome.setCurrentIndex(v.outcome.findData(audit.FAILED))  # refreshes
    assert v.table.rowCount() == 1 and v.table.item(0, 2).text() == "arne"
    v.outcome.setCurrentIndex(0)
    v.action.setText("operators")
    v.refresh()
    assert v.table.rowCount() == 3
    assert v.verify() and "audit chain ok" in v.status.text()
    out = tmp_path / "audit.csv"
    assert v.export(out) == 3
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["action"] for r in rows] == ["operators.add"] * 3
    with db.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE audit_entries SET target = 'x' WHERE id = 2"))
    assert not v.verify() and "#2" in v.status.text()


def test_audit_view_is_owner_only(qtbot: QtBot, staffed) -> None:
    db, staff = staffed
    v = AuditView(db, staff[Role.ACCOUNTANT])
    qtbot.addWidget(v)
    assert v.table.rowCount() == 0 and "Only the owner" in v.status.text()
    assert not v.export_button.isVisibleTo(v)
    v.refresh()  # even if called: the core refuses, and says so
    assert "permission denied" in v.status.text()


def test_allowed_hides_by_role_and_understands_the_app_names(staffed) -> None:
    _, staff = staffed
    att, acc = staff[Role.ATTENDANT], staff[Role.ACCOUNTANT]
    assert allowed(att, "session.start_guest") and allowed(att, "bays.remote_stop")
    assert not allowed(acc, "session.start_guest") and not allowed(att, "cards.add")
    assert allowed(acc, "billing.export") and not allowed(None, "bays.view")
    assert not allowed(att, "no.such.action")
    assert allowed("anyone", "cards.add")  # nobody signed in: the core decides (fresh site)
    set_session_actor(att)
    assert allowed(USERS[Role.ATTENDANT], "bays.remote_start")  # the signed-in username
    assert not allowed(USERS[Role.ATTENDANT], "cards.add")
    assert not allowed(USERS[Role.OWNER], "cards.add")  # a name that is not signed in
    assert allowed(demo_actor(), "tariffs.edit") and "demo" in demo_actor().label.lower()


def test_begin_demo_and_attach_follow_a_shift_change(qtbot: QtBot, staffed, window) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from ui.access.session import attach, begin

    db, staff = staffed
    ctx = SimpleNamespace(db=db, worker=None, actor="attendant")
    demo = begin(SimpleNamespace(db=db, worker=None, actor="x"), demo=True)
    assert demo is not None and demo.demo and current_actor() == demo
    set_session_actor(staff[Role.ATTENDANT])
    ctx.actor = "arne"
    window.setWindowTitle("stationmgr")
    lock = attach(window, ctx, idle_ms=0)
    assert window.windowTitle() == "stationmgr — arne (attendant)"
    lock.lock()
    lock.dialog.username.setText("olga")
    lock.dialog.password.setText(PASSWORDS[Role.OWNER])
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        lock.dialog.try_sign_in()
    assert ctx.actor == "olga" and "Olga Owner (owner)" in window.windowTitle()
    lock.uninstall()


def test_session_menu_offers_what_the_role_may(qtbot: QtBot, staffed, window) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from ui.access.session import attach

    db, staff = staffed
    set_session_actor(staff[Role.ATTENDANT])
    ctx = SimpleNamespace(db=db, worker=None, actor="arne")
    lock = attach(window, ctx, idle_ms=0)
    menu = window.session_menu
    assert menu.passwd.isVisible() and not menu.operators.isVisible()
    assert lock.lock_action in menu.menu.actions()
    lock.lock()
    lock.dialog.username.setText("olga")
    lock.dialog.password.setText(PASSWORDS[Role.OWNER])
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        lock.dialog.try_sign_in()
    assert menu.operators.isVisible()  # the owner took over
    menu.operators.trigger()
    assert isinstance(menu.dialog, OperatorsDialog) and menu.dialog.table.rowCount() == 3
    menu.dialog.close()
    menu.passwd.trigger()
    assert isinstance(menu.dialog, ChangePasswordDialog) and menu.dialog.actor.username == "olga"
    menu.dialog.close()
    assert menu.who.text() == "Olga Owner (owner)"
    lock.uninstall()


def test_the_demo_owner_is_labelled_as_demo(qtbot: QtBot, sqlite_db, window) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from ui.access.session import attach, begin

    ctx = SimpleNamespace(db=sqlite_db, worker=None, actor="attendant")
    try:
        assert begin(ctx, demo=True).demo and ctx.actor == "demo"
        window.setWindowTitle("stationmgr")
        lock = attach(window, ctx)
        assert window.windowTitle().endswith("DEMO") and not lock.timer.isActive()
        assert "demo" in window.session_menu.who.text().lower()
        assert window.session_menu.operators.isVisible()  # a demo owner sees everything
        lock.uninstall()
    finally:
        set_session_actor(None)
