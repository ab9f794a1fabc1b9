"""The desktop app's access widgets under pytest-qt (offscreen): first-run wizard, login
dialog with its failures and lockout, the idle lock (a short injected timeout, waited for
as a signal — no timing thresholds), lock on demand and shift change, the operators dialog,
the audit view with filters, pages and CSV export, and `allowed()` for hiding actions. The
operators dialog and the audit view run with both site clients (`ui_client`); the wizard,
the login and the lock are this PC's own (the wizard creates the first owner on a new
database, before a site service could sign anyone in)."""

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
from stationmgr.billing.site import require_seller
from stationmgr.settings import get_setting
from stationmgr.store.db import Database
from stationmgr.store.models import Operator
from tests.access_site import PASSWORDS, USERS, Staff, add_staff, audit_entries
from tests.ui_staff import staffed_context
from ui.access import allowed
from ui.access.audit_view import AuditView
from ui.access.lock import install_session_lock
from ui.access.login import ChangePasswordDialog, LoginDialog
from ui.access.operators_dialog import OperatorForm, OperatorsDialog
from ui.access.wizard import FirstRunWizard
from ui.context import AppContext
from ui.worker import Worker

WAIT_MS = 20_000


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
    seller = w.seller_page.fields  # the seller and the time zone, before any number
    assert w.currentPage() is w.seller_page
    seller.name.setText("Brf Solrosen")
    seller.org_number.setText("12345")
    w.next()
    assert w.currentPage() is w.seller_page
    assert "organisation number" in w.seller_page.error.text()
    seller.org_number.setText("769600-1234")
    seller.address.setText("Solrosvägen 2; 123 45 Ängelholm")
    seller.vat_number.setText("SE769600123401")
    seller.timezone.setCurrentText("Mars/Olympus")
    w.next()
    assert "unknown time zone" in w.seller_page.error.text()
    seller.timezone.setCurrentText("Europe/Helsinki")
    w.next()
    page = w.owner_page
    page.username.setText("olga")
    page.display.setText("Olga Owner")
    page.password.setText("short")
    page.again.setText("short")
    commit = w.button(QWizard.WizardButton.CommitButton)  # the owner exists once left
    commit.click()
    assert "at least 10 characters" in page.error.text() and w.currentPage() is page
    page.password.setText("olgas-Pa55word")
    page.again.setText("olgas-Pa55wordX")
    commit.click()
    assert "differ" in page.error.text()
    page.password.setText("olgas-Pa55word")
    page.again.setText("olgas-Pa55word")
    commit.click()
    assert w.currentPage() is w.tariff_page  # the optional steps (tests/test_ui_wizard.py)
    for _ in w.steps:
        w.skip()
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.result() == QWizard.DialogCode.Accepted
    assert w.actor is not None and w.actor.username == "olga" and w.actor.role is Role.OWNER
    with sqlite_db.session() as s:
        assert get_setting(s, "site_name") == "Brf Solrosen garage"
        assert s.scalar(select(Operator.role)) == "owner"
        assert get_setting(s, "seller_org_number") == "769600-1234"
        assert get_setting(s, "seller_vat_number") == "SE769600123401"
        assert get_setting(s, "timezone") == "Europe/Helsinki"
        assert require_seller(s).address == ("Solrosvägen 2", "123 45 Ängelholm")
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


