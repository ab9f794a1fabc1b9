"""The login dialog (also the unlock dialog of the idle lock) and the password change."""

from __future__ import annotations

from typing import Any

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

from stationmgr.access.context import Actor, protected
from stationmgr.access.operators import POLICY, authenticate, change_password
from stationmgr.errors import StationError
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
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.channel = channel
        self.actor: Actor | None = None
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
        (self.password if username else self.username).setFocus()

    def try_sign_in(self) -> None:
        user, password = self.username.text().strip(), self.password.text()
        if not user or not password:
            self._fail(self.tr("Enter your user name and password."))
            return
        self.buttons.setEnabled(False)
        self.error.setText(self.tr("Checking…"))
        self.error.show()

        def check() -> Actor:
            return authenticate(self.db, user, password, channel=self.channel)

        if self.worker is None:
            try:
                self._ok(check())
            except StationError as e:
                self._fail(str(e))
            return
        self.worker.run(check, self._ok, lambda e: self._fail(str(e)))

    def _ok(self, actor: Actor) -> None:
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
    """The operator changes their own password (asked after an owner's reset)."""

    changed = Signal()

    def __init__(
        self, db: Database, actor: Actor, parent: QWidget | None = None, forced: bool = False
    ) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
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
        buttons = QDialogButtonBox(
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
        try:
            with self.db.session() as s:
                change_password(s, self.actor, self.old.text(), self.new.text())
        except StationError as e:
            self._fail(str(e))
            return
        for w in (self.old, self.new, self.again):
            w.clear()
        self.changed.emit()
        self.accept()

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


def sign_in(db: Database, worker: Any = None, parent: QWidget | None = None) -> Actor | None:
    """Who uses the app: the first-run wizard on a fresh site, else the login dialog
    (then a forced password change after a reset). None: the person cancelled."""
    with db.session() as s:
        fresh = not protected(s)
    if fresh:
        from ui.access.wizard import FirstRunWizard

        wizard = FirstRunWizard(db, parent)
        return wizard.actor if wizard.exec() else None
    dialog = LoginDialog(db, worker, parent)
    if not dialog.exec() or dialog.actor is None:
        return None
    actor = dialog.actor
    if actor.must_change_password:
        change = ChangePasswordDialog(db, actor, parent, forced=True)
        if not change.exec():
            return None
    return actor
