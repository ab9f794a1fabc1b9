"""The bay board page: the tile grid, the selected bay's panel and curves, the actions.

Everything comes through the site client: live bays and events from `ctx.site` (wire
`m.Bay` / `m.Event`, coalesced per bay), the day curves from `ctx.client` on the worker,
the actions through `ui.actions`. So the board is the same on the site's own PC and on a
second PC attached to a site service. A 1 s timer repaints the tiles (their timers run on
from the snapshots) and samples the live curves.
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from typing import Any

from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from stationmgr.client import models as m
from stationmgr.ocpp_words import BayStatus
from ui import fmt
from ui.actions import Actions
from ui.board import extras
from ui.board.buffers import LiveBuffers, midnight
from ui.board.clock import SiteClock
from ui.board.notices import NOTICE_S, notice_for
from ui.board.session import BaySession
from ui.board.state import BayView
from ui.board.tiles import STATE_COLOURS, TileGrid, status_word, who_text
from ui.context import AppContext
from ui.history.receipt import ACTION as RECEIPT
from ui.history.receipt import ReceiptIssuer, open_link
from ui.offer import offer
from ui.pages import PageSpec

log = logging.getLogger(__name__)
CURVE_STAGGER_MS = 330  # the plots repaint a third and two thirds of a second after the tiles


class BayPanel(QFrame):
    """The selected bay: who, how long, how much, and the attendant's buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        self.title.setFont(f)
        self.state = QLabel()
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, text in (
            ("who", self.tr("Card holder")),
            ("plugged", self.tr("Plugged in")),
            ("charging", self.tr("Charging time")),
            ("idle", self.tr("Idle time")),
            ("power", self.tr("Power now")),
            ("energy", self.tr("Energy")),
            ("cost", self.tr("Cost so far")),
            ("end", self.tr("Expected end")),
            ("session", self.tr("Session")),
        ):
            lab = QLabel("–")
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lab.setWordWrap(True)
            self.fields[key] = lab
            form.addRow(text + ":", lab)
        self.guest_btn = QPushButton(self.tr("Start &guest session…"))
        self.stop_btn = QPushButton(self.tr("S&top session"))
        self.ooo_btn = QPushButton(self.tr("Set &out of order"))
        self.ack_btn = QPushButton(self.tr("&Acknowledge faults"))
        # the current or last session's actions (stop is above: it acts on the bay)
        self.receipt_btn = QPushButton(self.tr("&Receipt…"))
        self.card_btn = QPushButton(self.tr("Open &card"))
        self.copy_btn = QPushButton(self.tr("Copy &number"))
        self.copy_btn.setToolTip(self.tr("Copy the session's number (Billing asks for it)"))
        self.session_status = QLabel()  # the saved receipt, with a link that opens it
        self.session_status.setTextFormat(Qt.TextFormat.RichText)
        self.session_status.setOpenExternalLinks(True)
        self.session_status.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.state)
        lay.addLayout(form)
        lay.addStretch(1)
        for b in (self.guest_btn, self.stop_btn, self.ooo_btn, self.ack_btn):
            lay.addWidget(b)
        row = QHBoxLayout()
        for b in (self.receipt_btn, self.card_btn, self.copy_btn):
            row.addWidget(b)
        lay.addLayout(row)
        lay.addWidget(self.session_status)
        self.setMinimumWidth(290)


