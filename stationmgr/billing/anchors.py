"""The ledger's head as a short code kept outside the database.

Why: the ledger is a public SHA-256 chain. Someone who can write the database can cut its
newest entries off, or change an amount and recompute every later hash with the published
algorithm, and the chain still verifies. A code naming the head (its seq and the first 64
bits of its hash) that was printed on a month summary or an invoice, or appended to a file
on another disk, cannot be changed after the fact: `verify --anchor CODE` (and `verify`
itself for every code in the owner's anchor file) then finds the entry gone (truncation) or
with another hash (re-hashed or replaced).

    412-9F3A-71C2-0BDE-44A1     seq 412, hash 9f3a71c20bde44a1…

The anchor file (`site set anchor_file /media/usb/laddplats-anchors.txt`) gets one line per
`anchors export` and per month close: the time, the code, and for a close the hashes of the
month's SIE and CSV files.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.billing.site import month_bounds, site_tz, site_value
from stationmgr.errors import UserError
from stationmgr.store.billing_models import LedgerEntry, MonthClose

_CODE = re.compile(r"^(\d+)-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{4})$")
_IN_LINE = re.compile(r"\bledger (\d+-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})\b")
_MONTH = re.compile(r"\bmonth (\d{4})-(\d{2}) sie ([0-9a-f]{64}) csv ([0-9a-f]{64})\b")
EMPTY = "0-0000-0000-0000-0000"  # no entry yet


def code_of(seq: int, hash_: str) -> str:
    if not seq:
        return EMPTY
    h = hash_[:16].upper()
    return f"{seq}-{h[0:4]}-{h[4:8]}-{h[8:12]}-{h[12:16]}"


def parse_code(text: str) -> tuple[int, str]:
    """(seq, first 16 hex digits, lower case) of a code; UserError if it is not one."""
    m = _CODE.match(text.strip().upper())
    if not m:
        raise UserError(f"invalid anchor code {text[:40]!r}: expected e.g. 412-9F3A-71C2-0BDE-44A1")
    return int(m.group(1)), "".join(m.groups()[1:]).lower()


def head_code(s: Session) -> str:
    """The code of the ledger's newest entry (what an invoice prints)."""
    e = s.execute(
        select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc())
    ).first()
    return EMPTY if e is None else code_of(e.seq, e.hash)


def month_head_code(s: Session, year: int, month: int) -> str:
    """The code a month summary prints: the ledger's head at the close for a closed month,
    else the newest entry booked before the month's end."""
    row = s.scalar(select(MonthClose).where(MonthClose.year == year, MonthClose.month == month))
    if row is not None:
        return code_of(row.head_seq, row.head_hash)
    _, end = month_bounds(year, month, site_tz(s))
    e = s.execute(
        select(LedgerEntry.seq, LedgerEntry.hash)
        .where(LedgerEntry.ts < end)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).first()
    return EMPTY if e is None else code_of(e.seq, e.hash)


def check_codes(s: Session, codes: list[str]) -> list[str]:
    """Problems with the ledger against codes kept outside it (empty: every code is the
    entry it names)."""
    problems = []
    newest = s.scalar(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()).limit(1)) or 0
    for code in codes:
        seq, prefix = parse_code(code)
        if not seq:
            continue
        h = s.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == seq))
        if h is None:
            problems.append(
                f"anchor {code}: ledger entry {seq} is gone (the newest is {newest}): "
                "the ledger was cut back"
            )
        elif not h.startswith(prefix):
            problems.append(
                f"anchor {code}: ledger entry {seq} has another hash now: the chain was "
                "re-hashed or replaced"
            )
    return problems


def anchor_path(s: Session) -> Path | None:
    value = site_value(s, "anchor_file")
    return Path(value) if value else None


def append_line(path: Path, line: str) -> None:
    """Append one line and make sure it is on the disk (the point of an anchor)."""
    try:
        with path.open("a", encoding="utf-8") as f:
            f.write(line.rstrip("\n") + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise UserError(f"cannot write the anchor file {path}: {e.strerror or e}") from None


def line_for(now: datetime, code: str, close: MonthClose | None = None) -> str:
    text = f"{now.astimezone().isoformat(timespec='seconds')} ledger {code}"
    if close is not None:
        text += (
            f" month {close.year}-{close.month:02d} sie {close.sie_sha256} csv {close.csv_sha256}"
        )
    return text


@dataclass(frozen=True)
class Anchored:
    path: Path
    line: str


def export_anchor(s: Session, now: datetime, to: Path | None = None) -> Anchored:
    """Append the head's code to the anchor file (or `to`)."""
    path = to or anchor_path(s)
    if path is None:
        raise UserError("no anchor file: `stationmgr site set anchor_file /path/on/other/disk`")
    line = line_for(now, head_code(s))
    append_line(path, line)
    return Anchored(path, line)


def check_file_text(s: Session, text: str, where: str) -> list[str]:
    """Every code (and closed month's file hashes) in an anchor file's text."""
    problems = check_codes(s, _IN_LINE.findall(text))
    closes = {(r.year, r.month): r for r in s.scalars(select(MonthClose))}
    for y, m, sie, csv in _MONTH.findall(text):
        row = closes.get((int(y), int(m)))
        if row is None:
            problems.append(f"{where}: month {y}-{m} was closed but its close is gone")
        elif (row.sie_sha256, row.csv_sha256) != (sie, csv):
            problems.append(f"{where}: month {y}-{m}'s stored exports are not those handed out")
    return problems


def verify_anchor_file(s: Session) -> list[str]:
    """A `stationmgr verify` check: the codes in the owner's anchor file, if one is set."""
    path = anchor_path(s)
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []  # nothing anchored there yet (or the disk is elsewhere: `verify --anchor`)
    except OSError as e:
        return [f"cannot read the anchor file {path}: {e.strerror or e}"]
    return check_file_text(s, text, str(path))
