"""The budget list and a new budget as clients see them (`stationmgr budgets`, the site
API): each opens its own unit of work, checks the permission and audits a change, so the
CLI and a site service list and add budgets with the same code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, record, require
from stationmgr.billing.budgets import PERIOD_WORD, add_budget, amount_text
from stationmgr.billing.tariffs import site_currency
from stationmgr.store.billing_models import Budget
from stationmgr.store.db import Database
from stationmgr.store.models import Card, CardGroup


@dataclass(frozen=True)
class BudgetLine:
    id: int
    target: str  # "card UID" | "group NAME"
    period: str  # daily | monthly
    unit: str
    limit: str  # in its unit, with the site's currency for money


def _line(s: Session, b: Budget, currency: str) -> BudgetLine:
    if b.card_id is not None:
        c = s.get(Card, b.card_id)
        who = f"card {c.uid if c else b.card_id}"
    else:
        g = s.get(CardGroup, b.group_id)
        who = f"group {g.name if g else b.group_id}"
    return BudgetLine(
        b.id, who, PERIOD_WORD[b.period], b.unit, amount_text(b, b.limit_value, currency)
    )


def budget_lines(db: Database, actor: Actor | None = None) -> list[BudgetLine]:
    """Every budget, oldest first (`cards.read`)."""
    with db.session() as s:
        require(actor, "cards.read", s)
        cur = site_currency(s)
        return [_line(s, b, cur) for b in s.scalars(select(Budget).order_by(Budget.id))]


def add_budget_line(
    db: Database,
    period: str,
    unit: str,
    limit: str,
    card_uid: str | None = None,
    group: str | None = None,
    actor: Actor | None = None,
) -> BudgetLine:
    """Add a budget for a card or a group (`cards.edit`, audited as a card change)."""
    with db.session() as s:
        b = add_budget(s, period, unit, limit, card_uid=card_uid, group=group, actor=actor)
        target = f"budget {b.id} for " + (f"card {card_uid}" if card_uid else f"group {group}")
        after = {"period": b.period, "unit": b.unit, "limit": b.limit_value}
        record(s, "cards.edit", target, None, after, actor=actor)
        return _line(s, b, site_currency(s))
