"""The charging history as the window shows it: pages of sessions, their totals, one session
in full. Plain frozen dataclasses out (no ORM rows cross a thread or the site API).

Reads need a signed-in operator, not an audit entry (DEVELOPING.md); every role may read
the history (`sessions.read`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr.billing.charges import current_price
from stationmgr.cards import find_cards
from stationmgr.store import queries
from stationmgr.store.billing_models import Receipt, SessionPrice
from stationmgr.store.db import Database
from stationmgr.store.models import ChargerEvent, ChargeSession, Fault
from stationmgr.store.queries import CurvePoint, SessionFilter, Totals

PAGE = 200

__all__ = [
    "PAGE",
    "CurvePoint",
    "HistoryQuery",
    "HistoryRow",
    "PriceLineView",
    "PriceView",
    "SessionDetail",
    "SessionFilter",
    "SessionInfo",
    "Totals",
    "bay_labels",
    "history_page",
    "history_totals",
    "price_totals",
    "receipt_numbers",
    "session_detail",
]


@dataclass(frozen=True)
class HistoryRow:
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
    """What the filter bar asks for; `card_text` is resolved to a card like a tap would be."""

    filter: SessionFilter = field(default_factory=SessionFilter)
    card_text: str = ""
    sort: str = "plugged_at"
    descending: bool = True


def _resolve(s: Session, q: HistoryQuery) -> SessionFilter | None:
    """The query's filter with the card resolved; None when the card is unknown."""
    f = q.filter
    if q.card_text.strip():
        cards = find_cards(s, q.card_text)
        if not cards:
            return None
        f = replace(f, card_id=cards[0].id)
    return f


def history_page(db: Database, q: HistoryQuery, offset: int, limit: int = PAGE) -> list[HistoryRow]:
    """One page of sessions under `q`, newest first by default."""
    with db.session() as s:
        f = _resolve(s, q)
        if f is None:
            return []
        labels = queries.bay_labels(s)
        sessions = queries.list_sessions(s, f, offset, limit, q.descending, q.sort)
        prices = _totals_of(s, [r.id for r in sessions])
        return [
            HistoryRow(
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


def _totals_of(s: Session, ids: list[int]) -> dict[int, int]:
    """The latest price total of each session."""
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


def receipt_numbers(s: Session, ids: list[int]) -> dict[int, int]:
    """The latest receipt number of each receipted session (a correcting receipt's, once
    corrected): what the customer holds, shown beside the session."""
    if not ids:
        return {}
    q = (
        select(Receipt.session_id, func.max(Receipt.number))
        .where(Receipt.session_id.in_(ids))
        .group_by(Receipt.session_id)
    )
    return {sid: int(number) for sid, number in s.execute(q)}


def price_totals(s: Session, ids: list[int]) -> dict[int, int]:
    """The latest price total of each of these sessions (the history's price column)."""
    return _totals_of(s, ids)


def history_totals(db: Database, q: HistoryQuery) -> Totals:
    with db.session() as s:
        f = _resolve(s, q)
        if f is None:
            return Totals(0, 0.0, 0, 0, 0)
        return queries.session_totals(s, f)


def bay_labels(db: Database) -> dict[int, str]:
    with db.session() as s:
        return queries.bay_labels(s)


@dataclass(frozen=True)
class SessionInfo:
    """The stored session's facts the detail shows."""

    id: int
    tx_uid: str
    bay_id: int
    holder_name: str | None
    card_uid: str | None
    start_kind: str
    started_by: str | None
    guest_reason: str | None
    plugged_at: datetime
    authorized_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    stop_detail: str | None
    stopped_by: str | None
    plugged_s: int | None
    waiting_s: int | None
    charging_s: int | None
    idle_s: int | None
    meter_start_wh: float
    meter_stop_wh: float | None
    energy_wh: float
    meter_resets: int


@dataclass(frozen=True)
class PriceLineView:
    kind: str
    quantity: int
    unit: str
    unit_price_minor: int
    net_minor: int
    vat_minor: int
    amount_minor: int


@dataclass(frozen=True)
class PriceView:
    currency: str
    net_minor: int
    vat_minor: int
    total_minor: int
    lines: tuple[PriceLineView, ...]


@dataclass(frozen=True)
class SessionDetail:
    """One session in full: facts, the reset-aware energy curve, events and faults, price."""

    session: SessionInfo
    bay: str
    curve: tuple[CurvePoint, ...]
    events: tuple[tuple[datetime, str, str], ...]  # (time, what, detail), in time order
    price: PriceView | None


def _info(r: ChargeSession) -> SessionInfo:
    return SessionInfo(
        **{name: getattr(r, name) for name in SessionInfo.__dataclass_fields__}  # type: ignore[arg-type]
    )


def session_detail(db: Database, session_id: int) -> SessionDetail:
    """Everything the detail dialog shows, read in one unit of work. LookupError: no such
    session."""
    with db.session() as s:
        row = s.get(ChargeSession, session_id)
        if row is None:
            raise LookupError(f"no session {session_id}")
        bay = queries.bay_labels(s).get(row.bay_id, str(row.bay_id))
        events: list[tuple[datetime, str, str]] = []
        for e in s.scalars(select(ChargerEvent).where(ChargerEvent.session_id == session_id)):
            events.append((e.ts, e.kind, " ".join(x for x in (e.code, e.detail) if x)))
        for f in s.scalars(select(Fault).where(Fault.session_id == session_id)):
            events.append((f.raised_at, "fault", f.code))
            if f.cleared_at:
                events.append((f.cleared_at, "fault cleared", f.code))
            if f.acknowledged_at:
                events.append((f.acknowledged_at, "fault acknowledged", f.acknowledged_by or ""))
        events.sort(key=lambda ev: ev[0])
        p = current_price(s, session_id)
        price = None
        if p is not None:
            price = PriceView(
                p.currency,
                p.net_minor,
                p.vat_minor,
                p.total_minor,
                tuple(
                    PriceLineView(
                        ln.kind,
                        ln.quantity,
                        ln.unit,
                        ln.unit_price_minor,
                        ln.net_minor,
                        ln.vat_minor,
                        ln.amount_minor,
                    )
                    for ln in p.lines
                ),
            )
        return SessionDetail(
            _info(row),
            bay,
            tuple(queries.session_energy_curve(s, session_id)),
            tuple(events),
            price,
        )
