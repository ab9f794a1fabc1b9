"""Tariff versions: validation, adding a version, and which versions price a session.

A tariff is never edited: a price change is a new version of the same scope (a card group,
guests, or the site default) with a later `valid_from`. A group or guest scope without a
version in force falls back to the site default, so a group's own price starts on its first
version's date. One currency per site (statements and exports add amounts up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import validate
from stationmgr.access.context import Actor, record, require
from stationmgr.billing.pricing import TIME_BASES, TariffTerms
from stationmgr.clock import to_epoch
from stationmgr.errors import UserError
from stationmgr.store.db import Database
from stationmgr.store.models import CardGroup, Tariff

_CURRENCY = re.compile(r"^[A-Z]{3}$")


# The largest amount a price column holds (PostgreSQL INTEGER), with room for the products
# pricing makes of it: 1,000,000.00 in major units.
MAX_MONEY_MINOR = 100_000_000


def parse_money(text: str | int | float, what: str = "price") -> int:
    """`12.50` or `12,50` (major units, at most 2 decimals) → 1250 minor units.

    Strict (validate.parse_decimal): plain ASCII digits, no `_`, exponent, `nan` or sign; at
    most 1,000,000.00. Anything else is one UserError naming `what`.
    """
    if isinstance(text, float):
        text = repr(text)
    return validate.parse_decimal(text, what, places=2, maximum=MAX_MONEY_MINOR)


def parse_unit_price(
    text: str | int | float, what: str = "price per kWh"
) -> tuple[int, int | None]:
    """A price per unit with up to four decimals (`3.495`, `0,0125`) → (minor units rounded
    half up, for display; the exact price in 1/10 000 of the major unit, or None when two
    decimals hold it)."""
    from stationmgr.billing.pricing import round_half_up

    if isinstance(text, float):
        text = repr(text)
    e4 = validate.parse_decimal(text, what, places=4, maximum=MAX_MONEY_MINOR * 100)
    return round_half_up(e4, 100), (None if e4 % 100 == 0 else e4)


def parse_vat(text: str | int | float) -> int:
    """`25` or `25 %` or `12.5` → basis points; outside 0–100 % → UserError."""
    t = str(text).strip().rstrip("%").strip()
    if t.startswith("-"):
        raise UserError(f"VAT rate must be between 0 and 100 % (got {t[:20]})")
    try:
        return validate.parse_decimal(t, "VAT rate", places=2, maximum=10_000)
    except UserError as e:
        if "at most" in str(e):
            raise UserError(f"VAT rate must be between 0 and 100 % (got {t[:20]})") from None
        raise


def format_minor(minor: int, currency: str = "", sep: str = ",") -> str:
    """1250 → `12,50` (Swedish decimal comma by default), with a currency code if given."""
    sign = "-" if minor < 0 else ""
    m = abs(minor)
    s = f"{sign}{m // 100}{sep}{m % 100:02d}"
    return f"{s} {currency}".strip()


def per_kwh_text(minor: int, e4: int | None, currency: str = "", sep: str = ",") -> str:
    """A price per kWh as set: two decimals, or four when it has them (`3,4951`)."""
    if e4 is None:
        return format_minor(minor, currency, sep)
    s = f"{e4 // 10_000}{sep}{e4 % 10_000:04d}"
    return f"{s} {currency}".strip()


@dataclass
class TariffInput:
    """A new tariff version as typed by the owner (money already in minor units)."""

    name: str
    valid_from: datetime
    currency: str = "SEK"
    group: str | None = None  # card group name; None with guests=False: the site default
    guests: bool = False
    energy_minor_per_kwh: int = 0
    time_minor_per_hour: int = 0
    time_basis: str = "charging"
    start_fee_minor: int = 0
    idle_minor_per_min: int = 0
    idle_grace_min: int = 0
    idle_cap_minor: int | None = None
    vat_bp: int = 2500
    energy_e4_per_kwh: int | None = None  # four decimals (see pricing); None: two suffice
    min_wh: int = 0  # minimum billable session: no start fee below this energy …
    min_s: int = 0  # … or this plugged time

    def validate(self) -> TariffInput:
        if not (self.name or "").strip():
            raise UserError("a tariff needs a name")
        self.name = validate.clean_name(self.name, "tariff name", max_len=80)
        self.currency = (self.currency or "").strip().upper()
        if not _CURRENCY.match(self.currency):
            raise UserError(f"invalid currency {self.currency!r}: expected a code like SEK")
        if self.group and self.guests:
            raise UserError("a tariff is for a card group or for guests, not both")
        for what, v in (
            ("price per kWh", self.energy_minor_per_kwh),
            ("price per hour", self.time_minor_per_hour),
            ("start fee", self.start_fee_minor),
            ("idle fee per minute", self.idle_minor_per_min),
            ("idle grace period", self.idle_grace_min),
            ("idle fee cap", self.idle_cap_minor or 0),
            ("minimum energy", self.min_wh),
            ("minimum time", self.min_s),
        ):
            if v < 0:
                raise UserError(f"{what} must not be negative")
            if v > MAX_MONEY_MINOR:
                raise UserError(f"{what} is too large")
        if not 0 <= self.vat_bp <= 10_000:
            raise UserError("VAT rate must be between 0 and 100 %")
        if self.energy_e4_per_kwh is not None:
            if not 0 <= self.energy_e4_per_kwh <= MAX_MONEY_MINOR * 100:
                raise UserError("price per kWh is out of range")
            if self.energy_e4_per_kwh % 100 == 0:  # two decimals: the plain column holds it
                self.energy_minor_per_kwh = self.energy_e4_per_kwh // 100
                self.energy_e4_per_kwh = None
            else:
                from stationmgr.billing.pricing import round_half_up

                self.energy_minor_per_kwh = round_half_up(self.energy_e4_per_kwh, 100)
        if self.time_basis not in TIME_BASES:
            raise UserError(f"time basis must be one of {', '.join(TIME_BASES)}")
        return self


def _scope(q, group_id: int | None, guests: bool):  # type: ignore[no-untyped-def]
    q = q.where(Tariff.for_guests.is_(guests))
    return q.where(Tariff.group_id.is_(None) if group_id is None else Tariff.group_id == group_id)


def add_tariff(s: Session, t: TariffInput, actor: Actor | None = None) -> Tariff:
    """Append a version to its scope; versions only go forward in time (`tariffs.edit`)."""
    require(actor, "tariffs.edit", s, target=t.name)
    t.validate()
    group_id = None
    if t.group:
        g = s.scalar(select(CardGroup).where(CardGroup.name == t.group.strip()))
        if g is None:
            raise UserError(f"no card group {t.group!r}")
        group_id = g.id
    other = s.scalar(select(Tariff.currency).where(Tariff.currency != t.currency).limit(1))
    if other is not None:
        raise UserError(f"the site's tariffs are in {other}; a tariff in {t.currency} cannot join")
    check_vat_rate(s, t.vat_bp)
    latest = s.scalar(
        _scope(select(Tariff), group_id, t.guests).order_by(Tariff.valid_from.desc()).limit(1)
    )
    if latest is not None and to_epoch(t.valid_from) <= to_epoch(latest.valid_from):
        raise UserError(
            f"a new version must start after the current one ({latest.valid_from:%Y-%m-%d %H:%M}"
            " UTC); tariffs are never edited"
        )
    priced = last_priced_stop(s, group_id, t.guests)
    if priced is not None and to_epoch(t.valid_from) < to_epoch(priced):
        raise UserError(
            f"refused: sessions up to {priced:%Y-%m-%d %H:%M} UTC are already priced; a new"
            " version must start after the last priced session (correct a price instead)"
        )
    row = Tariff(
        name=t.name,
        valid_from=t.valid_from,
        currency=t.currency,
        group_id=group_id,
        for_guests=t.guests,
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
    s.add(row)
    s.flush()
    record(s, "tariffs.edit", f"tariff {row.id} {row.name}", None, terms(row).snapshot(), actor)
    return row


def terms(row: Tariff) -> TariffTerms:
    return TariffTerms(
        id=row.id,
        name=row.name,
        valid_from=to_epoch(row.valid_from),
        currency=row.currency,
        energy_minor_per_kwh=row.energy_minor_per_kwh,
        time_minor_per_hour=row.time_minor_per_hour,
        time_basis=row.time_basis,
        start_fee_minor=row.start_fee_minor,
        idle_minor_per_min=row.idle_minor_per_min,
        idle_grace_min=row.idle_grace_min,
        idle_cap_minor=row.idle_cap_minor,
        vat_bp=row.vat_bp,
        energy_e4_per_kwh=row.energy_e4_per_kwh,
        min_wh=row.min_wh or 0,
        min_s=row.min_s or 0,
    )


def allowed_vat_rates(s: Session) -> tuple[int, ...]:
    """The VAT rates (basis points) a tariff may use: the site setting `vat_rates`, by
    default Sweden's (25, 12, 6, 0 %); the owner widens it only on purpose."""
    from stationmgr.billing.site import site_value

    out = []
    for part in site_value(s, "vat_rates").replace(";", ",").split(","):
        if part.strip():
            out.append(parse_vat(part))
    return tuple(out)


