"""The audit log: who did what, when, with the before and after; append-only, hash-chained.

Each entry's hash covers its predecessor's hash and its own fields, so editing, deleting or
reordering a row breaks the chain from that row on, and `verify` names the first entry that
no longer fits. The hash is an HMAC keyed with the site's secret kept outside the database
(`sitekey`), so nobody who can only write the database can recompute it after an edit or
append a row that fits; and the head is anchored outside the database after every commit,
so cutting off the last rows is seen too. Appends take the chain's write lock first
(`sitekey.lock_chain`): writers queue instead of racing for the same predecessor, and
`prev_hash` stays unique as a last guard against a fork.

Entries written before keyed hashes (an older version) keep their plain SHA-256; they are
accepted only before the first keyed entry, whose HMAC covers the last of them. `verify`
says when a chain has no keyed entry yet and how to key it (`stationmgr audit seal`).

An audit entry is written in the same unit of work as the change it describes, so the
change and its trace are committed together or not at all. Refusals and failed logins are
the exception: they are written in a unit of work of their own (`append_now`), because the
action they belong to is rolled back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from stationmgr.access import anchors as _anchors  # noqa: F401 - anchors ledger and receipts
from stationmgr.access import sitekey
from stationmgr.clock import Clock, SystemClock, to_datetime
from stationmgr.csv_safe import csv_dict_writer
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
    key: bytes | None = None,
) -> str:
    """The entry's hash: HMAC-SHA256 with the site's key (None: the plain SHA-256 of
    entries written before keyed hashes)."""
    payload = [prev_hash, ts_ms, operator, action, target, before, after, outcome, detail]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if key is not None:
        return sitekey.keyed_hash(key, text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ts_ms(dt: datetime) -> int:
    return round(dt.timestamp() * 1000)


def hash_of(e: AuditEntry, key: bytes | None = None) -> str:
    """The hash an entry should carry, recomputed from its stored fields (`key`: keyed)."""
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
        key,
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
    """Add one entry to the chain inside the caller's unit of work (which then holds the
    chain's lock until it ends); the anchor moves to it once the unit of work commits."""
    ts_ms = round((_CLOCK.now() if now is None else now) * 1000)
    before, after = _canonical(before), _canonical(after)
    target = None if target is None else str(target)[:120]
    site = sitekey.site_id(s, create=True)
    assert site is not None
    sitekey.lock_chain(s)
    key = sitekey.key_for(site, create=True)
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
        hash=entry_hash(prev, ts_ms, operator, action, target, before, after, outcome, detail, key),
    )
    s.add(row)
    s.flush()
    s.info[_HEAD] = (site, row.id, row.hash)
    return row


_HEAD = "stationmgr.audit.head"  # Session.info: the entry to anchor once committed


@event.listens_for(Session, "after_commit")
def _anchor_committed(s: Session) -> None:
    head = s.info.pop(_HEAD, None)
    if head is None:
        return
    try:
        sitekey.advance_anchor(*head)
    except Exception:  # the entry is committed; verify tolerates an anchor left behind
        log.exception("could not anchor audit entry #%s", head[1])


@event.listens_for(Session, "after_rollback")
def _forget_head(s: Session) -> None:
    s.info.pop(_HEAD, None)


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
        if self.bad_id is None:
            return f"audit chain broken: {self.problem}"
        return f"audit chain broken at entry #{self.bad_id}: {self.problem}"

    @property
    def unkeyed_only(self) -> bool:
        """Intact, but written entirely before keyed hashes (what `seal` fixes)."""
        return not self.ok and "is not keyed" in (self.problem or "")


def _describe(e: AuditEntry) -> str:
    who = e.operator or "-"
    return f"{e.action} by {who} at {e.ts.isoformat(timespec='seconds')}"


def verify_chain(s: Session, batch: int = 2000) -> ChainCheck:
    """Walk the chain in order; the first entry that does not fit is named. Then the
    anchored head must be in the chain: otherwise the last entries were cut off."""
    site = sitekey.site_id(s)
    key = sitekey.key_for(site) if site else None
    prev_hash = GENESIS
    prev_id: int | None = None
    checked = 0
    last_id = 0
    keyed = 0  # entries with a keyed hash (every one after the first must be)
    anchored: str | None = None  # the hash of the anchor's entry, once seen
    anchor = sitekey.read_anchor(site) if site else None
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
            if key is not None and hash_of(e, key) == e.hash:
                keyed += 1
            elif hash_of(e) == e.hash and not keyed:
                pass  # written before keyed hashes; the first keyed entry covers it
            elif hash_of(e) == e.hash:
                return ChainCheck(
                    False,
                    checked,
                    e.id,
                    f"{_describe(e)} was not written by stationmgr: its hash is not keyed "
                    "with the site's key (a forged or recomputed entry)",
                )
            elif key is None and site is not None:
                return ChainCheck(
                    False,
                    checked,
                    e.id,
                    f"cannot check {_describe(e)}: the site's audit key "
                    f"(secret other:audit-key.{site}) is not in this user's vault or "
                    "secrets file; copy it from the machine that runs the site",
                )
            else:
                return ChainCheck(
                    False,
                    checked,
                    e.id,
                    f"{_describe(e)} was changed after it was written (hash mismatch)",
                )
            if anchor is not None and e.id == anchor.last_id:
                anchored = e.hash
            prev_hash, prev_id = e.hash or "", e.id
            checked += 1
        if len(rows) < batch:
            break
        last_id = rows[-1].id
        s.expunge_all()
    return _check_head(checked, prev_id, keyed, anchor, anchored, site)


def _check_head(
    checked: int,
    last: int | None,
    keyed: int,
    anchor: sitekey.Anchor | None,
    anchored: str | None,
    site: str | None,
) -> ChainCheck:
    """The chain's end against the anchor kept outside the database."""
    if anchor is not None:
        if anchor.last_id < 0:
            return ChainCheck(False, checked, None, "the audit anchor is unreadable")
        if anchored is None:
            return ChainCheck(
                False,
                checked,
                anchor.last_id,
                f"the log ends at #{last or 0} but entry #{anchor.last_id} was written and "
                "anchored: the last entries were deleted",
            )
        if anchored != anchor.hash:
            return ChainCheck(
                False,
                checked,
                anchor.last_id,
                f"entry #{anchor.last_id} is not the entry that was anchored (replaced)",
            )
        return ChainCheck(True, checked)
    if keyed:
        return ChainCheck(
            False,
            checked,
            last,
            f"the head of the audit log is not anchored (secret other:audit-anchor.{site} "
            "missing from this user's vault or secrets file): entries may have been cut off",
        )
    if checked:
        return ChainCheck(
            False,
            checked,
            last,
            f"the audit chain is not keyed ({checked} entries from an older version): run "
            "`stationmgr audit seal` (owner) to key and anchor it from here on",
        )
    return ChainCheck(True, checked)


def seal(s: Session) -> int:
    """Key and anchor a chain written before keyed hashes: after checking it is intact,
    append an `audit.seal` entry whose keyed hash covers the last older entry. Returns how
    many older entries it covers. Refused (UserError) for a broken chain: sealing would
    vouch for the tampering."""
    from stationmgr.access.context import record
    from stationmgr.errors import UserError

    result = verify_chain(s)
    if result.ok:
        raise UserError(f"nothing to seal: {result}")
    if not result.unkeyed_only:
        raise UserError(f"not sealed: {result}")
    record(s, "audit.seal", None, None, {"older_entries": result.checked})
    return result.checked


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
    w = csv_dict_writer(out, CSV_FIELDS)
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
