"""Receipts: a gapless number when first issued, and an A4 PDF in Swedish or English.

Numbering: the number is taken (max + 1) and stored in one short transaction; `number` is
unique, so of two processes issuing at once one commits and the other retries with the next
number. A process killed mid-issue has committed nothing, so no number is lost; the PDF is
rendered from the stored receipt afterwards (re-printing gives the same number and code).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, require
from stationmgr.billing import ledger
from stationmgr.billing.charges import current_price
from stationmgr.billing.pdf import (
    LANGS,
    prime,
    register_fonts,
    word,
)
from stationmgr.billing.receipt_corrections import (
    CorrectedBy,
    Corrects,
    references,
)
from stationmgr.billing.site import (
    Seller,
    require_seller,
    sek_rate_e6,
    seller,
    site_tz,
    site_values,
)
from stationmgr.clock import to_epoch
from stationmgr.errors import DatabaseBusy, UserError
from stationmgr.store.billing_models import PricedLine, Receipt, SessionPrice
from stationmgr.store.db import Database, busy_error
from stationmgr.store.models import Bay, ChargeSession, utcnow
from stationmgr.store.queries import session_energy_curve

RETRIES = 200


def _issue_once(s: Session, session_id: int, now: datetime) -> Receipt:
    row = s.get(ChargeSession, session_id)
    if row is None:
        raise UserError(f"no session with id {session_id}")
    if row.stopped_at is None:
        raise UserError(f"session {session_id} is still running: no receipt before it stops")
    price = current_price(s, session_id)
    if price is None:
        raise UserError(f"session {session_id} has not been priced")
    existing = s.scalar(select(Receipt).where(Receipt.price_id == price.id))
    if existing is not None:
        return existing
    entry = ledger.sale_entry(s, price.id)
    if entry is None:
        raise UserError(f"session {session_id} is not in the ledger (run stationmgr verify)")
    require_seller(s)  # no number before the seller is identified
    from stationmgr.billing.invoices import claim_for_receipt

    claim_for_receipt(s, session_id)  # refused for a session on an invoice
    rate = sek_rate_e6(s, price.currency)
    number = (s.scalar(select(func.max(Receipt.number))) or 0) + 1
    rec = Receipt(
        number=number,
        session_id=session_id,
        price_id=price.id,
        ledger_seq=entry.seq,
        verification=ledger.verification_code(entry.hash),
        total_minor=price.total_minor,
        currency=price.currency,
        issued_at=now,
        sek_rate_e6=rate,
    )
    s.add(rec)
    s.flush()
    return rec


def issue_receipt(db: Database, session_id: int, now: datetime | None = None) -> Receipt:
    """The session's receipt, numbered now if this is its first issue (safe to race)."""
    return _issuing(db, session_id, now, lambda _s, rec: rec)


def issue_receipt_doc(
    db: Database, session_id: int, now: datetime | None = None
) -> tuple[Receipt, ReceiptDoc]:
    """Issue (or look up) the receipt and read what it prints, in one unit of work."""
    return _issuing(db, session_id, now, lambda s, rec: (rec, receipt_doc(s, rec)))


T = TypeVar("T")


def _issuing(
    db: Database, session_id: int, now: datetime | None, then: Callable[[Session, Receipt], T]
) -> T:
    for attempt in range(RETRIES):
        with db.sessions() as s:
            try:
                rec = _issue_once(s, session_id, now or utcnow())
                out = then(s, rec)
                s.commit()
                return out
            except IntegrityError:  # another process took the number (or the receipt): again
                s.rollback()
            except DBAPIError as e:
                s.rollback()
                if busy_error(e) is None:
                    raise  # not the lock: a retry would fail the same way
            except BaseException:
                s.rollback()
                raise
        time.sleep(min(0.002 * (attempt + 1), 0.05))
    raise DatabaseBusy("the database is busy; could not number the receipt, try again")


@dataclass(frozen=True)
class ReceiptDoc:
    """Everything printed on a receipt (read once, rendered in either language)."""

    seller: Seller
    number: int
    issued_at: datetime
    verification: str
    ledger_hash: str
    session: ChargeSession
    bay_label: str
    price: SessionPrice
    lines: tuple[PricedLine, ...]
    curve: tuple[tuple[float, float], ...]  # (seconds since plug-in, kW)
    energy_curve: tuple[tuple[float, float], ...]  # (seconds since plug-in, Wh delivered)
    tz: object
    corrects: Corrects | None = None  # the earlier receipt this one corrects
    corrected_by: CorrectedBy | None = None  # the later receipt that corrects this one
    sek_rate_e6: int | None = None  # SEK per unit × 10^6 (a receipt in another currency)
    exemption_text: str = ""  # the site's own text for 0 % VAT (else the standard one)


