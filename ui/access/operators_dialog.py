"""The owner's operators dialog: add, reset a password, change a role, disable/enable.

Everything through the site client on a worker (`operators`, `add_operator`,
`reset_operator_password`, `set_operator_role`, `set_operator_active`: checked and audited
by `access.operators`), so it works the same over `--site`. Each change answers in the
status line; `answers` counts them (tests wait on it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.access.context import Actor
from stationmgr.access.operators import POLICY
from stationmgr.access.roles import Role, role_may
from stationmgr.client import models as m
from ui.access import allowed
from ui.access.words import role_word
from ui.forms import fit_on_screen
from ui.oneline import error_line
from ui.worker import Worker

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient

COLUMNS = [
    QT_TRANSLATE_NOOP("OperatorsDialog", "User name"),
    QT_TRANSLATE_NOOP("OperatorsDialog", "Name"),
    QT_TRANSLATE_NOOP("OperatorsDialog", "Role"),
    QT_TRANSLATE_NOOP("OperatorsDialog", "Active"),
    QT_TRANSLATE_NOOP("OperatorsDialog", "Locked until"),
    QT_TRANSLATE_NOOP("OperatorsDialog", "Last login"),
]


class OperatorForm(QDialog):
    """A new operator (username, name, role, password twice) or a new password only."""

    def __init__(self, parent: QWidget | None, username: str | None = None) -> None:
        super().__init__(parent)
        self.reset_only = username is not None
        self.setWindowTitle(
            self.tr("New password for {0}").format(username)
            if self.reset_only
            else self.tr("Add an operator")
        )
        self.username = QLineEdit(username or "")
        self.username.setReadOnly(self.reset_only)
        self.display = QLineEdit()
        self.role = QComboBox()
        for r in Role:
            self.role.addItem(role_word(r), r)
        self.role.setCurrentIndex(list(Role).index(Role.ATTENDANT))
        self.password = QLineEdit()
        self.again = QLineEdit()
        for name, w in (
            ("username", self.username),
            ("display_name", self.display),
            ("role", self.role),
            ("password", self.password),
            ("again", self.again),
        ):
            w.setObjectName(name)
        for w in (self.password, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        if not self.reset_only:
            form.addRow(self.tr("Name"), self.display)
            form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Password again"), self.again)
        self.error = QLabel(self.tr("At least {0} characters.").format(POLICY.min_length))
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)

    def _check(self) -> None:
        if self.password.text() != self.again.text():
            self.error.setText(self.tr("The two passwords differ."))
            return
        self.accept()


class OperatorsDialog(QDialog):
    """Lists the site's operators; the owner manages them here (others only see the list).

    `client`: the window's `SiteClient`. `actor`: who is signed in (an `Actor` here, or the
    `Operator` a site service answered), for what to offer. Without a `worker` the dialog
    has its own, stopped when it closes."""

    def __init__(
        self,
        client: SiteClient | Any,
        actor: Actor | m.Operator | None,
        parent: QWidget | None = None,
        worker: Worker | None = None,
    ) -> None:
        super().__init__(parent)
        if not hasattr(client, "operators"):  # a Database: a caller not yet on the client
            from stationmgr.client.local import LocalClient

            client = LocalClient(client, actor=actor if isinstance(actor, Actor) else None)
        self.client, self.actor = client, actor
        self.answers = 0
        if worker is None:
            worker = Worker(self)
            self.finished.connect(lambda _r: worker.shutdown())
        self.worker = worker
        self.setWindowTitle(self.tr("Operators"))
        fit_on_screen(self, 720, 360)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("operators")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add…"))
        self.reset_button = QPushButton(self.tr("New password…"))
        self.role_box = QComboBox()
        for r in Role:
            self.role_box.addItem(role_word(r), r)
        self.role_button = QPushButton(self.tr("Set role"))
        self.active_button = QPushButton(self.tr("Disable"))
        manage = _may(actor, "operators.manage")
        for w in (
            self.add_button,
            self.reset_button,
            self.role_box,
            self.role_button,
            self.active_button,
        ):
            w.setVisible(manage)
        self.add_button.clicked.connect(self.add)
        self.reset_button.clicked.connect(self.reset)
        self.role_button.clicked.connect(lambda: self.change_role(self.role_box.currentData()))
        self.active_button.clicked.connect(self.toggle_active)
        self.table.itemSelectionChanged.connect(self._selection)
        row = QHBoxLayout()
        for w in (
            self.add_button,
            self.reset_button,
            self.role_box,
            self.role_button,
            self.active_button,
        ):
            row.addWidget(w)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        box.addLayout(row)
        box.addWidget(self.status)
        box.addWidget(close)
        self.refresh()

    # ------------------------------------------------------------ data

    def refresh(self, then_select: str | None = None) -> None:
        """Read the list from the site (on the worker); then select `then_select`."""
        client = self.client

        def failed(e: BaseException) -> None:
            self.answers += 1
            self._say(error_line(e))

        self.worker.run(client.operators, lambda ops: self._show(ops, then_select), failed)

    def _show(self, ops: list[m.OperatorRow], then_select: str | None) -> None:
        rows = [
            [
                o.username,
                o.display_name or "",
                o.role,
                self.tr("yes") if o.active else self.tr("disabled"),
                _minute(o.locked_until),
                _minute(o.last_login_at),
            ]
            for o in ops
        ]
        self.answers += 1
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        if then_select is not None:
            self.select(then_select)
        self._selection()

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).text() if rows else None

    def select(self, username: str) -> None:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == username:
                self.table.selectRow(i)
                return

    def _selection(self) -> None:
        name = self.selected()
        for w in (self.reset_button, self.role_button, self.active_button):
            w.setEnabled(name is not None)
        if name is not None:
            i = self.table.selectionModel().selectedRows()[0].row()
            active = self.table.item(i, 3).text() == self.tr("yes")
            self.active_button.setText(self.tr("Disable") if active else self.tr("Enable"))

    # ------------------------------------------------------------ actions

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _do(self, done: str, fn: Callable[[SiteClient], object], name: str | None = None) -> bool:
        """Run `fn(client)` on the worker: then say `done` and read the list again, or say
        why not. True: started."""
        client = self.client

        def ok(_answer: object) -> None:
            self._say(done)
            self.refresh(then_select=name)

        def refused(e: BaseException) -> None:
            self.answers += 1
            self._say(error_line(e))

        self.worker.run(lambda: fn(client), ok, refused)
        return True

    def add(self, form: OperatorForm | None = None) -> bool:
        form = form or OperatorForm(self)
        if form.result() != QDialog.DialogCode.Accepted and not form.exec():
            return False
        name = form.username.text()
        new = m.NewOperator(
            name, str(form.role.currentData()), form.password.text(), form.display.text()
        )
        ok = self._do(self.tr("Added {0}.").format(name), lambda c: c.add_operator(new), name)
        form.password.clear()
        form.again.clear()
        return ok

    def reset(self, form: OperatorForm | None = None) -> bool:
        name = self.selected()
        if name is None:
            return False
        form = form or OperatorForm(self, name)
        if form.result() != QDialog.DialogCode.Accepted and not form.exec():
            return False
        password = form.password.text()
        ok = self._do(
            self.tr("New password set for {0}; they choose their own at the next login.").format(
                name
            ),
            lambda c: c.reset_operator_password(name, password),
            name,
        )
        form.password.clear()
        form.again.clear()
        return ok

    def change_role(self, role: Role) -> bool:
        name = self.selected()
        if name is None:
            return False
        return self._do(
            self.tr("{0} is now {1}.").format(name, str(role)),
            lambda c: c.set_operator_role(name, str(role)),
            name,
        )

    def toggle_active(self, confirm: bool = True) -> bool:
        name = self.selected()
        if name is None:
            return False
        disable = self.active_button.text() == self.tr("Disable")
        if (
            confirm
            and disable
            and QMessageBox.question(self, self.tr("Disable"), self.tr("Disable {0}?").format(name))
            != QMessageBox.StandardButton.Yes
        ):
            return False
        return self._do(
            (self.tr("{0} disabled.") if disable else self.tr("{0} enabled.")).format(name),
            lambda c: c.set_operator_active(name, not disable),
            name,
        )


def _may(actor: Actor | m.Operator | None, action: str) -> bool:
    """What to offer: by the signed-in Actor, or by the role a site service answered."""
    if isinstance(actor, m.Operator):
        if actor.role is None:  # a site without operators: the core allows everything
            return True
        try:
            return role_may(actor.role, action)
        except (KeyError, ValueError):
            return False
    return allowed(actor, action)


def _minute(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""
