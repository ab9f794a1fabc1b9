"""Buyers: the invoice details of a card holder or a card group (ML 17 kap 24 §: the buyer's
name and address, and the VAT number of a company buyer), whether it is invoiced monthly,
and its payment terms. Also the checks of the seller's payment settings (bankgiro,
plusgiro, Swish) that invoices print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, record, require
from stationmgr.errors import UserError
from stationmgr.store.billing_models import Buyer
from stationmgr.store.models import CardGroup, CardHolder
from stationmgr.validate import parse_id, printable

_ORGNR = re.compile(r"^(\d{6})-?(\d{4})$")
_VATNR = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,13}$")
_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")
_BANKGIRO = re.compile(r"^(\d{3,4})-?(\d{4})$")
_PLUSGIRO = re.compile(r"^(\d{1,7})-?(\d)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class BuyerFacts:
    """A buyer as invoices see it (also the snapshot stored on each invoice)."""

    scope: str  # holder | group
    scope_id: int
    scope_name: str
    name: str
    address: tuple[str, ...]
    org_number: str
    vat_number: str
    email: str
    invoice_monthly: bool
    terms_days: int

    @property
    def private(self) -> bool:
        """No organisation number: a private person (offered Swish on the invoice)."""
        return not self.org_number

    def snapshot(self) -> dict[str, object]:
        return {
            "scope": self.scope,
            "scope_id": self.scope_id,
            "name": self.name,
            "address": list(self.address),
            "org_number": self.org_number,
            "vat_number": self.vat_number,
            "email": self.email,
        }


def check_payment_setting(key: str, value: str) -> str:
    """The seller's bankgiro/plusgiro/Swish number or default terms, checked and tidied."""
    v = value.strip()
    if not v:
        return v
    if key == "seller_bankgiro":
        m = _BANKGIRO.match(v)
        if not m or not _mod10_ok(m.group(1) + m.group(2)):
            raise UserError(f"invalid bankgiro number {v[:30]!r}: NNN-NNNN or NNNN-NNNN")
        return f"{m.group(1)}-{m.group(2)}"
    if key == "seller_plusgiro":
        m = _PLUSGIRO.match(v.replace(" ", ""))
        if not m or not _mod10_ok(m.group(1) + m.group(2)):
            raise UserError(f"invalid plusgiro number {v[:30]!r}")
        return f"{m.group(1)}-{m.group(2)}"
    if key == "seller_swish":
        digits = v.replace(" ", "").replace("-", "")
        if not (digits.isdigit() and len(digits) == 10 and digits.startswith("123")):
            raise UserError(f"invalid Swish number {v[:30]!r}: ten digits starting 123")
        return digits
    if key == "invoice_terms_days":
        return str(_terms(v))
    return v


def _mod10_ok(digits: str) -> bool:
    from stationmgr.billing.ocr import luhn_ok

    return luhn_ok(digits)


