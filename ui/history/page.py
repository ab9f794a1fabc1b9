"""The history page: filters (period, bay, card, holder, stop reason), the table, totals,
and Export CSV; a row's context menu opens the session, issues its receipt or copies its
number. Everything through `ctx.client` (the same on the site's PC and on a second
PC); a session that opens or closes refreshes it (`ctx.site` events)."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stationmgr.client import models as m
from stationmgr.ocpp_words import StopReason
from ui import files, fmt, words
from ui.context import AppContext
from ui.forms import whole_placeholder
from ui.history.model import HistoryQuery, SessionTableModel
from ui.history.receipt import ACTION as RECEIPT
from ui.history.receipt import ReceiptIssuer, open_link
from ui.history.times import line
from ui.offer import offer
from ui.pages import PageSpec

PERIODS = ("today", "7d", "30d", "month", "last_month", "all", "custom")


def period_bounds(
    period: str, today: date, custom: tuple[date, date]
) -> tuple[datetime | None, datetime | None]:
    """[since, until) in local days → aware UTC datetimes; (None, None) for all time."""

    def local(d: date) -> datetime:
        zone = fmt.site_zone()  # the site's day, as the documents count it
        if zone is None:
            return datetime(d.year, d.month, d.day).astimezone().astimezone(UTC)
        return datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC)

    first = today.replace(day=1)
    match period:
        case "today":
            return local(today), local(today + timedelta(days=1))
        case "7d":
            return local(today - timedelta(days=6)), local(today + timedelta(days=1))
        case "30d":
            return local(today - timedelta(days=29)), local(today + timedelta(days=1))
        case "month":
            return local(first), local(today + timedelta(days=1))
        case "last_month":
            prev = (first - timedelta(days=1)).replace(day=1)
            return local(prev), local(first)
        case "custom":
            a, b = custom
            return local(min(a, b)), local(max(a, b) + timedelta(days=1))
    return None, None


class HistoryPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = SessionTableModel(ctx, self)

        self.period = QComboBox()
        for key, text in zip(
            PERIODS,
            (
                self.tr("Today"),
                self.tr("Last 7 days"),
                self.tr("Last 30 days"),
                self.tr("This month"),
                self.tr("Last month"),
                self.tr("All time"),
                self.tr("Dates…"),
            ),
            strict=True,
        ):
            self.period.addItem(text, key)
        self.period.setCurrentIndex(PERIODS.index("30d"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-6))
        self.date_to = QDateEdit(today)
        for d in (self.date_from, self.date_to):
            d.setDisplayFormat(fmt.date_format(ctx.locale))  # 2026-12-02, not 02/12/2026
            d.setCalendarPopup(True)
            d.setVisible(False)
        self.bay = QComboBox()
        self.bay.addItem(self.tr("All bays"), None)
        self.card = QLineEdit()
        self.card.setPlaceholderText(self.tr("Card number"))
        self.card.setClearButtonEnabled(True)
        self.holder = QLineEdit()
        self.holder.setPlaceholderText(self.tr("Holder name"))
        self.holder.setClearButtonEnabled(True)
        whole_placeholder(self.card, self.holder)
        self.reason = QComboBox()
        self.reason.addItem(self.tr("Any stop reason"), None)
        for r in StopReason:
            self.reason.addItem(words.stop_reason(r.value, self.ctx.locale), r.value)
        self.open_only = QCheckBox(self.tr("Running only"))
        refresh = QPushButton(self.tr("Refresh"))
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.clicked.connect(self.apply)
        self.export_btn = QPushButton(self.tr("Export CSV…"))
        self.export_btn.setEnabled(ctx.allowed("sessions.export"))
        self.export_btn.clicked.connect(self._ask_export)

        bar = QHBoxLayout()
        for w in (
            self.period,
            self.date_from,
            self.date_to,
            self.bay,
            self.card,
            self.holder,
            self.reason,
            self.open_only,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(refresh)
        bar.addWidget(self.export_btn)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # fits 1280 px with every column; the stop reason reads whole
        widths = (140, 55, 130, 90, 85, 70, 70, 70, 165, 90, 65, 60)
        for col, w in enumerate(widths):
            self.table.setColumnWidth(col, w)
        h.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda idx: self.open_detail(idx.row()))
        open_act = QAction(self.tr("Open session"), self.table)
        open_act.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        open_act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_act.triggered.connect(self._open_current)
        self.table.addAction(open_act)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu_at)
        self.receipts = ReceiptIssuer(ctx, self)
        self.receipts.done.connect(lambda path, text: self._say(open_link(path, text)))
        self.receipts.issued.connect(lambda _sid, _n: self.model.refresh())  # its number shows
        self.receipts.failed.connect(
            lambda text: self._say(html.escape(self.tr("No receipt: {0}").format(text)))
        )

        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setOpenExternalLinks(True)
        foot = QHBoxLayout()
        foot.addWidget(self.totals, 1)
        foot.addWidget(self.status)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addLayout(foot)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply)
        self.period.currentIndexChanged.connect(self._period_changed)
        for sig in (
            self.date_from.dateChanged,
            self.date_to.dateChanged,
            self.bay.currentIndexChanged,
            self.reason.currentIndexChanged,
            self.open_only.toggled,
            self.card.textChanged,
            self.holder.textChanged,
        ):
            sig.connect(lambda *_a: self._debounce.start())
        self.model.totals_changed.connect(self._show_totals)
        self.model.loading_changed.connect(self._loading)
        self.model.failed.connect(lambda e: self.status.setText(self.tr("failed: {0}").format(e)))
        if ctx.site is not None:  # a finished session appears without asking
            ctx.site.events.connect(self._on_events)
            ctx.site.link.connect(self._on_link)
            ctx.site.bays.connect(self.model.follow_bays)  # a running session's energy, live
        self._load_bays()
        self.apply()

    def _load_bays(self) -> None:
        client = self.ctx.client

        def done(labels: list[m.BayLabel]) -> None:
            chosen = self.bay.currentData()
            self.bay.blockSignals(True)  # the same filter: no new query
            while self.bay.count() > 1:  # "All bays" stays
                self.bay.removeItem(1)
            for b in labels:
                self.bay.addItem(b.label, b.label)
            self.bay.setCurrentIndex(max(0, self.bay.findData(chosen)))
            self.bay.blockSignals(False)

        def failed(e: BaseException) -> None:
            self.status.setText(self.tr("Could not read the bays: {0}").format(line(e)))

        self.ctx.worker.run(client.bay_labels, done, failed)

    def _on_link(self, up: bool, why: str) -> None:
        """The site went away: say so, keep the rows; back: read again."""
        if up:
            self.status.setText("")
            self.model.refresh()
        else:
            self.status.setText(self.tr("The site cannot be reached: {0}").format(why))

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self.apply()

    def current_query(self) -> HistoryQuery:
        today = QDate.currentDate().toPython()
        since, until = period_bounds(
            self.period.currentData(),
            today,
            (self.date_from.date().toPython(), self.date_to.date().toPython()),
        )
        q = self.model.query
        return HistoryQuery(
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            bay=self.bay.currentData(),
            card=self.card.text().strip() or None,
            holder=self.holder.text().strip() or None,
            open=self.open_only.isChecked(),
            stop_reason=self.reason.currentData(),
            sort=q.sort,
            ascending=q.ascending,
        )

    def apply(self) -> None:
        self._debounce.stop()
        self.model.set_query(self.current_query())

    def _show_totals(self, t: m.SessionTotals) -> None:
        loc = self.ctx.locale
        self.totals.setText(
            self.tr("{0} · {1} · plugged {2} · charging {3} · idle {4}").format(
                words.plural(t.sessions, self.tr("1 session"), self.tr("{0} sessions")).replace(
                    str(t.sessions), loc.toString(t.sessions)
                ),
                fmt.kwh(loc, t.energy_wh, 1),
                fmt.hours(t.plugged_s),
                fmt.hours(t.charging_s),
                fmt.hours(t.idle_s),
            )
        )

    def _on_events(self, events: list[m.Event]) -> None:
        if any(
            e.type == "configuration_changed" and "chargers" in (e.data.get("kinds") or ())
            for e in events
        ):
            self._load_bays()  # a bay added, renamed or removed
        if not any(e.type in ("session_opened", "session_closed") for e in events):
            return
        if self.isVisible() and self.table.verticalScrollBar().value() == 0:
            QTimer.singleShot(1500, self.model.refresh)  # after the writer has it
        else:
            self._stale = True  # refreshed when shown (never under the reader's eyes)

    def showEvent(self, event: object) -> None:
        if getattr(self, "_stale", False):
            self._stale = False
            self.model.refresh()
        super().showEvent(event)  # type: ignore[arg-type]

    def _open_current(self) -> None:
        idx = self.table.currentIndex()
        if idx.isValid():
            self.open_detail(idx.row())

    def _loading(self, on: bool) -> None:
        """ "loading…" while rows are read; a message said meanwhile (a receipt saved, whose
        number the reload shows) stays when the reload ends."""
        if on and not self.status.text():
            self.status.setText(self.tr("loading…"))
        elif not on and self.status.text() == self.tr("loading…"):
            self.status.setText("")

    def _say(self, rich: str) -> None:
        self.status.setText(rich)  # a link to the saved file: shown as rich text

    def _context_menu_at(self, pos: QPoint) -> None:
        idx = self.table.indexAt(pos)
        if idx.isValid():
            self.table.selectRow(idx.row())
            self.context_menu(idx.row()).popup(self.table.viewport().mapToGlobal(pos))

    def context_menu(self, row: int) -> QMenu:
        """What one can do with the session on `row`: open it, issue its receipt (once it
        has stopped, for a role that may), copy its number or transaction id."""
        r = self.model.rows[row]
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.setToolTipsVisible(True)  # a disabled Receipt… says why
        menu.addAction(self.tr("Details…"), lambda: self.open_detail(row))
        receipt = menu.addAction(self.tr("Receipt…"), lambda: self.receipts.ask(self, r.id))
        printed = menu.addAction(self.tr("Print receipt"), lambda: self.receipts.print_(r.id))
        for action in (receipt, printed):
            offer(action, self.ctx, RECEIPT, also=r.stopped_at is not None)
            if r.stopped_at is None and self.ctx.allowed(RECEIPT):
                action.setToolTip(self.tr("A receipt is issued once the session stops"))
        menu.addSeparator()
        menu.addAction(
            self.tr("Copy session number"), lambda: QGuiApplication.clipboard().setText(str(r.id))
        )
        menu.addAction(
            self.tr("Copy transaction id"), lambda: QGuiApplication.clipboard().setText(r.tx_uid)
        )
        return menu

    def open_detail(self, row: int) -> None:
        from ui.history.detail import SessionDetailDialog

        dlg = SessionDetailDialog(self.ctx, self.model.session_id(row), self)
        dlg.open()

    # ------------------------------------------------------------ CSV export

    def _ask_export(self) -> None:
        path = files.save_path(
            self, self.tr("Export sessions"), "sessions.csv", self.tr("CSV (*.csv)")
        )
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> None:
        """Every session under the filters as CSV, made by the site (audited as an export)
        and saved here, on this PC, where the person chose."""
        query, client = self.current_query(), self.ctx.client
        self.status.setText(self.tr("Exporting…"))

        def saved(text: str) -> None:
            try:
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
            except OSError as e:
                self.status.setText(self.tr("Could not save {0}: {1}").format(path, line(e)))
                return
            self.status.setText(self.tr("Saved {0}").format(path))

        def failed(e: BaseException) -> None:
            self.status.setText(self.tr("Export failed: {0}").format(line(e)))

        self.ctx.worker.run(lambda: client.export_sessions_csv(query), saved, failed)


PAGE = PageSpec(
    key="history",
    title=lambda: QCoreApplication.translate("HistoryPage", "History"),
    factory=HistoryPage,
    icon="history",
    order=30,
    remote=True,
)
