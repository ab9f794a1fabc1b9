"""The history table model: lazy pages of sessions, read through the site client.

`canFetchMore`/`fetchMore` ask `ctx.client.sessions` for the next page of `PAGE` rows on
the worker pool; rows are the API's wire `SessionRow`s, so the same model works on the
site's PC and on a second PC (`--site`). A new filter or sort bumps the generation, so a
page that arrives late for an old query is dropped. The totals load alongside.
`refresh()` (a session closed) keeps the shown rows until the new first page is in: while
the site cannot be reached the table keeps its last data and says why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from stationmgr.client import models as m
from stationmgr.errors import UserError
from ui import fmt, words
from ui.history.times import epoch, line

PAGE = 200
HistoryQuery = m.SessionQuery
Row = m.SessionRow
__all__ = ["COLUMNS", "PAGE", "HistoryQuery", "Row", "SessionTableModel"]
Index = QModelIndex | QPersistentModelIndex


# (header, sort key); None: not sortable
COLUMNS: list[tuple[str, str | None]] = [
    (QT_TRANSLATE_NOOP("HistoryModel", "Plugged in"), "plugged_at"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Bay"), "bay"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Holder"), "holder"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Card"), "card"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Energy"), "energy"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Plugged"), "plugged_s"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Charging"), "charging_s"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Idle"), "idle_s"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Stop reason"), "stop_reason"),
    (QT_TRANSLATE_NOOP("HistoryModel", "Price"), None),
    # the receipt's number once one is issued (the customer's paper names it)
    (QT_TRANSLATE_NOOP("HistoryModel", "Receipt"), None),
    # the session's number: what a receipt, the detail's title and Billing ask for
    (QT_TRANSLATE_NOOP("HistoryModel", "Session"), None),
]


class SessionTableModel(QAbstractTableModel):
    totals_changed = Signal(object)  # m.SessionTotals
    loading_changed = Signal(bool)
    failed = Signal(str)

    def __init__(self, ctx: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[Row] = []
        self.query = HistoryQuery(limit=PAGE)
        self.total: int | None = None  # matching rows (from the totals)
        self.loading = False
        self.exhausted = False
        self._gen = 0

    # ------------------------------------------------------------ querying

    def set_query(self, query: HistoryQuery, keep: bool = False) -> None:
        """Show another filter/sort: load the first page and the totals. `keep`: the rows
        on screen stay until the first page arrives (a refresh of the same query)."""
        query = replace(query, offset=0, limit=PAGE)
        self._gen += 1
        gen = self._gen
        if not keep:
            self.beginResetModel()
            self.rows = []
            self.total = None
            self.endResetModel()
        self.query = query
        self.exhausted = False
        self.loading = False
        client = self.ctx.client
        self.ctx.worker.run(
            lambda: client.session_totals(query),
            lambda t: self._totals(gen, t),
            lambda e: self._totals_failed(gen, e),
        )
        self._fetch(gen, 0, replace_rows=keep)

    def refresh(self) -> None:
        self.set_query(self.query, keep=True)

    def _totals(self, gen: int, totals: m.SessionTotals) -> None:
        if gen == self._gen:
            self.total = totals.sessions
            self.totals_changed.emit(totals)

    def _totals_failed(self, gen: int, e: BaseException) -> None:
        if gen != self._gen:
            return
        if isinstance(e, UserError) and not self.rows:  # a filter nothing can match
            self.total = 0
        self.failed.emit(line(e))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        if parent.isValid():
            return False
        return not self.exhausted and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self.loading or self.exhausted:
            return
        self._fetch(self._gen, len(self.rows))

    def _fetch(self, gen: int, offset: int, replace_rows: bool = False) -> None:
        self.loading = True
        self.loading_changed.emit(True)
        query, client = replace(self.query, offset=offset), self.ctx.client
        self.ctx.worker.run(
            lambda: client.sessions(query),
            lambda rows: self._arrived(gen, rows, replace_rows),
            lambda e: self._load_failed(gen, e),
        )

    def _arrived(self, gen: int, rows: list[Row], replace_rows: bool) -> None:
        if gen != self._gen:
            return
        self.loading = False
        self.loading_changed.emit(False)
        self.exhausted = len(rows) < PAGE
        if replace_rows:
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
        elif rows:
            n = len(self.rows)
            self.beginInsertRows(QModelIndex(), n, n + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def _load_failed(self, gen: int, e: BaseException) -> None:
        if gen != self._gen:
            return
        self.loading = False
        self.exhausted = True
        self.loading_changed.emit(False)
        self.failed.emit(line(e))

    # ------------------------------------------------------------ the table

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("HistoryModel", COLUMNS[section][0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        c = index.column()
        loc = self.ctx.locale
        if role == Qt.ItemDataRole.DisplayRole:
            if c == 0:
                return fmt.when(loc, epoch(r.plugged_at))
            if c == 1:
                return r.bay
            if c == 2:
                return r.holder_name or (
                    QCoreApplication.translate("HistoryModel", "Guest")
                    if r.start_kind == "guest"
                    else ""
                )
            if c == 3:
                return r.card_uid or ""
            if c == 4:
                return fmt.kwh(loc, r.energy_wh)
            if c in (5, 6, 7):
                v = (r.plugged_s, r.charging_s, r.idle_s)[c - 5]
                return (
                    fmt.duration(v)
                    if r.stopped_at is not None
                    else QCoreApplication.translate("HistoryModel", "running")
                )
            if c == 8:
                return words.stop_reason(r.stop_reason, loc) or (
                    QCoreApplication.translate("HistoryModel", "charging now")
                    if r.stopped_at is None
                    else ""
                )
            if c == 9:
                return fmt.money(loc, r.total_minor, self.ctx.currency) if r.total_minor else ""
            if c == 10:
                return "" if r.receipt_number is None else str(r.receipt_number)
            if c == 11:
                return str(r.id)
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (4, 5, 6, 7, 9, 10):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == Qt.ItemDataRole.ToolTipRole and c == 0 and r.stopped_at is not None:
            return QCoreApplication.translate("HistoryModel", "stopped {0}").format(
                fmt.when(loc, epoch(r.stopped_at))
            )
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        asc = order == Qt.SortOrder.AscendingOrder
        if key == self.query.sort and asc == self.query.ascending and self.rows:
            return
        self.set_query(replace(self.query, sort=key, ascending=asc))

    def session_id(self, row: int) -> int:
        return self.rows[row].id

    def follow_bays(self, bays: dict[int, Any]) -> int:
        """Running sessions' energy as the bays' live snapshots (`m.Bay`) report it, so a
        shown row moves on without Refresh; its end comes with `session_closed`. Returns
        the rows changed."""
        live = {b.tx_uid: b.energy_wh for b in bays.values() if b.tx_uid and b.energy_wh}
        changed = 0
        if not live:
            return 0
        energy_col = [c[1] for c in COLUMNS].index("energy")
        for i, r in enumerate(self.rows):
            wh = live.get(r.tx_uid)
            if r.stopped_at is None and wh is not None and wh != r.energy_wh:
                self.rows[i] = replace(r, energy_wh=float(wh))
                idx = self.index(i, energy_col)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole])
                changed += 1
        return changed
