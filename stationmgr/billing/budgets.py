"""Budgets: daily or monthly limits in kWh or money per card or card group.

A card over any budget of its own or of its group is refused at authorisation (a card
policy) with a reason saying which budget; a running session is stopped with DeAuthorized
when it reaches one (a session policy). A session counts in the local day/month of its
plug-in; money is what closed sessions were priced plus the live estimate of running ones.

A card group's budget is shared: every running session of the group counts live (its last
reading), and a sibling that closes while another runs moves from "live" to "closed" in the
running plans at once (`closed_hook`), so two members charging together are both stopped at
their next reading once the group reaches its limit: the group overshoots by at most one
poll's energy (or cost) per running session.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from stationmgr import sessions as sm
from stationmgr.access.context import Actor, require
from stationmgr.auth import CardFacts
from stationmgr.billing.pricing import TariffTerms, estimate_cost
from stationmgr.billing.site import period_start, site_tz
from stationmgr.billing.tariffs import format_minor, parse_money, site_currency, versions_for
from stationmgr.clock import to_datetime
from stationmgr.errors import UserError
from stationmgr.store.billing_models import Budget, SessionPrice
from stationmgr.store.db import Database
from stationmgr.store.models import Card, CardGroup, ChargeSession

log = logging.getLogger(__name__)
PERIOD_WORD = {"day": "daily", "month": "monthly"}


def parse_limit(unit: str, text: str) -> int:
    """A limit as typed: kWh (3 decimals) → Wh, money (2 decimals) → minor units."""
    if unit == "kWh":
        from stationmgr.validate import parse_decimal

        wh = parse_decimal(text, "kWh limit", places=3, maximum=1_000_000_000)
        if wh <= 0:
            raise UserError("a budget limit must be positive")
        return wh
    if unit == "money":
        v = parse_money(text, "budget limit")
        if v <= 0:
            raise UserError("a budget limit must be positive")
        return v
    raise UserError(f"budget unit must be kWh or money (got {unit!r})")


def add_budget(
    s: Session,
    period: str,
    unit: str,
    limit: str,
    card_uid: str | None = None,
    group: str | None = None,
    actor: Actor | None = None,
) -> Budget:
    from stationmgr.cards import get_card

    require(actor, "cards.edit", s, target=card_uid or group)

    if period not in PERIOD_WORD:
        raise UserError("budget period must be 'day' or 'month'")
    if bool(card_uid) == bool(group):
        raise UserError("a budget is for one card or one card group")
    b = Budget(period=period, unit=unit, limit_value=parse_limit(unit, limit))
    if card_uid:
        b.card_id = get_card(s, card_uid).id
    else:
        g = s.scalar(select(CardGroup).where(CardGroup.name == (group or "").strip()))
        if g is None:
            raise UserError(f"no card group {group!r}")
        b.group_id = g.id
    s.add(b)
    s.flush()
    return b


def budgets_for(s: Session, card_id: int | None, group_id: int | None) -> list[Budget]:
    conds = []
    if card_id is not None:
        conds.append(Budget.card_id == card_id)
    if group_id is not None:
        conds.append(Budget.group_id == group_id)
    if not conds:
        return []
    from sqlalchemy import or_

    return list(s.scalars(select(Budget).where(or_(*conds)).order_by(Budget.id)))


def _scope_filter(q, b: Budget):  # type: ignore[no-untyped-def]
    if b.card_id is not None:
        return q.where(ChargeSession.card_id == b.card_id)
    return q.where(ChargeSession.group_id == b.group_id)


def used_closed(s: Session, b: Budget, since: datetime, exclude_uid: str | None = None) -> int:
    """Wh or minor units used by the scope's closed sessions plugged in since `since`."""
    return round(sum(v for _, v in used_closed_by_session(s, b, since, exclude_uid)))