def check_vat_rate(s: Session, vat_bp: int) -> None:
    rates = allowed_vat_rates(s)
    if vat_bp not in rates:
        shown = ", ".join(f"{r / 100:g}" for r in rates)
        raise UserError(
            f"VAT rate {vat_bp / 100:g} % is not one of the site's rates ({shown} %);"
            " the owner can widen them with: site set vat_rates …"
        )


def last_priced_stop(s: Session, group_id: int | None, guests: bool) -> datetime | None:
    """When the latest already-priced session this scope's new version could reprice
    stopped: a group's or the guests' own sessions; for the site default, any session (it
    prices every scope without a version of its own)."""
    from sqlalchemy import func

    from stationmgr.store.billing_models import SessionPrice
    from stationmgr.store.models import ChargeSession

    q = (
        select(func.max(ChargeSession.stopped_at))
        .select_from(ChargeSession)
        .join(SessionPrice, SessionPrice.session_id == ChargeSession.id)
    )
    if guests:
        q = q.where(ChargeSession.start_kind == "guest")
    elif group_id is not None:
        q = q.where(ChargeSession.group_id == group_id)
    return s.scalar(q)


def list_tariffs(s: Session) -> list[Tariff]:
    return list(
        s.scalars(select(Tariff).order_by(Tariff.group_id, Tariff.for_guests, Tariff.valid_from))
    )


