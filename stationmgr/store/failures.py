"""Records the engine's writer could not store, for the owner (`stationmgr db failures`).

The writer keeps each one in `persist_failures` when its handler raised (see
`engine.writer`); this module only reads them.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr.store.models import PersistFailure


def list_failures(s: Session, limit: int = 50) -> list[PersistFailure]:
    """The newest failed records first."""
    q = select(PersistFailure).order_by(PersistFailure.id.desc()).limit(limit)
    return list(s.scalars(q))


def count_failures(s: Session) -> int:
    return s.scalar(select(func.count(PersistFailure.id))) or 0
