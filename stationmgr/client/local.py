"""`LocalClient`: the site's calls made in this process, directly on the core services,
as one operator (`actor`). Used on a single PC, by tests, and by the site service itself:
each API handler is `LocalClient(..., actor=<the token's operator>).method(...)` in a
thread, so the CLI, the desktop app and the API share one path to the database, with the
core's permission checks and audit entries.

Every method is blocking (database, engine futures): never call one on the engine's loop.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import __version__
from stationmgr.access import audit
from stationmgr.access.context import Actor, acting, protected, record, require
from stationmgr.access.operators import authenticate
from stationmgr.client import models as m
from stationmgr.client.admin_local import LocalAdmin
from stationmgr.client.errors import Conflict, NotFound
from stationmgr.client.filters import audit_filter, session_filter
from stationmgr.client.invoices_local import LocalInvoices
from stationmgr.client.ocpp_calls import LocalOcpp as LocalPending
from stationmgr.client.ocpp_local import LocalOcpp
from stationmgr.errors import PermissionDenied, UserError
from stationmgr.events import BaySnapshot
from stationmgr.store.db import Database

if TYPE_CHECKING:
    from stationmgr.client.events import EventStream
    from stationmgr.engine import Engine

log = logging.getLogger(__name__)
COMMAND_TIMEOUT_S = 30.0

Changes = Callable[[frozenset[str]], None]


def iso(value: float | datetime | None, timespec: str = "seconds") -> str | None:
    """A time as ISO 8601 UTC text (epoch seconds or an aware/naive-UTC datetime)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        dt = datetime.fromtimestamp(value, UTC)
    return dt.astimezone(UTC).isoformat(timespec=timespec)


def bay_wire(snap: BaySnapshot) -> m.Bay:
    return m.Bay(
        bay_id=snap.bay_id,
        label=snap.label,
        status=str(snap.status),
        at=iso(snap.at, "milliseconds") or "",  # when the engine made it (latency)
        online=snap.online,
        plugged_at=iso(snap.plugged_at),
        power_w=snap.power_w,
        energy_wh=snap.energy_wh,
        tx_uid=snap.tx_uid,
        holder_name=snap.holder_name,
        card_uid=snap.card_uid,
        charging_started_at=iso(snap.charging_started_at),
        charging_ended_at=iso(snap.charging_ended_at),
        authorized_at=iso(snap.authorized_at),
        fault=snap.fault,
        out_of_order=snap.out_of_order,
        pending_card=snap.pending_card,
        pending_holder=snap.pending_holder,
        pending_until=iso(snap.pending_until),
        idle_since=iso(snap.idle_since, "milliseconds"),
        charging_s=snap.charging_s,
        finished_tx_uid=snap.finished_tx_uid,
        cost_minor=snap.cost_minor,
        currency=snap.currency,
        expected_end=iso(snap.expected_end),
        open_alerts=snap.open_alerts,
    )


