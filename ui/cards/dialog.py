"""Enrol or edit one card: holder, group, validity, allowed bays and limits.

Every rule lives in the core (`CardInput.validate`, `add_card`, `update_card`); the dialog
only collects the fields, shows the core's one-line message inline next to the buttons,
and warns as soon as the number typed (or tapped) belongs to a card already enrolled, in
any of its spellings.
"""

from __future__ import annotations

from datetime import UTC, datetime

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
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.auth import parse_uid
from stationmgr.cards import CardInput, add_card, card_row, find_cards, update_card
from stationmgr.errors import StationError, UserError
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Card, CardGroup, CardHolder
from ui.cards.tapfield import TapField
from ui.forms import ERROR_STYLE, OK_STYLE, WARN_STYLE, finish_dialog


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


class CardDialog(QDialog):
    """Add (card_id None) or edit a card. `saved_card_id` is set after a successful save."""

    def __init__(
        self,
        db: Database,
        card_id: int | None = None,
        uid: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.card_id = card_id
        self.saved_card_id: int | None = None
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

        self._fill_choices()
        if card_id is not None:
            self._load(card_id)
        elif uid:
            self.uid.setText(uid)
        self.uid.textChanged.connect(self._check_uid)
        self.uid.tapped.connect(lambda _t: self.label.setFocus())
        self._check_uid()

    # ---------------------------------------------------------------- loading

    def _fill_choices(self) -> None:
        with self.db.session() as s:
            holders = list(s.scalars(select(CardHolder.name).order_by(CardHolder.name)))
            groups = list(s.scalars(select(CardGroup.name).order_by(CardGroup.name)))
            bays = list(s.execute(select(Bay.id, Bay.label).order_by(Bay.label)).all())
        self.holder.addItems(["", *dict.fromkeys(holders)])
        self.group.addItems(["", *groups])
        for bay_id, label in bays:
            item = QListWidgetItem(label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, bay_id)
            self.bays.addItem(item)

    def _load(self, card_id: int) -> None:
        with self.db.session() as s:
            card = s.get(Card, card_id)
            if card is None:
                self.error.setText(self.tr("This card no longer exists."))
                self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
                return
            row = card_row(card)
            allowed = {a.bay_id for a in card.allowed}
            self.uid.setText(card.uid)
            self.label.setText(card.label or "")
            self.holder.setCurrentText(row["holder"])
            self.group.setCurrentText(row["group"])
            self.valid_from.set_value(card.valid_from)
            self.valid_to.set_value(card.valid_to)
            self.max_concurrent.setValue(card.max_concurrent)
            self.max_current.setValue(card.max_current_a or 0.0)
            self.blocked.setChecked(card.blocked)
            self.note.setPlainText(card.note or "")
            self.budgets.load(s, card)
        for i in range(self.bays.count()):
            item = self.bays.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in allowed:
                item.setCheckState(Qt.CheckState.Checked)

    # ---------------------------------------------------------------- checks

    def _check_uid(self) -> None:
        """Inline, while typing: the canonical form, or why the number is not one, or which
        enrolled card it already is."""
        text = self.uid.text().strip()
        if not text:
            self.uid_hint.clear()
            return
        try:
            uid = parse_uid(text)
        except UserError as e:
            self.uid_hint.setStyleSheet(ERROR_STYLE)
            self.uid_hint.setText(str(e))
            return
        with self.db.session() as s:
            others = [c for c in find_cards(s, text) if c.id != self.card_id]
            known = [(c.uid, c.holder.name if c.holder else c.label or "") for c in others]
        if known:
            uid_k, who = known[0]
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
        )

    def save(self) -> None:
        """Validate and write in one unit of work; any refusal is shown inline."""
        self.error.clear()
        try:
            card = self.card_input().validate()
            with self.db.session() as s:
                if self.card_id is None:
                    row = add_card(s, card)
                else:
                    row = update_card(s, self.card_id, card)
                self.budgets.apply(s, row)
                self.saved_card_id = row.id
        except StationError as e:
            self.error.setText(str(e))
            return
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

    def load(self, s: Session, card: Card) -> None:
        from stationmgr.billing.budgets import amount_text, budgets_for
        from stationmgr.billing.tariffs import site_currency

        cur = site_currency(s)
        for b in budgets_for(s, card.id, card.group_id):
            what = self.tr("daily") if b.period == "day" else self.tr("monthly")
            text = f"{what} {amount_text(b, b.limit_value, cur)}"
            item = QListWidgetItem(text if b.card_id else self.tr("{0} (group)").format(text))
            item.setData(Qt.ItemDataRole.UserRole, b.id if b.card_id else None)
            if not b.card_id:
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

    def apply(self, s: Session, card: Card) -> None:
        from stationmgr.access.context import require
        from stationmgr.billing.budgets import add_budget
        from stationmgr.store.billing_models import Budget

        if self.removed:
            require(None, "cards.edit", s, target=card.uid)
            for b in s.scalars(select(Budget).where(Budget.id.in_(self.removed))):
                if b.card_id == card.id:  # only the card's own budgets are edited here
                    s.delete(b)
        for period, unit, text in self.new:
            add_budget(s, period, unit, text, card_uid=card.uid)