def used_closed_by_session(
    s: Session, b: Budget, since: datetime, exclude_uid: str | None = None
) -> list[tuple[str, float]]:
    """(tx_uid, Wh or minor units) of each closed session of the scope since `since`."""
    if b.unit == "kWh":
        q = select(ChargeSession.tx_uid, ChargeSession.energy_wh)
    else:
        other = aliased(SessionPrice)
        latest = (
            select(func.max(other.revision))
            .where(other.session_id == ChargeSession.id)
            .correlate(ChargeSession)
            .scalar_subquery()
        )
        q = (
            select(ChargeSession.tx_uid, SessionPrice.total_minor)
            .select_from(ChargeSession)
            .join(
                SessionPrice,
                (SessionPrice.session_id == ChargeSession.id) & (SessionPrice.revision == latest),
            )
        )
    q = _scope_filter(q, b).where(
        ChargeSession.plugged_at >= since, ChargeSession.stopped_at.is_not(None)
    )
    if exclude_uid:
        q = q.where(ChargeSession.tx_uid != exclude_uid)
    return [(uid, float(v or 0)) for uid, v in s.execute(q)]


def describe(b: Budget, currency: str, s: Session | None = None) -> str:
    whose = "card" if b.card_id is not None else "card group"
    if s is not None:
        if b.card_id is not None:
            c = s.get(Card, b.card_id)
            whose = f"card {c.uid}" if c else whose
        else:
            g = s.get(CardGroup, b.group_id)
            whose = f"card group {g.name}" if g else whose
    return f"{PERIOD_WORD[b.period]} {'energy' if b.unit == 'kWh' else 'money'} budget of {whose}"


def amount_text(b: Budget, value: float, currency: str) -> str:
    if b.unit == "kWh":
        return f"{value / 1000:.3f} kWh"
    return format_minor(round(value), currency)


@dataclass
class _Rule:
    """One budget of a running session: what closed sessions of its scope used since the
    period began (`before`, kept current as siblings close) and which ones it counts."""

    budget: Budget
    since: datetime
    before: float
    what: str
    counted: set[str]  # tx_uids already in `before`

    def takes(self, card_id: int | None, group_id: int | None, plugged_at: datetime) -> bool:
        b = self.budget
        mine = card_id == b.card_id if b.card_id is not None else group_id == b.group_id
        return mine and plugged_at >= self.since


@dataclass
class _Closed:
    """A session closed while this process runs: what it used, for plans made meanwhile."""

    card_id: int | None
    group_id: int | None
    plugged_at: datetime
    wh: float
    minor: int


@dataclass
class _Plan:
    """What a running session may still use (its budgets, its tariffs)."""

    card_id: int | None
    group_id: int | None
    rules: list[_Rule]
    tariffs: list[TariffTerms]
    currency: str


