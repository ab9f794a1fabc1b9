"""Seller details, the site's time zone and calendar periods (days and months are local).

Seller details come from site settings (`stationmgr site set seller_name "…"`); receipts
and statements print them, SIE exports name the company by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from stationmgr.access.context import Actor
from stationmgr.errors import UserError
from stationmgr.settings import get_setting, set_setting
from stationmgr.store.db import Database

# key → (what it is, default)
SITE_KEYS: dict[str, tuple[str, str]] = {
    "seller_name": ("seller's name on receipts and statements", ""),
    "seller_org_number": ("organisation number (Swedish: NNNNNN-NNNN)", ""),
    "seller_address": ("postal address, lines separated by ';'", ""),
    "seller_vat_number": ("VAT registration number (SE…01)", ""),
    "seller_email": ("contact e-mail", ""),
    "seller_bankgiro": ("bankgiro number for invoice payments (NNN-NNNN or NNNN-NNNN)", ""),
    "seller_plusgiro": ("plusgiro number for invoice payments", ""),
    "seller_swish": ("Swish number for private customers' invoices (123 456 78 90)", ""),
    "invoice_terms_days": ("payment terms of invoices in days (a buyer may have its own)", "30"),
    "seller_vat_registered": (
        "yes/no: registered for VAT (then the VAT number is required)",
        "yes",
    ),
    "vat_rates": (
        "VAT rates (%) a tariff may use, comma-separated; Sweden's: 25,12,6,0",
        "25,12,6,0",
    ),
    "vat_exemption_text": ("text printed on 0 % VAT lines (the exempting provision)", ""),
    "exchange_rate_sek": ("SEK per unit of the site's currency (VAT in SEK on documents)", ""),
    "csv_dialect": ("CSV files: 'excel-sv' (semicolon, decimal comma, BOM) or 'plain'", "plain"),
    "timezone": ("the site's time zone (days and months are local)", "Europe/Stockholm"),
    "currency": ("currency before any tariff exists", "SEK"),
    "sie_account_sales": ("SIE: sales account at 25 % VAT", "3001"),
    "sie_account_sales_12": ("SIE: sales account at 12 % VAT", "3002"),
    "sie_account_sales_6": ("SIE: sales account at 6 % VAT", "3003"),
    "sie_account_sales_0": ("SIE: sales account without VAT (0 %, exempt)", "3004"),
    "sie_account_vat": ("SIE: output VAT account (25 %)", "2611"),
    "sie_account_vat_12": ("SIE: output VAT account (12 %)", "2621"),
    "sie_account_vat_6": ("SIE: output VAT account (6 %)", "2631"),
    "sie_account_debit": ("SIE: receivables for sales on credit (card holders)", "1510"),
    "sie_account_paid": ("SIE: sales paid at the site (guests: card/Swish)", "1580"),
    "sie_voucher_series": ("SIE: voucher series (numbers run through the fiscal year)", "L"),
    "sie_voucher_per": ("SIE: one voucher per 'day' or per 'receipt'", "day"),
    "sie_kptyp": ("SIE: chart of accounts type (#KPTYP)", "EUBAS97"),
    "sie_objects": ("SIE: object dimensions: '', 'bay', 'customer' or 'bay,customer'", ""),
    "fiscal_year_start": ("first month of the fiscal year (1-12), for SIE #RAR", "1"),
    "ocpp_pending": ("OCPP: keep unregistered charge points as pending (yes/no)", "no"),
    "anchor_file": ("a file (on another disk) the ledger's head codes are appended to", ""),
}
_ORGNR = re.compile(r"^\d{6}-?\d{4}$")
_VATNR = re.compile(r"^(SE\d{10}01|(?!SE)[A-Z]{2}[0-9A-Z]{2,13})$")


@dataclass(frozen=True)
class Seller:
    name: str
    org_number: str
    address: tuple[str, ...]
    vat_number: str
    email: str


def site_value(s: Session, key: str) -> str:
    return str(get_setting(s, key, SITE_KEYS[key][1]) or "")


def site_values(s: Session) -> dict[str, str]:
    """Every billing site setting (defaults filled in), in one query."""
    from sqlalchemy import select

    from stationmgr.store.models import SiteSetting

    q = select(SiteSetting.key, SiteSetting.value).where(SiteSetting.key.in_(list(SITE_KEYS)))
    stored = {k: v for k, v in s.execute(q)}
    return {k: str(stored.get(k) or default) for k, (_, default) in SITE_KEYS.items()}


def seller(s: Session, values: dict[str, str] | None = None) -> Seller:
    v = values or site_values(s)
    addr = tuple(x.strip() for x in v["seller_address"].split(";") if x.strip())
    return Seller(
        v["seller_name"], v["seller_org_number"], addr, v["seller_vat_number"], v["seller_email"]
    )


SELLER_FIELDS = (
    ("seller_name", "name"),
    ("seller_org_number", "organisation number"),
    ("seller_address", "address"),
)


def missing_seller_details(v: dict[str, str]) -> list[str]:
    """What a numbered document still lacks of the seller (empty: all set)."""
    missing = [what for key, what in SELLER_FIELDS if not v.get(key, "").strip(" ;")]
    if v.get("seller_vat_registered", "yes") == "yes" and not v.get("seller_vat_number"):
        missing.append("VAT number")
    return missing


def require_seller(s: Session) -> Seller:
    """The seller, or one UserError naming what is missing: no receipt or invoice number
    is issued before the seller's name, organisation number, address and (if registered
    for VAT) VAT number are set (ML 17:24; a simplified invoice must identify the seller)."""
    v = site_values(s)
    missing = missing_seller_details(v)
    if missing:
        raise UserError(
            f"seller details missing ({', '.join(missing)}): set them in Settings → Seller or"
            " with `stationmgr site set seller_…` before the first number is issued"
        )
    return seller(s, v)


def sek_rate_e6(s: Session, currency: str) -> int | None:
    """SEK per unit of `currency` × 10^6 for VAT in SEK on a document; None for SEK. A
    document in another currency is refused until the owner sets `exchange_rate_sek`."""
    if currency == "SEK":
        return None
    from stationmgr.validate import parse_decimal

    text = site_value(s, "exchange_rate_sek")
    if not text:
        raise UserError(
            f"the site's prices are in {currency}: set exchange_rate_sek (SEK per {currency})"
            " so documents can show VAT in SEK"
        )
    return parse_decimal(text, "exchange rate", places=6, maximum=10**12)


def set_site_value(s: Session, key: str, value: str) -> None:
    """Validate and store one site setting."""
    set_setting(s, key, check_site_value(key, value))


def save_site_values(db: Database, values: dict[str, str], actor: Actor | None = None) -> None:
    """Several site settings in one unit of work (the first-run wizard's seller details and
    time zone): all checked first, then stored and audited (`settings.edit`)."""
    from stationmgr.access.context import record, require

    checked = {k: check_site_value(k, v) for k, v in values.items()}
    with db.session() as s:
        require(actor, "settings.edit", s, target="site seller")
        for key, value in checked.items():
            before = site_value(s, key)
            set_setting(s, key, value)
            record(s, "settings.edit", f"site {key}", {key: before}, {key: value}, actor)


def check_site_value(key: str, value: str) -> str:
    """One site setting checked (UserError naming it) and cleaned, not stored."""
    if key not in SITE_KEYS:
        raise UserError(f"unknown site setting {key!r}; known: {', '.join(SITE_KEYS)}")
    if re.search(r"[\x00-\x1f\x7f-\x9f]", value):
        raise UserError(f"{key} must not contain control characters")
    value = value.strip()
    if len(value) > 300:
        raise UserError(f"{key} is longer than 300 characters")
    if key == "seller_org_number" and value and not _ORGNR.match(value):
        raise UserError(f"invalid organisation number {value!r}: expected NNNNNN-NNNN")
    if key in ("seller_bankgiro", "seller_plusgiro", "seller_swish", "invoice_terms_days"):
        from stationmgr.billing.buyers import check_payment_setting

        value = check_payment_setting(key, value)
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(f"unknown time zone {value!r}") from None
    if key.startswith("sie_account") and not (value.isdigit() and len(value) == 4):
        raise UserError(f"invalid account {value!r}: expected a 4-digit BAS account")
    if key == "sie_voucher_per" and value not in ("day", "receipt"):
        raise UserError("sie_voucher_per must be 'day' or 'receipt'")
    if key == "sie_voucher_series" and not re.fullmatch(r"[A-Z0-9]{1,4}", value):
        raise UserError("sie_voucher_series must be 1-4 letters or digits (e.g. L)")
    if key == "sie_kptyp" and value not in ("BAS95", "BAS96", "EUBAS97", "NE2007", "BAS2014"):
        raise UserError("sie_kptyp must be one of BAS95, BAS96, EUBAS97, NE2007, BAS2014")
    if key == "sie_objects" and not set(filter(None, value.split(","))) <= {"bay", "customer"}:
        raise UserError("sie_objects must be '', 'bay', 'customer' or 'bay,customer'")
    if key == "anchor_file" and value and not value.startswith("/") and ":" not in value[:3]:
        raise UserError("anchor_file must be an absolute path")
    if key == "fiscal_year_start" and not (value.isdigit() and 1 <= int(value) <= 12):
        raise UserError("fiscal_year_start must be a month number 1-12")
    if key == "ocpp_pending" and value not in ("yes", "no"):
        raise UserError("ocpp_pending must be 'yes' or 'no'")
    if key == "seller_vat_number" and value and not _VATNR.match(value.replace(" ", "")):
        raise UserError(f"invalid VAT number {value!r}: expected e.g. SE556677889901")
    if key == "seller_vat_registered" and value not in ("yes", "no"):
        raise UserError("seller_vat_registered must be 'yes' or 'no'")
    if key == "vat_rates":
        from stationmgr.billing.tariffs import parse_vat

        parts = [p for p in value.replace(";", ",").split(",") if p.strip()]
        if not parts:
            raise UserError("vat_rates needs at least one rate, e.g. 25,12,6,0")
        for p in parts:
            parse_vat(p)
    if key == "exchange_rate_sek" and value:
        from stationmgr.validate import parse_decimal

        if parse_decimal(value, "exchange rate", places=6, maximum=10**12) <= 0:
            raise UserError("the exchange rate must be positive")
    if key == "csv_dialect" and value not in ("excel-sv", "plain"):
        raise UserError("csv_dialect must be 'excel-sv' or 'plain'")
    if key == "currency" and not re.match(r"^[A-Z]{3}$", value):
        raise UserError(f"invalid currency {value!r}")
    return value


def csv_dialect(s: Session) -> str:
    """The site's CSV dialect for billing files: `plain` or `excel-sv` (see csv_safe)."""
    value = site_value(s, "csv_dialect")
    return value if value in ("plain", "excel-sv") else "plain"


