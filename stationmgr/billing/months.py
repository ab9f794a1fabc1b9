"""Closing a month: after the accountant closes it, nothing dated in it changes.

Why: a sale is booked when its ledger entry is written, dated at the session's stop. A
session closed late (the car found gone at the next start-up, an OCPP StopTransaction that
arrives days later) or a correction dated back would land in a month whose SIE file is
already imported, and never reach the books (review: +27,71 SEK in an exported November).

So a close records the month's ledger entries (count and a digest of their hashes) and
keeps its SIE and CSV exports exactly as handed out; from then on every new ledger entry
whose date falls in a closed month is booked at the first instant of the first open period
(`booking_ts`), and its payload still names its session (and SIE gives it a voucher of its
own, "sent bokad"). `export` of a closed month returns the stored bytes; `verify` checks
the stored files against their hashes, the month's entries against the digest, and remakes
the SIE from the ledger with the settings stored at the close.

Months are closed in order and never reopened: the file was handed to the bookkeeping, and
Swedish bookkeeping corrects with a new voucher in an open period (BFL 5 kap), not by
changing an old one. A mistake found later is a correction (`stationmgr correct`), which is
booked in the open period like any other late entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr import __version__
from stationmgr.access.context import Actor, record, require
from stationmgr.billing.site import month_bounds, parse_month, site_tz, site_values
from stationmgr.errors import UserError
from stationmgr.store.billing_models import LedgerEntry, MonthClose
from stationmgr.store.db import Database
from stationmgr.store.models import utcnow


class MonthOrderError(UserError):
    """A close that clashes with the months already closed: the month is closed already, or
    an earlier one is still open (the API answers 409, the CLI exits 2)."""


@dataclass(frozen=True)
class ClosedMonth:
    """A closed month as `months list` shows it."""

    month: str
    closed_at: datetime
    closed_by: str | None
    entries: int
    total_minor: int
    sie_vouchers: int
    head_code: str
    sie_sha256: str
    csv_sha256: str


def open_from(s: Session) -> datetime | None:
    """The first instant of the first open period (None: no month is closed)."""
    return s.scalar(select(func.max(MonthClose.period_end)))


def booking_ts(s: Session, ts: datetime) -> datetime:
    """When a new ledger entry is booked: at `ts`, unless that is in a closed month; then at
    the start of the first open period."""
    first_open = open_from(s)
    return first_open if first_open is not None and ts < first_open else ts


def closed(s: Session, year: int, month: int) -> MonthClose | None:
    return s.scalar(select(MonthClose).where(MonthClose.year == year, MonthClose.month == month))


def _entries(s: Session, start: datetime, end: datetime) -> tuple[int, str, int]:
    """(count, digest of seq:hash, total) of the ledger entries booked in [start, end)."""
    import json

    h = hashlib.sha256()
    n = total = 0
    for seq, hash_, payload in s.execute(
        select(LedgerEntry.seq, LedgerEntry.hash, LedgerEntry.payload)
        .where(LedgerEntry.ts >= start, LedgerEntry.ts < end)
        .order_by(LedgerEntry.seq)
    ):
        h.update(f"{seq}:{hash_}\n".encode())
        n += 1
        total += int(json.loads(payload)["price"]["total_minor"])
    return n, h.hexdigest(), total


def render(
    s: Session,
    year: int,
    month: int,
    fmt: str,
    now: datetime,
    values: dict[str, str],
    version: str,
) -> bytes:
    """A month's export made from the ledger (what `export` hands out for an open month)."""
    from stationmgr.billing.sales import sales_csv
    from stationmgr.billing.sie import export_sie

    if fmt == "sie":
        return export_sie(s, year, month, now, values=values, version=version)
    tz = site_tz(s, values)
    start, end = month_bounds(year, month, tz)
    return sales_csv(s, start, end, tz).encode("utf-8")


def export_bytes(s: Session, year: int, month: int, fmt: str, now: datetime) -> bytes:
    """The month's export: a closed month's as stored at its close (byte-identical every
    time), an open month's made now."""
    row = closed(s, year, month)
    if row is not None:
        return row.sie if fmt == "sie" else row.csv
    return render(s, year, month, fmt, now, site_values(s), __version__)


