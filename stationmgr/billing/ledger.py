"""The hash-chained ledger of finished transactions.

Every priced session is appended as a *sale* entry: ``hash = sha256(prev_hash + payload)``
where the payload is a canonical encoding (sorted-key JSON, fixed number formats) of the
transaction and its priced lines. A correction never edits anything: it appends a
*reversal* of the old entry (the same lines, negated) and a new sale with the new price.

`verify_chain` walks the chain and also re-encodes the rows the entries describe, so
altering a stored transaction, a priced line or an entry names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.store.billing_models import LedgerEntry, PricedLine, SessionPrice
from stationmgr.store.models import ChargeSession

GENESIS = "0" * 64

# The fields of a transaction that the ledger vouches for.
TX_FIELDS = (
    "id",
    "tx_uid",
    "bay_id",
    "card_uid",
    "holder_id",
    "holder_name",
    "group_id",
    "start_kind",
    "plugged_at",
    "authorized_at",
    "charging_started_at",
    "charging_ended_at",
    "stopped_at",
    "meter_start_wh",
    "meter_stop_wh",
    "energy_wh",
    "stop_reason",
    "plugged_s",
    "charging_s",
    "idle_s",
)
LINE_FIELDS = (
    "seq",
    "kind",
    "tariff_id",
    "quantity",
    "unit",
    "unit_price_minor",
    "net_minor",
    "vat_bp",
    "vat_minor",
    "amount_minor",
)


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return round(v.timestamp() * 1000)  # epoch ms, as stored
    if isinstance(v, float):
        return f"{v:.3f}"
    return v


def tx_facts(row: Any) -> dict[str, Any]:
    return {f: _value(getattr(row, f)) for f in TX_FIELDS}


def line_facts(line: Any, sign: int = 1) -> dict[str, Any]:
    d = {f: getattr(line, f) for f in LINE_FIELDS}
    for k in ("quantity", "net_minor", "vat_minor", "amount_minor"):
        d[k] = sign * d[k]
    return d


def price_facts(price: Any, lines: list[Any], sign: int = 1) -> dict[str, Any]:
    return {
        "id": price.id,
        "revision": price.revision,
        "currency": price.currency,
        "tariffs": price.tariffs,
        "net_minor": sign * price.net_minor,
        "vat_minor": sign * price.vat_minor,
        "total_minor": sign * price.total_minor,
        "lines": [line_facts(x, sign) for x in lines],
    }


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def verification_code(entry_hash: str) -> str:
    """What a receipt prints: the first 16 hex digits of its entry's hash, in groups."""
    h = entry_hash[:16].upper()
    return "-".join(h[i : i + 4] for i in range(0, 16, 4))


def payload_for(
    kind: str,
    seq: int,
    ts: datetime,
    session: Any,  # a ChargeSession or a row of its table
    price: Any,
    lines: list[Any],
    reverses_seq: int | None = None,
) -> str:
    sign = -1 if kind == "reversal" else 1
    return canonical(
        {
            "kind": kind,
            "seq": seq,
            "ts": _value(ts),
            "reverses": reverses_seq,
            "session": tx_facts(session),
            "price": price_facts(price, lines, sign),
        }
    )


def head(s: Session) -> LedgerEntry | None:
    return s.scalar(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1))


def append(
    s: Session,
    kind: str,
    session: ChargeSession,
    price: SessionPrice,
    ts: datetime,
    reverses_seq: int | None = None,
) -> LedgerEntry:
    """Append one entry in the caller's transaction. Two writers racing for the same `seq`
    cannot both commit (unique seq and prev_hash): the loser's unit of work is retried."""
    last = head(s)
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    lines = list(price.lines)
    payload = payload_for(kind, seq, ts, session, price, lines, reverses_seq)
    entry = LedgerEntry(
        seq=seq,
        kind=kind,
        session_id=session.id,
        price_id=price.id,
        reverses_seq=reverses_seq,
        ts=ts,
        payload=payload,
        prev_hash=prev,
        hash=chain_hash(prev, payload),
    )
    s.add(entry)
    s.flush()
    return entry


def sale_entry(s: Session, price_id: int) -> LedgerEntry | None:
    return s.scalar(
        select(LedgerEntry).where(LedgerEntry.price_id == price_id, LedgerEntry.kind == "sale")
    )


