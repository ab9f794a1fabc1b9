"""The owner's operators dialog: add, reset a password, change a role, disable/enable."""

from __future__ import annotations

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
from stationmgr.access.operators import (
    POLICY,
    create_operator,
    list_operators,
    reset_password,
    set_active,
    set_role,
)
from stationmgr.access.roles import Role
from stationmgr.errors import StationError
from stationmgr.store.db import Database
from ui.access import allowed

COLUMNS = ["username", "name", "role", "active", "locked until", "last login"]


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
            self.role.addItem(r.value, r)
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
    """Lists the site's operators; the owner manages them here (others only see the list)."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.setWindowTitle(self.tr("Operators"))
        self.resize(720, 360)
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
            self.role_box.addItem(r.value, r)
        self.role_button = QPushButton(self.tr("Set role"))
        self.active_button = QPushButton(self.tr("Disable"))
        manage = allowed(actor, "operators.manage")
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

    def refresh(self) -> None:
        try:
            with self.db.session() as s:
                rows = [
                    [
                        o.username,
                        o.display_name or "",
                        o.role,
                        self.tr("yes") if o.active else self.tr("disabled"),
                        o.locked_until.strftime("%Y-%m-%d %H:%M") if o.locked_until else "",
                        o.last_login_at.strftime("%Y-%m-%d %H:%M") if o.last_login_at else "",
                    ]
                    for o in list_operators(s, actor=self.actor)
                ]
        except StationError as e:
            self._say(str(e))
            rows = []
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
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

    def _do(self, done: str, fn) -> bool:  # type: ignore[no-untyped-def]
        try:
            with self.db.session() as s:
                fn(s)
        except StationError as e:
            self._say(str(e))
            return False
        self._say(done)
        self.refresh()
        return True

    def add(self, form: OperatorForm | None = None) -> bool:
        form = form or OperatorForm(self)
        if form.result() != QDialog.DialogCode.Accepted and not form.exec():
            return False
        name = form.username.text()
        ok = self._do(
            self.tr("Added {0}.").format(name),
            lambda s: create_operator(
                s,
                name,
                form.role.currentData(),
                form.password.text(),
                form.display.text(),
                actor=self.actor,
            ),
        )
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
        ok = self._do(
            self.tr("New password set for {0}; they choose their own at the next login.").format(
                name
            ),
            lambda s: reset_password(s, name, form.password.text(), actor=self.actor),
        )
        form.password.clear()
        form.again.clear()
        return ok

    def change_role(self, role: Role) -> bool:
        name = self.selected()
        if name is None:
            return False
        return self._do(
            self.tr("{0} is now {1}.").format(name, role.value),
            lambda s: set_role(s, name, role, actor=self.actor),
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
        ok = self._do(
            (self.tr("{0} disabled.") if disable else self.tr("{0} enabled.")).format(name),
            lambda s: set_active(s, name, not disable, actor=self.actor),
        )
        if ok:
            self.select(name)
        return ok
