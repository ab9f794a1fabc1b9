"""The alerts page: every alert with raised / acknowledged (by whom) / cleared times, an
Acknowledge button (the site checks and audits it), and the rotation hint. Everything goes
through `ctx.client`; the list reloads in the background when alert events arrive
(`ctx.site`), and keeps its rows while the site cannot be reached."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stationmgr.alerts.events import TITLES, AlertKind
from stationmgr.client import models as m
from ui import fmt
from ui.context import AppContext
from ui.history.times import epoch, line
from ui.pages import PageSpec
from ui.reports.rotation import RotationHint

ALERT_EVENTS = ("alert_raised", "alert_cleared", "alert_acknowledged")
AlertRow = m.AlertRow
LIMIT = 500


def alert_title(r: AlertRow) -> str:
    try:
        text = TITLES[AlertKind(r.kind)]
    except ValueError:
        text = r.kind
    return QCoreApplication.translate("alerts", text)


class AlertTableModel(QAbstractTableModel):
    COLUMNS = (
        QT_TRANSLATE_NOOP("AlertTableModel", "Alert"),
        QT_TRANSLATE_NOOP("AlertTableModel", "Where"),
        QT_TRANSLATE_NOOP("AlertTableModel", "Raised"),
        QT_TRANSLATE_NOOP("AlertTableModel", "Acknowledged"),
        QT_TRANSLATE_NOOP("AlertTableModel", "Cleared"),
        QT_TRANSLATE_NOOP("AlertTableModel", "Detail"),
    )

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AlertRow] = []

    def set_rows(self, rows: list[AlertRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("AlertTableModel", self.COLUMNS[section])
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        loc = self.ctx.locale
        if role == Qt.ItemDataRole.DisplayRole:
            match index.column():
                case 0:
                    return alert_title(r)
                case 1:
                    return r.where
                case 2:
                    return fmt.when(loc, epoch(r.raised_at))
                case 3:
                    if r.acknowledged_at is None:
                        return ""
                    return f"{r.acknowledged_by} · {fmt.when(loc, epoch(r.acknowledged_at))}"
                case 4:
                    if r.cleared_at is None:
                        return QCoreApplication.translate("AlertTableModel", "open")
                    return fmt.when(loc, epoch(r.cleared_at))
                case 5:
                    return r.detail or ""
        if role == Qt.ItemDataRole.ForegroundRole and r.cleared_at is None:
            return QColor("#c05621") if r.acknowledged_at is None else QColor("#2d3748")
        if role == Qt.ItemDataRole.UserRole:
            return r.uid
        return None


class AlertsWidget(QWidget):
    """The alert log with an Acknowledge button."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = AlertTableModel(ctx, self)
        self.loads = 0
        self.open_only = QCheckBox(self.tr("Open alerts only"))
        self.open_only.toggled.connect(self.reload)
        self.ack_btn = QPushButton(self.tr("Acknowledge"))
        self.ack_btn.setEnabled(False)
        self.ack_btn.clicked.connect(self.acknowledge_selected)
        self.status = QLabel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._selection)
        top = QHBoxLayout()
        top.addWidget(self.open_only)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.ack_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.reload)
        if ctx.site is not None:
            ctx.site.events.connect(self._on_events)
            ctx.site.link.connect(self._on_link)
        self.reload()

    def _on_events(self, events: list[m.Event]) -> None:
        if any(e.type in ALERT_EVENTS for e in events):
            self._debounce.start()

    def _on_link(self, up: bool, why: str) -> None:
        if up:
            self.reload()  # what happened while the site was away
        else:
            self.status.setText(self.tr("The site cannot be reached: {0}").format(why))

    def reload(self) -> None:
        q = m.AlertQuery(open=self.open_only.isChecked(), limit=LIMIT)
        client = self.ctx.client
        self.ctx.worker.run(lambda: client.alerts(q), self._loaded, self._failed)

    def _loaded(self, rows: list[AlertRow]) -> None:
        self.model.set_rows(rows)
        self.loads += 1
        n_open = sum(1 for r in rows if r.cleared_at is None)
        self.status.setText(self.tr("{0} open").format(n_open))
        self._selection()

    def _failed(self, e: BaseException) -> None:
        self.status.setText(self.tr("Could not read alerts: {0}").format(line(e)))
        self._selection()

    def selected(self) -> AlertRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selection(self, *_: object) -> None:
        r = self.selected()
        self.ack_btn.setEnabled(
            r is not None and r.acknowledged_at is None and self.ctx.allowed("alerts.acknowledge")
        )

    def acknowledge_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        self.ack_btn.setEnabled(False)
        client = self.ctx.client

        def failed(e: BaseException) -> None:  # refused, gone: say so, keep the list
            self.status.setText(self.tr("Could not acknowledge: {0}").format(line(e)))
            self._selection()

        self.ctx.worker.run(
            lambda: client.acknowledge_alert(r.uid), lambda _r: self.reload(), failed
        )


class AlertsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alerts = AlertsWidget(ctx)
        self.rotation = RotationHint(ctx)
        lay = QHBoxLayout(self)
        lay.addWidget(self.alerts, 4)
        side = QVBoxLayout()
        side.addWidget(self.rotation)
        side.addStretch(1)
        lay.addLayout(side, 1)


PAGE = PageSpec(
    key="alerts",
    title=lambda: QCoreApplication.translate("pages", "Alerts"),
    factory=AlertsPage,
    icon="alerts",
    order=35,
    remote=True,
)