def test_password_change_dialog(qtbot: QtBot, staffed, ui_client) -> None:  # type: ignore[no-untyped-def]
    """One's own password through the site client: the old one is asked again (a wrong one
    is one line and audited), the policy applies, the change is audited."""
    db, staff = staffed
    with staffed_context(db, ui_client, "attendant", staff) as ctx:
        who = ctx.operator or staff[Role.ATTENDANT]
        d = ChangePasswordDialog(ctx.client, who, None, worker=ctx.worker)
        qtbot.addWidget(d)
        d.old.setText(PASSWORDS[Role.ATTENDANT])
        d.new.setText("arnes-new-password")
        d.again.setText("arnes-other-password")
        d.try_change()
        assert "differ" in d.error.text()
        d.old.setText("not-arnes-password")
        d.again.setText("arnes-new-password")
        with qtbot.waitSignal(d.failed, timeout=WAIT_MS):
            d.try_change()
        assert "current password is wrong" in d.error.text() and "\n" not in d.error.text()
        d.old.setText(PASSWORDS[Role.ATTENDANT])
        d.new.setText("short")
        d.again.setText("short")
        with qtbot.waitSignal(d.failed, timeout=WAIT_MS):
            d.try_change()
        assert "at least 10 characters" in d.error.text()
        d.new.setText("arnes-new-password")
        d.again.setText("arnes-new-password")
        with qtbot.waitSignal(d.changed, timeout=WAIT_MS):
            d.try_change()
        assert d.result() == ChangePasswordDialog.DialogCode.Accepted and d.old.text() == ""
    assert authenticate(db, "arne", "arnes-new-password").username == "arne"
    entries = audit_entries(db, action="operators.passwd")
    assert [(e.operator, e.outcome) for e in entries] == [
        ("arne", audit.FAILED),
        ("arne", audit.OK),
    ]


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


def operators_dialog(qtbot: QtBot, ctx: AppContext, staff: Staff, role: Role) -> OperatorsDialog:
    """The dialog as the window opens it: on its client, for whoever is signed in."""
    assert ctx.client is not None
    d = OperatorsDialog(ctx.client, ctx.operator or staff[role], None, ctx.worker)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.answers >= 1, timeout=WAIT_MS)
    return d


def filled(form: OperatorForm, password: str, role: Role | None = None) -> OperatorForm:
    if role is not None:
        form.role.setCurrentIndex(list(Role).index(role))
    form.password.setText(password)
    form.again.setText(password)
    form.accept()
    return form


