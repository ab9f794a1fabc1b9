"""The history table model: lazy pages of sessions, loaded off the GUI thread.

`canFetchMore`/`fetchMore` ask for the next page of `PAGE` rows from
`store.queries.list_sessions` on the worker pool; rows arrive as plain tuples (no ORM
objects cross threads). A new filter or sort bumps the generation, so a page that arrives
late for an old query is dropped. The count and the totals load alongside.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
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
from sqlalchemy import select

from stationmgr.cards import find_cards
from stationmgr.store import queries
from stationmgr.store.queries import SessionFilter, Totals
from ui import fmt

PAGE = 200
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Row:
    id: int
    plugged_at: datetime
    bay: str
    holder: str | None
    card: str | None
    energy_wh: float
    plugged_s: int | None
    charging_s: int | None
    idle_s: int | None
    stop_reason: str | None
    stopped_at: datetime | None
    start_kind: str
    total_minor: int | None


@dataclass(frozen=True)
class HistoryQuery:
    """What the filter bar asks for; `card_text` is resolved to a card id in the worker."""

    filter: SessionFilter = field(default_factory=SessionFilter)
    card_text: str = ""
    sort: str = "plugged_at"
    descending: bool = True


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
]


def resolve(s: Any, q: HistoryQuery) -> SessionFilter | None:
    """The query's filter with the card resolved; None when the card is unknown."""
    f = q.filter
    if q.card_text.strip():
        cards = find_cards(s, q.card_text)
        if not cards:
            return None
        f = replace(f, card_id=cards[0].id)
    return f


def load_page(db: Any, q: HistoryQuery, offset: int, limit: int = PAGE) -> list[Row]:
    """One page as plain rows (worker thread)."""
    with db.session() as s:
        f = resolve(s, q)
        if f is None:
            return []
        labels = queries.bay_labels(s)
        sessions = queries.list_sessions(s, f, offset, limit, q.descending, q.sort)
        prices = _prices(s, [r.id for r in sessions])
        return [
            Row(
                r.id,
                r.plugged_at,
                labels.get(r.bay_id, str(r.bay_id)),
                r.holder_name,
                r.card_uid,
                r.energy_wh,
                r.plugged_s,
                r.charging_s,
                r.idle_s,
                r.stop_reason,
                r.stopped_at,
                r.start_kind,
                prices.get(r.id),
            )
            for r in sessions
        ]


def _prices(s: Any, ids: list[int]) -> dict[int, int]:
    """The latest price total of each session (when billing is installed)."""
    try:
        from stationmgr.store.billing_models import SessionPrice
    except ImportError:
        return {}
    if not ids:
        return {}
    out: dict[int, tuple[int, int]] = {}
    q = select(SessionPrice.session_id, SessionPrice.revision, SessionPrice.total_minor).where(
        SessionPrice.session_id.in_(ids)
    )
    for sid, rev, total in s.execute(q):
        if sid not in out or rev > out[sid][0]:
            out[sid] = (rev, total)
    return {sid: total for sid, (_rev, total) in out.items()}


def load_totals(db: Any, q: HistoryQuery) -> Totals:
    with db.session() as s:
        f = resolve(s, q)
        if f is None:
            return Totals(0, 0.0, 0, 0, 0)
        return queries.session_totals(s, f)


class SessionTableModel(QAbstractTableModel):
    totals_changed = Signal(object)  # Totals
    loading_changed = Signal(bool)
    failed = Signal(str)

    def __init__(self, ctx: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[Row] = []
        self.query = HistoryQuery()
        self.total: int | None = None  # matching rows (from the totals query)
        self.loading = False
        self.exhausted = False
        self._gen = 0

    # ------------------------------------------------------------ querying

    def set_query(self, query: HistoryQuery) -> None:
        """Show another filter/sort: clear, then load the first page and the totals."""
        self.beginResetModel()
        self.query = query
        self.rows = []
        self.total = None
        self.exhausted = False
        self.loading = False
        self._gen += 1
        self.endResetModel()
        gen = self._gen
        db = self.ctx.db
        self.ctx.worker.run(
            lambda: load_totals(db, query),
            lambda t: self._totals(gen, t),
            lambda e: self.failed.emit(str(e)),
        )
        self.fetchMore(QModelIndex())

    def refresh(self) -> None:
        self.set_query(self.query)

    def _totals(self, gen: int, totals: Totals) -> None:
        if gen == self._gen:
            self.total = totals.sessions
            self.totals_changed.emit(totals)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        if parent.isValid():
            return False
        return not self.exhausted and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self.loading or self.exhausted:
            return
        self.loading = True
        self.loading_changed.emit(True)
        gen, offset, query, db = self._gen, len(self.rows), self.query, self.ctx.db
        self.ctx.worker.run(
            lambda: load_page(db, query, offset),
            lambda rows: self._arrived(gen, rows),
            lambda e: self._load_failed(gen, e),
        )

    def _arrived(self, gen: int, rows: list[Row]) -> None:
        if gen != self._gen:
            return
        self.loading = False
        self.loading_changed.emit(False)
        if len(rows) < PAGE:
            self.exhausted = True
        if rows:
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
        self.failed.emit(str(e))

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
                return fmt.when(loc, r.plugged_at)
            if c == 1:
                return r.bay
            if c == 2:
                return r.holder or (
                    QCoreApplication.translate("HistoryModel", "Guest")
                    if r.start_kind == "guest"
                    else ""
                )
            if c == 3:
                return r.card or ""
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
                return r.stop_reason or (
                    QCoreApplication.translate("HistoryModel", "charging now")
                    if r.stopped_at is None
                    else ""
                )
            if c == 9:
                return fmt.money(loc, r.total_minor, self.ctx.currency) if r.total_minor else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (4, 5, 6, 7, 9):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == Qt.ItemDataRole.ToolTipRole and c == 0 and r.stopped_at is not None:
            return QCoreApplication.translate("HistoryModel", "stopped {0}").format(
                fmt.when(loc, r.stopped_at)
            )
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        desc = order == Qt.SortOrder.DescendingOrder
        if key == self.query.sort and desc == self.query.descending and self.rows:
            return
        self.set_query(replace(self.query, sort=key, descending=desc))

    def session_id(self, row: int) -> int:
        return self.rows[row].id
