"""Enrol or edit one card: holder, group, validity, allowed bays and limits.

Every rule lives in the core (`CardInput.validate`, `add_card`, `update_card`); the dialog
only collects the fields, shows the core's one-line message inline next to the buttons,
and warns as soon as the number typed (or tapped) belongs to a card already enrolled, in
any of its spellings. It reads and saves through the site client (`card_choices`,
`card_form`, `known_cards`, `save_card`), always on the worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from stationmgr.auth import parse_uid
from stationmgr.cards import VEHICLE, CardInput, vehicle_tag
from stationmgr.client import models as m
from stationmgr.errors import StationError, UserError
from ui.cards.tapfield import TapField
from ui.forms import ERROR_STYLE, OK_STYLE, WARN_STYLE, finish_dialog
from ui.oneline import error_line

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient
    from ui.worker import Worker


class _OptionalDate(QWidget):
    """A date that may be left open (no start / no end): a checkbox plus a date edit."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.check)
        lay.addWidget(self.edit, 1)

    def value(self, end_of_day: bool = False) -> datetime | None:
        if not self.check.isChecked():
            return None
        d = self.edit.date()
        dt = datetime(d.year(), d.month(), d.day(), tzinfo=UTC)
        return dt.replace(hour=23, minute=59, second=59) if end_of_day else dt

    def set_value(self, dt: datetime | None) -> None:
        self.check.setChecked(dt is not None)
        if dt is not None:
            self.edit.setDate(QDate(dt.year, dt.month, dt.day))

    def set_text(self, iso: str | None) -> None:
        """The wire's ISO 8601 time (UTC), or None for an open end."""
        self.set_value(datetime.fromisoformat(iso).astimezone(UTC) if iso else None)


