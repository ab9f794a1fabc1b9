"""The audit log: who did what, when, with the before and after; append-only, hash-chained.

Each entry's hash covers its predecessor's hash and its own fields, so editing, deleting or
reordering a row breaks the chain from that row on, and `verify` names the first entry that
no longer fits. `prev_hash` is unique: two writers racing for the same predecessor cannot
fork the chain (the second fails and its unit of work rolls back).

An audit entry is written in the same unit of work as the change it describes, so the
change and its trace are committed together or not at all. Refusals and failed logins are
the exception: they are written in a unit of work of their own (`append_now`), because the
action they belong to is rolled back.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from stationmgr.clock import Clock, SystemClock, to_datetime
from stationmgr.store.models import AuditEntry

log = logging.getLogger(__name__)

GENESIS = "0" * 64
OK, DENIED, FAILED = "ok", "denied", "failed"
CSV_FIELDS = [
    "id",
    "ts",
    "operator",
    "action",
    "target",
    "outcome",
    "detail",
    "before",
    "after",
    "hash",
]
_CLOCK: Clock = SystemClock()


def _canonical(value: Any) -> Any:
    """The value exactly as it reads back from the database (JSON round trip)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


def entry_hash(
    prev_hash: str,
    ts_ms: int,
    operator: str | None,
    action: str,
    target: str | None,
    before: Any,
    after: Any,
    outcome: str,
    detail: str | None,
) -> str:
    payload = [prev_hash, ts_ms, operator, action, target, before, after, outcome, detail]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ts_ms(dt: datetime) -> int:
    return round(dt.timestamp() * 1000)


def hash_of(e: AuditEntry) -> str:
    """The hash an entry should carry, recomputed from its stored fields."""
    return entry_hash(
        e.prev_hash or "",
        _ts_ms(e.ts),
        e.operator,
        e.action,
        e.target,
        e.before,
        e.after,
        e.outcome,
        e.detail,
    )


def last_hash(s: Session) -> str:
    h = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return h or GENESIS


def last_id(s: Session) -> int:
    return s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def has_since(s: Session, after_id: int, action: str) -> bool:
    """Whether an `action` entry was written after entry `after_id`."""
    q = select(AuditEntry.id).where(AuditEntry.id > after_id, AuditEntry.action == action)
    return s.scalar(q.limit(1)) is not None


def append(
    s: Session,
    operator: str | None,
    action: str,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
    outcome: str = OK,
    detail: str | None = None,
    now: float | None = None,
) -> AuditEntry:
    """Add one entry to the chain inside the caller's unit of work."""
    ts_ms = round((_CLOCK.now() if now is None else now) * 1000)
    before, after = _canonical(before), _canonical(after)
    target = None if target is None else str(target)[:120]
    prev = last_hash(s)
    row = AuditEntry(
        ts=to_datetime(ts_ms / 1000),
        operator=operator,
        action=action,
        target=target,
        before=before,
        after=after,
        outcome=outcome,
        detail=detail,
        prev_hash=prev,
        hash=entry_hash(prev, ts_ms, operator, action, target, before, after, outcome, detail),
    )
    s.add(row)
    s.flush()
    return row


def append_now(session_factory: Any, *args: Any, **kwargs: Any) -> AuditEntry | None:
    """Append in a unit of work of its own and commit it (refusals, failed logins).

    `session_factory` is a `Database`, an SQLAlchemy engine/connection or anything
    `Session(bind=...)` accepts. A failure to write is logged, never raised: the refusal
    itself must still reach the person.
    """
    try:
        if hasattr(session_factory, "session"):
            with session_factory.session() as s:
                return append(s, *args, **kwargs)
        with Session(bind=session_factory) as s:
            row = append(s, *args, **kwargs)
            s.commit()
            return row
    except SQLAlchemyError:
        log.exception("could not write the audit entry %r %r", args, kwargs)
        return None


# ------------------------------------------------------------------ verifying


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    bad_id: int | None = None
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain ok ({self.checked} entries)"
        return f"audit chain broken at entry #{self.bad_id}: {self.problem}"


def _describe(e: AuditEntry) -> str:
    who = e.operator or "-"
    return f"{e.action} by {who} at {e.ts.isoformat(timespec='seconds')}"


