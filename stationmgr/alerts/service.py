"""Alert services for the GUI and the CLI: list alerts, acknowledge one (audited).

Acknowledging says "an operator has seen this"; the alert stays open until its condition
ends. With an engine running, ``acknowledge(engine=..., ...)`` queues the acknowledgement for
the engine's single writer and publishes ``AlertAcknowledged`` on its bus; without one (the
CLI, a back-office PC) it is written in the caller's unit of work. Either way the change
and its audit entry (action ``alerts.acknowledge``) are committed together.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from stationmgr.access import audit
from stationmgr.access.context import Actor, operator_name, require
from stationmgr.alerts.events import AlertAcknowledged
from stationmgr.clock import to_datetime
from stationmgr.errors import UserError
from stationmgr.store.alert_models import Alert
from stationmgr.store.db import Database

if TYPE_CHECKING:
    from stationmgr.engine import Engine

AUDIT_ACTION = "alerts.acknowledge"


def find_alert(s: Session, ref: str | int) -> Alert:
    """An alert by id or uid, or UserError."""
    text = str(ref).strip()
    as_id = int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None
    row = s.get(Alert, as_id) if as_id is not None else None
    if row is None:
        row = s.scalar(select(Alert).where(Alert.uid == text))
    if row is None:
        raise UserError(f"no alert {text!r}")
    return row


def acknowledge_in_session(
    s: Session, ref: str | int, operator: str, now: float, note: str | None = None
) -> Alert:
    """Mark an alert seen by `operator` and audit it, inside the caller's unit of work.

    The permission (``alerts.acknowledge``) is the caller's to check first (``acknowledge``
    and ``acknowledge_now`` do). Acknowledging twice keeps the first acknowledgement (and
    audits nothing new)."""
    if not operator or not operator.strip():
        raise UserError("acknowledging an alert needs the operator's name")
    row = find_alert(s, ref)
    if row.acknowledged_at is not None:
        return row
    before = {"acknowledged_by": None}
    row.acknowledged_at = to_datetime(now)
    row.acknowledged_by = operator.strip()
    target = f"alert {row.id} {row.kind}" + (f" bay {row.bay_id}" if row.bay_id else "")
    audit.append(
        s,
        operator.strip(),
        AUDIT_ACTION,
        target,
        before,
        {"acknowledged_by": operator.strip()},
        detail=note,
        now=now,
    )
    return row


def acknowledge(
    engine: Engine,
    uid: str,
    operator: str = "",
    note: str | None = None,
    actor: Actor | None = None,
) -> None:
    """Acknowledge through a running engine's writer (thread-safe; returns at once).

    The signed-in operator (`actor`, else the process's) must be allowed
    ``alerts.acknowledge``; a refusal is audited and raised as PermissionDenied. On a site
    without operators the name given is recorded."""
    with engine.db.session() as s:
        actor = require(actor, AUDIT_ACTION, s, target=f"alert {uid}")
    who = operator_name(actor) or operator
    if not who or not who.strip():
        raise UserError("acknowledging an alert needs the operator's name")
    engine.record(AlertAcknowledged(uid, who.strip(), engine.clock.now(), note))


def acknowledge_now(
    s: Session,
    ref: str | int,
    operator: str = "",
    now: float | None = None,
    note: str | None = None,
    actor: Actor | None = None,
) -> Alert:
    """Acknowledge without an engine (CLI, back office): permission, change and audit in
    the caller's unit of work."""
    actor = require(actor, AUDIT_ACTION, s, target=f"alert {ref}")
    who = operator_name(actor) or operator
    return acknowledge_in_session(s, ref, who, time.time() if now is None else now, note)


@dataclass(frozen=True)
class AlertFilter:
    since: datetime | None = None
    until: datetime | None = None
    open_only: bool = False
    unacknowledged: bool = False
    bay_id: int | None = None
    kind: str | None = None


def list_alerts(s: Session, f: AlertFilter | None = None, limit: int = 500) -> list[Alert]:
    """Alerts newest first (open ones first when `open_only` is off)."""
    f = f or AlertFilter()
    q = select(Alert)
    if f.since is not None:
        q = q.where(or_(Alert.raised_at >= f.since, Alert.cleared_at.is_(None)))
    if f.until is not None:
        q = q.where(Alert.raised_at < f.until)
    if f.open_only:
        q = q.where(Alert.cleared_at.is_(None))
    if f.unacknowledged:
        q = q.where(Alert.acknowledged_at.is_(None))
    if f.bay_id is not None:
        q = q.where(Alert.bay_id == f.bay_id)
    if f.kind:
        q = q.where(Alert.kind == f.kind)
    q = q.order_by(Alert.cleared_at.is_not(None), Alert.raised_at.desc(), Alert.id.desc())
    return list(s.scalars(q.limit(limit)))


@dataclass(frozen=True)
class AlertRow:
    """One alert as the alerts page shows it (no ORM object leaves the unit of work)."""

    id: int
    uid: str
    kind: str
    where: str  # the bay's label, else the charger's name
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    cleared_at: datetime | None
    detail: str


def alert_rows(db: Database, open_only: bool = False, limit: int = 500) -> list[AlertRow]:
    """Alerts, open ones first, newest first (a read: login, no audit)."""
    from stationmgr.store.models import Bay, Charger

    with db.session() as s:
        bays = dict(s.execute(select(Bay.id, Bay.label)).all())
        chargers = dict(s.execute(select(Charger.id, Charger.name)).all())
        return [
            AlertRow(
                a.id,
                a.uid,
                a.kind,
                bays.get(a.bay_id) or chargers.get(a.charger_id) or "",
                a.raised_at,
                a.acknowledged_at,
                a.acknowledged_by,
                a.cleared_at,
                a.detail or "",
            )
            for a in list_alerts(s, AlertFilter(open_only=open_only), limit)
        ]


def acknowledge_stored(db: Database, ref: str | int, operator: str = "") -> None:
    """`acknowledge_now` in a unit of work of its own (no engine running: back office)."""
    with db.session() as s:
        acknowledge_now(s, ref, operator)