def close_month(
    s: Session, text: str, now: datetime | None = None, actor: Actor | None = None
) -> ClosedMonth:
    """Close the month `YYYY-MM` (`months.close`, audited) in the caller's unit of work."""
    from stationmgr.access import sitekey
    from stationmgr.billing.anchors import code_of
    from stationmgr.billing.ledger import head
    from stationmgr.billing.sie import month_vouchers

    year, month = parse_month(text)
    actor = require(actor, "months.close", s, target=text)
    sitekey.lock_chain(s)  # no ledger entry slips in while the month is being closed
    now = now or utcnow()
    values = site_values(s)
    tz = site_tz(s, values)
    start, end = month_bounds(year, month, tz)
    if now < end:
        raise UserError(
            f"{text} has not ended yet: it can be closed from {end.astimezone(tz):%Y-%m-%d %H:%M}"
        )
    if closed(s, year, month) is not None:
        raise MonthOrderError(f"{text} is already closed (a closed month is never reopened)")
    last = s.scalar(select(MonthClose).order_by(MonthClose.period_end.desc()).limit(1))
    if last is not None and last.period_end > start:
        raise MonthOrderError(f"{text} is before {last.year}-{last.month:02d}, which is closed")
    if last is not None and last.period_end < start:
        nxt = last.period_end.astimezone(tz)
        raise MonthOrderError(f"close {nxt:%Y-%m} first: months are closed in order")
    if last is None:
        first = s.scalar(select(func.min(LedgerEntry.ts)))
        if first is not None and first < start:
            raise MonthOrderError(
                f"close {first.astimezone(tz):%Y-%m} first: months are closed in order"
            )
    n, digest, total = _entries(s, start, end)
    settings = {"values": values, "version": __version__}
    sie = render(s, year, month, "sie", now, values, __version__)
    csv = render(s, year, month, "csv", now, values, __version__)
    top = head(s)
    row = MonthClose(
        year=year,
        month=month,
        period_start=start,
        period_end=end,
        closed_at=now,
        closed_by=actor.username if actor else None,
        entries=n,
        entries_digest=digest,
        head_seq=top.seq if top else 0,
        head_hash=top.hash if top else "0" * 64,
        total_minor=total,
        sie_vouchers=len(month_vouchers(s, year, month, values, tz)[0]),
        sie=sie,
        sie_sha256=hashlib.sha256(sie).hexdigest(),
        csv=csv,
        csv_sha256=hashlib.sha256(csv).hexdigest(),
        settings=settings,
    )
    s.add(row)
    s.flush()
    info = _info(row, code_of(row.head_seq, row.head_hash))
    record(
        s,
        "months.close",
        text,
        None,
        {
            "entries": n,
            "total_minor": total,
            "ledger": info.head_code,
            "sie_sha256": row.sie_sha256,
            "csv_sha256": row.csv_sha256,
        },
        actor=actor,
    )
    return info


def _info(row: MonthClose, code: str) -> ClosedMonth:
    return ClosedMonth(
        f"{row.year}-{row.month:02d}",
        row.closed_at,
        row.closed_by,
        row.entries,
        row.total_minor,
        row.sie_vouchers,
        code,
        row.sie_sha256,
        row.csv_sha256,
    )


def list_closed(s: Session) -> list[ClosedMonth]:
    from stationmgr.billing.anchors import code_of

    rows = s.scalars(select(MonthClose).order_by(MonthClose.period_end)).all()
    return [_info(r, code_of(r.head_seq, r.head_hash)) for r in rows]


@dataclass(frozen=True)
class MonthState:
    """One month as the Billing page lists it: closed (by whom, when, its code) or open
    (what a close would freeze now), and whether it is the one to close next."""

    month: str
    closed: ClosedMonth | None
    entries: int
    total_minor: int
    closable: bool
    why_not: str  # why it cannot be closed now ("" when it can, or is closed)
    currency: str