def versions_for(s: Session, group_id: int | None, guest: bool) -> list[TariffTerms]:
    """The versions that price a session of this scope: the site default's, overridden from
    the scope's own first version on (guests: the guest tariff; a group: its own)."""
    default = [
        terms(r) for r in s.scalars(_scope(select(Tariff), None, False).order_by(Tariff.valid_from))
    ]
    own: list[TariffTerms] = []
    if guest:
        own = [
            terms(r)
            for r in s.scalars(_scope(select(Tariff), None, True).order_by(Tariff.valid_from))
        ]
    elif group_id is not None:
        own = [
            terms(r)
            for r in s.scalars(_scope(select(Tariff), group_id, False).order_by(Tariff.valid_from))
        ]
    if not own:
        return default
    return [t for t in default if t.valid_from < own[0].valid_from] + own


def site_currency(s: Session) -> str:
    from stationmgr.settings import get_setting

    cur = s.scalar(select(Tariff.currency).limit(1))
    return cur or str(get_setting(s, "currency", "SEK"))


@dataclass(frozen=True)
class TariffRow:
    """One version as the tariff table shows it; `group` None: site default or guests."""

    id: int
    name: str
    for_guests: bool
    group: str | None
    valid_from: datetime  # in the site's time zone
    currency: str
    energy_minor_per_kwh: int
    time_minor_per_hour: int
    time_basis: str
    start_fee_minor: int
    idle_minor_per_min: int
    idle_grace_min: int
    idle_cap_minor: int | None
    vat_bp: int
    energy_e4_per_kwh: int | None = None
    min_wh: int = 0
    min_s: int = 0


@dataclass(frozen=True)
class TariffTable:
    rows: tuple[TariffRow, ...]
    groups: tuple[str, ...]  # card group names, for the scope choice
    tz: tzinfo  # the site's time zone (a new version's start is typed in it)


def tariff_table(db: Database) -> TariffTable:
    """Every version (oldest first per scope) and the card groups (a read: login only)."""
    from stationmgr.billing.site import site_tz

    with db.session() as s:
        tz = site_tz(s)
        groups = dict(s.execute(select(CardGroup.id, CardGroup.name)).all())
        rows = tuple(
            TariffRow(
                t.id,
                t.name,
                t.for_guests,
                groups.get(t.group_id, "?") if t.group_id else None,
                t.valid_from.astimezone(tz),
                t.currency,
                t.energy_minor_per_kwh,
                t.time_minor_per_hour,
                t.time_basis,
                t.start_fee_minor,
                t.idle_minor_per_min,
                t.idle_grace_min,
                t.idle_cap_minor,
                t.vat_bp,
                t.energy_e4_per_kwh,
                t.min_wh or 0,
                t.min_s or 0,
            )
            for t in list_tariffs(s)
        )
    return TariffTable(rows, tuple(sorted(groups.values())), tz)


def add_tariff_version(db: Database, t: TariffInput, actor: Actor | None = None) -> int:
    """`add_tariff` in a unit of work of its own (checked, audited); the new version's id."""
    with db.session() as s:
        return add_tariff(s, t, actor).id


def currency_of(db: Database) -> str:
    """The site's currency (its tariffs', else the `currency` setting)."""
    with db.session() as s:
        return site_currency(s)
