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
from stationmgr.auth import mask_uid
from stationmgr.billing import ledger
from stationmgr.billing.charges import current_price
from stationmgr.billing.pdf import (
    BOLD,
    FONT,
    LANGS,
    LINE_WORD,
    decimal,
    draw_curve,
    draw_qr,
    duration_text,
    money,
    prime,
    quantity_text,
    register_fonts,
    unit_price_text,
    vat_rate_text,
    word,
)
from stationmgr.billing.receipt_corrections import (
    CorrectedBy,
    Corrects,
    draw_corrected_stamp,
    draw_corrects,
    references,
)
from stationmgr.billing.receipt_corrections import W as CW
from stationmgr.billing.site import Seller, seller, site_tz, site_values
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
    from stationmgr.billing.invoices import claim_for_receipt

    claim_for_receipt(s, session_id)  # refused for a session on an invoice
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
    )


def render_receipt(doc: ReceiptDoc, lang: str = "sv") -> bytes:
    """The receipt as an A4 PDF (bytes)."""
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}: use sv or en")
    register_fonts()
    w = lambda k: word(k, lang)  # noqa: E731
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    prime(c)
    c.setTitle(f"{w('receipt_short')} {doc.number}")
    c.setAuthor(doc.seller.name)
    width, height = A4
    left, right = 50, width - 50
    tz = doc.tz
    row = doc.session

    def when(d: datetime | None) -> str:
        return "" if d is None else d.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]

    # Seller and title.
    y = height - 60
    c.setFont(BOLD, 15)
    c.drawString(left, y, doc.seller.name)
    c.setFont(FONT, 9)
    yy = y - 15
    for line in doc.seller.address:
        c.drawString(left, yy, line)
        yy -= 11
    if doc.seller.org_number:
        c.drawString(left, yy, f"{w('org_no')} {doc.seller.org_number}")
        yy -= 11
    if doc.seller.vat_number:
        c.drawString(left, yy, f"{w('vat_no')} {doc.seller.vat_number}")
        yy -= 11
    c.setFont(BOLD, 18)
    c.drawRightString(right, y, CW["title"][lang] if doc.corrects else w("receipt"))
    c.setFont(FONT, 10)
    c.drawRightString(right, y - 18, f"{w('receipt_no')}: {doc.number}")
    c.drawRightString(right, y - 31, f"{w('date')}: {when(doc.issued_at)[:10]}")
    if doc.corrected_by:
        draw_corrected_stamp(c, doc.corrected_by, right, y - 47, lang)
        yy = min(yy, y - 50)
    y = min(yy, y - 40) - 14
    c.setStrokeGray(0.7)
    c.line(left, y, right, y)
    c.setStrokeGray(0)
    if doc.corrects:
        y = draw_corrects(c, doc.corrects, left, y - 16, lang, doc.price.currency) + 2

    # The session.
    y -= 18
    holder_label, holder = w("holder"), row.holder_name or ""
    if row.start_kind == "guest":
        card_text, holder_label, holder = w("guest"), w("started_by"), row.started_by or ""
    else:
        card_text = mask_uid(row.card_uid or "")
    facts = [
        (w("bay"), doc.bay_label),
        (w("card"), card_text),
        (holder_label, holder),
        (w("start"), when(row.plugged_at)),
        (w("stop"), when(row.stopped_at)),
        (w("plugged"), duration_text(row.plugged_s)),
        (w("charging"), duration_text(row.charging_s)),
        (w("idle"), duration_text(row.idle_s)),
        (w("energy"), f"{decimal(row.energy_wh / 1000, 3, lang)} kWh"),
        (
            w("meter"),
            f"{decimal(row.meter_start_wh / 1000, 3, lang)} / "
            f"{decimal((row.meter_stop_wh or 0) / 1000, 3, lang)} kWh",
        ),
    ]
    col_x = (left, left + 235)  # the right column leaves room for long meter readings
    for i, (k, v) in enumerate(facts):
        x = col_x[i // 5]
        yy = y - (i % 5) * 14
        c.setFont(FONT, 9)
        c.drawString(x, yy, f"{k}:")
        c.setFont(BOLD, 9)
        c.drawString(x + (120 if i < 5 else 112), yy, v)
    y -= 5 * 14 + 16

    # Priced lines.
    cols = [
        (w("item"), left, "l"),
        (w("qty"), left + 175, "r"),
        (w("unit_price"), left + 255, "r"),
        (w("net"), left + 320, "r"),
        (w("vat_rate"), left + 370, "r"),
        (w("vat"), left + 425, "r"),
        (w("amount"), right, "r"),
    ]
    c.setFillGray(0.92)
    c.rect(left - 4, y - 4, right - left + 8, 16, stroke=0, fill=1)
    c.setFillGray(0)
    c.setFont(BOLD, 9)
    for title, x, align in cols:
        (c.drawString if align == "l" else c.drawRightString)(x, y, title)
    y -= 16
    c.setFont(FONT, 9)
    for line in doc.lines:
        cells = [
            w(LINE_WORD[line.kind]),
            quantity_text(line.quantity, line.unit, lang),
            unit_price_text(line.unit_price_minor, line.unit, lang),
            money(line.net_minor, lang),
            vat_rate_text(line.vat_bp, lang),
            money(line.vat_minor, lang),
            money(line.amount_minor, lang),
        ]
        for (_, x, align), text in zip(cols, cells, strict=True):
            (c.drawString if align == "l" else c.drawRightString)(x, y, text)
        y -= 14
    c.setStrokeGray(0.7)
    c.line(left, y + 8, right, y + 8)
    c.setStrokeGray(0)
    y -= 6
    cur = doc.price.currency
    for key, value, font in (
        ("net_total", doc.price.net_minor, FONT),
        ("vat_total", doc.price.vat_minor, FONT),
        ("total", doc.price.total_minor, BOLD),
    ):
        c.setFont(font, 10 if key != "total" else 12)
        c.drawRightString(right - 110, y, f"{w(key)}:")
        c.drawRightString(right, y, money(value, lang, cur))
        y -= 16
    tariffs = ", ".join(dict.fromkeys(t.get("name", "") for t in (doc.price.tariffs or [])))
    c.setFont(FONT, 8)
    if tariffs:
        c.drawString(left, y + 16, f"{w('tariff')}: {tariffs}")
    if row.stop_reason:
        c.drawString(left, y + 5, f"{w('reason')}: {row.stop_reason}")

    # Power curve.
    y -= 130
    draw_curve(
        c, doc.curve, left + 20, y, right - left - 20, 100, w("power_curve"), w("no_samples"), lang
    )

    # Verification code and QR.
    y -= 150
    qr_text = qr_payload(doc)
    draw_qr(c, qr_text, right - 100, y, 100)
    c.setFont(FONT, 9)
    c.drawString(left, y + 80, f"{w('verification')}:")
    c.setFont(BOLD, 13)
    c.drawString(left, y + 62, doc.verification)
    c.setFont(FONT, 8)
    c.drawString(left, y + 46, w("ledger_note"))
    c.drawString(left, y + 34, f"{w('session')}: {row.tx_uid}")
    if doc.seller.email:
        c.drawString(left, y + 22, doc.seller.email)
    c.showPage()
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
