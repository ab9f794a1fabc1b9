"""Billing: tariffs, pricing, receipts, statements, exports, budgets, reconciliation, ledger.

`install(engine)` wires it into a site before the engine starts (`stationmgr.runtime`
calls it): every closed session is priced and appended to the ledger in the transaction
that closes it, budgets refuse cards and stop sessions. It returns a `Billing` handle: the
budget guard and the live estimates behind the cost so far in every bay snapshot.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stationmgr.billing.budgets import BudgetGuard
from stationmgr.billing.live import LiveEstimates, install_live_cost

if TYPE_CHECKING:
    from stationmgr.engine.engine import Engine


@dataclass(frozen=True, slots=True)
class Billing:
    """What billing adds to a running site."""

    budgets: BudgetGuard
    estimates: LiveEstimates

    def changed(self, kinds: Set[str]) -> None:
        """The site's configuration changed: drop what billing keeps of it (a new tariff
        version or budget applies at once, also to running sessions)."""
        if "tariffs" in kinds:
            self.estimates.forget()
        if kinds & {"tariffs", "cards"}:
            self.budgets.forget_plans()


def install(engine: Engine) -> Billing:
    """Register the billing hooks on `engine` (before it starts; once per engine)."""
    from stationmgr.billing.charges import price_closed_session

    guard = BudgetGuard(engine.db)
    engine.persister.closed_hooks.append(price_closed_session)
    engine.persister.closed_hooks.append(guard.closed_hook)
    engine.card_policies.append(guard.card_policy)
    engine.session_policies.append(guard.session_policy)
    estimates = LiveEstimates(engine.db)
    install_live_cost(engine, estimates)  # the cost so far, in every bay snapshot
    return Billing(guard, estimates)


__all__ = ["Billing", "install"]
