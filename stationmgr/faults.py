"""Charger faults: the fault log, and acknowledging faults (role-checked and audited).

A fault is raised and cleared by the charger (the state machine stores both); an operator
acknowledges it to say "seen, dealt with". Acknowledging is a service like any other:
`faults.acknowledge` is checked, and the change is audited in the same unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.access import audit
from stationmgr.access.context import Actor, operator_name, require
from stationmgr.clock import to_datetime
from stationmgr.errors import UserError
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Fault

ACTION = "faults.acknowledge"


@dataclass(frozen=True)
class FaultRow:
    id: int
    bay_id: int | None
    bay: str
    session_id: int | None
    code: str
    raised_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None


def list_faults(
    s: Session,
    bay_id: int | None = None,
    unacknowledged: bool = False,
    open_only: bool = False,
    limit: int = 100,
) -> list[FaultRow]:
    """Faults, newest first (a read: needs a login, no audit entry)."""
    q = select(Fault).order_by(Fault.raised_at.desc(), Fault.id.desc()).limit(limit)
    if bay_id is not None:
        q = q.where(Fault.bay_id == bay_id)
    if unacknowledged:
        q = q.where(Fault.acknowledged_at.is_(None))
    if open_only:
        q = q.where(Fault.cleared_at.is_(None))
    labels = dict(s.execute(select(Bay.id, Bay.label)).all())
    return [
        FaultRow(
            f.id,
            f.bay_id,
            labels.get(f.bay_id, "") if f.bay_id is not None else "",
            f.session_id,
            f.code,
            f.raised_at,
            f.cleared_at,
            f.acknowledged_at,
            f.acknowledged_by,
        )
        for f in s.scalars(q)
    ]


def acknowledge(
    s: Session,
    now: float,
    bay_id: int | None = None,
    fault_ids: list[int] | None = None,
    actor: Actor | None = None,
    operator: str = "",
    note: str | None = None,
) -> list[int]:
    """Acknowledge the bay's unacknowledged faults (or the faults `fault_ids`) as seen by
    the signed-in operator (`actor`, else the process's; `operator` names who on a site
    without operators). Returns the ids acknowledged; nothing new: nothing audited.

    PermissionDenied (audited) when the role may not; UserError for no target, an unknown
    fault id or no name to record."""
    if (bay_id is None) == (fault_ids is None):
        raise UserError("acknowledge faults by bay or by fault ids (one of the two)")
    target = (
        f"bay {bay_id}" if bay_id is not None else "faults " + ",".join(map(str, fault_ids or []))
    )
    actor = require(actor, ACTION, s, target=target)
    who = (operator_name(actor) or operator or "").strip()
    if not who:
        raise UserError("acknowledging a fault needs the operator's name")
    q = select(Fault).where(Fault.acknowledged_at.is_(None)).order_by(Fault.id)
    if bay_id is not None:
        q = q.where(Fault.bay_id == bay_id)
    else:
        ids = sorted(set(fault_ids or []))
        known = set(s.scalars(select(Fault.id).where(Fault.id.in_(ids))))
        missing = [i for i in ids if i not in known]
        if missing:
            raise UserError(f"no fault with id {missing[0]}")
        q = q.where(Fault.id.in_(ids))
    rows = list(s.scalars(q))
    if not rows:
        return []
    at = to_datetime(now)
    for f in rows:
        f.acknowledged_at = at
        f.acknowledged_by = who[:80]
    done = [f.id for f in rows]
    audit.append(
        s,
        who,
        ACTION,
        target,
        {"acknowledged_by": None},
        {"acknowledged_by": who[:80], "faults": [f"{f.id} {f.code}" for f in rows]},
        detail=note,
        now=now,
    )
    return done


def fault_rows(
    db: Database,
    bay_id: int | None = None,
    unacknowledged: bool = False,
    open_only: bool = False,
    limit: int = 100,
) -> list[FaultRow]:
    """`list_faults` in a unit of work of its own (for clients on a `Database`)."""
    with db.session() as s:
        return list_faults(s, bay_id, unacknowledged, open_only, limit)


def acknowledge_stored(
    db: Database,
    now: float,
    bay_id: int | None = None,
    fault_ids: list[int] | None = None,
    actor: Actor | None = None,
    operator: str = "",
    note: str | None = None,
) -> list[int]:
    """`acknowledge` in a unit of work of its own (no engine writer at hand: back office)."""
    with db.session() as s:
        return acknowledge(s, now, bay_id, fault_ids, actor, operator, note)


__all__ = ["ACTION", "FaultRow", "acknowledge", "acknowledge_stored", "fault_rows", "list_faults"]
