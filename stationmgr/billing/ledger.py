"""The hash-chained ledger of finished transactions.

Every priced session is appended as a *sale* entry: ``hash = sha256(prev_hash + payload)``
where the payload is a canonical encoding (sorted-key JSON, fixed number formats) of the
transaction and its priced lines. A correction never edits anything: it appends a
*reversal* of the old entry (the same lines, negated) and a new sale with the new price.

`verify_chain` walks the chain and also re-encodes the rows the entries describe, so
altering a stored transaction, a priced line or an entry names the first broken entry.

The payload also covers what the price was computed from but is stored elsewhere (`cover`):
a digest of the session's meter samples as they were when the entry was written (they drive
the tariff split and the receipt's curve) and of each tariff row used. Entries written
before the cover existed have none and are checked as they were written.

An entry's date (`ts`) is its booking date: the session's stop or the correction's time,
or, when that falls in a closed month, the first instant of the first open period
(`months.booking_ts`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.store.billing_models import LedgerEntry, PricedLine, SessionPrice
from stationmgr.store.models import ChargeSession, MeterSample, Tariff

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


SAMPLE_FIELDS = (
    "id",
    "ts",
    "energy_wh",
    "power_w",
    "current_l1_ma",
    "current_l2_ma",
    "current_l3_ma",
)
TARIFF_FIELDS = tuple(c.name for c in Tariff.__table__.columns)


def samples_digest(rows: list[Any]) -> str:
    """sha256 over a session's sample rows (in id order), each field as stored."""
    h = hashlib.sha256()
    for r in rows:
        h.update(canonical([_value(getattr(r, f)) for f in SAMPLE_FIELDS]).encode())
    return h.hexdigest()


def tariff_digest(row: Any) -> str:
    return hashlib.sha256(
        canonical({f: _value(getattr(row, f)) for f in TARIFF_FIELDS}).encode()
    ).hexdigest()


def tariff_ids(price: Any) -> list[int]:
    return sorted({int(t["id"]) for t in (price.tariffs or []) if t.get("id") is not None})


def cover_facts(
    samples: list[Any], upto: int | None, tariffs: dict[int, Any], ids: list[int]
) -> dict[str, Any]:
    """What the entry vouches for outside its own rows: the samples with id ≤ `upto` (later
    ones came after the price was made) and the tariff rows `ids`."""
    kept = [x for x in samples if upto is not None and x.id <= upto]
    ends = samples_digest(kept[:1] + kept[-1:] if len(kept) > 1 else kept)
    return {
        "samples": {"upto": upto, "n": len(kept), "sha256": samples_digest(kept), "ends": ends},
        "tariffs": {str(i): (tariff_digest(tariffs[i]) if i in tariffs else None) for i in ids},
    }


def cover_now(s: Session, session_id: int, price: Any) -> dict[str, Any]:
    """The cover of a new entry: every sample stored so far, the tariff rows it used."""
    samples = s.execute(
        select(MeterSample.__table__)
        .where(MeterSample.session_id == session_id)
        .order_by(MeterSample.id)
    ).all()
    ids = tariff_ids(price)
    tariffs = {x.id: x for x in s.execute(select(Tariff.__table__).where(Tariff.id.in_(ids)))}
    upto = samples[-1].id if samples else None
    return cover_facts(list(samples), upto, tariffs, ids)


def payload_for(
    kind: str,
    seq: int,
    ts: datetime,
    session: Any,  # a ChargeSession or a row of its table
    price: Any,
    lines: list[Any],
    reverses_seq: int | None = None,
    cover: dict[str, Any] | None = None,
) -> str:
    sign = -1 if kind == "reversal" else 1
    d = {
        "kind": kind,
        "seq": seq,
        "ts": _value(ts),
        "reverses": reverses_seq,
        "session": tx_facts(session),
        "price": price_facts(price, lines, sign),
    }
    if cover is not None:
        d["cover"] = cover
    return canonical(d)


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
    from stationmgr.billing.months import booking_ts

    ts = booking_ts(s, ts)
    last = head(s)
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    lines = list(price.lines)
    cover = cover_now(s, session.id, price)
    payload = payload_for(kind, seq, ts, session, price, lines, reverses_seq, cover)
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
    sc, nc = stored.get("cover") or {}, now.get("cover") or {}
    if sc.get("samples") != nc.get("samples"):
        return f"{who}: its meter samples were altered, added or deleted"
    for tid, digest in (sc.get("tariffs") or {}).items():
        if (nc.get("tariffs") or {}).get(tid) != digest:
            return f"{who}: tariff {tid} it was priced by was altered or deleted"
    return f"{who}: its ledger payload does not match"


def _raw_since(s: Session) -> datetime:
    """Sessions stopped before this may have had their samples thinned (store.retention)."""
    from datetime import timedelta

    from stationmgr.settings import get_setting
    from stationmgr.store.models import utcnow
    from stationmgr.store.retention import DEFAULT_KEEP_RAW_DAYS

    cfg = get_setting(s, "retention", {}) or {}
    days = int(cfg.get("keep_raw_days", DEFAULT_KEEP_RAW_DAYS)) if isinstance(cfg, dict) else 90
    return utcnow() - timedelta(days=days)


def _thinned(was: dict[str, Any], now: dict[str, Any], stopped: Any, raw_since: datetime) -> bool:
    """Whether the samples differ only as retention thins them: an old enough session, fewer
    samples, its first and last unchanged. (After the raw window only the curve's ends are
    vouched for; its energy is on the session row, which the entry covers.)"""
    return (
        stopped is not None
        and stopped < raw_since
        and now.get("n", 0) < was.get("n", 0)
        and now.get("ends") == was.get("ends")
    )


def verify_chain(s: Session, progress: Any = None) -> list[str]:
    """Problems found, the first broken entry first (empty: the chain is intact)."""
    problems: list[str] = []
    prev = GENESIS
    expected = 1
    raw_since = _raw_since(s)
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
            samples = {sid: [] for sid in sids}
            for x in s.execute(
                select(MeterSample.__table__)
                .where(MeterSample.session_id.in_(sids))
                .order_by(MeterSample.session_id, MeterSample.id)
            ):
                samples[x.session_id].append(x)
            tids = {i for p in prices.values() for i in tariff_ids(p)}
            tariffs = {
                x.id: x for x in s.execute(select(Tariff.__table__).where(Tariff.id.in_(tids)))
            }
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
        cover = None
        if "cover" in stored:
            was = stored["cover"].get("samples") or {}
            cover = cover_facts(samples[session.id], was.get("upto"), tariffs, tariff_ids(price))
            if _thinned(was, cover["samples"], session.stopped_at, raw_since):
                cover["samples"] = was
        now = payload_for(
            e.kind, e.seq, e.ts, session, price, lines[price.id], e.reverses_seq, cover
        )
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