class BoardPage(QWidget):
    alert = Signal(str, str)  # (title, text) for the tray and the status bar
    card_opened = Signal(int)  # a card id the panel's "Open card" shows on the Cards page

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.views: dict[int, BayView] = {}
        self._removed: set[int] = set()  # bays the site removed (their last snapshots lag)
        self.buffers = LiveBuffers()
        self.actions_ = Actions(ctx, self, label_of=self._label)
        self.actions_.done.connect(self._status)
        self.actions_.failed.connect(self._status)
        self.extras = extras.Extras(ctx)
        self._ticks = 0
        self._loaded_bay: int | None = None
        self.clock = SiteClock()
        self.now = self.clock.now
        self.link_up = True
        self.grid = TileGrid(self.now)
        self.grid.currency = ctx.currency
        self.grid.acked = self.extras.acked
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.panel = BayPanel()
        self.session = BaySession(ctx, self)  # the selected bay's current or last session
        self.session.changed.connect(self._refresh_session)
        self.receipts = ReceiptIssuer(ctx, self)
        self.receipts.done.connect(self._receipt_saved)
        self.receipts.issued.connect(lambda _sid, _n: self.session.reread())
        self.receipts.failed.connect(self._receipt_failed)
        # The curves (pyqtgraph) load after the first paint: the tiles come first.
        self.curves: Any = None
        self._curves_mod: Any = None
        self.curves_slot = QLabel(self.tr("Loading curves…"))
        self.curves_slot.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # The panel scrolls rather than hold the tiles to one row on a small laptop screen.
        panel_scroll = QScrollArea()
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel_scroll.setWidget(self.panel)
        panel_scroll.setMinimumWidth(self.panel.minimumWidth() + 16)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(panel_scroll)
        bottom.addWidget(self.curves_slot)
        self.bottom = bottom
        bottom.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.splitter = split
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        split.setSizes([440, 360])  # scaled to the window: the tiles get the larger share

        self.grid.selected.connect(self._select)
        self.grid.activated.connect(self._menu_at_tile)
        self.grid.context_requested.connect(self._menu)
        p = self.panel
        p.guest_btn.clicked.connect(lambda: self._act("guest"))
        p.stop_btn.clicked.connect(lambda: self._act("stop"))
        p.ooo_btn.clicked.connect(lambda: self._act("ooo"))
        p.ack_btn.clicked.connect(lambda: self._act("ack"))
        p.receipt_btn.clicked.connect(self.issue_receipt)
        p.card_btn.clicked.connect(self.open_card)
        p.copy_btn.clicked.connect(self.copy_session_number)
        self._refresh_session()  # nothing offered before a session is read
        for seq, slot in (("D", self._day), ("L", self._live)):
            a = QAction(self)
            a.setShortcut(QKeySequence(seq))
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            a.triggered.connect(slot)
            self.addAction(a)

        if ctx.site is not None:
            ctx.site.bays.connect(self.on_snapshots)
            ctx.site.events.connect(self.on_events)
            ctx.site.link.connect(self.on_link)
            if ctx.site.latest:
                self.on_snapshots(dict(ctx.site.latest))
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        # after the first paint, on this thread (importing Qt-using modules elsewhere races)
        QTimer.singleShot(
            0, lambda: self._curves_loaded(importlib.import_module("ui.board.curves"))
        )

    def _curves_loaded(self, mod: Any) -> None:
        self._curves_mod = mod
        self.curves = mod.CurvePanel()
        self.curves.day_btn.clicked.connect(self._day)
        self.curves.live_btn.clicked.connect(self._live)
        self.bottom.replaceWidget(1, self.curves)
        self.curves_slot.deleteLater()
        self.bottom.setStretchFactor(1, 1)
        if self.grid.selected_bay is not None:
            self._select(self.grid.selected_bay)
        self.curves.update_bay_live(None, self.now())  # the time window, before it paints
        self._load_site_day()

    def _day(self) -> None:
        if self.curves is not None:
            self.curves.show_today(self.now())

    def _live(self) -> None:
        if self.curves is not None:
            self.curves.follow_live()

    # ------------------------------------------------------------ feed

    def on_snapshots(self, snaps: dict[int, m.Bay]) -> None:
        new = False
        for bay_id, bay in snaps.items():
            v = self.views.get(bay_id)
            if v is None and self._gone(bay_id):
                continue  # a last snapshot of a bay the site has just removed
            if v is None:
                v = self.views[bay_id] = BayView(bay)
                new = True
            else:
                v.update(bay)
            self.clock.saw(v.snap.at)
        if new:
            self.grid.set_views(self.views)
            if self.grid.selected_bay is not None and self._loaded_bay is None:
                self._select(self.grid.selected_bay)
        self.grid.update()
        self._refresh_summary()
        if self.grid.selected_bay in snaps:
            self._refresh_panel()

    def on_events(self, events: list[m.Event]) -> None:
        changed = False
        for ev in events:
            d = ev.data
            if ev.type == "fault_raised":
                label = self._label(int(d.get("bay_id") or 0))
                self.alert.emit(self.tr("Fault on {0}").format(label), str(d.get("code")))
            elif ev.type == "charger_offline":
                # its name only: the link's detail (port, registers) is for the Chargers page
                self.alert.emit(self.tr("Charger does not answer"), str(d.get("name")))
            elif ev.type == "configuration_changed" and "chargers" in (d.get("kinds") or ()):
                self._reload_bays()
            elif ev.type == "card_refused":
                changed = self._card_refused(d) or changed
            hit = self.extras.on_event(ev, self.views)
            if hit is not None:
                changed = True
                if hit:
                    self.alert.emit(*hit)
        if changed:
            self.grid.update()
            self._refresh_panel()

    def _card_refused(self, data: dict[str, Any]) -> bool:
        """A refused or unknown card: on its tile for a few seconds, and in the status
        bar, at once (the alert only comes after repeated refusals)."""
        bay_id = int(data.get("bay_id") or 0)
        note = notice_for(data)
        self._status(self.tr("{0}: {1}").format(self._label(bay_id), note.text))
        view = self.views.get(bay_id)
        if view is None:
            return False
        view.notice = (note.text, note.until)
        QTimer.singleShot(int(NOTICE_S * 1000) + 50, self.grid.update)  # gone on time
        return True

    def _gone(self, bay_id: int) -> bool:
        """A late snapshot of a bay the site removed (until a change brings it back)."""
        return bay_id in self._removed

    def on_link(self, up: bool, why: str) -> None:
        """The site went away (the board keeps its last data and says so) or came back."""
        self.link_up = up
        if up:
            log.info("live events from the site: connected")
        else:
            log.warning("live events from the site: lost (%s)", why)
        if not up:
            self._status(self.tr("The site cannot be reached: {0}").format(why))
        self._refresh_summary()

    def _reload_bays(self) -> None:
        """After a charger change: ask the site which bays it has now."""
        if self.ctx.client is None:
            return
        client = self.ctx.client
        self.ctx.worker.run(
            client.bays,
            lambda bays: self._drop_removed_bays({b.bay_id for b in bays}),  # type: ignore[attr-defined]
            lambda e: self._status(str(e)),
        )

    def _drop_removed_bays(self, live: set[int]) -> bool:
        """Bays the running site no longer has leave the board (new ones arrive with
        their first snapshot)."""
        self._removed -= live  # re-enabled: its snapshots are welcome again
        gone = [b for b in self.views if b not in live]
        for bay_id in gone:
            del self.views[bay_id]
            self._removed.add(bay_id)
        if gone:
            self.grid.set_views(self.views)
            self._refresh_summary()
            self.grid.update()
            self._refresh_panel()
        return bool(gone)

    def tick(self) -> None:
        """Once a second: timers run on and curves advance (no engine calls: every figure
        comes from the bays' snapshots)."""
        now = self.now()
        self._ticks += 1
        latest = {b: v.snap for b, v in self.views.items()}
        self.buffers.sample(now, latest)
        self.grid.update()
        self._refresh_panel()
        if self.isVisible() and self.curves is not None:
            # Each plot repaints apart from the tiles: one window repaints every widget
            # updated in the same turn in one pass, and the tiles plus both plots at once
            # held the GUI thread for ~50 ms (bench/gui_load.py); a third of a second apart,
            # each pass stays short.
            QTimer.singleShot(CURVE_STAGGER_MS, self, lambda: self._bay_curve(now))
            QTimer.singleShot(2 * CURVE_STAGGER_MS, self, self._site_curve)
        if self._ticks % 300 == 0:
            self._load_site_day()

    def _bay_curve(self, now: float) -> None:
        sel = self.grid.selected_bay
        if self.curves is not None:
            self.curves.update_bay_live(self.buffers.bays.get(sel) if sel else None, now)

    def _site_curve(self) -> None:
        if self.curves is not None:
            self.curves.update_site_live(self.buffers.site)

    # ------------------------------------------------------------ selection and panel

    def _label(self, bay_id: int) -> str:
        v = self.views.get(bay_id)
        return v.snap.label if v else str(bay_id)

    def _select(self, bay_id: int) -> None:
        self._loaded_bay = bay_id
        self._refresh_panel()
        if self.curves is None:
            return
        self.curves.clear_bay()
        self.curves.title.setText(
            self.tr("<b>{0}</b>: power and energy today").format(self._label(bay_id))
        )
        client, since = self.ctx.client, midnight(self.now())
        load_bay_day = self._curves_mod.load_bay_day

        def loaded(data: object) -> None:
            if self._loaded_bay == bay_id and self.curves is not None:
                self.curves.set_history(data, None)  # type: ignore[arg-type]

        self.ctx.worker.run(
            lambda: load_bay_day(client, bay_id, since), loaded, lambda e: self._status(str(e))
        )

    def _load_site_day(self) -> None:
        if self._curves_mod is None:
            return
        load_site_day = self._curves_mod.load_site_day
        client, now = self.ctx.client, self.now()
        since = midnight(now)
        self.ctx.worker.run(
            lambda: load_site_day(client, since, now),
            lambda data: self.curves.set_history(None, data),
            lambda e: self._status(str(e)),
        )

    def _refresh_summary(self) -> None:
        counts = Counter(v.snap.status for v in self.views.values())
        power = sum((v.snap.power_w or 0) for v in self.views.values() if v.snap.tx_uid)
        parts = []
        for st in (
            BayStatus.CHARGING,
            BayStatus.SUSPENDED_EV,
            BayStatus.PREPARING,
            BayStatus.FINISHING,
            BayStatus.FAULTED,
            BayStatus.UNAVAILABLE,
            BayStatus.AVAILABLE,
            BayStatus.SUSPENDED_EVSE,
        ):
            if counts.get(st):
                parts.append(
                    f'<span style="color:{STATE_COLOURS[st]}">●</span> '
                    f"{counts[st]} {status_word(st).lower()}"
                )
        site = self.tr("Site power {0}").format(fmt.kw(self.ctx.locale, power))
        down = ""
        if not self.link_up:
            text = self.tr("Site not reachable: showing the last data")
            down = f'<span style="color:#c62828"><b>{text}</b></span> &nbsp; '
        self.summary.setText(down + f"<b>{site}</b> &nbsp; " + " &nbsp; ".join(parts))

    def _refresh_panel(self) -> None:
        p = self.panel
        bay_id = self.grid.selected_bay
        v = self.views.get(bay_id) if bay_id is not None else None
        self.session.follow(v.snap if v is not None else None)
        if v is None:
            p.title.setText(self.tr("No bay selected"))
            for b in (p.guest_btn, p.stop_btn, p.ooo_btn, p.ack_btn):
                b.setEnabled(False)
            self._refresh_session()
            return
        s = v.snap
        c = v.content(self.now())
        f = c.figures
        loc = self.ctx.locale
        p.title.setText(s.label)
        colour = STATE_COLOURS[s.status]
        p.state.setText(
            f'<span style="color:{colour}; font-weight:bold">● '
            f"{status_word(s.status)}</span>" + (f" — {s.fault}" if s.fault else "")
        )
        p.fields["who"].setText(who_text(c))
        p.fields["plugged"].setText(fmt.duration(f.plugged_s))
        p.fields["charging"].setText(fmt.duration(f.charging_s))
        p.fields["idle"].setText(fmt.duration(f.idle_s))
        p.fields["power"].setText(fmt.kw(loc, f.power_w))
        p.fields["energy"].setText(fmt.kwh(loc, f.energy_wh))
        p.fields["cost"].setText(fmt.money(loc, c.cost_minor, c.currency or self.ctx.currency))
        p.fields["end"].setText(fmt.clock_time(loc, c.expected_end) if c.expected_end else "–")
        ooo = c.out_of_order
        p.ooo_btn.setText(self.tr("Back in &service") if ooo else self.tr("Set &out of order"))
        # what the role may not do is disabled, its tooltip naming who may (ui.offer)
        ctx = self.ctx
        offer(p.guest_btn, ctx, "bays.remote_start", also=not c.running and c.usable)
        offer(p.stop_btn, ctx, "bays.remote_stop", also=c.running)
        offer(p.ooo_btn, ctx, "bays.out_of_order")
        offer(p.ack_btn, ctx, "faults.acknowledge", also=bool(s.fault or v.alerts or c.open_alerts))

    # ------------------------------------------------------------ the bay's session

    def _refresh_session(self) -> None:
        """The Session field and its actions, for the bay's current or last session."""
        p, r, ctx = self.panel, self.session.row, self.ctx
        if r is None:
            p.fields["session"].setText("–")
        else:
            text = str(r.id) if r.stopped_at else self.tr("{0} (running)").format(r.id)
            if r.receipt_number is not None:
                text += self.tr(" · receipt {0}").format(r.receipt_number)
            p.fields["session"].setText(text)
        stopped = r is not None and r.stopped_at is not None
        offer(p.receipt_btn, ctx, RECEIPT, also=stopped)
        if r is not None and not stopped and ctx.allowed(RECEIPT):
            p.receipt_btn.setToolTip(self.tr("A receipt is issued once the session stops"))
        offer(p.card_btn, ctx, "cards.read", also=r is not None and bool(r.card_uid))
        if r is not None and not r.card_uid and ctx.allowed("cards.read"):
            p.card_btn.setToolTip(self.tr("A guest session has no card"))
        p.copy_btn.setEnabled(r is not None)

    def issue_receipt(self) -> None:
        """Issue (or re-print) the bay's last session's receipt as PDF, as History does."""
        r = self.session.row
        if r is not None and r.stopped_at is not None:
            self.receipts.ask(self, r.id)

    def _receipt_saved(self, path: str, text: str) -> None:
        self.panel.session_status.setText(open_link(path, text))
        self._status(text)

    def _receipt_failed(self, text: str) -> None:
        import html

        line = self.tr("No receipt: {0}").format(text)
        self.panel.session_status.setText(html.escape(line))
        self._status(line)

    def copy_session_number(self) -> None:
        r = self.session.row
        if r is not None:
            QGuiApplication.clipboard().setText(str(r.id))
            self._status(self.tr("Session number {0} copied").format(r.id))

    def open_card(self) -> None:
        """The session's card on the Cards page (looked up by its number, as a tap is)."""
        r, client = self.session.row, self.ctx.client
        if r is None or not r.card_uid or client is None:
            return
        uid = r.card_uid

        def found(known: list[m.KnownCard]) -> None:
            if not known:
                self._status(self.tr("Card {0} is not enrolled (any more)").format(uid))
                return
            self.card_opened.emit(known[0].card_id)
            win = self.window()
            cards = getattr(win, "pages", {}).get("cards")
            if cards is None:
                self._status(self.tr("The Cards page is not open in this window"))
                return
            win.show_page("cards")  # type: ignore[attr-defined]
            cards.select_card(known[0].card_id)

        self.ctx.worker.run(lambda: client.known_cards(uid), found, lambda e: self._status(str(e)))

    def _out_of_order(self, bay_id: int) -> bool:
        v = self.views.get(bay_id)
        return bool(v and v.snap.out_of_order)

    def _act(self, what: str, bay_id: int | None = None) -> None:
        bay_id = self.grid.selected_bay if bay_id is None else bay_id
        if bay_id is None:
            return
        a = self.actions_
        if what == "guest":
            a.start_guest(bay_id, self)
        elif what == "stop":
            a.stop_session(bay_id, self)
        elif what == "ooo":
            a.set_out_of_order(bay_id, not self._out_of_order(bay_id), self)
        elif what == "ack":
            a.acknowledge(bay_id, self)
            self.extras.acknowledge(bay_id, self.views, self._status)
            self.grid.update()

    def _menu_at_tile(self, bay_id: int) -> None:
        i = self.grid.order.index(bay_id)
        self._menu(bay_id, self.grid.mapToGlobal(self.grid.tile_rect(i).center()))

    def _menu(self, bay_id: int, pos: QPoint) -> None:
        self._refresh_panel()
        p = self.panel
        m = QMenu(self)
        m.setToolTipsVisible(True)  # a disabled action says who may
        for btn, key in (
            (p.guest_btn, "guest"),
            (p.stop_btn, "stop"),
            (p.ooo_btn, "ooo"),
            (p.ack_btn, "ack"),
        ):
            act = m.addAction(btn.text().replace("&", ""))
            act.setEnabled(btn.isEnabled())
            act.setToolTip(btn.toolTip())
            act.triggered.connect(lambda _c=False, k=key, b=bay_id: self._act(k, b))
        m.exec(pos)

    def _status(self, text: str) -> None:
        self.last_status = text
        win = self.window()
        bar = getattr(win, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 8000)

    def shutdown(self) -> None:
        self.timer.stop()


PAGE = PageSpec(
    key="board",
    title=lambda: QCoreApplication.translate("BoardPage", "Bays"),
    factory=BoardPage,
    icon="board",
    order=10,
    remote=True,
)