class LocalClient(LocalAdmin, LocalInvoices, LocalPending, LocalOcpp):
    """The site's calls in-process (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        engine: Engine | None = None,
        actor: Actor | None = None,
        on_change: Changes | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.actor = actor
        self.on_change = on_change

    # ------------------------------------------------------------ plumbing

    def _changed(self, *kinds: str) -> None:
        if self.on_change is not None:
            self.on_change(frozenset(kinds))

    def _require(self, s: Session, action: str, target: str | None = None) -> None:
        with acting(self.actor):
            require(self.actor, action, s, target=target)

    def _engine(self) -> Engine:
        if self.engine is None or not self.engine.running:
            raise UserError("the site is not running here: bays need `stationmgr run`")
        return self.engine

    # ------------------------------------------------------------ sign-in

    def site_info(self) -> m.SiteInfo:
        from stationmgr.billing.site import site_tz
        from stationmgr.settings import get_setting

        with self.db.session() as s:
            name = get_setting(s, "site_name", None)
            return m.SiteInfo(m.API_VERSION, __version__, protected(s), name, site_tz(s).key)

    def login(self, username: str, password: str, channel: str = "api") -> m.Operator:
        actor = authenticate(self.db, username, password, channel=channel)
        if actor.must_change_password:
            raise PermissionDenied(
                f"permission denied: the password of {actor.username!r} was reset; "
                "change it first with `stationmgr operators passwd`"
            )
        self.actor = actor
        return self.whoami()

    def logout(self) -> None:
        self.actor = None

    def whoami(self) -> m.Operator:
        a = self.actor
        if a is None:
            return m.Operator(None, None, None)
        return m.Operator(a.username, a.role.value, a.display_name)

    # ------------------------------------------------------------ bays

    def bays(self) -> list[m.Bay]:
        engine = self._engine()
        with self.db.session() as s:
            self._require(s, "bays.view")
        return [bay_wire(b) for b in engine.snapshots()]

    def _bay(self, bay_id: int) -> int:
        engine = self._engine()
        if bay_id not in engine.bays:
            raise NotFound(f"no bay with id {bay_id}")
        return bay_id

    def _operator(self) -> str:
        return self.actor.username if self.actor else ""

    def remote_start(self, bay_id: int, reason: str, card: str | None = None) -> m.Bay:
        """A guest start (a reason), or a start for `card` (`Engine.card_start`)."""
        engine = self._engine()
        with acting(self.actor):
            if card is not None:
                fut = engine.card_start(self._bay(bay_id), self._operator(), card, self.actor)
            else:
                fut = engine.remote_start(self._bay(bay_id), self._operator(), reason, self.actor)
        fut.result(COMMAND_TIMEOUT_S)
        return bay_wire(engine.snapshot(bay_id))

    def remote_stop(self, bay_id: int, detail: str | None = None) -> m.Bay:
        engine = self._engine()
        with acting(self.actor):
            fut = engine.remote_stop(self._bay(bay_id), self._operator(), detail, self.actor)
        fut.result(COMMAND_TIMEOUT_S)
        return bay_wire(engine.snapshot(bay_id))

    def set_out_of_order(self, bay_id: int, out_of_order: bool) -> m.Bay:
        engine = self._engine()
        with acting(self.actor):
            fut = engine.set_out_of_order(
                self._bay(bay_id), out_of_order, self._operator(), self.actor
            )
        fut.result(COMMAND_TIMEOUT_S)
        return bay_wire(engine.snapshot(bay_id))

    # ------------------------------------------------------------ sessions

    def sessions(self, query: m.SessionQuery) -> list[m.SessionRow]:
        from stationmgr.client import pages_wire
        from stationmgr.store.queries import bay_labels, list_sessions

        if query.limit < 1 or query.offset < 0:
            raise UserError("--limit must be at least 1 and the offset not negative")
        with self.db.session() as s:
            self._require(s, "sessions.read")
            f = self._history_filter(s, query)
            labels = bay_labels(s)
            rows = list_sessions(s, f, query.offset, query.limit, not query.ascending, query.sort)
            return pages_wire.priced_rows(s, rows, labels)

    def export_sessions(self, query: m.SessionQuery) -> list[m.SessionRow]:
        """Every session matching the filters (no page limit), for a CSV; audited."""
        from stationmgr.client import pages_wire
        from stationmgr.store.queries import bay_labels, list_sessions

        out: list[m.SessionRow] = []
        with self.db.session() as s:
            self._require(s, "sessions.export")
            f = self._history_filter(s, query)
            labels = bay_labels(s)
            offset = 0
            while True:
                page = list_sessions(s, f, offset, 1000, not query.ascending, query.sort)
                out.extend(pages_wire.priced_rows(s, page, labels))
                if len(page) < 1000:
                    break
                offset += 1000
            after = {k: v for k, v in query.to_json().items() if v not in (None, False, "")}
            record(
                s,
                "sessions.export",
                None,
                None,
                after,
                actor=self.actor,
                detail=f"sessions export ({len(out)} rows)",
            )
        return out

    def session(self, session_id: int) -> m.SessionDetail:
        """One session in full, from the core's history service (the reset-aware curve,
        events and faults, the latest price)."""
        from stationmgr.client import pages_wire
        from stationmgr.history import session_detail
        from stationmgr.store.models import ChargeSession
        from stationmgr.store.queries import bay_labels

        with self.db.session() as s:
            self._require(s, "sessions.read")
            r = s.get(ChargeSession, session_id)
            if r is None:
                raise NotFound(f"no session with id {session_id}")
            row = pages_wire.priced_rows(s, [r], bay_labels(s))[0]
        try:
            d = session_detail(self.db, session_id)
        except LookupError:
            raise NotFound(f"no session with id {session_id}") from None
        return pages_wire.detail_wire(row, d)

    # ------------------------------------------------------------ cards

    def cards(self, search: str | None = None) -> list[m.Card]:
        from stationmgr.cards import card_row, list_cards

        with self.db.session() as s:
            self._require(s, "cards.read")
            return [m.Card(**card_row(c)) for c in list_cards(s, search or None)]

    def add_card(self, card: m.NewCard) -> m.Card:
        from stationmgr.cards import CardInput, add_card, card_row, find_cards, parse_date

        new = CardInput(
            uid=card.uid,
            label=card.label,
            holder=card.holder,
            group=card.group,
            blocked=card.blocked,
            valid_from=parse_date(card.valid_from, "valid from date"),
            valid_to=parse_date(card.valid_to, "valid to date", end_of_day=True),
            allowed_bays=tuple(card.allowed_bays),
            max_concurrent=card.max_concurrent,
            note=card.note,
            kind=card.kind,
        ).validate()
        with self.db.session() as s:
            self._require(s, "cards.add", target=new.uid)
            if find_cards(s, new.uid):
                raise Conflict(f"card {new.uid} is enrolled already")
            row = add_card(s, new, actor=self.actor)
            out = m.Card(**card_row(row))
        self._changed("cards")
        return out

    def set_blocked(self, uid: str, blocked: bool) -> m.Card:
        from stationmgr.cards import card_row, find_cards, set_blocked

        with self.db.session() as s:
            self._require(s, "cards.edit", target=uid)
            if not find_cards(s, uid):
                raise NotFound(f"no card {uid[:40]!r}")
            out = m.Card(**card_row(set_blocked(s, uid, blocked, actor=self.actor)))
        self._changed("cards")
        return out

    # ------------------------------------------------------------ chargers and readers

    def chargers(self) -> list[m.ChargerConfig]:
        from stationmgr.store.models import Charger

        with self.db.session() as s:
            self._require(s, "chargers.read")
            return [_charger(c) for c in s.scalars(select(Charger).order_by(Charger.name))]

    def add_charger(self, ch: m.ChargerConfig) -> m.ChargerConfig:
        from stationmgr.site_setup import add_charger
        from stationmgr.store.models import Charger

        new = _charger_input(ch)
        with self.db.session() as s:
            self._require(s, "chargers.add", target=ch.name)
            if s.scalar(select(Charger.id).where(Charger.name == ch.name.strip())) is not None:
                raise Conflict(f"a charger named {ch.name.strip()[:60]!r} exists already")
            out = _charger(add_charger(s, new, actor=self.actor))
        self._changed("chargers")
        return out

    def remove_charger(self, name: str) -> m.Removed:
        from stationmgr.site_setup import remove_charger
        from stationmgr.store.models import Charger

        with self.db.session() as s:
            self._require(s, "chargers.remove", target=name)
            charger_id = s.scalar(select(Charger.id).where(Charger.name == name))
            if charger_id is None:
                raise NotFound(f"no charger named {name[:60]!r}")
            outcome = remove_charger(s, charger_id, actor=self.actor)
        self._changed("chargers")
        return m.Removed(name, outcome)

    def readers(self) -> list[m.ReaderConfig]:
        from stationmgr.store.models import CardReaderDevice

        with self.db.session() as s:
            self._require(s, "chargers.read")
            q = select(CardReaderDevice).order_by(CardReaderDevice.name)
            return [_reader(s, r) for r in s.scalars(q)]

    def add_reader(self, r: m.ReaderConfig) -> m.ReaderConfig:
        from stationmgr.site_setup import ReaderInput, add_reader
        from stationmgr.store.models import CardReaderDevice

        new = ReaderInput(
            r.name,
            r.driver,
            r.port,
            bay=r.bay,
            baud=r.baud,
            settings=dict(r.settings),
            enabled=r.enabled,
        )
        with self.db.session() as s:
            self._require(s, "chargers.add", target=r.name)
            q = select(CardReaderDevice.id).where(CardReaderDevice.name == r.name.strip())
            if s.scalar(q) is not None:
                raise Conflict(f"a card reader named {r.name.strip()[:60]!r} exists already")
            out = _reader(s, add_reader(s, new, actor=self.actor))
        self._changed("readers")
        return out

    def remove_reader(self, name: str) -> m.Removed:
        from stationmgr.site_setup import remove_reader
        from stationmgr.store.models import CardReaderDevice

        with self.db.session() as s:
            self._require(s, "chargers.remove", target=name)
            q = select(CardReaderDevice.id).where(CardReaderDevice.name == name)
            reader_id = s.scalar(q)
            if reader_id is None:
                raise NotFound(f"no card reader named {name[:60]!r}")
            remove_reader(s, reader_id, actor=self.actor)
        self._changed("readers")
        return m.Removed(name, "removed")

    # ------------------------------------------------------------ audit

    def audit(self, query: m.AuditQuery) -> list[m.AuditRow]:
        if query.limit < 1 or query.offset < 0:
            raise UserError("--limit must be at least 1 and the offset not negative")
        f = audit_filter(query)
        with self.db.session() as s:
            self._require(s, "audit.read")
            return [
                m.AuditRow(
                    e.id, iso(e.ts) or "", e.operator, e.action, e.target, e.outcome, e.detail
                )
                for e in audit.list_entries(s, f, query.offset, query.limit)
            ]

    def export_audit(self, query: m.AuditQuery, target: str = "api") -> str:
        """The matching entries as CSV (oldest first); the export is audited."""
        f = audit_filter(query)
        out = io.StringIO()
        with self.db.session() as s:
            self._require(s, "audit.export", target=target)
            n = audit.export_csv(s, out, f)
            record(
                s, "audit.export", target, detail=f"{n} entries; {f.describe()}", actor=self.actor
            )
        return out.getvalue()

    # ------------------------------------------------------------ billing

    def export_billing(self, month: str, fmt: str = "sie") -> bytes:
        """The month's sales as SIE 4 or CSV, for the accountant (audited)."""
        from stationmgr.billing.jobs import export_file
        from stationmgr.billing.site import parse_month

        parse_month(month)
        if fmt not in ("sie", "csv"):
            raise UserError(f"unknown export format {fmt[:10]!r}: use csv or sie")
        # `export_file` checks `billing.export` and audits the export once (it was audited
        # twice, by the job and again here)
        with acting(self.actor):
            return export_file(self.db, month, fmt, actor=self.actor)

    # ------------------------------------------------------------ alerts

    def alerts(self, query: m.AlertQuery) -> list[m.AlertRow]:
        from stationmgr.alerts.events import AlertKind
        from stationmgr.alerts.service import AlertFilter, list_alerts

        if query.alert_kind and query.alert_kind not in set(AlertKind):
            raise UserError(f"unknown alert kind {query.alert_kind[:20]!r}")
        if query.limit < 1:
            raise UserError("--limit must be at least 1")
        f = AlertFilter(
            open_only=query.open, unacknowledged=query.unacknowledged, kind=query.alert_kind
        )
        with self.db.session() as s:
            self._require(s, "bays.view")
            where = _places(s)
            return [_alert(a, where) for a in list_alerts(s, f, query.limit)]

    def acknowledge_alert(self, ref: str, note: str | None = None) -> m.AlertRow:
        from stationmgr.alerts.service import acknowledge, acknowledge_now, find_alert

        engine = self.engine if self.engine is not None and self.engine.running else None
        with self.db.session() as s:
            try:
                uid = find_alert(s, ref).uid
            except UserError as e:
                raise NotFound(str(e)) from None
        if engine is not None:  # the engine's writer owns alert rows while it runs
            acknowledge(engine, uid, "", note=note, actor=self.actor)
            engine.drain()
        else:
            with self.db.session() as s:
                acknowledge_now(s, uid, "", note=note, actor=self.actor)
        with self.db.session() as s:
            return _alert(find_alert(s, uid), _places(s))

    # ------------------------------------------------------------ live events

    def events(self, on_event: Callable[[m.Event], None] | None = None) -> EventStream:
        """The engine's bus as wire events, from now on (each bay's snapshot first)."""
        from stationmgr.client.events import EventStream, to_event

        engine = self._engine()
        with self.db.session() as s:
            self._require(s, "bays.view")
        stream = EventStream(on_event)

        def on_bus(ev: object) -> None:
            wire = to_event(ev)
            if wire is not None:
                stream.push(wire)

        stream._close = engine.bus.subscribe(on_bus)
        for snap in engine.snapshots():
            stream.push(m.Event("bay", bay_wire(snap).to_json()))
        return stream

    def close(self) -> None:
        """Nothing to release: the database and engine belong to the caller."""

    # ---------------------------------------------------------------- pages

    def _history_filter(self, s: Session, query: m.SessionQuery) -> Any:
        """The CLI's filters plus the history page's stop reason and sort, checked."""
        from dataclasses import replace

        from stationmgr.ocpp_words import StopReason
        from stationmgr.store.queries import SORT_COLUMNS

        if query.sort not in SORT_COLUMNS:
            raise UserError(f"cannot sort the history by {query.sort[:30]!r}")
        if query.stop_reason and query.stop_reason not in {r.value for r in StopReason}:
            raise UserError(f"unknown stop reason {query.stop_reason[:30]!r}")
        return replace(session_filter(s, query), stop_reason=query.stop_reason or None)

    def session_totals(self, query: m.SessionQuery) -> m.SessionTotals:
        """The history's sums under the same filters (the page's footer)."""
        from stationmgr.history import HistoryQuery, history_totals

        with self.db.session() as s:
            self._require(s, "sessions.read")
            f = self._history_filter(s, query)
        t = history_totals(self.db, HistoryQuery(f))
        return m.SessionTotals(t.sessions, t.energy_wh, t.plugged_s, t.charging_s, t.idle_s)

    def bay_labels(self) -> list[m.BayLabel]:
        """Every bay by label, sorted (whether or not the site runs here)."""
        from stationmgr.history import bay_labels

        with self.db.session() as s:
            self._require(s, "sessions.read")
        labels = bay_labels(self.db)
        return [m.BayLabel(i, lab) for i, lab in sorted(labels.items(), key=lambda kv: kv[1])]

    def export_sessions_csv(self, query: m.SessionQuery) -> str:
        """Every matching session as CSV text (the CLI's columns), audited as an export;
        the caller saves it where the person chose."""
        from stationmgr.client.history_csv import sessions_csv

        return sessions_csv(self.export_sessions(query))

    def rotation(self, limit: int = 3) -> m.Rotation:
        """The rotation hint from the site's alert monitor, with the site's now."""
        from stationmgr.alerts.monitor import monitor_for

        if not 1 <= limit <= 50:
            raise UserError("the rotation hint names 1 … 50 bays")
        engine = self._engine()
        with self.db.session() as s:
            self._require(s, "bays.view")
        monitor = monitor_for(engine)
        rows = monitor.rotation(limit) if monitor is not None else []
        items = [
            m.RotationLine(f.bay_id, f.label, iso(f.free_at) or "", f.free_now, f.basis)
            for f in rows
        ]
        return m.Rotation(iso(engine.clock.now()) or "", monitor is not None, items)

    def _capacity(self, query: m.CapacityQuery) -> Any:
        from stationmgr.alerts.capacity_jobs import capacity_for
        from stationmgr.client import pages_wire

        first = pages_wire.day(query.first_day, "first day")
        last = pages_wire.day(query.last_day, "last day")
        engine = self.engine if self.engine is not None and self.engine.running else None
        now = engine.clock.now() if engine is not None else self._now()  # open sessions: to now
        return capacity_for(self.db, first, last, now)

    def capacity(self, query: m.CapacityQuery) -> m.CapacityReport:
        """The capacity report (a read: any signed-in operator)."""
        from stationmgr.client import pages_wire

        with self.db.session() as s:
            self._require(s, "sessions.read")
        return pages_wire.capacity_wire(self._capacity(query))

    def capacity_pdf(self, query: m.CapacityQuery) -> bytes:
        """The capacity report as PDF bytes: an export (`sessions.export`, audited)."""
        from stationmgr.alerts.capacity_jobs import capacity_pdf

        with self.db.session() as s:
            self._require(s, "sessions.read")
        rep = self._capacity(query)
        with acting(self.actor):
            return capacity_pdf(self.db, rep, self.actor)

    def devices(self) -> m.DeviceRows:
        """Chargers with their bays and card readers (the core's `device_rows`), with what
        the running site makes of each charger now."""
        from stationmgr.client import pages_wire
        from stationmgr.device_rows import device_rows

        with self.db.session() as s:
            self._require(s, "chargers.read")
        rows = device_rows(self.db)
        engine = self.engine if self.engine is not None and self.engine.running else None
        chargers = [
            m.DeviceCharger(
                c.id,
                c.name,
                c.driver,
                c.port,
                c.address,
                c.baud,
                c.enabled,
                [m.DeviceBay(b.id, b.label, b.connector, b.reader) for b in c.bays],
                pages_wire.comm(engine, c.id, c.enabled),
            )
            for c in rows.chargers
        ]
        readers = [
            m.DeviceReader(r.id, r.name, r.driver, r.port, r.baud, r.bay, r.enabled)
            for r in rows.readers
        ]
        return m.DeviceRows(engine is not None, chargers, readers)

    def _charger_id(self, s: Session, name: str) -> int:
        from stationmgr.store.models import Charger

        found = s.scalar(select(Charger.id).where(Charger.name == name))
        if found is None:
            raise NotFound(f"no charger named {name[:60]!r}")
        return int(found)

    def _reader_id(self, s: Session, name: str) -> int:
        from stationmgr.store.models import CardReaderDevice

        found = s.scalar(select(CardReaderDevice.id).where(CardReaderDevice.name == name))
        if found is None:
            raise NotFound(f"no card reader named {name[:60]!r}")
        return int(found)

    def charger(self, name: str) -> m.ChargerConfig:
        """One charger as its edit form shows it."""
        from stationmgr.store.models import Charger

        with self.db.session() as s:
            self._require(s, "chargers.read")
            return _charger(s.get(Charger, self._charger_id(s, name)))

    def reader(self, name: str) -> m.ReaderConfig:
        from stationmgr.store.models import CardReaderDevice

        with self.db.session() as s:
            self._require(s, "chargers.read")
            return _reader(s, s.get(CardReaderDevice, self._reader_id(s, name)))

    def edit_charger(self, name: str, ch: m.ChargerConfig) -> m.ChargerConfig:
        """Change a charger and its bays (renaming it too); the running site restarts it."""
        from stationmgr.device_rows import save_charger
        from stationmgr.store.models import Charger

        new = _charger_input(ch)
        with self.db.session() as s:
            self._require(s, "chargers.edit", target=name)
            charger_id = self._charger_id(s, name)
            q = select(Charger.id).where(Charger.name == ch.name.strip(), Charger.id != charger_id)
            if s.scalar(q) is not None:
                raise Conflict(f"a charger named {ch.name.strip()[:60]!r} exists already")
        with acting(self.actor):
            save_charger(self.db, charger_id, new, self.actor)
        with self.db.session() as s:
            out = _charger(s.get(Charger, charger_id))
        self._changed("chargers", "readers")
        return out

    def edit_reader(self, name: str, r: m.ReaderConfig) -> m.ReaderConfig:
        """Change a card reader (its port, or the bay it reads for, or the desk)."""
        from stationmgr.device_rows import save_reader
        from stationmgr.site_setup import ReaderInput
        from stationmgr.store.models import CardReaderDevice

        new = ReaderInput(
            r.name,
            r.driver,
            r.port,
            bay=r.bay,
            baud=r.baud,
            settings=dict(r.settings),
            enabled=r.enabled,
        )
        with self.db.session() as s:
            self._require(s, "chargers.edit", target=name)
            reader_id = self._reader_id(s, name)
            q = select(CardReaderDevice.id).where(
                CardReaderDevice.name == r.name.strip(), CardReaderDevice.id != reader_id
            )
            if s.scalar(q) is not None:
                raise Conflict(f"a card reader named {r.name.strip()[:60]!r} exists already")
        with acting(self.actor):
            save_reader(self.db, reader_id, new, self.actor)
        with self.db.session() as s:
            out = _reader(s, s.get(CardReaderDevice, reader_id))
        self._changed("readers")
        return out

    # ---------------------------------------------------------------- board

    def bay_day(self, bay_id: int, since: str) -> m.BayDay:
        """The bay's sessions' stored samples since `since` (the core's reset-aware day
        curve, `daycurves.bay_day`), for the board's curves."""
        from stationmgr import daycurves
        from stationmgr.store.models import Bay

        at = parse_since(since)
        with self.db.session() as s:
            self._require(s, "bays.view")
            if s.get(Bay, bay_id) is None:
                raise NotFound(f"no bay with id {bay_id}")
        traces = [
            m.DayTrace(t.session_id, list(t.at), list(t.power_w), list(t.energy_wh))
            for t in daycurves.bay_day(self.db, bay_id, at)
        ]
        return m.BayDay(bay_id, iso(at) or "", traces)

    def site_power(self, since: str) -> m.SitePower:
        """Every bay's sampled power since `since` (`daycurves.site_power`)."""
        from stationmgr import daycurves

        at = parse_since(since)
        with self.db.session() as s:
            self._require(s, "bays.view")
        bays = [
            m.BayPower(bay_id, [t for t, _ in pts], [w for _, w in pts])
            for bay_id, pts in sorted(daycurves.site_power(self.db, at).items())
        ]
        return m.SitePower(iso(at) or "", bays)

    def faults(self, query: m.FaultQuery) -> list[m.FaultRow]:
        """The fault log, newest first (as `stationmgr faults list`)."""
        from stationmgr.faults import fault_rows

        if query.limit < 1:
            raise UserError("--limit must be at least 1")
        with self.db.session() as s:
            self._require(s, "bays.view")
        rows = fault_rows(self.db, query.bay_id, query.unacknowledged, query.open, query.limit)
        return [
            m.FaultRow(
                f.id,
                f.bay_id,
                f.bay,
                f.session_id,
                f.code,
                iso(f.raised_at) or "",
                iso(f.cleared_at),
                iso(f.acknowledged_at),
                f.acknowledged_by,
            )
            for f in rows
        ]

    def acknowledge_faults(self, req: m.FaultAcknowledge) -> m.FaultsAcknowledged:
        """The core's `faults.acknowledge` (role check, audit entry); through the engine's
        writer while the site runs here (it owns the fault rows then)."""
        from stationmgr import faults

        if (req.bay_id is None) == (req.fault_ids is None):
            raise UserError("acknowledge faults by bay or by fault ids (one of the two)")
        engine = self.engine if self.engine is not None and self.engine.running else None
        if req.bay_id is not None:
            with self.db.session() as s:
                from stationmgr.store.models import Bay

                if s.get(Bay, req.bay_id) is None:
                    raise NotFound(f"no bay with id {req.bay_id}")
        ids = list(req.fault_ids) if req.fault_ids is not None else None
        actor = self.actor
        if engine is None:
            import time

            done = faults.acknowledge_stored(
                self.db, time.time(), req.bay_id, ids, actor, req.operator, req.note
            )
        else:
            now = engine.clock.now()

            def job(s: Session) -> list[int]:
                with acting(actor):
                    return faults.acknowledge(
                        s, now, req.bay_id, ids, actor, req.operator, req.note
                    )

            done = engine.submit(engine.writer.call(job)).result(COMMAND_TIMEOUT_S)
        return m.FaultsAcknowledged(list(done))

    # ---------------------------------------------------------------- accounts
    # (the cards page and dialog, billing, audit and operators: `client/accounts.py`
    # turns the core's rows into wire models)

    def _now(self) -> float:
        """The site's clock: the engine's when it runs (a demo's warped time)."""
        import time

        return self.engine.clock.now() if self.engine is not None else time.time()

    def card_rows(self, search: str | None = None) -> list[m.CardListRow]:
        from stationmgr.card_rows import card_rows
        from stationmgr.client.accounts import card_list_row
        from stationmgr.clock import to_datetime

        with self.db.session() as s:
            self._require(s, "cards.read")
        now = to_datetime(self._now())
        return [card_list_row(r, now) for r in card_rows(self.db, search or None)]

    def card_choices(self) -> m.CardChoices:
        from stationmgr.card_editor import card_choices

        with self.db.session() as s:
            self._require(s, "cards.read")
        c = card_choices(self.db)
        bays = [m.BayChoice(i, label) for i, label in c.bays]
        return m.CardChoices(list(c.holders), list(c.groups), bays)

    def card_form(self, card_id: int) -> m.CardForm:
        from stationmgr.card_editor import card_form
        from stationmgr.client.accounts import card_form_wire

        with self.db.session() as s:
            self._require(s, "cards.read")
        form = card_form(self.db, card_id)
        if form is None:
            raise NotFound(f"no card with id {card_id}")
        return card_form_wire(form)

    def known_cards(self, text: str, except_id: int | None = None) -> list[m.KnownCard]:
        from stationmgr.card_editor import known_cards

        with self.db.session() as s:
            self._require(s, "cards.read")
        return [m.KnownCard(k.card_id, k.uid, k.who) for k in known_cards(self.db, text, except_id)]

    def save_card(self, card: m.CardSave) -> m.SavedCard:
        """Enrol or change a card with its budgets in one unit of work (checked and audited
        by `cards` and `billing.budgets`); the running site applies it at once."""
        from stationmgr.card_editor import save_card
        from stationmgr.client.accounts import card_changes

        new, changes = card_changes(card)
        with acting(self.actor):
            card_id = save_card(self.db, card.card_id, new, changes, actor=self.actor)
        self._changed("cards")
        return m.SavedCard(card_id, new.uid)

    def export_cards(self) -> str:
        """Every card as CSV text (`cards.export`, checked and audited by the core)."""
        from stationmgr.cards import export_csv

        out = io.StringIO()
        with self.db.session() as s, acting(self.actor):
            export_csv(s, out, self.actor)
        return out.getvalue()

    def check_card_import(self, text: str) -> m.ImportPreview:
        """A card file checked row by row against the site (nothing is written)."""
        from stationmgr.card_import import check_file

        with self.db.session() as s:
            self._require(s, "cards.import")
        p = check_file(self.db, text)
        rows = [m.ImportLine(line, list(cells)) for line, cells in p.rows]
        return m.ImportPreview(list(p.header), rows, p.total, p.error, p.error_line)

    def import_cards(self, text: str) -> m.Imported:
        """Import a card file: every row or none (one unit of work, `cards.import`)."""
        from stationmgr.card_import import import_file

        with acting(self.actor):
            n = import_file(self.db, text, self.actor)
        self._changed("cards")
        return m.Imported(n)

    def tariffs(self) -> m.Tariffs:
        from stationmgr.billing.tariffs import tariff_table
        from stationmgr.client.accounts import tariffs_wire

        with self.db.session() as s:
            self._require(s, "tariffs.read")
        return tariffs_wire(tariff_table(self.db))

    def add_tariff(self, t: m.NewTariff) -> m.TariffAdded:
        """A new version of its scope (`add_tariff` checks `tariffs.edit` and audits it);
        running sessions' estimates use it at once."""
        from stationmgr.billing.tariffs import TariffInput, add_tariff_version
        from stationmgr.client.accounts import tariff_input

        new = tariff_input(t)
        assert isinstance(new, TariffInput)
        with acting(self.actor):
            tariff_id = add_tariff_version(self.db, new, self.actor)
        self._changed("tariffs")
        return m.TariffAdded(tariff_id)

    def statement_scopes(self) -> list[m.StatementScope]:
        from stationmgr.billing.jobs import statement_scopes

        with self.db.session() as s:
            self._require(s, "cards.read")  # the holders' and groups' names
        return [m.StatementScope(sc.kind, sc.key, sc.name) for sc in statement_scopes(self.db)]

    def statement(self, req: m.StatementRequest) -> m.StatementPreview:
        """A statement, or the month summary, with its PDF and CSV (`statements.create`,
        audited: the files are handed out with it)."""
        from stationmgr.billing.jobs import statement_preview
        from stationmgr.client.accounts import b64

        if req.lang not in ("sv", "en"):
            raise UserError(f"unknown language {req.lang[:10]!r}: use sv or en")
        with acting(self.actor):
            p = statement_preview(self.db, req.month, req.scope, req.lang, actor=self.actor)
        return m.StatementPreview(
            p.title, p.headers, p.rows, p.files.summary, b64(p.files.pdf), p.files.csv.decode()
        )

    def receipt(self, req: m.ReceiptRequest) -> m.ReceiptFile:
        """Issue (or re-print) a session's receipt (`receipts.issue`)."""
        from stationmgr.billing.receipts import receipt_pdf
        from stationmgr.client.accounts import b64

        with acting(self.actor):
            try:
                rec, pdf = receipt_pdf(self.db, req.session_id, req.lang, actor=self.actor)
            except UserError as e:
                if str(e).startswith("no session"):
                    raise NotFound(str(e)) from None
                raise
        return m.ReceiptFile(rec.number, rec.verification, b64(pdf))

    def audit_entries(self, query: m.AuditQuery) -> list[m.AuditEntry]:
        """A page of entries with their changes, newest first (`audit.read`)."""
        from stationmgr.access import trail
        from stationmgr.client.accounts import audit_entry_wire

        if query.limit < 1 or query.offset < 0:
            raise UserError("--limit must be at least 1 and the offset not negative")
        f = audit_filter(query)
        with acting(self.actor):
            rows = trail.audit_page(self.db, f, query.offset, query.limit, self.actor)
        return [audit_entry_wire(e) for e in rows]

    def check_audit_chain(self) -> m.ChainResult:
        """Walk the audit log's hash chain (`verify`)."""
        from stationmgr.access import trail

        with acting(self.actor):
            c = trail.check_chain(self.db, self.actor)
        return m.ChainResult(c.ok, c.checked, c.bad_id, c.problem, str(c))

    def operators(self) -> list[m.OperatorRow]:
        """Every operator (`operators.read`)."""
        from stationmgr.access import desk
        from stationmgr.client.accounts import operator_row_wire

        with acting(self.actor):
            return [operator_row_wire(o) for o in desk.operator_rows(self.db, self.actor)]

    def add_operator(self, op: m.NewOperator) -> m.OperatorChanged:
        from stationmgr.access import desk

        with acting(self.actor):
            desk.create_operator(
                self.db, op.username, op.role, op.password, op.display_name, actor=self.actor
            )
        return m.OperatorChanged(op.username.strip(), "added")

    def reset_operator_password(self, username: str, password: str) -> m.OperatorChanged:
        from stationmgr.access import desk

        with acting(self.actor):
            desk.reset_password(self.db, username, password, actor=self.actor)
        return m.OperatorChanged(username, "password reset")

    def set_operator_role(self, username: str, role: str) -> m.OperatorChanged:
        from stationmgr.access import desk

        with acting(self.actor):
            desk.set_role(self.db, username, role, actor=self.actor)
        return m.OperatorChanged(username, "role")

    def set_operator_active(self, username: str, active: bool) -> m.OperatorChanged:
        from stationmgr.access import desk

        with acting(self.actor):
            desk.set_active(self.db, username, active, actor=self.actor)
        return m.OperatorChanged(username, "enabled" if active else "disabled")

    # ---------------------------------------------------------------- cli accounts
    # (`stationmgr cards show`, `operators passwd|policy`, `budgets`: the CLI's own calls)

    def card(self, uid: str) -> m.Card:
        """The one card a number denotes, in any spelling (`cards.read`)."""
        from stationmgr.cards import card_row, find_cards, get_card

        with self.db.session() as s:
            self._require(s, "cards.read", target=uid)
            if not find_cards(s, uid):
                raise NotFound(f"no card {uid.strip()[:40]!r}")
            return m.Card(**card_row(get_card(s, uid)))  # several equally good: UserError

    def change_password(self, change: m.PasswordChange) -> m.OperatorChanged:
        """The signed-in operator's own password (the current one checked, a wrong one
        audited; the change audited as `operators.passwd`). The operator is this client's,
        else the process's (the window on the site's own PC signs the process in)."""
        from stationmgr.access import desk
        from stationmgr.access.context import current_actor

        who = self.actor or current_actor()
        if who is None or who.operator_id is None:
            raise PermissionDenied("permission denied: nobody is signed in to change a password")
        with acting(who):
            desk.change_password(self.db, who, change.old_password, change.new_password)
        return m.OperatorChanged(who.username, "password changed")

    def _policy(self, s: Session) -> m.LoginPolicy:
        from stationmgr.access.operators import idle_lock_minutes, load_policy

        p = load_policy(s)
        return m.LoginPolicy(p.min_length, p.max_failures, p.lockout_minutes, idle_lock_minutes(s))

    def login_policy(self) -> m.LoginPolicy:
        """The login policy and idle lock (the owner's: `settings.edit`, as the CLI asks)."""
        with self.db.session() as s:
            self._require(s, "settings.edit", target="login policy")
            return self._policy(s)

    def set_login_policy(self, change: m.PolicyChange) -> m.LoginPolicy:
        """Change the policy and the idle lock in one unit of work (checked, audited)."""
        from stationmgr.access.operators import set_idle_lock_minutes, set_policy

        fields = ("min_length", "max_failures", "lockout_minutes")
        changes = {k: v for k in fields if (v := getattr(change, k)) is not None}
        with self.db.session() as s:
            self._require(s, "settings.edit", target="login policy")
            if changes:
                set_policy(s, changes, actor=self.actor)
            if change.idle_lock_minutes is not None:
                set_idle_lock_minutes(s, change.idle_lock_minutes, actor=self.actor)
            return self._policy(s)

    def budgets(self) -> list[m.BudgetRow]:
        from stationmgr.billing.budget_rows import budget_lines

        with acting(self.actor):
            rows = budget_lines(self.db, self.actor)
        return [m.BudgetRow(b.id, b.target, b.period, b.unit, b.limit) for b in rows]

    def add_budget(self, b: m.NewBudget) -> m.BudgetRow:
        """A budget for a card or a group (`cards.edit`, audited); the engine applies it to
        sessions that start from now on."""
        from stationmgr.billing.budget_rows import add_budget_line

        with acting(self.actor):
            row = add_budget_line(
                self.db, b.period, b.unit, b.limit, b.card or None, b.group or None, self.actor
            )
        self._changed("cards")
        return m.BudgetRow(row.id, row.target, row.period, row.unit, row.limit)


