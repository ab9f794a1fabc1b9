"""The audit log as the window reads it: a page of entries, the chain check, the CSV export.

Each call checks the role first (`audit.read`, `verify`, `audit.export`; a refusal is
audited and raised), as `stationmgr audit list|export` and `stationmgr verify` do. Entries
leave as frozen rows, not ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from stationmgr.access import audit
from stationmgr.access.audit import AuditFilter, ChainCheck
from stationmgr.access.context import Actor, record, require
from stationmgr.store.db import Database

__all__ = ["AuditFilter", "AuditRow", "ChainCheck", "audit_page", "check_chain", "export_csv"]


@dataclass(frozen=True)
class AuditRow:
    id: int
    ts: datetime
    operator: str | None
    action: str
    target: str | None
    outcome: str
    detail: str | None
    before: Any
    after: Any


def audit_page(
    db: Database, f: AuditFilter, offset: int = 0, limit: int = 500, actor: Actor | None = None
) -> list[AuditRow]:
    """Entries matching `f`, newest first (`audit.read`: the owner's)."""
    with db.session() as s:
        require(actor, "audit.read", s)
        return [
            AuditRow(
                e.id, e.ts, e.operator, e.action, e.target, e.outcome, e.detail, e.before, e.after
            )
            for e in audit.list_entries(s, f, offset, limit)
        ]


def check_chain(db: Database, actor: Actor | None = None) -> ChainCheck:
    """Walk the hash chain (`verify`)."""
    with db.session() as s:
        require(actor, "verify", s)
        return audit.verify_chain(s)


def export_csv(db: Database, path: str | Path, f: AuditFilter, actor: Actor | None = None) -> int:
    """Write the matching entries to `path` as CSV and audit the export (`audit.export`);
    how many were written."""
    with db.session() as s:
        require(actor, "audit.export", s)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            n = audit.export_csv(s, fh, f)
        record(s, "audit.export", str(path), actor=actor, detail=f"{n} entries; {f.describe()}")
    return n