def verify_chain(s: Session, batch: int = 2000) -> ChainCheck:
    """Walk the chain in order; the first entry that does not fit is named."""
    prev_hash = GENESIS
    prev_id: int | None = None
    checked = 0
    last_id = 0
    while True:
        rows = list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            )
        )
        for e in rows:
            if e.prev_hash != prev_hash:
                if prev_id is None:
                    why = "does not start the log: entries before it were deleted"
                else:
                    why = (
                        f"does not follow #{prev_id}: #{prev_id} was rewritten, or entries "
                        "between them were deleted or inserted"
                    )
                return ChainCheck(False, checked, e.id, f"{_describe(e)} {why}")
            if hash_of(e) != e.hash:
                return ChainCheck(
                    False,
                    checked,
                    e.id,
                    f"{_describe(e)} was changed after it was written (hash mismatch)",
                )
            prev_hash, prev_id = e.hash or "", e.id
            checked += 1
        if len(rows) < batch:
            return ChainCheck(True, checked)
        last_id = rows[-1].id
        s.expunge_all()


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class AuditFilter:
    """Audit view filters; every field optional. `action` matches a prefix (`cards`)."""

    since: datetime | None = None
    until: datetime | None = None
    operator: str | None = None
    action: str | None = None
    outcome: str | None = None
    target: str | None = None

    def describe(self) -> str:
        parts = [
            f"{k}={v.isoformat() if isinstance(v, datetime) else v}"
            for k, v in self.__dict__.items()
            if v not in (None, "")
        ]
        return " ".join(parts) or "all"


def _query(f: AuditFilter) -> Select:  # type: ignore[type-arg]
    q = select(AuditEntry)
    if f.since is not None:
        q = q.where(AuditEntry.ts >= f.since)
    if f.until is not None:
        q = q.where(AuditEntry.ts < f.until)
    if f.operator:
        q = q.where(AuditEntry.operator == f.operator)
    if f.action:
        a = f.action.strip()
        q = q.where((AuditEntry.action == a) | AuditEntry.action.startswith(a.rstrip(".") + "."))
    if f.outcome:
        q = q.where(AuditEntry.outcome == f.outcome)
    if f.target:
        q = q.where(AuditEntry.target.ilike(f"%{f.target}%"))
    return q


def list_entries(
    s: Session, f: AuditFilter | None = None, offset: int = 0, limit: int | None = 200
) -> list[AuditEntry]:
    """Entries matching `f`, newest first."""
    q = _query(f or AuditFilter()).order_by(AuditEntry.id.desc()).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return list(s.scalars(q))


def iter_entries(
    s: Session, f: AuditFilter | None = None, page: int = 1000
) -> Iterator[AuditEntry]:
    """Every matching entry, oldest first, a page at a time."""
    last_id = 0
    base = _query(f or AuditFilter())
    while True:
        rows = list(
            s.scalars(base.where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(page))
        )
        yield from rows
        if len(rows) < page:
            return
        last_id = rows[-1].id


def csv_row(e: AuditEntry) -> dict[str, Any]:
    def js(v: Any) -> str:
        return "" if v is None else json.dumps(v, sort_keys=True, ensure_ascii=False)

    return {
        "id": e.id,
        "ts": e.ts.isoformat(timespec="seconds"),
        "operator": e.operator or "",
        "action": e.action,
        "target": e.target or "",
        "outcome": e.outcome,
        "detail": e.detail or "",
        "before": js(e.before),
        "after": js(e.after),
        "hash": e.hash or "",
    }


def export_csv(s: Session, out: IO[str], f: AuditFilter | None = None) -> int:
    """Write matching entries as CSV, oldest first; returns how many.

    The caller records the export itself (an `audit.export` entry) in the same unit of work.
    """
    w = csv.DictWriter(out, CSV_FIELDS)
    w.writeheader()
    n = 0
    for e in iter_entries(s, f):
        w.writerow(csv_row(e))
        n += 1
    return n


def verify_problems(s: Session) -> list[str]:
    """The audit chain as a `stationmgr verify` check: its first break, or nothing."""
    result = verify_chain(s)
    return [] if result.ok else [str(result)]
