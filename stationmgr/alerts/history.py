"""History summaries from the database: the last finished sessions of a card and of a bay.

Reads only the few columns the estimator needs, newest first through the
``(card_id, plugged_at)`` and ``(bay_id, plugged_at)`` indexes, and summarises them with
the pure ``estimator.summarize``. Sessions that were stopped by a fault or closed at start-up
say nothing about how long a driver stays, so they are left out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.alerts.estimator import HistorySummary, PastSession, summarize
from stationmgr.store.models import ChargeSession

LOOKBACK = 20  # sessions per card or bay: recent habits count, old ones fade out
_USABLE_REASONS = ("EVDisconnected", "Local", "Remote")


def _rows(s: Session, where: object, before: datetime | None, limit: int) -> list[PastSession]:
    q = (
        select(
            ChargeSession.energy_wh,
            ChargeSession.plugged_s,
            ChargeSession.charging_s,
            ChargeSession.idle_s,
        )
        .where(where, ChargeSession.stopped_at.is_not(None))
        .where(ChargeSession.stop_reason.in_(_USABLE_REASONS))
    )
    if before is not None:
        q = q.where(ChargeSession.plugged_at < before)
    q = q.order_by(ChargeSession.plugged_at.desc()).limit(limit)
    return [
        PastSession(float(e or 0.0), float(p or 0), float(c or 0), float(i or 0))
        for e, p, c, i in s.execute(q)
        if p
    ]


def card_history(
    s: Session, card_id: int | None, before: datetime | None = None, limit: int = LOOKBACK
) -> HistorySummary:
    """The card's recent finished sessions at any bay (a guest start has none)."""
    if card_id is None:
        return HistorySummary()
    return summarize(_rows(s, ChargeSession.card_id == card_id, before, limit))


def bay_history(
    s: Session, bay_id: int, before: datetime | None = None, limit: int = LOOKBACK
) -> HistorySummary:
    """The bay's recent finished sessions, whoever charged: its typical session."""
    return summarize(_rows(s, ChargeSession.bay_id == bay_id, before, limit))