def month_states(s: Session, now: datetime | None = None) -> list[MonthState]:
    """Every month from the first one with a ledger entry (or close) to the current one, in
    order. The first open month that has ended is the one `close_month` accepts next."""
    from stationmgr.billing.tariffs import site_currency

    now = now or utcnow()
    tz = site_tz(s, site_values(s))
    currency = site_currency(s)
    closes = {(c.year, c.month): c for c in s.scalars(select(MonthClose))}
    starts = [s.scalar(select(func.min(LedgerEntry.ts)))]
    starts += [c.period_start for c in closes.values()]
    first = min((t.astimezone(tz) for t in starts if t is not None), default=now.astimezone(tz))
    current = now.astimezone(tz)
    year, month = first.year, first.month
    out: list[MonthState] = []
    open_seen = False
    infos = {(int(c.month[:4]), int(c.month[5:])): c for c in list_closed(s)}
    while (year, month) <= (current.year, current.month):
        name = f"{year}-{month:02d}"
        if (year, month) in closes:
            c = infos[(year, month)]
            out.append(MonthState(name, c, c.entries, c.total_minor, False, "", currency))
        else:
            start, end = month_bounds(year, month, tz)
            n, _digest, total = _entries(s, start, end)
            if open_seen:
                why = f"close {_first_open(out)} first: months are closed in order"
            elif now < end:
                why = f"{name} has not ended yet"
            else:
                why = ""
            out.append(MonthState(name, None, n, total, not open_seen and not why, why, currency))
            open_seen = True
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _first_open(states: list[MonthState]) -> str:
    return next(x.month for x in states if x.closed is None)


def verify_months(s: Session) -> list[str]:
    """A `stationmgr verify` check: every closed month is as it was closed."""
    problems: list[str] = []
    prev_end: datetime | None = None
    for row in s.scalars(select(MonthClose).order_by(MonthClose.period_end)):
        name = f"month {row.year}-{row.month:02d} (closed)"
        if prev_end is not None and row.period_start != prev_end:
            problems.append(f"{name}: the month before it is not closed (a close was deleted)")
        if prev_end is None:
            first = s.scalar(select(func.min(LedgerEntry.ts)))
            if first is not None and first < row.period_start:
                problems.append(
                    f"{name}: ledger entries before it are in no closed month (the first "
                    "month is closed first: a close was deleted)"
                )
        prev_end = row.period_end
        for what, data, digest in (
            ("SIE", row.sie, row.sie_sha256),
            ("CSV", row.csv, row.csv_sha256),
        ):
            if hashlib.sha256(data).hexdigest() != digest:
                problems.append(f"{name}: its stored {what} export was altered")
        n, digest, total = _entries(s, row.period_start, row.period_end)
        if (n, digest) != (row.entries, row.entries_digest):
            problems.append(
                f"{name}: its ledger entries changed ({row.entries} at the close, {n} now, "
                f"total {row.total_minor / 100:.2f} then, {total / 100:.2f} now)"
            )
            continue
        h = s.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == row.head_seq))
        if row.head_seq and h != row.head_hash:
            problems.append(
                f"{name}: ledger entry {row.head_seq}, the head at the close, was replaced"
            )
        settings = row.settings or {}
        if settings.get("version") == __version__:
            again = render(
                s, row.year, row.month, "sie", row.closed_at, settings["values"], __version__
            )
            if again != row.sie:
                problems.append(f"{name}: its SIE export made again from the ledger differs")
    return problems


def close_and_anchor(
    db: Database, text: str, actor: Actor | None = None
) -> tuple[ClosedMonth, str]:
    """Close the month in its own unit of work, then append its line to the anchor file
    (after the commit: a close that failed is never anchored). Returns the close and a note
    on the anchoring (a failed append leaves the close standing and says what to do)."""
    from stationmgr.billing.anchors import anchor_path, append_line, line_for

    year, month = parse_month(text)
    with db.session() as s:
        info = close_month(s, text, actor=actor)
    with db.session() as s:
        path = anchor_path(s)
        row = closed(s, year, month)
    if path is None or row is None:
        return info, ""
    try:
        append_line(path, line_for(info.closed_at, info.head_code, row))
    except UserError as e:
        return info, f"NOT anchored ({e}): run `stationmgr anchors export`"
    return info, f"anchored in {path}"
