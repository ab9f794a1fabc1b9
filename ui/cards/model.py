"""The card list as a Qt table model over the site's card rows (`SiteClient.card_rows`,
wire `CardListRow`s with the standing by the site's clock): a card edited elsewhere is
simply re-read on `refresh`."""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFontDatabase

from stationmgr.auth import Standing
from stationmgr.client.models import CardListRow

Index = QModelIndex | QPersistentModelIndex


# The status words (`auth.Standing`), for Qt Linguist (translated where shown).
WORDS = (
    QT_TRANSLATE_NOOP("CardTableModel", "Blocked"),
    QT_TRANSLATE_NOOP("CardTableModel", "Group blocked"),
    QT_TRANSLATE_NOOP("CardTableModel", "Expired"),
    QT_TRANSLATE_NOOP("CardTableModel", "Not yet valid"),
    QT_TRANSLATE_NOOP("CardTableModel", "Active"),
)


class CardTableModel(QAbstractTableModel):
    """Columns: number, label, holder, group, status, validity, bays, limits, note."""

    COLUMNS = (
        QT_TRANSLATE_NOOP("CardTableModel", "Card number"),
        QT_TRANSLATE_NOOP("CardTableModel", "Label"),
        QT_TRANSLATE_NOOP("CardTableModel", "Holder"),
        QT_TRANSLATE_NOOP("CardTableModel", "Group"),
        QT_TRANSLATE_NOOP("CardTableModel", "Status"),
        QT_TRANSLATE_NOOP("CardTableModel", "Valid from"),
        QT_TRANSLATE_NOOP("CardTableModel", "Valid to"),
        QT_TRANSLATE_NOOP("CardTableModel", "Bays"),
        QT_TRANSLATE_NOOP("CardTableModel", "Max sessions"),
        QT_TRANSLATE_NOOP("CardTableModel", "Max current"),
        QT_TRANSLATE_NOOP("CardTableModel", "Note"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CardListRow] = []

    def set_rows(self, rows: list[CardListRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_of(self, card_id: int) -> int | None:
        for i, r in enumerate(self.rows):
            if r.card_id == card_id:
                return i
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("CardTableModel", self.COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.UserRole:
            return r.card_id
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and r.status != Standing.ACTIVE:
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.FontRole and col == 0:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role == Qt.ItemDataRole.ToolTipRole and col == 7 and not r.bays:
            return self.tr("No restriction: the card works at every bay")
        return None

    def _text(self, r: CardListRow, col: int) -> str:
        match col:
            case 0:
                return r.uid
            case 1:
                return r.label
            case 2:
                return r.holder
            case 3:
                return r.group
            case 4:
                return QCoreApplication.translate("CardTableModel", r.status)
            case 5:
                return (r.valid_from or "")[:10]  # ISO 8601 UTC: the date
            case 6:
                return (r.valid_to or "")[:10]
            case 7:
                return " ".join(r.bays) if r.bays else self.tr("all")
            case 8:
                return str(r.max_concurrent)
            case 9:
                return f"{r.max_current_a:g} A" if r.max_current_a else ""
            case 10:
                return r.note
        return ""


__all__ = ["WORDS", "CardListRow", "CardTableModel"]
