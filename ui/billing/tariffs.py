"""The owner's tariff editor: the versions in force and before (read-only: a tariff is
never edited once it exists) and a form that adds a new version of a scope. Validation is
the core's (`billing.tariffs`), so the form and `stationmgr tariffs add` refuse the same.
Read and added through the site client (`tariffs`, `add_tariff`: checked and audited by
the core); the table follows `configuration_changed` for tariffs from anywhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.billing.tariffs import (
    TariffInput,
    parse_money,
    parse_unit_price,
    parse_vat,
)
from stationmgr.client import models as m
from stationmgr.client.accounts import new_tariff
from stationmgr.errors import UserError
from ui import fmt
from ui.context import AppContext
from ui.offer import offer
from ui.oneline import error_line

# Column titles, translated where the table is made (context "TariffEditor").
HEADERS = [
    QT_TRANSLATE_NOOP("TariffEditor", "No."),
    QT_TRANSLATE_NOOP("TariffEditor", "Name"),
    QT_TRANSLATE_NOOP("TariffEditor", "For"),
    QT_TRANSLATE_NOOP("TariffEditor", "Valid from"),
    QT_TRANSLATE_NOOP("TariffEditor", "Per kWh"),
    QT_TRANSLATE_NOOP("TariffEditor", "Per hour"),
    QT_TRANSLATE_NOOP("TariffEditor", "Start fee"),
    QT_TRANSLATE_NOOP("TariffEditor", "Idle per min"),
    QT_TRANSLATE_NOOP("TariffEditor", "Grace"),
    QT_TRANSLATE_NOOP("TariffEditor", "Idle cap"),
    QT_TRANSLATE_NOOP("TariffEditor", "VAT"),
]


class TariffEditor(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.verticalHeader().setVisible(False)  # the first column numbers the rows
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        self.name = QLineEdit()
        self.scope = QComboBox()
        now = QDateTime.currentDateTime()
        self.valid_from = QDateTimeEdit(QDateTime(now.date().addDays(1), QTime(0, 0)))
        self.valid_from_set = False  # the person chose a start: the site's answer keeps it
        self._defaulting = False
        self.valid_from.dateTimeChanged.connect(self._start_chosen)
        self.valid_from.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.valid_from.setCalendarPopup(True)
        self.per_kwh = QLineEdit("0")
        self.per_hour = QLineEdit("0")
        self.basis = QComboBox()
        self.basis.addItem(self.tr("of charging"), "charging")
        self.basis.addItem(self.tr("of plugged time"), "plugged")
        self.start_fee = QLineEdit("0")
        self.idle_per_min = QLineEdit("0")
        self.grace = QSpinBox()
        self.grace.setRange(0, 24 * 60)
        self.cap = QLineEdit()
        self.cap.setPlaceholderText(self.tr("no cap"))
        self.vat = QLineEdit("25")
        self.currency = QLineEdit(ctx.currency)
        self.add_btn = QPushButton(self.tr("Add version"))
        self.message = QLabel()

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("For"), self.scope)
        form.addRow(self.tr("Valid from (site time)"), self.valid_from)
        form.addRow(self.tr("Price per kWh"), self.per_kwh)
        hour = QHBoxLayout()
        hour.addWidget(self.per_hour)
        hour.addWidget(self.basis)
        form.addRow(self.tr("Price per hour"), hour)
        form.addRow(self.tr("Start fee"), self.start_fee)
        form.addRow(self.tr("Idle fee per minute"), self.idle_per_min)
        form.addRow(self.tr("Grace period (min)"), self.grace)
        form.addRow(self.tr("Idle fee cap"), self.cap)
        form.addRow(self.tr("VAT %"), self.vat)
        form.addRow(self.tr("Currency"), self.currency)
        form.addRow(self.add_btn, self.message)
        box = QGroupBox(self.tr("New tariff version (prices net of VAT)"))
        box.setLayout(form)
        offer(box, ctx, "tariffs.edit")  # disabled for a role that may not, saying who may

        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addWidget(box)
        self.add_btn.clicked.connect(self.add_version)
        self.tz: tzinfo = UTC  # the site's, once read
        self.loads = 0  # finished reads and refused adds (tests wait on it)
        if ctx.site is not None:
            ctx.site.events.connect(self._on_events)
        self.reload()

    def _on_events(self, events: list[m.Event]) -> None:
        for ev in events:
            if ev.type == "configuration_changed" and "tariffs" in (ev.data.get("kinds") or ()):
                self.reload()
                return

    def reload(self) -> None:
        """Read the versions off the GUI thread (the site's `tariffs`)."""
        client = self.ctx.client
        assert client is not None
        self.ctx.worker.run(client.tariffs, self._show, self._failed)

    def _failed(self, e: BaseException) -> None:
        self.message.setText(error_line(e))
        self.loads += 1

    def _start_chosen(self) -> None:
        self.valid_from_set = not self._defaulting

    def _default_start(self, first: bool) -> None:
        """The first tariff starts now (the site's clock, to the minute): one made today
        prices today's sessions; a later version tomorrow 00:00 — both in site time."""
        if self.valid_from_set:
            return
        here = datetime.now(self.tz).replace(second=0, microsecond=0, tzinfo=None)
        if not first:
            here = (here + timedelta(days=1)).replace(hour=0, minute=0)
        self._defaulting = True
        try:
            self.valid_from.setDateTime(QDateTime(here))
        finally:
            self._defaulting = False

    def _show(self, table: m.Tariffs) -> None:
        try:
            self.tz = ZoneInfo(table.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = UTC
        self._default_start(first=not table.rows)
        rows, loc = [], self.ctx.locale
        for t in table.rows:
            cur = t.currency

            def money(minor: int, cur: str = cur) -> str:
                return fmt.money(loc, minor, cur)

            scope = (
                self.tr("guests")
                if t.for_guests
                else t.group
                if t.group is not None
                else self.tr("site default")
            )
            rows.append(
                [
                    str(t.id),
                    t.name,
                    scope,
                    fmt.wall(loc, datetime.fromisoformat(t.valid_from)),
                    fmt.unit_price(loc, t.energy_minor_per_kwh, t.energy_e4_per_kwh, cur),
                    money(t.time_minor_per_hour) + f" ({t.time_basis})",
                    money(t.start_fee_minor),
                    money(t.idle_minor_per_min),
                    f"{t.idle_grace_min} min",
                    "" if t.idle_cap_minor is None else money(t.idle_cap_minor),
                    f"{t.vat_bp / 100:g} %",
                ]
            )
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(text))
        current = self.scope.currentData()
        self.scope.clear()
        self.scope.addItem(self.tr("Site default"), None)
        self.scope.addItem(self.tr("Guests"), "guests")
        for name in table.groups:
            self.scope.addItem(self.tr("Group: {0}").format(name), name)
        i = self.scope.findData(current)
        self.scope.setCurrentIndex(max(i, 0))
        self.loads += 1

    def form_input(self) -> TariffInput:
        """The form as a validated tariff input (UserError on bad input)."""
        scope = self.scope.currentData()
        dt = self.valid_from.dateTime().toPython()  # wall-clock time at the site
        valid_from = dt.replace(tzinfo=self.tz).astimezone(UTC)
        cap = self.cap.text().strip()
        return TariffInput(
            name=self.name.text(),
            valid_from=valid_from,
            currency=self.currency.text(),
            group=scope if scope not in (None, "guests") else None,
            guests=scope == "guests",
            energy_e4_per_kwh=parse_unit_price(self.per_kwh.text() or "0")[1],
            energy_minor_per_kwh=parse_unit_price(self.per_kwh.text() or "0")[0],
            time_minor_per_hour=parse_money(self.per_hour.text() or "0", "price per hour"),
            time_basis=self.basis.currentData(),
            start_fee_minor=parse_money(self.start_fee.text() or "0", "start fee"),
            idle_minor_per_min=parse_money(self.idle_per_min.text() or "0", "idle fee"),
            idle_grace_min=self.grace.value(),
            idle_cap_minor=parse_money(cap, "idle cap") if cap else None,
            vat_bp=parse_vat(self.vat.text()),
        ).validate()

    def add_version(self) -> None:
        """Add the form's version on the worker (the core checks, adds and audits it).
        Bad input is said beside the button; a refusal by the site (the role, another
        version's start, another's lock) also in a message box, one line, never only a
        traceback on stderr."""
        try:
            t = self.form_input()
        except (UserError, ValueError) as e:
            self.message.setText(error_line(e))
            return
        client = self.ctx.client
        assert client is not None
        new = new_tariff(t)
        self.add_btn.setEnabled(False)

        def added(done: m.TariffAdded) -> None:  # the site applied it: estimates use it now
            self.add_btn.setEnabled(True)
            self.message.setText(self.tr("Added version {0}").format(done.id))
            self.reload()

        def refused(e: BaseException) -> None:  # bad input, a refusal, another's lock
            self.add_btn.setEnabled(True)
            text = in_site_time(error_line(e), self.tz)
            self.message.setText(text)
            self._refusal(text)
            self.loads += 1

        self.ctx.worker.run(lambda: client.add_tariff(new), added, refused)

    def _refusal(self, text: str) -> None:
        """The site's refusal as a message box (opened, not exec'd: the page goes on)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Tariff not added"),
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.refusal_box = box
        box.open()


_UTC_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def in_site_time(text: str, tz: tzinfo) -> str:
    """A message from the site with its times in UTC ("2026-12-01 23:00 UTC"), on a form
    in site time: the times rewritten to the site's clock ("2026-12-02 00:00")."""

    def local(mt: re.Match[str]) -> str:
        at = datetime.strptime(mt[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    return _UTC_TIME.sub(local, text)