# ---------------------------------------------------------------- rows → wire


def _session_row(r: Any, labels: dict[int, str]) -> m.SessionRow:
    return m.SessionRow(
        id=r.id,
        tx_uid=r.tx_uid,
        bay_id=r.bay_id,
        bay=labels.get(r.bay_id, str(r.bay_id)),
        card_uid=r.card_uid,
        holder_name=r.holder_name,
        plugged_at=iso(r.plugged_at) or "",
        stopped_at=iso(r.stopped_at),
        energy_wh=float(r.energy_wh or 0.0),
        plugged_s=r.plugged_s,
        charging_s=r.charging_s,
        idle_s=r.idle_s,
        stop_reason=r.stop_reason,
        stopped_by=r.stopped_by,
        start_kind=r.start_kind or "card",
    )


def _charger_input(ch: m.ChargerConfig) -> Any:
    """A charger from the wire as the core's `ChargerInput` (one bay named after it when
    none is given), for adding and for editing alike."""
    from stationmgr.site_setup import MAX_CONNECTORS, ChargerInput

    bays = tuple(ch.bays) or (ch.name,)
    if not 1 <= len(bays) <= MAX_CONNECTORS:
        raise UserError(f"a charger has 1..{MAX_CONNECTORS} bays")
    return ChargerInput(
        ch.name,
        ch.driver,
        ch.port,
        bays=bays,
        address=ch.address,
        baud=ch.baud,
        settings=dict(ch.settings),
        enabled=ch.enabled,
    )