def site_tz(s: Session, values: dict[str, str] | None = None) -> ZoneInfo:
    name = (values or {}).get("timezone") or site_value(s, "timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Stockholm")


def parse_month(text: str) -> tuple[int, int]:
    """`YYYY-MM` → (year, month); anything else → UserError."""
    from stationmgr.validate import MAX_YEAR, MIN_YEAR

    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", (text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UserError(f"invalid month {str(text)[:40]!r}: expected YYYY-MM")
    if not MIN_YEAR <= int(m.group(1)) <= MAX_YEAR:
        raise UserError(f"invalid month {text!r}: the year must be {MIN_YEAR} … {MAX_YEAR}")
    return int(m.group(1)), int(m.group(2))


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local month [start, end) as UTC datetimes."""
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def period_start(now: datetime, period: str, tz: ZoneInfo) -> datetime:
    """Start (UTC) of the local day or month containing `now`."""
    local = now.astimezone(tz)
    if period == "day":
        start = datetime(local.year, local.month, local.day, tzinfo=tz)
    else:
        start = datetime(local.year, local.month, 1, tzinfo=tz)
    return start.astimezone(UTC)


def local(dt: datetime, tz: ZoneInfo) -> datetime:
    return dt.astimezone(tz)


def days(start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
    out = []
    d = start.astimezone(tz)
    while d < end:
        out.append(d)
        d = datetime(d.year, d.month, d.day, tzinfo=tz) + timedelta(days=1)
    return out