class CardDialog(QDialog):
    """Add (card_id None) or edit a card. `saved_card_id` is set after a successful save;
    `loaded` once the choices (and the card) came from the site."""

    def __init__(
        self,
        client: SiteClient,
        worker: Worker,
        card_id: int | None = None,
        uid: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.worker = worker  # every read and the save run off the GUI thread
        self.card_id = card_id
        self.saved_card_id: int | None = None
        self.loaded = False
        self._uid_check = 0  # the newest duplicate check: older answers are dropped
        self.kind: str | None = None  # the edited card's own (a vehicle: its id tag as is)
        self.setWindowTitle(self.tr("Edit card") if card_id else self.tr("Enrol a card"))
        self.setMinimumWidth(460)

        self.uid = TapField()
        self.uid.setPlaceholderText(self.tr("Tap the card on the desk reader, or type it"))
        self.uid_hint = QLabel()
        self.uid_hint.setWordWrap(True)
        self.label = QLineEdit()
        self.label.setMaxLength(80)
        self.holder = QComboBox()
        self.holder.setEditable(True)
        self.group = QComboBox()
        self.group.setEditable(True)
        self.valid_from = _OptionalDate(self.tr("from"))
        self.valid_to = _OptionalDate(self.tr("until"))
        self.bays = QListWidget()
        self.bays.setMaximumHeight(110)
        self.bays.setToolTip(self.tr("Tick none for every bay"))
        self.max_concurrent = QSpinBox()
        self.max_concurrent.setRange(1, 64)
        self.max_current = QDoubleSpinBox()
        self.max_current.setRange(0.0, 80.0)
        self.max_current.setDecimals(0)
        self.max_current.setSuffix(" A")
        self.max_current.setSpecialValueText(self.tr("no limit"))
        self.blocked = QCheckBox(self.tr("Blocked (refused at every bay)"))
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(60)
        self.budgets = _BudgetEditor()

        form = QFormLayout()
        self.form = form
        form.addRow(self.tr("Card number"), self.uid)
        form.addRow("", self.uid_hint)
        form.addRow(self.tr("Label"), self.label)
        form.addRow(self.tr("Holder"), self.holder)
        form.addRow(self.tr("Group"), self.group)
        validity = QHBoxLayout()
        validity.addWidget(self.valid_from)
        validity.addWidget(self.valid_to)
        form.addRow(self.tr("Valid"), validity)
        form.addRow(self.tr("Allowed bays"), self.bays)
        form.addRow(self.tr("Sessions at once"), self.max_concurrent)
        form.addRow(self.tr("Max current"), self.max_current)
        form.addRow(self.tr("Budgets"), self.budgets)
        form.addRow("", self.blocked)
        form.addRow(self.tr("Note"), self.note)

        self.error, self.buttons = finish_dialog(self, form, self.save)
        self.budgets.failed.connect(self.error.setText)

        if uid:
            self.uid.setText(uid)
        self.uid.textChanged.connect(self._check_uid)
        self.uid.tapped.connect(lambda _t: self.label.setFocus())
        self._save_button().setEnabled(False)  # until the site answered
        self._start_loading()
        self._check_uid()

    # ---------------------------------------------------------------- loading

    def _save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _start_loading(self) -> None:
        client, card_id = self.client, self.card_id

        def read() -> tuple[m.CardChoices, m.CardForm | None]:
            return client.card_choices(), (
                client.card_form(card_id) if card_id is not None else None
            )

        self.worker.run(read, self._loaded, self._load_failed)

    def _load_failed(self, e: BaseException) -> None:
        from stationmgr.client.errors import NotFound

        if isinstance(e, NotFound):
            self.error.setText(self.tr("This card no longer exists."))
        else:
            self.error.setText(error_line(e))

    def _loaded(self, answer: tuple[m.CardChoices, m.CardForm | None]) -> None:
        choices, card = answer
        self._fill_choices(choices)
        if card is not None:
            self._load(card)
        self.loaded = True
        self._save_button().setEnabled(True)

    def _fill_choices(self, choices: m.CardChoices) -> None:
        holder, group = self.holder.currentText(), self.group.currentText()
        self.holder.addItems(["", *choices.holders])
        self.group.addItems(["", *choices.groups])
        self.holder.setCurrentText(holder)  # typed while the site answered: kept
        self.group.setCurrentText(group)
        for bay in choices.bays:
            item = QListWidgetItem(bay.label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, bay.bay_id)
            self.bays.addItem(item)

    def _load(self, card: m.CardForm) -> None:
        self.kind = card.kind
        if card.kind == VEHICLE:  # the car's own id tag: no card-number reading of it
            label = self.form.labelForField(self.uid)
            if isinstance(label, QLabel):
                label.setText(self.tr("Vehicle id tag"))
            self.uid.setPlaceholderText(self.tr("The id tag the charger reports for the car"))
        self.uid.setText(card.uid_text)  # saved again, it stays this card
        self.label.setText(card.label)
        self.holder.setCurrentText(card.holder)
        self.group.setCurrentText(card.group)
        self.valid_from.set_text(card.valid_from)
        self.valid_to.set_text(card.valid_to)
        self.max_concurrent.setValue(card.max_concurrent)
        self.max_current.setValue(card.max_current_a or 0.0)
        self.blocked.setChecked(card.blocked)
        self.note.setPlainText(card.note)
        self.budgets.load(card.budgets)
        allowed = set(card.allowed_bay_ids)
        for i in range(self.bays.count()):
            item = self.bays.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in allowed:
                item.setCheckState(Qt.CheckState.Checked)

    # ---------------------------------------------------------------- checks

    def _check_uid(self) -> None:
        """Inline, while typing: the canonical form, or why the number is not one, or which
        enrolled card it already is (asked of the site on the worker; the newest wins)."""
        self._uid_check += 1
        text = self.uid.text().strip()
        if not text:
            self.uid_hint.clear()
            return
        try:
            uid = vehicle_tag(text) if self.kind == VEHICLE else parse_uid(text)
        except UserError as e:
            self.uid_hint.setStyleSheet(ERROR_STYLE)
            self.uid_hint.setText(str(e))
            return
        check, client, card_id = self._uid_check, self.client, self.card_id

        def answered(known: list[m.KnownCard]) -> None:
            if check == self._uid_check:
                self._show_known(uid, known)

        def failed(e: BaseException) -> None:
            if check == self._uid_check:
                self.uid_hint.setStyleSheet(ERROR_STYLE)
                self.uid_hint.setText(error_line(e))

        self.worker.run(lambda: client.known_cards(text, card_id), answered, failed)

    def _show_known(self, uid: str, known: list[m.KnownCard]) -> None:
        if known:
            uid_k, who = known[0].uid, known[0].who
            self.uid_hint.setStyleSheet(WARN_STYLE)
            self.uid_hint.setText(
                self.tr("Already enrolled as {0}{1}").format(uid_k, f" ({who})" if who else "")
            )
        else:
            self.uid_hint.setStyleSheet(OK_STYLE)
            self.uid_hint.setText(self.tr("Stored as {0}").format(uid))

    def card_input(self) -> CardInput:
        bays = tuple(
            self.bays.item(i).text()
            for i in range(self.bays.count())
            if self.bays.item(i).checkState() == Qt.CheckState.Checked
        )
        return CardInput(
            uid=self.uid.text(),
            label=self.label.text().strip() or None,
            holder=self.holder.currentText().strip() or None,
            group=self.group.currentText().strip() or None,
            blocked=self.blocked.isChecked(),
            valid_from=self.valid_from.value(),
            valid_to=self.valid_to.value(end_of_day=True),
            allowed_bays=bays,
            max_concurrent=self.max_concurrent.value(),
            max_current_a=self.max_current.value() or None,
            note=self.note.toPlainText().strip() or None,
            kind=self.kind,
        )

    def card_save(self, card: CardInput) -> m.CardSave:
        """The checked card and the budget changes as the site's `save_card` takes them."""
        add, remove = self.budgets.changes()
        return m.CardSave(
            uid=self.uid.text(),
            card_id=self.card_id,
            label=card.label,
            holder=card.holder,
            group=card.group,
            valid_from=card.valid_from.isoformat() if card.valid_from else None,
            valid_to=card.valid_to.isoformat() if card.valid_to else None,
            allowed_bays=list(card.allowed_bays),
            max_concurrent=card.max_concurrent,
            max_current_a=card.max_current_a,
            blocked=card.blocked,
            note=card.note,
            add_budgets=add,
            remove_budgets=remove,
            kind=card.kind,
        )

    def save(self) -> None:
        """Check here first (the core's own `CardInput.validate`, no round trip), then the
        site writes it in one unit of work, on the worker (the database may be busy for
        seconds); any refusal is shown inline and the dialog stays open."""
        self.error.clear()
        try:
            card = self.card_input().validate()
        except StationError as e:
            self.error.setText(str(e))
            return
        request, client = self.card_save(card), self.client
        save_button = self._save_button()
        save_button.setEnabled(False)

        def refused(e: BaseException) -> None:
            save_button.setEnabled(True)
            self.error.setText(error_line(e))

        self.worker.run(lambda: client.save_card(request), self._saved, refused)

    def _saved(self, saved: m.SavedCard) -> None:
        self.saved_card_id = saved.card_id
        self.accept()


class _BudgetEditor(QWidget):
    """The card's own daily/monthly budgets (kWh or money): listed with those of its group
    (read-only here), added or removed when the dialog is saved, in the same unit of work."""

    failed = Signal(str)  # a limit that is not one: shown in the dialog's error line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setMaximumHeight(70)
        self.period = QComboBox()
        self.period.addItem(self.tr("daily"), "day")
        self.period.addItem(self.tr("monthly"), "month")
        self.unit = QComboBox()
        self.unit.addItem("kWh", "kWh")
        self.unit.addItem(self.tr("money"), "money")
        self.limit = QLineEdit()
        self.limit.setPlaceholderText(self.tr("limit"))
        self.add_button = QPushButton(self.tr("Add"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.new: list[tuple[str, str, str]] = []  # (period, unit, limit text) to add
        self.removed: list[int] = []  # budget ids to delete
        row = QHBoxLayout()
        for w in (self.period, self.unit, self.limit, self.add_button, self.remove_button):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list)
        lay.addLayout(row)

    def load(self, budgets: list[m.BudgetLine]) -> None:
        for b in budgets:
            what = self.tr("daily") if b.period == "day" else self.tr("monthly")
            text = f"{what} {b.amount}"
            own = b.budget_id is not None
            item = QListWidgetItem(text if own else self.tr("{0} (group)").format(text))
            item.setData(Qt.ItemDataRole.UserRole, b.budget_id)
            if not own:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.list.addItem(item)

    def add(self) -> None:
        from stationmgr.billing.budgets import parse_limit

        period, unit, text = self.period.currentData(), self.unit.currentData(), self.limit.text()
        try:
            parse_limit(unit, text)
        except UserError as e:
            self.failed.emit(str(e))
            return
        self.failed.emit("")
        self.new.append((period, unit, text))
        self.list.addItem(f"{self.period.currentText()} {text} {self.unit.currentText()} (new)")
        self.limit.clear()

    def remove(self) -> None:
        for item in self.list.selectedItems():
            budget_id = item.data(Qt.ItemDataRole.UserRole)
            if budget_id is not None:
                self.removed.append(budget_id)
            elif item.text().endswith("(new)"):
                self.new.pop(self.list.row(item) - (self.list.count() - len(self.new)))
            self.list.takeItem(self.list.row(item))

    def changes(self) -> tuple[list[m.BudgetAdd], list[int]]:
        """What saving the dialog does to the card's budgets (in the same unit of work):
        the budgets to add and the ids of the card's own ones to remove."""
        return [m.BudgetAdd(p, u, t) for p, u, t in self.new], list(self.removed)