def _charger(c: Any) -> m.ChargerConfig:
    from stationmgr.site_setup import charger_state

    st = charger_state(c)
    return m.ChargerConfig(
        st["name"],
        st["driver"],
        st["port"],
        list(st["bays"]),
        st["address"],
        st["baud"],
        st["settings"],
        st["enabled"],
    )


def _reader(s: Session, r: Any) -> m.ReaderConfig:
    from stationmgr.site_setup import reader_state

    st = reader_state(s, r)
    return m.ReaderConfig(
        st["name"], st["driver"], st["port"], st["bay"], st["baud"], st["settings"], st["enabled"]
    )


def _places(s: Session) -> tuple[dict[int, str], dict[int, str]]:
    from stationmgr.store.models import Bay, Charger

    bays = {i: label for i, label in s.execute(select(Bay.id, Bay.label))}
    chargers = {i: name for i, name in s.execute(select(Charger.id, Charger.name))}
    return bays, chargers


def _alert(a: Any, places: tuple[dict[int, str], dict[int, str]]) -> m.AlertRow:
    from stationmgr.alerts.events import TITLES, AlertKind

    bays, chargers = places
    title = TITLES.get(AlertKind(a.kind), a.kind) if a.kind in set(AlertKind) else a.kind
    return m.AlertRow(
        id=a.id,
        uid=a.uid,
        kind=a.kind,
        title=title,
        where=bays.get(a.bay_id) or chargers.get(a.charger_id) or "",
        raised_at=iso(a.raised_at) or "",
        acknowledged_at=iso(a.acknowledged_at),
        acknowledged_by=a.acknowledged_by,
        cleared_at=iso(a.cleared_at),
        detail=a.detail,
    )


# ---------------------------------------------------------------- board


def parse_since(text: str) -> float:
    """An ISO 8601 time (naive: UTC) as epoch seconds; UserError for anything else."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        raise UserError(f"since: not an ISO 8601 time: {str(text)[:40]!r}") from None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
