"""The login dialog (also the unlock dialog of the idle lock) and the password change.

On the site's own PC the dialog checks the password on the local database; a window
attached to a site service (`client`) signs in over the client instead (`client.login`:
the service's lockout policy, its token), and gets the service's `m.Operator`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from stationmgr.access import desk
from stationmgr.access.context import Actor
from stationmgr.access.operators import POLICY, authenticate
from stationmgr.errors import StationError
from ui.oneline import error_line

if TYPE_CHECKING:
    from stationmgr.store.db import Database


class LoginDialog(QDialog):
    """Username and password; the check (argon2id, ~0.2 s) runs on the worker if given.

    `signed_in(Actor)` is emitted and the dialog accepted on success; a failure shows its
    reason (wrong password, locked until …) and keeps the dialog open.
    """

    signed_in = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        db: Database,
        worker: Any = None,
        parent: QWidget | None = None,
        username: str = "",
        title: str | None = None,
        note: str | None = None,
        channel: str = "gui",
        client: Any = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.client = client  # a SiteClient: sign in over it (a window on a site service)
        self.worker = worker
        self.channel = channel
        self.actor: Any = None  # an Actor (local) or the service's m.Operator (client)
        self.setWindowTitle(title or self.tr("Sign in — stationmgr"))
        self.note = QLabel(note or self.tr("Sign in to use this site."))
        self.note.setWordWrap(True)
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("User"), self.username)
        form.addRow(self.tr("Password"), self.password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.note)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        # Wide enough for its title and a locked-until message on one or two lines.
        self.setMinimumWidth(
            max(380, self.fontMetrics().horizontalAdvance(self.windowTitle()) + 160)
        )
        (self.password if username else self.username).setFocus()

    def try_sign_in(self) -> None:
        user, password = self.username.text().strip(), self.password.text()
        if not user or not password:
            self._fail(self.tr("Enter your user name and password."))
            return
        self.buttons.setEnabled(False)
        self.error.setText(self.tr("Checking…"))
        self.error.show()

        def check() -> Any:
            if self.client is not None:
                return self.client.login(user, password)
            return authenticate(self.db, user, password, channel=self.channel)

        if self.worker is None:
            try:
                self._ok(check())
            except StationError as e:
                self._fail(str(e))
            return
        self.worker.run(check, self._ok, lambda e: self._fail(str(e)))

    def _ok(self, actor: Any) -> None:
        self.password.clear()
        self.buttons.setEnabled(True)
        self.error.hide()
        self.actor = actor
        self.signed_in.emit(actor)
        self.accept()

    def _fail(self, text: str) -> None:
        self.password.clear()
        self.buttons.setEnabled(True)
        self.error.setText(text.removeprefix("login failed: ").capitalize())
        self.error.show()
        self.password.setFocus()
        self.failed.emit(text)


class ChangePasswordDialog(QDialog):
    """The operator changes their own password (asked after an owner's reset), through
    the site client (`change_password`: the old password is checked, the change
    audited), so it works the same over `--site`. The check runs on `worker` if given."""

    changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        client: Any,
        actor: Any,
        parent: QWidget | None = None,
        forced: bool = False,
        worker: Any = None,
    ) -> None:
        super().__init__(parent)
        self.client, self.actor, self.worker = client, actor, worker
        self.setWindowTitle(self.tr("Change password"))
        intro = (
            self.tr("Your password was reset by the owner. Choose your own to continue.")
            if forced
            else self.tr("Choose a new password.")
        )
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.again = QLineEdit()
        for name, w in (("old", self.old), ("new", self.new), ("again", self.again)):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setObjectName(name)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("Current password"), self.old)
        form.addRow(self.tr("New password"), self.new)
        form.addRow(self.tr("New password again"), self.again)
        hint = QLabel(self.tr("At least {0} characters.").format(POLICY.min_length))
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_change)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(intro))
        box.addLayout(form)
        box.addWidget(hint)
        box.addWidget(self.error)
        box.addWidget(buttons)

    def try_change(self) -> None:
        if self.new.text() != self.again.text():
            self._fail(self.tr("The two new passwords differ."))
            return
        client, old, new = self.client, self.old.text(), self.new.text()
        self.buttons.setEnabled(False)

        def change() -> object:
            from stationmgr.client.models import PasswordChange

            return client.change_password(PasswordChange(old, new))

        if self.worker is None:
            try:
                self._done(change())
            except Exception as e:  # one line, as the worker's error callback gets it
                self._fail(error_line(e))
            return
        self.worker.run(change, self._done, lambda e: self._fail(error_line(e)))

    def _done(self, _answer: object) -> None:
        self.buttons.setEnabled(True)
        for w in (self.old, self.new, self.again):
            w.clear()
        self.changed.emit()
        self.accept()

    def _fail(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(text)
        self.error.show()
        self.failed.emit(text)


def sign_in(
    db: Database, worker: Any = None, parent: QWidget | None = None, site: Any = None
) -> Actor | None:
    """Who uses the app: the first-run wizard on a fresh site, else the login dialog
    (then a forced password change after a reset). None: the person cancelled before an
    owner existed (a wizard cancelled later only skips its remaining steps).

    `site`: the window's site client, for the wizard's steps after the owner exists."""
    if desk.site_is_fresh(db):
        from ui.access.wizard import FirstRunWizard

        wizard = FirstRunWizard(db, parent, site=site, worker=worker)
        wizard.exec()
        return wizard.actor
    dialog = LoginDialog(db, worker, parent)
    if not dialog.exec() or dialog.actor is None:
        return None
    actor = dialog.actor
    if actor.must_change_password:
        from stationmgr.client.local import LocalClient

        change = ChangePasswordDialog(LocalClient(db, actor=actor), actor, parent, True, worker)
        if not change.exec():
            return None
    return actor


def sign_in_client(client: Any, worker: Any = None, parent: QWidget | None = None) -> Any:
    """Who uses a window attached to a site service: the login dialog over `client` (a site
    without operators needs none). The service's `m.Operator`, or None if cancelled."""
    if not client.site_info().protected:
        return client.whoami()
    dialog = LoginDialog(None, worker, parent, client=client)  # type: ignore[arg-type]
    if not dialog.exec() or dialog.actor is None:
        return None
    return dialog.actor
