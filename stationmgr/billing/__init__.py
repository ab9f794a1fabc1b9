"""Billing: tariffs, pricing, receipts, statements, exports, budgets, reconciliation, ledger.

`install(engine)` wires it into a running site: every closed session is priced and appended
to the ledger in the transaction that closes it, budgets refuse cards and stop sessions, and
`engine.live_estimates.estimate(tx, now)` gives the board a running session's cost. The
engine calls it itself, so billing is on by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stationmgr.engine.engine import Engine


def install(engine: Engine) -> Any:
    """Register the billing hooks on `engine` (idempotent); returns the budget guard."""
    from stationmgr.billing.budgets import BudgetGuard
    from stationmgr.billing.charges import price_closed_session

    guard = getattr(engine, "budget_guard", None)
    if guard is not None:
        return guard
    from stationmgr.billing.live import LiveEstimates

    guard = BudgetGuard(engine.db)
    engine.live_estimates = LiveEstimates(engine.db)  # type: ignore[attr-defined]
    engine.persister.closed_hooks.append(price_closed_session)
    engine.persister.closed_hooks.append(guard.closed_hook)
    engine.card_policies.append(guard.card_policy)
    engine.session_policies.append(guard.session_policy)
    engine.budget_guard = guard  # type: ignore[attr-defined]
    return guard
