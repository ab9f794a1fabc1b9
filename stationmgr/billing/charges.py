"""Pricing a closed session in the database: the stored price, its lines, the ledger entry.

`price_closed_session` runs as a `Persister.closed_hook`, inside the very transaction that
closes the session, so a session is never closed unpriced (nor priced and not in the
ledger). `correct_price` is the only way to change a price afterwards: a new revision plus
a reversal and a new sale in the ledger.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, require
from stationmgr.billing import ledger
from stationmgr.billing.pricing import Pricing, TariffTerms, Usage, price
from stationmgr.billing.tariffs import site_currency, terms, versions_for
from stationmgr.clock import to_datetime, to_epoch
from stationmgr.errors import UserError
from stationmgr.store.billing_models import PricedLine, SessionPrice
from stationmgr.store.models import ChargeSession, Tariff, utcnow
from stationmgr.store.queries import session_energy_curve

log = logging.getLogger(__name__)


def usage_from_row(s: Session, row: ChargeSession) -> Usage:
    assert row.stopped_at is not None
    ep = lambda d: None if d is None else to_epoch(d)  # noqa: E731
    return Usage(
        plugged_at=to_epoch(row.plugged_at),
        stopped_at=to_epoch(row.stopped_at),
        energy_wh=row.energy_wh,
        charging_started_at=ep(row.charging_started_at),
        charging_ended_at=ep(row.charging_ended_at),
        curve=tuple((p.at, p.energy_wh) for p in session_energy_curve(s, row.id)),
    )


def tariffs_for_row(s: Session, row: ChargeSession) -> list[TariffTerms]:
    return versions_for(s, row.group_id, row.start_kind == "guest")


def store_price(
    s: Session, row: ChargeSession, p: Pricing, revision: int = 1, reason: str | None = None
) -> SessionPrice:
    sp = SessionPrice(
        session_id=row.id,
        revision=revision,
        currency=p.currency,
        tariffs=[t.snapshot() for t in p.tariffs],
        net_minor=p.net_minor,
        vat_minor=p.vat_minor,
        total_minor=p.total_minor,
        priced_at=utcnow(),
        reason=reason,
    )
    for i, line in enumerate(p.lines, 1):
        sp.lines.append(
            PricedLine(
                seq=i,
                kind=line.kind,
                tariff_id=line.tariff_id,
                quantity=line.quantity,
                unit=line.unit,
                unit_price_minor=line.unit_price_minor,
                net_minor=line.net_minor,
                vat_bp=line.vat_bp,
                vat_minor=line.vat_minor,
                amount_minor=line.amount_minor,
            )
        )
    s.add(sp)
    s.flush()
    return sp


_warned_no_tariff: list[bool] = []


def price_closed_session(s: Session, row: ChargeSession) -> SessionPrice:
    """The closed hook: price `row` with its scope's tariff versions, store, append to the
    ledger. Idempotent: a session already priced keeps its price."""
    existing = current_price(s, row.id)
    if existing is not None:
        return existing
    versions = tariffs_for_row(s, row)
    if not versions and not _warned_no_tariff:
        # Said once per run: a site that charges nothing should not fill its log.
        _warned_no_tariff.append(True)
        log.warning("no tariff configured: sessions are priced at zero (first: %s)", row.tx_uid)
    p = price(usage_from_row(s, row), versions, site_currency(s))
    if versions and not p.tariffs:
        log.warning(
            "session %s plugged in %s UTC, before any valid tariff: not priced (first valid"
            " from %s UTC)",
            row.tx_uid,
            f"{row.plugged_at:%Y-%m-%d %H:%M}",
            f"{to_datetime(versions[0].valid_from):%Y-%m-%d %H:%M}",
        )
    sp = store_price(s, row, p)
    ledger.append(s, "sale", row, sp, row.stopped_at or utcnow())
    return sp


def current_price(s: Session, session_id: int) -> SessionPrice | None:
    return s.scalar(
        select(SessionPrice)
        .where(SessionPrice.session_id == session_id)
        .order_by(SessionPrice.revision.desc())
        .limit(1)
    )


def correct_price(
    s: Session,
    session_id: int,
    tariff_id: int,
    reason: str,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> SessionPrice:
    """Re-price a closed session with another tariff version: reversal + new sale
    (`billing.correct`)."""
    require(actor, "billing.correct", s, target=f"session {session_id}")
    reason = (reason or "").strip()
    if not reason:
        raise UserError("a correction needs a reason")
    row = s.get(ChargeSession, session_id)
    if row is None:
        raise UserError(f"no session with id {session_id}")
    old = current_price(s, session_id)
    if old is None or row.stopped_at is None:
        raise UserError(f"session {session_id} is not closed and priced yet")
    from stationmgr.billing.invoices import refuse_if_invoiced

    refuse_if_invoiced(s, session_id)
    t = s.get(Tariff, tariff_id)
    if t is None:
        raise UserError(f"no tariff with id {tariff_id}")
    at = now or utcnow()
    old_entry = ledger.sale_entry(s, old.id)
    p = price(usage_from_row(s, row), [terms(t)], t.currency, chosen=True)
    new = store_price(s, row, p, old.revision + 1, reason)
    ledger.append(s, "reversal", row, old, at, old_entry.seq if old_entry else None)
    ledger.append(s, "sale", row, new, at)
    return new