class BudgetGuard:
    """The card and session policies the engine calls (see `billing.install`).

    Cached: each running session's plan (its budgets, what others used before, its
    tariffs), dropped by `forget_plans` when cards or tariffs change."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._plans: dict[str, _Plan] = {}
        self._live: dict[str, tuple[int | None, int | None, float, int]] = {}
        self._closed: dict[str, _Closed] = {}  # closed during this run (the last 32 days)
        self._lock = threading.Lock()

    # -- authorisation (runs on the writer thread, with its session)
    def card_policy(self, s: Session, facts: CardFacts, when: datetime) -> str | None:
        rules = budgets_for(s, facts.card_id, facts.group_id)
        if not rules:
            return None
        tz = site_tz(s)
        currency = site_currency(s)
        for b in rules:
            since = period_start(when, b.period, tz)
            used = used_closed(s, b, since) + self._live_use(b)
            if used >= b.limit_value:
                return (
                    f"{describe(b, currency, s)} used up: "
                    f"{amount_text(b, used, currency)} of {amount_text(b, b.limit_value, currency)}"
                )
        return None

    def _live_use(self, b: Budget, exclude: str | None = None) -> float:
        with self._lock:
            live = list(self._live.items())
        total = 0.0
        for uid, (card_id, group_id, wh, minor) in live:
            if uid == exclude:
                continue
            mine = card_id == b.card_id if b.card_id is not None else group_id == b.group_id
            if mine:
                total += wh if b.unit == "kWh" else minor
        return total

    # -- running sessions (runs on the engine loop after each reading)
    def session_policy(self, tx: sm.Transaction, now: float) -> str | None:
        a = tx.auth
        if a.card_id is None and a.group_id is None:
            return None
        plan = self._plans.get(tx.uid)
        if plan is None:
            plan = self._plan(tx)
            with self._lock:
                self._catch_up(tx.uid, plan)
                self._plans[tx.uid] = plan
        if not plan.rules:
            return None
        wh = tx.energy_wh  # not rounded: the stop comes at the limit, never before
        minor = 0
        if any(r.budget.unit == "money" for r in plan.rules):
            minor = estimate_cost(tx, plan.tariffs, now).total_minor
        with self._lock:
            self._live[tx.uid] = (a.card_id, a.group_id, wh, minor)
            befores = [r.before for r in plan.rules]
        for r, before in zip(plan.rules, befores, strict=True):
            b = r.budget
            mine = wh if b.unit == "kWh" else minor
            used = before + self._live_use(b, exclude=tx.uid) + mine
            if used >= b.limit_value:
                return (
                    f"{r.what} reached: {amount_text(b, used, plan.currency)} of "
                    f"{amount_text(b, b.limit_value, plan.currency)}"
                )
        return None

    def _catch_up(self, uid: str, plan: _Plan) -> None:
        """Count in a new plan the sessions that closed while it was read (lock held)."""
        for closed_uid, c in self._closed.items():
            if closed_uid == uid:
                continue
            for r in plan.rules:
                if closed_uid not in r.counted and r.takes(c.card_id, c.group_id, c.plugged_at):
                    r.before += c.wh if r.budget.unit == "kWh" else c.minor
                    r.counted.add(closed_uid)

    def _plan(self, tx: sm.Transaction) -> _Plan:
        a = tx.auth
        with self.db.session() as s:
            rules = budgets_for(s, a.card_id, a.group_id)
            tz = site_tz(s)
            currency = site_currency(s)
            when = to_datetime(tx.plugged_at)
            plan_rules = []
            for b in rules:
                since = period_start(when, b.period, tz)
                used = used_closed_by_session(s, b, since, tx.uid)
                plan_rules.append(
                    _Rule(
                        b,
                        since,
                        sum(v for _, v in used),
                        describe(b, currency, s),
                        {uid for uid, _ in used},
                    )
                )
            tariffs = versions_for(s, a.group_id, a.is_guest) if rules else []
            for r in plan_rules:
                s.expunge(r.budget)
        return _Plan(a.card_id, a.group_id, plan_rules, tariffs, currency)

    def forget_plans(self) -> None:
        """Re-read each running session's budgets and tariffs at its next reading (a
        budget or tariff changed: it applies to the sessions already running)."""
        with self._lock:
            self._plans.clear()

    # -- a session closed: its usage moves from live to closed in every running plan
    def closed_hook(self, s: Session, row: ChargeSession) -> None:
        from stationmgr.billing.charges import current_price

        price = current_price(s, row.id)  # priced by the hook before this one
        c = _Closed(
            row.card_id,
            row.group_id,
            row.plugged_at,
            float(row.energy_wh or 0.0),
            price.total_minor if price is not None else 0,
        )
        with self._lock:
            self._live.pop(row.tx_uid, None)
            self._plans.pop(row.tx_uid, None)
            horizon = row.plugged_at - timedelta(days=32)
            for uid in [u for u, x in self._closed.items() if x.plugged_at < horizon]:
                del self._closed[uid]
            self._closed[row.tx_uid] = c
            for plan in self._plans.values():
                for r in plan.rules:
                    if row.tx_uid not in r.counted and r.takes(c.card_id, c.group_id, c.plugged_at):
                        r.before += c.wh if r.budget.unit == "kWh" else c.minor
                        r.counted.add(row.tx_uid)