def _diff(stored: dict[str, Any], now: dict[str, Any], session: Any) -> str:
    who = f"session {session.id} ({session.tx_uid})"
    for f in TX_FIELDS:
        if stored["session"].get(f) != now["session"].get(f):
            return f"{who}: transaction field {f!r} was altered"
    sp, np_ = stored["price"], now["price"]
    for k in ("id", "revision", "currency", "tariffs", "net_minor", "vat_minor", "total_minor"):
        if sp.get(k) != np_.get(k):
            return f"{who}: price {k!r} was altered"
    sl, nl = sp["lines"], np_["lines"]
    for i in range(max(len(sl), len(nl))):
        a = sl[i] if i < len(sl) else None
        b = nl[i] if i < len(nl) else None
        if a != b:
            ref = a or b or {}
            if a is None:
                return f"{who}: priced line {ref.get('seq')} ({ref.get('kind')}) was added"
            if b is None:
                return f"{who}: priced line {ref.get('seq')} ({ref.get('kind')}) was removed"
            field = next((f for f in LINE_FIELDS if a.get(f) != b.get(f)), "?")
            return (
                f"{who}: priced line {a.get('seq')} ({a.get('kind')}) field {field!r} was altered"
            )
    return f"{who}: its ledger payload does not match"


def verify_chain(s: Session, progress: Any = None) -> list[str]:
    """Problems found, the first broken entry first (empty: the chain is intact)."""
    problems: list[str] = []
    prev = GENESIS
    expected = 1
    seen_prices: set[int] = set()
    # Plain rows, not ORM objects: verifying reads every entry of the site's history.
    entries = s.execute(select(LedgerEntry.__table__).order_by(LedgerEntry.seq)).all()
    total = len(entries)
    sessions: dict[int, Any] = {}
    prices: dict[int, Any] = {}
    lines: dict[int, list[Any]] = {}
    for n, e in enumerate(entries, 1):
        if (n - 1) % 1000 == 0:  # what the next 1000 entries describe, in three queries
            batch = entries[n - 1 : n + 999]
            sids, pids = {x.session_id for x in batch}, {x.price_id for x in batch}
            sessions = {
                x.id: x
                for x in s.execute(
                    select(ChargeSession.__table__).where(ChargeSession.id.in_(sids))
                )
            }
            prices = {
                x.id: x
                for x in s.execute(select(SessionPrice.__table__).where(SessionPrice.id.in_(pids)))
            }
            lines = {pid: [] for pid in pids}
            for x in s.execute(
                select(PricedLine.__table__)
                .where(PricedLine.price_id.in_(pids))
                .order_by(PricedLine.price_id, PricedLine.seq)
            ):
                lines[x.price_id].append(x)
        name = f"ledger entry #{e.seq}"
        if e.seq != expected:
            problems.append(f"{name}: out of sequence (expected #{expected}): entries missing")
            return problems
        if e.prev_hash != prev:
            problems.append(f"{name}: does not link to entry #{e.seq - 1} (the chain was cut)")
            return problems
        if chain_hash(prev, e.payload) != e.hash:
            problems.append(f"{name}: its hash does not match its content (the entry was altered)")
            return problems
        session = sessions.get(e.session_id)
        price = prices.get(e.price_id)
        try:
            stored = json.loads(e.payload)
        except ValueError:
            problems.append(f"{name}: unreadable payload")
            return problems
        if session is None or price is None:
            problems.append(f"{name}: the session or price it records was deleted")
            return problems
        now = payload_for(e.kind, e.seq, e.ts, session, price, lines[price.id], e.reverses_seq)
        if now != e.payload:
            problems.append(f"{name}: {_diff(stored, json.loads(now), session)}")
            return problems
        if e.kind == "sale":
            seen_prices.add(price.id)
        prev = e.hash
        expected += 1
        if progress is not None and n % 500 == 0:
            progress(n, total)
    # Every closed session is priced and every price is in the ledger.
    unpriced = s.scalars(
        select(ChargeSession.id)
        .where(ChargeSession.stopped_at.is_not(None))
        .where(~select(SessionPrice.id).where(SessionPrice.session_id == ChargeSession.id).exists())
        .limit(5)
    ).all()
    for sid in unpriced:
        problems.append(f"session {sid}: closed but not priced")
    for pid, sid in s.execute(select(SessionPrice.id, SessionPrice.session_id)).all():
        if pid not in seen_prices:
            problems.append(f"session {sid}: price {pid} is not in the ledger")
            break
    return problems