def receipt_doc(s: Session, rec: Receipt) -> ReceiptDoc:
    row = s.get(ChargeSession, rec.session_id)
    price = s.get(SessionPrice, rec.price_id)
    assert row is not None and price is not None
    entry = ledger.sale_entry(s, price.id)
    bay = s.get(Bay, row.bay_id)
    t0 = to_epoch(row.plugged_at)
    points = session_energy_curve(s, row.id)
    curve = tuple((p.at - t0, (p.power_w or 0) / 1000) for p in points)
    energy = tuple((p.at - t0, p.energy_wh) for p in points)
    values = site_values(s)
    tz = site_tz(s, values)
    corrects, corrected_by = references(s, rec, tz)
    return ReceiptDoc(
        seller=seller(s, values),
        number=rec.number,
        issued_at=rec.issued_at,
        verification=rec.verification,
        ledger_hash=entry.hash if entry else "",
        session=row,
        bay_label=bay.label if bay else str(row.bay_id),
        price=price,
        lines=tuple(price.lines),
        curve=curve,
        energy_curve=energy,
        tz=tz,
        corrects=corrects,
        corrected_by=corrected_by,
        sek_rate_e6=rec.sek_rate_e6,
        exemption_text=values.get("vat_exemption_text", ""),
    )


def render_receipt(doc: ReceiptDoc, lang: str = "sv") -> bytes:
    """The receipt as an A4 PDF (bytes): as many pages as its lines need, each with the
    seller, the number and "page k of n"; the priced lines' header repeats on every page."""
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}: use sv or en")
    from stationmgr.billing.receipt_layout import ReceiptLayout

    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    prime(c)
    c.setTitle(f"{word('receipt_short', lang)} {doc.number}")
    c.setAuthor(doc.seller.name)
    ReceiptLayout(c, doc, lang).draw()
    c.save()
    return buf.getvalue()


def qr_payload(doc: ReceiptDoc) -> str:
    """What the QR code says: receipt number, verification code, total and currency."""
    return (
        f"STATIONMGR R{doc.number} {doc.verification} {doc.price.total_minor} {doc.price.currency}"
    )


def receipt_pdf(
    db: Database,
    session_id: int,
    lang: str = "sv",
    now: datetime | None = None,
    actor: Actor | None = None,
) -> tuple[Receipt, bytes]:
    """Issue (or re-print) a session's receipt and render it (`receipts.issue`: the
    accountant's and the owner's)."""
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}: use sv or en")
    with db.session() as s:
        require(actor, "receipts.issue", s, target=f"session {session_id}")
    rec, doc = issue_receipt_doc(db, session_id, now)
    return rec, render_receipt(doc, lang)


def verify_numbering(s: Session, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Receipt numbers run 1..N without a gap, each matches its ledger entry and price."""
    from stationmgr.store.billing_models import LedgerEntry

    rows = s.execute(
        select(
            Receipt.number,
            Receipt.session_id,
            Receipt.total_minor,
            Receipt.verification,
            SessionPrice.session_id,
            SessionPrice.total_minor,
            LedgerEntry.hash,
        )
        .select_from(Receipt)
        .outerjoin(SessionPrice, SessionPrice.id == Receipt.price_id)
        .outerjoin(
            LedgerEntry, (LedgerEntry.price_id == Receipt.price_id) & (LedgerEntry.kind == "sale")
        )
        .order_by(Receipt.number)
    ).all()
    expected = 1
    for number, sid, total, code, price_sid, price_total, entry_hash in rows:
        if number != expected:
            what = "gap" if number > expected else "duplicate"
            return [f"receipt numbering: {what} at number {expected} (next found: {number})"]
        if price_sid is None or entry_hash is None:
            return [f"receipt {number}: its price or ledger entry is missing"]
        if sid != price_sid:
            return [f"receipt {number}: session does not match its price"]
        if total != price_total:
            return [f"receipt {number}: total differs from the priced session"]
        if code != ledger.verification_code(entry_hash):
            return [f"receipt {number}: verification code does not match the ledger"]
        expected += 1
    return []