def _terms(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 365:
        raise UserError(f"invalid payment terms {text[:20]!r}: 0-365 days")
    return int(text)


def resolve(s: Session, holder: str | None, group: str | None) -> tuple[str, int, str]:
    """('holder'|'group', id, name) from a holder or group id or name."""
    if bool(holder) == bool(group):
        raise UserError("give one --holder or one --group")
    text = holder or group or ""
    try:
        rid: int | None = parse_id(text, "id")
    except UserError:
        rid = None
    model = CardHolder if holder else CardGroup
    row = (
        s.get(model, rid) if rid is not None else s.scalar(select(model).where(model.name == text))
    )
    if row is None:
        what = "card holder" if holder else "card group"
        raise UserError(f"no {what} {printable(text)[:60]!r}")
    return ("holder" if holder else "group"), row.id, row.name


def _row(s: Session, scope: str, scope_id: int) -> Buyer | None:
    col = Buyer.holder_id if scope == "holder" else Buyer.group_id
    return s.scalar(select(Buyer).where(col == scope_id))


def facts(s: Session, scope: str, scope_id: int, scope_name: str) -> BuyerFacts:
    """The buyer's details (a holder or group never set up is addressed by its name only)."""
    b = _row(s, scope, scope_id)
    if b is None:
        from stationmgr.billing.site import site_value

        return BuyerFacts(
            scope,
            scope_id,
            scope_name,
            scope_name,
            (),
            "",
            "",
            "",
            False,
            int(site_value(s, "invoice_terms_days") or 30),
        )
    return BuyerFacts(
        scope,
        scope_id,
        scope_name,
        b.name,
        tuple(x.strip() for x in (b.address or "").split(";") if x.strip()),
        b.org_number,
        b.vat_number,
        b.email,
        b.invoice_monthly,
        b.terms_days,
    )


FIELDS = ("name", "address", "org_number", "vat_number", "email", "invoice_monthly", "terms_days")


def set_buyer(
    s: Session,
    holder: str | None,
    group: str | None,
    changes: dict[str, str | bool | int | None],
    actor: Actor | None = None,
) -> BuyerFacts:
    """Create or change a buyer's details (`buyers.edit`); only the fields given change."""
    scope, sid, sname = resolve(s, holder, group)
    clean = {k: v for k, v in changes.items() if v is not None}
    unknown = set(clean) - set(FIELDS)
    if unknown:
        raise UserError(f"unknown buyer field {sorted(unknown)[0]!r}")
    for k, v in clean.items():
        if isinstance(v, str):
            if _CONTROL.search(v):
                raise UserError(f"{k} must not contain control characters")
            clean[k] = v.strip()
            if len(v) > 300:
                raise UserError(f"{k} is longer than 300 characters")
    if clean.get("org_number"):
        m = _ORGNR.match(str(clean["org_number"]))
        if not m:
            raise UserError(f"invalid organisation number {clean['org_number']!r}: NNNNNN-NNNN")
        clean["org_number"] = f"{m.group(1)}-{m.group(2)}"
    if clean.get("vat_number"):
        vat = str(clean["vat_number"]).replace(" ", "").upper()
        if not _VATNR.match(vat):
            raise UserError(f"invalid VAT number {clean['vat_number']!r}: e.g. SE556677889901")
        clean["vat_number"] = vat
    if "email" in clean and clean["email"] and not _EMAIL.match(str(clean["email"])):
        raise UserError(f"invalid e-mail address {str(clean['email'])[:60]!r}")
    if "terms_days" in clean:
        clean["terms_days"] = _terms(str(clean["terms_days"]))
    if "name" in clean and not clean["name"]:
        raise UserError("a buyer needs a name")
    require(actor, "buyers.edit", s, target=f"{scope} {sid}")
    row = _row(s, scope, sid)
    before = None
    if row is None:
        row = Buyer(
            holder_id=sid if scope == "holder" else None,
            group_id=sid if scope == "group" else None,
            name=sname,
            address="",
            org_number="",
            vat_number="",
            email="",
            invoice_monthly=False,
            terms_days=int(check_payment_setting("invoice_terms_days", _default_terms(s))),
        )
        s.add(row)
    else:
        before = {k: getattr(row, k) for k in FIELDS}
    for k, v in clean.items():
        setattr(row, k, v)
    s.flush()
    after = {k: getattr(row, k) for k in FIELDS}
    record(s, "buyers.edit", f"{scope} {sid}", before, after, actor)
    return facts(s, scope, sid, sname)


def _default_terms(s: Session) -> str:
    from stationmgr.billing.site import site_value

    return site_value(s, "invoice_terms_days") or "30"


def monthly_buyers(s: Session) -> list[BuyerFacts]:
    """Every buyer marked for monthly invoicing, holders first, by name."""
    out = []
    for b in s.scalars(select(Buyer).where(Buyer.invoice_monthly.is_(True)).order_by(Buyer.id)):
        if b.holder_id is not None:
            h = s.get(CardHolder, b.holder_id)
            if h is not None:
                out.append(facts(s, "holder", h.id, h.name))
        elif b.group_id is not None:
            g = s.get(CardGroup, b.group_id)
            if g is not None:
                out.append(facts(s, "group", g.id, g.name))
    return sorted(out, key=lambda f: (f.scope != "holder", f.name))


def all_buyers(s: Session) -> list[BuyerFacts]:
    out = []
    for b in s.scalars(select(Buyer).order_by(Buyer.id)):
        scope, sid = ("holder", b.holder_id) if b.holder_id is not None else ("group", b.group_id)
        model = CardHolder if scope == "holder" else CardGroup
        row = s.get(model, sid)
        if row is not None and sid is not None:
            out.append(facts(s, scope, sid, row.name))
    return out
