"""The bay board's tile grid, painted in one pass (64 bays repaint in well under a frame).

One widget, no child widget per tile: layout is arithmetic, painting reads `BayView`s.
Click selects, double-click or Enter opens the bay's actions, arrows move the selection,
the context menu is offered through `context_requested`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from stationmgr.ocpp_words import BayStatus
from ui import fmt
from ui.board.state import BayView, TileContent, Who

TILE_MIN_W = 232
NOTICE_BG, NOTICE_FG = "#fdecea", "#b3261e"  # a refused card (readable in both palettes)
TILE_H = 150
GAP = 10
HEADER_H = 30

# State colours (readable on light and dark palettes; white text on each).
STATE_COLOURS: dict[BayStatus, str] = {
    BayStatus.AVAILABLE: "#2e7d32",
    BayStatus.PREPARING: "#c77700",
    BayStatus.CHARGING: "#1565c0",
    BayStatus.SUSPENDED_EV: "#00838f",
    BayStatus.SUSPENDED_EVSE: "#5c6bc0",
    BayStatus.FINISHING: "#8e24aa",
    BayStatus.FAULTED: "#c62828",
    BayStatus.UNAVAILABLE: "#616161",
}


STATUS_WORDS: dict[BayStatus, str] = {
    BayStatus.AVAILABLE: QT_TRANSLATE_NOOP("status", "Available"),
    BayStatus.PREPARING: QT_TRANSLATE_NOOP("status", "Waiting for card"),
    BayStatus.CHARGING: QT_TRANSLATE_NOOP("status", "Charging"),
    BayStatus.SUSPENDED_EV: QT_TRANSLATE_NOOP("status", "Paused by car"),
    BayStatus.SUSPENDED_EVSE: QT_TRANSLATE_NOOP("status", "Paused by charger"),
    BayStatus.FINISHING: QT_TRANSLATE_NOOP("status", "Finished – idle"),
    BayStatus.FAULTED: QT_TRANSLATE_NOOP("status", "Faulted"),
    BayStatus.UNAVAILABLE: QT_TRANSLATE_NOOP("status", "Unavailable"),
}


def status_word(status: BayStatus) -> str:
    """The attendant's word for a state (OCPP's word, explained where it is obscure)."""
    return QCoreApplication.translate("status", STATUS_WORDS[status])


class TileGrid(QWidget):
    selected = Signal(int)  # bay id
    activated = Signal(int)
    context_requested = Signal(int, QPoint)

    def __init__(self, clock_now: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.now = clock_now
        self.views: dict[int, BayView] = {}
        self.order: list[int] = []
        self.selected_bay: int | None = None
        self.currency = "SEK"
        self.acked: set[str] = set()  # acknowledged alert uids (badge shown grey)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("Bay board"))
        base = QFont(self.font())
        self.f_label = QFont(base)
        self.f_label.setBold(True)
        self.f_label.setPointSizeF(base.pointSizeF() * 1.25)
        self.f_state = QFont(base)
        self.f_state.setBold(True)
        self.f_big = QFont(base)
        self.f_big.setPointSizeF(base.pointSizeF() * 1.6)
        self.f_big.setBold(True)
        self.f_small = QFont(base)
        self.f_small.setPointSizeF(base.pointSizeF() * 0.9)
        self.paint_count = 0
        self.line_h = QFontMetrics(self.font()).height()
        self.sfm = QFontMetrics(self.f_small)
        self.big_h = QFontMetrics(self.f_big).height()
        self._static_cache: dict[int, tuple[tuple[object, ...], QPixmap]] = {}

    # ------------------------------------------------------------ data

    def set_views(self, views: dict[int, BayView]) -> None:
        self.views = views
        self.order = sorted(views, key=lambda b: (_natural(views[b].snap.label), b))
        if self.selected_bay not in views:
            self.selected_bay = self.order[0] if self.order else None
        self.updateGeometry()
        self.update()

    def refresh(self, bay_ids: object = None) -> None:
        """Repaint (all tiles; the grid is one cheap pass)."""
        self.update()

    def select(self, bay_id: int) -> None:
        if bay_id in self.views and bay_id != self.selected_bay:
            self.selected_bay = bay_id
            self.update()
            self.selected.emit(bay_id)

    # ------------------------------------------------------------ layout

    def _columns(self, width: int | None = None) -> int:
        w = self.width() if width is None else width
        return max(1, (w - GAP) // (TILE_MIN_W + GAP))

    def tile_rect(self, index: int) -> QRect:
        cols = self._columns()
        tile_w = (self.width() - GAP * (cols + 1)) // cols
        r, c = divmod(index, cols)
        return QRect(GAP + c * (tile_w + GAP), GAP + r * (TILE_H + GAP), tile_w, TILE_H)

    def bay_at(self, pos: QPoint) -> int | None:
        for i, bay_id in enumerate(self.order):
            if self.tile_rect(i).contains(pos):
                return bay_id
        return None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = -(-max(1, len(self.order)) // self._columns(width))
        return GAP + rows * (TILE_H + GAP)

    def sizeHint(self) -> QSize:
        return QSize(3 * (TILE_MIN_W + GAP) + GAP, self.heightForWidth(3 * (TILE_MIN_W + GAP)))

    def minimumSizeHint(self) -> QSize:
        return QSize(TILE_MIN_W + 2 * GAP, TILE_H + 2 * GAP)

    def resizeEvent(self, event: object) -> None:
        self.setMinimumHeight(self.heightForWidth(self.width()))

    # ------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paint_count += 1
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.order:
            p.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("No bays yet. Add a charger under Chargers to see its bays here."),
            )
            return
        now = self.now()
        clip = event.rect()
        for i, bay_id in enumerate(self.order):
            rect = self.tile_rect(i)
            if rect.intersects(clip):
                view = self.views[bay_id]
                p.drawPixmap(rect.topLeft(), self._static(rect, view, bay_id == self.selected_bay))
                self._paint_dynamic(p, rect, view, now)
        p.end()

    def _static(self, rect: QRect, view: BayView, selected: bool) -> QPixmap:
        """The parts of a tile that change only with its state (frame, header, who,
        badges), painted once into a pixmap; each second only the figures are drawn."""
        dpr = self.devicePixelRatioF()
        key = (
            rect.width(),
            rect.height(),
            view.snap.status,
            view.snap.label,
            self._who(view),
            tuple(self._badges(view)),
            bool(view.snap.tx_uid),
            selected,
            self.palette().cacheKey(),
            dpr,
        )
        hit = self._static_cache.get(view.snap.bay_id)
        if hit is not None and hit[0] == key:
            return hit[1]
        pm = QPixmap(round(rect.width() * dpr), round(rect.height() * dpr))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        q = QPainter(pm)
        q.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_static(q, QRect(0, 0, rect.width(), rect.height()), view, selected)
        q.end()
        self._static_cache[view.snap.bay_id] = (key, pm)
        return pm

    def _paint_static(self, p: QPainter, rect: QRect, view: BayView, selected: bool) -> None:
        pal = self.palette()
        snap = view.snap
        colour = QColor(STATE_COLOURS[snap.status])
        r = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5)
        # body
        p.setPen(
            QPen(pal.color(QPalette.ColorRole.Highlight), 3)
            if selected
            else QPen(pal.color(QPalette.ColorRole.Mid), 1)
        )
        p.setBrush(pal.color(QPalette.ColorRole.Base))
        p.drawRoundedRect(r, 8, 8)
        # header band in the state colour
        head = QRectF(r.x(), r.y(), r.width(), HEADER_H)
        p.save()
        p.setClipRect(head)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(r.adjusted(1.5, 1.5, -1.5, -1.5) if selected else r, 8, 8)
        p.restore()
        p.setPen(QColor("white"))
        p.setFont(self.f_label)
        label_rect = head.adjusted(10, 0, -10, 0).toRect()
        p.drawText(
            label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, snap.label
        )
        lw = QFontMetrics(self.f_label).horizontalAdvance(snap.label) + 12
        p.setFont(self.f_state)
        word = status_word(snap.status)
        p.drawText(
            label_rect.adjusted(lw, 0, 0, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            QFontMetrics(self.f_state).elidedText(
                word, Qt.TextElideMode.ElideRight, label_rect.width() - lw
            ),
        )

        body = r.adjusted(10, HEADER_H + 6, -10, -6).toRect()
        text = pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        fm = QFontMetrics(self.font())
        line_h = fm.height()

        # line 1: who, and badges on the right
        badges = self._badges(view)
        bx = body.right()
        p.setFont(self.f_small)
        sfm = QFontMetrics(self.f_small)
        for text_b, col in reversed(badges):
            w = sfm.horizontalAdvance(text_b) + 12
            br = QRectF(bx - w, body.top(), w, line_h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(col))
            p.drawRoundedRect(br, line_h / 2, line_h / 2)
            p.setPen(QColor("white"))
            p.drawText(br, Qt.AlignmentFlag.AlignCenter, text_b)
            bx -= w + 4
        who = self._who(view)
        p.setFont(self.font())
        p.setPen(text if snap.tx_uid else dim)
        who_rect = QRect(body.left(), body.top(), bx - body.left() - 4, line_h)
        if not snap.tx_uid and fm.horizontalAdvance(who) > who_rect.width():
            return  # "No session" cut to "No s…" says nothing the badges do not
        p.drawText(
            who_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(who, Qt.TextElideMode.ElideRight, who_rect.width()),
        )

    def _paint_dynamic(self, p: QPainter, rect: QRect, view: BayView, now: float) -> None:
        """The figures that move every second: power, energy, durations, cost, end."""
        snap = view.snap
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        body = QRectF(rect).adjusted(10.5, HEADER_H + 6.5, -10.5, -6.5).toRect()
        line_h = self.line_h
        sfm = self.sfm
        c = view.content(now)
        f = c.figures
        y = body.top() + line_h + 4
        big_h = self.big_h
        loc = self.locale()
        p.setFont(self.font())
        note = view.notice_text(time.monotonic())
        if note is not None:  # a refused card, told at once (ui.board.notices)
            box = QRectF(body.left(), y - 2, body.width(), body.bottom() - y + 2)  # below who
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(NOTICE_BG))
            p.drawRoundedRect(box, 6, 6)
            p.setPen(QColor(NOTICE_FG))
            p.setFont(self.f_state)
            p.drawText(
                box.adjusted(6, 4, -6, -4).toRect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                note,
            )
            return
        if snap.plugged_at is None and snap.status in (BayStatus.AVAILABLE,):
            p.setPen(dim)
            p.drawText(
                QRect(body.left(), y, body.width(), body.bottom() - y),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("Free"),
            )
            return
        if snap.status is BayStatus.PREPARING and snap.tx_uid is None:
            p.setPen(QColor(STATE_COLOURS[BayStatus.PREPARING]))
            p.drawText(
                QRect(body.left(), y, body.width(), body.bottom() - y),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.tr("Tap a card at the bay, or start a guest session")
                + "\n"
                + self.tr("waiting {0}").format(fmt.duration(f.plugged_s)),
            )
            return
        if snap.status is BayStatus.FAULTED and snap.tx_uid is None:
            p.setPen(QColor(STATE_COLOURS[BayStatus.FAULTED]))
            lines = [self.tr("Charger fault: {0}").format(snap.fault or "?")]
            if snap.plugged_at is not None:
                lines.append(self.tr("car plugged in {0}").format(fmt.duration(f.plugged_s)))
            p.drawText(
                QRect(body.left(), y, body.width(), body.bottom() - y),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "\n".join(lines),
            )
            return
        if snap.status is BayStatus.UNAVAILABLE and snap.tx_uid is None:
            p.setPen(dim)
            msg = snap.fault or (
                self.tr("No answer from the charger")
                if not snap.online
                else self.tr("Out of order")
            )
            p.drawText(
                QRect(body.left(), y, body.width(), body.bottom() - y),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                msg,
            )
            return
        # line 2: power (big) and energy
        p.setFont(self.f_big)
        p.setPen(text)
        half = body.width() // 2
        p.drawText(
            QRect(body.left(), y, half, big_h),
            Qt.AlignmentFlag.AlignLeft,
            fmt.kw(loc, f.power_w) if f.power_w is not None else "–",
        )
        p.drawText(
            QRect(body.left() + half, y, body.width() - half, big_h),
            Qt.AlignmentFlag.AlignRight,
            fmt.kwh(loc, f.energy_wh, 1),
        )
        y += big_h + 2
        # line 3: durations
        p.setFont(self.f_small)
        p.setPen(dim)
        parts = [self.tr("plugged {0}").format(fmt.duration(f.plugged_s))]
        if f.charging_s is not None:
            parts.append(self.tr("charged {0}").format(fmt.duration(f.charging_s)))
        if f.idle_s is not None:
            parts.append(self.tr("idle {0}").format(fmt.duration(f.idle_s)))
        line = " · ".join(parts)
        p.drawText(
            QRect(body.left(), y, body.width(), sfm.height()),
            Qt.AlignmentFlag.AlignLeft,
            sfm.elidedText(line, Qt.TextElideMode.ElideRight, body.width()),
        )
        y += sfm.height() + 2
        # line 4: cost so far and expected end
        extra = []
        if c.cost_minor is not None:
            cur = c.currency or self.currency
            extra.append(self.tr("≈ {0}").format(fmt.money(loc, c.cost_minor, cur)))
        if c.expected_end is not None:
            extra.append(self.tr("ends ~{0}").format(fmt.clock_time(loc, c.expected_end)))
        if c.blocking and f.idle_s is not None:
            p.setPen(QColor(STATE_COLOURS[BayStatus.FINISHING]))
            extra.append(self.tr("car done, blocking the bay"))
        if extra:
            p.drawText(
                QRect(body.left(), y, body.width(), sfm.height()),
                Qt.AlignmentFlag.AlignLeft,
                sfm.elidedText(" · ".join(extra), Qt.TextElideMode.ElideRight, body.width()),
            )

    def _who(self, view: BayView) -> str:
        return who_text(view.content(view.snap.at))

    def _badges(self, view: BayView) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        s = view.snap
        if s.fault:
            out.append((s.fault, "#c62828"))
        if not s.online:
            out.append((self.tr("offline"), "#616161"))
        for uid, text in list(view.alerts.items())[:2]:
            out.append((text, "#9e9e9e" if uid in self.acked else "#ef6c00"))
        if len(view.alerts) > 2:
            out.append((f"+{len(view.alerts) - 2}", "#ef6c00"))
        return out

    # ------------------------------------------------------------ input

    def mousePressEvent(self, e: QMouseEvent) -> None:
        bay = self.bay_at(e.position().toPoint())
        if bay is not None:
            self.select(bay)
        super().mousePressEvent(e)

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        bay = self.bay_at(e.position().toPoint())
        if bay is not None:
            self.activated.emit(bay)

    def contextMenuEvent(self, e: QContextMenuEvent) -> None:
        bay = self.bay_at(e.pos())
        if bay is None and e.reason() == QContextMenuEvent.Reason.Keyboard:
            bay = self.selected_bay
        if bay is not None:
            self.select(bay)
            self.context_requested.emit(bay, e.globalPos())

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if not self.order or self.selected_bay is None:
            return super().keyPressEvent(e)
        i = self.order.index(self.selected_bay)
        cols = self._columns()
        step = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -cols,
            Qt.Key.Key_Down: cols,
        }.get(Qt.Key(e.key()))
        if step is not None:
            j = min(max(0, i + step), len(self.order) - 1)
            self.select(self.order[j])
            return None
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated.emit(self.selected_bay)
            return None
        return super().keyPressEvent(e)


def who_text(c: TileContent) -> str:
    """The "who" line of a bay, the same on its tile and in the panel."""
    card = f" ({c.card})" if c.card else ""
    match c.who:
        case Who.HOLDER:
            return (c.holder or "") + card
        case Who.CARD:
            return c.card or ""
        case Who.GUEST:
            return QCoreApplication.translate("TileGrid", "Guest")
        case Who.PENDING:
            return QCoreApplication.translate(
                "TileGrid", "Card {0} tapped: plug in to start"
            ).format((c.holder or "") + card)
        case Who.PLUGGED:
            return QCoreApplication.translate("TileGrid", "Car plugged in, no card yet")
        case Who.ENDED:
            return QCoreApplication.translate("TileGrid", "Session ended")
    return QCoreApplication.translate("TileGrid", "No session")


def _natural(label: str) -> tuple[object, ...]:
    """P2 before P10."""
    import re

    return tuple(int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", label))
