"""The accounts area's core rows as wire models and back (cards, card dialog): kept out of
`local.py` so the client stays a list of calls. No database access here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stationmgr.card_editor import BudgetChanges, CardForm
from stationmgr.card_rows import CardRow
from stationmgr.cards import CardInput
from stationmgr.client import models as m
from stationmgr.errors import UserError


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def parse_time(text: str | None, what: str) -> datetime | None:
    """An ISO 8601 time from the wire (naive = UTC); None for none."""
    if text is None or not text.strip():
        return None
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{what}: not an ISO 8601 time: {text[:40]!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def card_list_row(r: CardRow, now: datetime) -> m.CardListRow:
    return m.CardListRow(
        card_id=r.card_id,
        uid=r.uid,
        label=r.label,
        holder=r.holder,
        group=r.group,
        blocked=r.blocked,
        group_blocked=r.group_blocked,
        valid_from=_iso(r.valid_from),
        valid_to=_iso(r.valid_to),
        bays=list(r.bays),
        max_concurrent=r.max_concurrent,
        max_current_a=r.max_current_a,
        note=r.note,
        status=str(r.status(now)),
    )


def card_form_wire(f: CardForm) -> m.CardForm:
    return m.CardForm(
        card_id=f.card_id,
        uid_text=f.uid_text,
        label=f.label,
        holder=f.holder,
        group=f.group,
        valid_from=_iso(f.valid_from),
        valid_to=_iso(f.valid_to),
        max_concurrent=f.max_concurrent,
        max_current_a=f.max_current_a,
        blocked=f.blocked,
        note=f.note,
        allowed_bay_ids=sorted(f.allowed_bay_ids),
        budgets=[m.BudgetLine(b.budget_id, b.period, b.amount) for b in f.budgets],
        kind=f.kind,
    )


def card_changes(c: m.CardSave) -> tuple[CardInput, BudgetChanges]:
    """The card as the core checks it (`CardInput.validate`) and its budget changes. An
    edit that does not name the kind is checked by `update_card`, as the card's own kind (a
    vehicle's id tag is not a card number)."""
    card = CardInput(
        uid=c.uid,
        label=c.label,
        holder=c.holder,
        group=c.group,
        blocked=c.blocked,
        valid_from=parse_time(c.valid_from, "valid from"),
        valid_to=parse_time(c.valid_to, "valid to"),
        allowed_bays=tuple(c.allowed_bays),
        max_concurrent=c.max_concurrent,
        max_current_a=c.max_current_a,
        note=c.note,
        kind=c.kind,
    )
    if c.kind is not None or c.card_id is None:
        card.validate()
    budgets = BudgetChanges(
        tuple((b.period, b.unit, b.limit) for b in c.add_budgets), tuple(c.remove_budgets)
    )
    return card, budgets


# ---------------------------------------------------------------- billing


def tariffs_wire(table: object) -> m.Tariffs:
    from stationmgr.billing.tariffs import TariffTable

    assert isinstance(table, TariffTable)
    rows = [
        m.TariffVersion(
            id=t.id,
            name=t.name,
            for_guests=t.for_guests,
            group=t.group,
            valid_from=t.valid_from.isoformat(timespec="minutes"),
            currency=t.currency,
            energy_minor_per_kwh=t.energy_minor_per_kwh,
            time_minor_per_hour=t.time_minor_per_hour,
            time_basis=t.time_basis,
            start_fee_minor=t.start_fee_minor,
            idle_minor_per_min=t.idle_minor_per_min,
            idle_grace_min=t.idle_grace_min,
            idle_cap_minor=t.idle_cap_minor,
            vat_bp=t.vat_bp,
            energy_e4_per_kwh=t.energy_e4_per_kwh,
            min_wh=t.min_wh,
            min_s=t.min_s,
        )
        for t in table.rows
    ]
    return m.Tariffs(rows, list(table.groups), str(getattr(table.tz, "key", "UTC")))


TERM_FIELDS = (
    "energy_minor_per_kwh",
    "time_minor_per_hour",
    "time_basis",
    "start_fee_minor",
    "idle_minor_per_min",
    "idle_grace_min",
    "idle_cap_minor",
    "vat_bp",
    "energy_e4_per_kwh",
    "min_wh",
    "min_s",
)


def new_tariff(t: Any) -> m.NewTariff:
    """A checked `TariffInput` (a form's, the CLI's) as the wire's new version: the one
    place the two shapes meet, with `tariff_input` for the way back."""
    terms = {k: getattr(t, k) for k in TERM_FIELDS}
    return m.NewTariff(
        name=t.name,
        valid_from=t.valid_from.isoformat(),
        currency=t.currency,
        group=t.group,
        guests=t.guests,
        **terms,
    )


def tariff_input(t: m.NewTariff) -> object:
    """The wire's new version as the core's `TariffInput` (checked by `validate`)."""
    from stationmgr.billing.tariffs import TariffInput

    valid_from = parse_time(t.valid_from, "valid from")
    if valid_from is None:
        raise UserError("a tariff version needs its start (valid_from)")
    return TariffInput(
        name=t.name,
        valid_from=valid_from.astimezone(UTC),
        currency=t.currency,
        group=t.group,
        guests=t.guests,
        **{k: getattr(t, k) for k in TERM_FIELDS},
    ).validate()


def b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------- access


def audit_entry_wire(e: object) -> m.AuditEntry:
    return m.AuditEntry(
        e.id,  # type: ignore[attr-defined]
        _iso(e.ts) or "",  # type: ignore[attr-defined]
        e.operator,  # type: ignore[attr-defined]
        e.action,  # type: ignore[attr-defined]
        e.target,  # type: ignore[attr-defined]
        e.outcome,  # type: ignore[attr-defined]
        e.detail,  # type: ignore[attr-defined]
        e.before,  # type: ignore[attr-defined]
        e.after,  # type: ignore[attr-defined]
    )


def operator_row_wire(o: object) -> m.OperatorRow:
    return m.OperatorRow(
        o.username,  # type: ignore[attr-defined]
        o.display_name,  # type: ignore[attr-defined]
        str(o.role),  # type: ignore[attr-defined]
        bool(o.active),  # type: ignore[attr-defined]
        _iso(o.locked_until),  # type: ignore[attr-defined]
        _iso(o.last_login_at),  # type: ignore[attr-defined]
    )