def test_operators_dialog_add_reset_role_disable(qtbot: QtBot, staffed, ui_client) -> None:  # type: ignore[no-untyped-def]
    db, staff = staffed
    with staffed_context(db, ui_client, "owner", staff) as ctx:
        d = operators_dialog(qtbot, ctx, staff, Role.OWNER)
        assert d.table.rowCount() == 3 and d.add_button.isVisible()
        form = OperatorForm(d)
        form.username.setText("bertil")
        assert d.add(filled(form, "bertils-Pa55word", Role.ACCOUNTANT))
        qtbot.waitUntil(lambda: d.table.rowCount() == 4, timeout=WAIT_MS)
        assert "Added bertil." in d.status.text()
        assert form.password.text() == ""  # not kept in the widget
        d.select("bertil")
        assert d.reset(filled(OperatorForm(d, "bertil"), "bertil-temporary"))
        qtbot.waitUntil(lambda: "New password set for bertil" in d.status.text(), timeout=WAIT_MS)
        assert authenticate(db, "bertil", "bertil-temporary").must_change_password
        d.select("bertil")
        assert d.change_role(Role.ATTENDANT)
        qtbot.waitUntil(lambda: "bertil is now attendant." in d.status.text(), timeout=WAIT_MS)
        d.select("bertil")
        d.toggle_active(confirm=False)
        qtbot.waitUntil(lambda: "bertil disabled." in d.status.text(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: d.active_button.text() == "Enable", timeout=WAIT_MS)
        d.select("olga")
        d.toggle_active(confirm=False)
        qtbot.waitUntil(lambda: "last active owner" in d.status.text(), timeout=WAIT_MS)
    actions = [e.action for e in audit_entries(db, operator="olga")]
    for a in ("operators.add", "operators.reset", "operators.role", "operators.disable"):
        assert a in actions


def test_operators_dialog_for_an_attendant_shows_nothing(qtbot: QtBot, staffed, ui_client) -> None:  # type: ignore[no-untyped-def]
    db, staff = staffed
    with staffed_context(db, ui_client, "attendant", staff) as ctx:
        d = operators_dialog(qtbot, ctx, staff, Role.ATTENDANT)
        assert d.table.rowCount() == 0 and not d.add_button.isVisible()
        assert "may not list operators" in d.status.text()
        form = OperatorForm(d)
        form.username.setText("sneaky")
        before = d.answers
        d.add(filled(form, "sneaky-Pa55word"))  # the core refuses even if the button were reachable
        qtbot.waitUntil(lambda: d.answers > before, timeout=WAIT_MS)
        assert "permission denied" in d.status.text() and "add, reset" in d.status.text()
        assert "\n" not in d.status.text()
    denied = [(e.operator, e.action) for e in audit_entries(db, outcome=audit.DENIED)]
    assert denied == [("arne", "operators.read"), ("arne", "operators.manage")]


def audit_view(qtbot: QtBot, ctx: AppContext) -> AuditView:
    assert ctx.client is not None
    v = AuditView(ctx.client, ctx.worker, ctx.allowed)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitUntil(lambda: v.loads >= 1, timeout=WAIT_MS)
    return v


def test_audit_view_filters_verify_and_export(
    qtbot: QtBot, staffed, tmp_path: Path, ui_client
) -> None:  # type: ignore[no-untyped-def]
    db, staff = staffed
    with pytest.raises(LoginFailed):
        authenticate(db, "arne", "wrong-password-1")
    with staffed_context(db, ui_client, "owner", staff) as ctx:
        v = audit_view(qtbot, ctx)
        total = v.table.rowCount()
        assert total >= 6
        v.outcome.setCurrentIndex(v.outcome.findData(audit.FAILED))  # refreshes
        qtbot.waitUntil(lambda: v.table.rowCount() == 1, timeout=WAIT_MS)
        assert v.table.item(0, 2).text() == "arne"
        v.outcome.setCurrentIndex(0)
        v.action.setText("operators")
        v.refresh()
        qtbot.waitUntil(lambda: v.table.rowCount() == 3, timeout=WAIT_MS)
        v.verify()
        qtbot.waitUntil(lambda: v.chain is not None, timeout=WAIT_MS)
        assert v.chain is not None and v.chain.ok and "audit chain ok" in v.status.text()
        out = tmp_path / "audit.csv"
        before = v.loads
        v.export(out)
        qtbot.waitUntil(lambda: v.exported is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: v.loads > before, timeout=WAIT_MS)  # and the list re-read
        assert v.exported == 3 and "Exported 3 entries" in v.status.text()
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert [r["action"] for r in rows] == ["operators.add"] * 3
        assert [e.operator for e in audit_entries(db, action="audit.export")] == ["olga"]
        with db.engine.begin() as conn:
            from sqlalchemy import text

            conn.execute(text("UPDATE audit_entries SET target = 'x' WHERE id = 2"))
        v.chain = None
        v.verify()
        qtbot.waitUntil(lambda: v.chain is not None, timeout=WAIT_MS)
        assert v.chain is not None and not v.chain.ok and v.chain.bad_id == 2
        assert "#2" in v.status.text()


def test_audit_view_pages_through_the_log(qtbot: QtBot, staffed, ui_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.access import audit_view as module

    db, staff = staffed
    monkeypatch.setattr(module, "PAGE_SIZE", 2)
    with staffed_context(db, ui_client, "owner", staff) as ctx:
        v = audit_view(qtbot, ctx)
        v.action.setText("operators")
        before = v.loads
        v.refresh()
        qtbot.waitUntil(lambda: v.loads > before, timeout=WAIT_MS)
        assert v.table.rowCount() == 2 and v.offset == 0
        newest = [v.table.item(i, 0).text() for i in range(2)]
        assert v.older_button.isEnabled() and not v.newer_button.isEnabled()
        v.older_button.click()
        qtbot.waitUntil(lambda: v.offset == 2, timeout=WAIT_MS)
        assert v.table.rowCount() == 1 and v.table.item(0, 0).text() not in newest
        assert "entries 3–3" in v.status.text() and v.newer_button.isEnabled()
        v.newer_button.click()
        qtbot.waitUntil(lambda: v.offset == 0, timeout=WAIT_MS)
        assert [v.table.item(i, 0).text() for i in range(2)] == newest


def test_audit_view_is_owner_only(qtbot: QtBot, staffed, ui_client) -> None:  # type: ignore[no-untyped-def]
    db, staff = staffed
    with staffed_context(db, ui_client, "accountant", staff) as ctx:
        assert ctx.client is not None
        v = AuditView(ctx.client, ctx.worker, ctx.allowed)
        qtbot.addWidget(v)
        assert v.table.rowCount() == 0 and "Only the owner" in v.status.text()
        assert not v.export_button.isVisibleTo(v)
        v.refresh()  # even if called: the core refuses, and says so
        qtbot.waitUntil(lambda: "permission denied" in v.status.text(), timeout=WAIT_MS)


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


def test_session_menu_offers_what_the_role_may(qtbot: QtBot, staffed, window, ui_client) -> None:  # type: ignore[no-untyped-def]
    """The Session menu as the window has it, on both site clients: the attendant may
    change their password but not see the operators; after the owner takes over the shift
    the operators dialog and the password change both work through the client."""
    from ui.access.session import attach

    db, staff = staffed
    with staffed_context(db, ui_client, "attendant", staff) as ctx:
        lock = attach(window, ctx, idle_ms=0)
        menu = window.session_menu
        assert menu.passwd.isVisible() and not menu.operators.isVisible()
        assert menu.who.text().startswith("arne")
        assert lock.lock_action in menu.menu.actions()
        lock.lock()
        lock.dialog.username.setText("olga")
        lock.dialog.password.setText(PASSWORDS[Role.OWNER])
        with qtbot.waitSignal(lock.unlocked, timeout=WAIT_MS):
            lock.dialog.try_sign_in()
        assert menu.operators.isVisible()  # the owner took over
        assert ctx.actor == "olga"
        menu.operators.trigger()
        assert isinstance(menu.dialog, OperatorsDialog)
        qtbot.waitUntil(lambda: menu.dialog.table.rowCount() == 3, timeout=WAIT_MS)
        assert "error" not in menu.dialog.status.text().lower()
        menu.dialog.close()
        menu.passwd.trigger()
        d = menu.dialog
        assert isinstance(d, ChangePasswordDialog) and d.actor.username == "olga"
        d.old.setText(PASSWORDS[Role.OWNER])
        d.new.setText("olgas-new-password")
        d.again.setText("olgas-new-password")
        with qtbot.waitSignal(d.changed, timeout=WAIT_MS):
            d.try_change()
        assert menu.who.text().startswith("Olga Owner")
        lock.uninstall()
    assert authenticate(db, "olga", "olgas-new-password").username == "olga"


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


def test_settings_dialog_keeps_the_seller_and_the_time_zone(
    qtbot: QtBot, sqlite_db: Database, ui_client: str
) -> None:
    """The owner edits the seller's details and the site's time zone in Settings (through
    the site client, audited); a bad value keeps the dialog open with the core's message;
    the screen shows times in the new zone at once."""
    from datetime import UTC, datetime

    from ui import fmt
    from ui.settings_dialog import SettingsDialog

    with staffed_context(sqlite_db, ui_client, "owner") as ctx:
        d = SettingsDialog(None, ctx.client)
        qtbot.addWidget(d)
        assert d.seller is not None and d.seller.timezone.currentText() == "Europe/Stockholm"
        d.seller.name.setText("Laddgården Åre AB")
        d.seller.org_number.setText("556677-8899")
        d.seller.address.setText("Storgatan 1;837 52 Åre")
        d.seller.vat_number.setText("SE12")
        d.accept()
        assert "invalid VAT number" in d.error.text() and d.result() == 0
        d.seller.vat_number.setText("SE556677889901")
        d.seller.timezone.setCurrentText("America/New_York")
        d.accept()
        assert d.result() == SettingsDialog.DialogCode.Accepted, d.error.text()
        try:
            noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
            assert "7:00" in fmt.when(ctx.locale, noon)  # 12:00 UTC is 07:00 in New York
        finally:
            fmt.set_site_zone(None)
    with sqlite_db.session() as s:
        assert require_seller(s).vat_number == "SE556677889901"
        assert get_setting(s, "timezone") == "America/New_York"
    changed = [e.target for e in audit_entries(sqlite_db, action="settings.edit")]
    assert "site seller_vat_number" in changed and "site timezone" in changed
