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

from stationmgr.errors import UserError
from stationmgr.settings import get_setting, set_setting

# key → (what it is, default)
SITE_KEYS: dict[str, tuple[str, str]] = {
    "seller_name": ("seller's name on receipts and statements", "Laddplats AB"),
    "seller_org_number": ("organisation number (Swedish: NNNNNN-NNNN)", ""),
    "seller_address": ("postal address, lines separated by ';'", ""),
    "seller_vat_number": ("VAT registration number (SE…01)", ""),
    "seller_email": ("contact e-mail", ""),
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
    "anchor_file": ("a file (on another disk) the ledger's head codes are appended to", ""),
}
_ORGNR = re.compile(r"^\d{6}-?\d{4}$")


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


def set_site_value(s: Session, key: str, value: str) -> None:
    """Validate and store one site setting."""
    if key not in SITE_KEYS:
        raise UserError(f"unknown site setting {key!r}; known: {', '.join(SITE_KEYS)}")
    if re.search(r"[\x00-\x1f\x7f-\x9f]", value):
        raise UserError(f"{key} must not contain control characters")
    value = value.strip()
    if len(value) > 300:
        raise UserError(f"{key} is longer than 300 characters")
    if key == "seller_org_number" and value and not _ORGNR.match(value):
        raise UserError(f"invalid organisation number {value!r}: expected NNNNNN-NNNN")
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
    if key == "currency" and not re.match(r"^[A-Z]{3}$", value):
        raise UserError(f"invalid currency {value!r}")
    set_setting(s, key, value)


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
