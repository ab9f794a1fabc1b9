"""Invoices and credit notes as A4 PDFs in Swedish or English.

What ML 17 kap 24 § asks of a full invoice is on the first page: date and number, the
seller's and the buyer's names and addresses, both VAT numbers (the buyer's when it is a
company), what was supplied (the sessions: per session up to `LINES_MAX`, else a summary
with a session annex), the taxable amount and VAT per rate, and the total. A credit note
also names the invoice it changes (number and date) and why. Payment details follow:
bankgiro/plusgiro with the OCR reference, and a Swish QR code for a private buyer.
An invoice that was credited is printed as it was issued, stamped "credited by N".
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.auth import mask_uid
from stationmgr.billing.invoices import credit_note_of, document_code, paid_minor
from stationmgr.billing.pdf import (
    BOLD,
    FONT,
    LANGS,
    decimal,
    draw_qr,
    money,
    prime,
    register_fonts,
    vat_in_sek_lines,
    vat_rate_text,
    word,
)
from stationmgr.billing.site import Seller, seller, site_tz, site_values
from stationmgr.errors import UserError
from stationmgr.store.billing_models import Invoice, InvoiceEvent
from stationmgr.store.models import Bay, ChargeSession

LINES_MAX = 15  # more sessions than this: a summary on page 1 and an annex

W: dict[str, dict[str, str]] = {
    "invoice": {"sv": "FAKTURA", "en": "INVOICE"},
    "credit": {"sv": "KREDITFAKTURA", "en": "CREDIT NOTE"},
    "number": {"sv": "Fakturanummer", "en": "Invoice number"},
    "credit_number": {"sv": "Kreditfakturanummer", "en": "Credit note number"},
    "date": {"sv": "Fakturadatum", "en": "Invoice date"},
    "due": {"sv": "Förfallodatum", "en": "Due date"},
    "terms": {"sv": "Betalningsvillkor", "en": "Payment terms"},
    "terms_days": {"sv": "{n} dagar netto", "en": "{n} days net"},
    "period": {"sv": "Period", "en": "Period"},
    "ocr": {"sv": "OCR-nummer", "en": "OCR reference"},
    "buyer": {"sv": "Köpare", "en": "Bill to"},
    "org_no": {"sv": "Org.nr", "en": "Org. no."},
    "vat_no": {"sv": "Momsreg.nr", "en": "VAT no."},
    "seller_vat": {"sv": "Säljarens momsreg.nr", "en": "Seller's VAT no."},
    "credits": {
        "sv": "Krediterar faktura {n} daterad {d}",
        "en": "Credits invoice {n} dated {d}",
    },
    "reason": {"sv": "Orsak", "en": "Reason"},
    "credited_by": {
        "sv": "KREDITERAD genom kreditfaktura {n} ({d})",
        "en": "CREDITED by credit note {n} ({d})",
    },
    "col_date": {"sv": "Datum", "en": "Date"},
    "col_bay": {"sv": "Laddplats", "en": "Bay"},
    "col_card": {"sv": "Kort", "en": "Card"},
    "col_kwh": {"sv": "kWh", "en": "kWh"},
    "col_net": {"sv": "Netto", "en": "Net"},
    "col_vat_rate": {"sv": "Moms %", "en": "VAT %"},
    "col_vat": {"sv": "Moms", "en": "VAT"},
    "col_amount": {"sv": "Belopp", "en": "Amount"},
    "col_item": {"sv": "Beskrivning", "en": "Item"},
    "col_count": {"sv": "Antal", "en": "Count"},
    "summary_item": {"sv": "Laddning, moms {r}", "en": "Charging, VAT {r}"},
    "see_annex": {
        "sv": "Specifikation per laddning: se bilaga.",
        "en": "Sessions one by one: see the annex.",
    },
    "annex": {"sv": "BILAGA: LADDNINGAR", "en": "ANNEX: SESSIONS"},
    "vat_table": {"sv": "Moms per momssats", "en": "VAT per rate"},
    "base": {"sv": "Underlag", "en": "Taxable amount"},
    "net_total": {"sv": "Summa netto", "en": "Net total"},
    "vat_total": {"sv": "Summa moms", "en": "VAT total"},
    "to_pay": {"sv": "Att betala", "en": "Amount due"},
    "to_credit": {"sv": "Att återfå", "en": "Credit total"},
    "payment": {"sv": "Betalning", "en": "Payment"},
    "bankgiro": {"sv": "Bankgiro", "en": "Bankgiro"},
    "plusgiro": {"sv": "Plusgiro", "en": "Plusgiro"},
    "swish": {"sv": "Betala med Swish", "en": "Pay with Swish"},
    "ocr_note": {
        "sv": "Ange OCR-numret vid betalning.",
        "en": "Quote the OCR reference with your payment.",
    },
    "interest": {
        "sv": "Vid betalning efter förfallodagen debiteras dröjsmålsränta enligt räntelagen.",
        "en": "Payments after the due date bear late-payment interest (Swedish Interest Act).",
    },
    "paid_so_far": {"sv": "Betalt hittills", "en": "Paid so far"},
    "code": {"sv": "Verifieringskod", "en": "Verification code"},
    "code_note": {
        "sv": "Koden bekräftar fakturan i fakturaregistrets hashkedja (stationmgr verify).",
        "en": "The code confirms the invoice in the invoice register's hash chain "
        "(stationmgr verify).",
    },
    "page": {"sv": "Sida", "en": "Page"},
}


def w(key: str, lang: str, **kw: object) -> str:
    text = W[key][lang]
    return text.format(**kw) if kw else text


@dataclass(frozen=True)
class DocLine:
    seq: int
    stopped: str  # local date and time
    bay: str
    card: str
    tx_uid: str
    energy_wh: float
    by_vat: dict[int, tuple[int, int]]
    net_minor: int
    vat_minor: int
    total_minor: int


@dataclass(frozen=True)
class InvoiceDoc:
    """Everything an invoice or credit note prints (read once, rendered in either language)."""

    number: int
    kind: str
    invoice_date: str
    due_date: str
    terms_days: int
    period: str
    currency: str
    net_minor: int
    vat_minor: int
    total_minor: int
    ocr: str
    reason: str
    buyer: dict[str, object]
    seller: Seller
    bankgiro: str
    plusgiro: str
    swish: str
    lines: tuple[DocLine, ...]
    credits: tuple[int, str] | None  # (number, date) of the invoice a credit note changes
    credited_by: tuple[int, str] | None
    paid_minor: int
    code: str
    sek_rate_e6: int | None  # fixed at issue: VAT in SEK on a document in another currency
    ledger_code: str  # the ledger head's code at the issue (billing.anchors), as on a month summary

    @property
    def vat_totals(self) -> dict[int, tuple[int, int]]:
        out: dict[int, tuple[int, int]] = {}
        for x in self.lines:
            for bp, (n, v) in x.by_vat.items():
                a, b = out.get(bp, (0, 0))
                out[bp] = (a + n, b + v)
        return dict(sorted(out.items(), reverse=True))

    @property
    def private(self) -> bool:
        return not self.buyer.get("org_number")


def invoice_doc(s: Session, number: int) -> InvoiceDoc:
    inv = s.scalar(select(Invoice).where(Invoice.number == number))
    if inv is None:
        raise UserError(f"no invoice number {number}")
    values = site_values(s)
    tz = site_tz(s, values)
    bays = dict(s.execute(select(Bay.id, Bay.label)).all())
    lines = []
    for x in inv.lines:
        row = s.get(ChargeSession, x.session_id)
        assert row is not None
        lines.append(
            DocLine(
                seq=x.seq,
                stopped=row.stopped_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if row.stopped_at
                else "",
                bay=bays.get(row.bay_id, str(row.bay_id)),
                card=mask_uid(row.card_uid) if row.card_uid else "",
                tx_uid=row.tx_uid,
                energy_wh=row.energy_wh * (-1 if inv.kind == "credit" else 1),
                by_vat={int(k): (v[0], v[1]) for k, v in x.by_vat.items()},
                net_minor=x.net_minor,
                vat_minor=x.vat_minor,
                total_minor=x.total_minor,
            )
        )
    credits = None
    if inv.credits_id:
        o = s.get(Invoice, inv.credits_id)
        if o is not None:
            credits = (o.number, o.invoice_date)
    note = credit_note_of(s, inv) if inv.kind == "invoice" else None
    ev = s.scalar(
        select(InvoiceEvent.payload).where(
            InvoiceEvent.invoice_id == inv.id, InvoiceEvent.payment_id.is_(None)
        )
    )
    head = json.loads(ev).get("ledger") if ev else None
    from stationmgr.billing.anchors import EMPTY, code_of

    return InvoiceDoc(
        number=inv.number,
        kind=inv.kind,
        invoice_date=inv.invoice_date,
        due_date=inv.due_date,
        terms_days=inv.terms_days,
        period=inv.period,
        currency=inv.currency,
        net_minor=inv.net_minor,
        vat_minor=inv.vat_minor,
        total_minor=inv.total_minor,
        ocr=inv.ocr or "",
        reason=inv.reason or "",
        buyer=dict(inv.buyer),
        seller=seller(s, values),
        bankgiro=values.get("seller_bankgiro", ""),
        plusgiro=values.get("seller_plusgiro", ""),
        swish=values.get("seller_swish", ""),
        lines=tuple(lines),
        credits=credits,
        credited_by=(note.number, note.invoice_date) if note else None,
        paid_minor=paid_minor(s, inv),
        code=document_code(s, inv),
        sek_rate_e6=inv.sek_rate_e6,
        ledger_code=code_of(int(head[0]), str(head[1])) if head else EMPTY,
    )


def swish_payload(swish_number: str, amount_minor: int, message: str) -> str:
    """Swish's C2B QR text: `C<payee>;<amount, decimal comma>;<message>;<lock mask>`
    (mask 0: the payer can change nothing)."""
    from urllib.parse import quote

    amount = f"{amount_minor // 100},{amount_minor % 100:02d}"
    return f"C{swish_number};{amount};{quote(message, safe='')};0"


class _Flow:
    """Pages with a running header; `need(h)` starts a new page when `h` does not fit."""

    def __init__(self, doc: InvoiceDoc, lang: str) -> None:
        self.doc, self.lang = doc, lang
        self.buf = io.BytesIO()
        self.c = Canvas(self.buf, pagesize=A4, pageCompression=1)
        prime(self.c)
        title = w(doc.kind, lang).capitalize()
        self.c.setTitle(f"{title} {doc.number}")
        self.c.setAuthor(doc.seller.name)
        self.page = 1
        self.y = 0.0

    def footer(self) -> None:
        c, d = self.c, self.doc
        c.setFont(FONT, 7)
        c.setFillGray(0.35)
        parts = [d.seller.name, *d.seller.address]
        if d.seller.org_number:
            parts.append(f"{w('org_no', self.lang)} {d.seller.org_number}")
        if d.seller.vat_number:
            parts.append(f"{w('vat_no', self.lang)} {d.seller.vat_number}")
        c.drawString(40, 28, " · ".join(parts)[:150])
        c.drawRightString(A4[0] - 40, 28, f"{w('page', self.lang)} {self.page}")
        c.setFillGray(0)

    def new_page(self) -> None:
        self.footer()
        self.c.showPage()
        self.page += 1
        c = self.c
        c.setFont(BOLD, 11)
        label = w("number" if self.doc.kind == "invoice" else "credit_number", self.lang)
        c.drawString(40, A4[1] - 45, f"{w(self.doc.kind, self.lang)} · {label} {self.doc.number}")
        self.y = A4[1] - 70

    def need(self, height: float) -> None:
        if self.y - height < 50:
            self.new_page()

    def done(self) -> bytes:
        self.footer()
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def render_invoice(doc: InvoiceDoc, lang: str = "sv") -> bytes:
    """The invoice or credit note as an A4 PDF (bytes)."""
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}: use sv or en")
    register_fonts()
    f = _Flow(doc, lang)
    c = f.c
    width, height = A4
    left, right = 40, width - 40
    cur = doc.currency

    # The seller, top left.
    y = height - 55
    c.setFont(BOLD, 15)
    c.drawString(left, y, doc.seller.name)
    c.setFont(FONT, 9)
    yy = y - 15
    for line in doc.seller.address:
        c.drawString(left, yy, line)
        yy -= 11
    if doc.seller.org_number:
        c.drawString(left, yy, f"{w('org_no', lang)} {doc.seller.org_number}")
        yy -= 11
    if doc.seller.vat_number:
        c.drawString(left, yy, f"{w('vat_no', lang)} {doc.seller.vat_number}")
        yy -= 11
    if doc.seller.email:
        c.drawString(left, yy, doc.seller.email)
        yy -= 11

    # Title and the invoice's facts, top right.
    c.setFont(BOLD, 18)
    c.drawRightString(right, y, w(doc.kind, lang))
    facts = [
        (w("number" if doc.kind == "invoice" else "credit_number", lang), str(doc.number)),
        (w("date", lang), doc.invoice_date),
    ]
    if doc.kind == "invoice":
        facts += [
            (w("due", lang), doc.due_date),
            (w("terms", lang), w("terms_days", lang, n=doc.terms_days)),
            (w("ocr", lang), doc.ocr),
        ]
    facts.append((w("period", lang), doc.period))
    fy = y - 20
    for k, v in facts:
        c.setFont(FONT, 9)
        c.drawRightString(right - 110, fy, f"{k}:")
        c.setFont(BOLD, 9)
        c.drawString(right - 105, fy, v)
        fy -= 12
    if doc.credited_by:
        c.setFillColorRGB(0.75, 0.1, 0.1)
        c.setStrokeColorRGB(0.75, 0.1, 0.1)
        c.setFont(BOLD, 10)
        text = w("credited_by", lang, n=doc.credited_by[0], d=doc.credited_by[1])
        tw = c.stringWidth(text, BOLD, 10)
        c.rect(right - tw - 8, fy - 6, tw + 8, 16, stroke=1, fill=0)
        c.drawRightString(right - 4, fy - 1, text)
        c.setFillGray(0)
        c.setStrokeGray(0)
        fy -= 20

    # The buyer.
    y = min(yy, fy) - 18
    c.setFont(FONT, 8)
    c.setFillGray(0.35)
    c.drawString(left, y, w("buyer", lang).upper())
    c.setFillGray(0)
    y -= 14
    b = doc.buyer
    c.setFont(BOLD, 11)
    c.drawString(left, y, str(b.get("name", "")))
    c.setFont(FONT, 9)
    y -= 13
    for line in b.get("address", []) or []:  # type: ignore[union-attr]
        c.drawString(left, y, str(line))
        y -= 11
    if b.get("org_number"):
        c.drawString(left, y, f"{w('org_no', lang)} {b['org_number']}")
        y -= 11
    if b.get("vat_number"):
        c.drawString(left, y, f"{w('vat_no', lang)} {b['vat_number']}")
        y -= 11

    # What a credit note changes.
    if doc.kind == "credit" and doc.credits:
        y -= 10
        c.setFont(BOLD, 10)
        c.drawString(left, y, w("credits", lang, n=doc.credits[0], d=doc.credits[1]))
        y -= 13
        c.setFont(FONT, 9)
        c.drawString(left, y, f"{w('reason', lang)}: {doc.reason}"[:110])
        y -= 11
    f.y = y - 16

    # The sessions, or their summary.
    if len(doc.lines) <= LINES_MAX:
        _session_table(f, doc, lang)
    else:
        _summary_table(f, doc, lang)
        f.need(14)
        c.setFont(FONT, 8)
        c.drawString(left, f.y, w("see_annex", lang))
        f.y -= 16

    # VAT per rate and the totals.
    f.need(40 + 12 * len(doc.vat_totals) * (2 if doc.sek_rate_e6 else 1) + 60)
    c.setFont(BOLD, 9)
    c.drawString(left, f.y, w("vat_table", lang))
    f.y -= 13
    c.setFont(FONT, 8.5)
    for title, x in (
        (w("col_vat_rate", lang), left + 60),
        (w("base", lang), left + 170),
        (w("col_vat", lang), left + 250),
    ):
        c.drawRightString(x, f.y, title)
    f.y -= 11
    for bp, (net, vat) in doc.vat_totals.items():
        c.drawRightString(left + 60, f.y, vat_rate_text(bp, lang))
        c.drawRightString(left + 170, f.y, money(net, lang))
        c.drawRightString(left + 250, f.y, money(vat, lang))
        f.y -= 11
    sek = vat_in_sek_lines(doc.vat_totals, doc.sek_rate_e6, cur, lang)
    for line in sek:
        c.drawString(left, f.y, line)
        f.y -= 11
    ty = f.y + 11 * (len(doc.vat_totals) + len(sek) + 2)
    for key, value, font in (
        ("net_total", doc.net_minor, FONT),
        ("vat_total", doc.vat_minor, FONT),
        ("to_pay" if doc.kind == "invoice" else "to_credit", doc.total_minor, BOLD),
    ):
        c.setFont(font, 10 if font == FONT else 12)
        c.drawRightString(right - 120, ty, f"{w(key, lang)}:")
        c.drawRightString(right, ty, money(value, lang, cur))
        ty -= 16
    if doc.kind == "invoice" and doc.paid_minor:
        c.setFont(FONT, 9)
        c.drawRightString(right - 120, ty, f"{w('paid_so_far', lang)}:")
        c.drawRightString(right, ty, money(doc.paid_minor, lang, cur))
        ty -= 14
    f.y = min(f.y, ty) - 14

    # Payment details.
    if doc.kind == "invoice":
        _payment_block(f, doc, lang)

    # Verification.
    f.need(40)
    c.setFont(FONT, 8)
    c.drawString(left, f.y, f"{w('code', lang)}: ")
    c.setFont(BOLD, 9)
    c.drawString(left + 80, f.y, doc.code)
    c.setFont(FONT, 8)
    c.drawString(left + 215, f.y, f"{word('ledger_code', lang)}: ")
    c.setFont(BOLD, 9)
    c.drawString(left + 315, f.y, doc.ledger_code)
    f.y -= 11
    c.setFont(FONT, 7.5)
    c.drawString(left, f.y, w("code_note", lang))
    f.y -= 11

    if len(doc.lines) > LINES_MAX:
        f.new_page()
        c.setFont(BOLD, 12)
        c.drawString(left, f.y, w("annex", lang))
        f.y -= 20
        _session_table(f, doc, lang)
    return f.done()


_COLS = (
    ("col_date", 40, "l"),
    ("col_bay", 130, "l"),
    ("col_card", 200, "l"),
    ("col_kwh", 320, "r"),
    ("col_net", 385, "r"),
    ("col_vat_rate", 430, "r"),
    ("col_vat", 485, "r"),
    ("col_amount", 555, "r"),
)


def _header(f: _Flow, cols: tuple[tuple[str, float, str], ...], lang: str) -> None:
    c = f.c
    c.setFillGray(0.92)
    c.rect(36, f.y - 3, A4[0] - 72, 13, stroke=0, fill=1)
    c.setFillGray(0)
    c.setFont(BOLD, 8)
    for key, x, al in cols:
        (c.drawString if al == "l" else c.drawRightString)(x, f.y, w(key, lang))
    f.y -= 13


def _rate(by_vat: dict[int, tuple[int, int]], lang: str) -> str:
    rates = sorted(by_vat, reverse=True)
    return " / ".join(vat_rate_text(r, lang) for r in rates) if rates else ""


def _session_table(f: _Flow, doc: InvoiceDoc, lang: str) -> None:
    f.need(40)
    _header(f, _COLS, lang)
    c = f.c
    for x in doc.lines:
        if f.y < 60:
            f.new_page()
            _header(f, _COLS, lang)
        cells = [
            x.stopped,
            x.bay,
            x.card,
            decimal(x.energy_wh / 1000, 3, lang),
            money(x.net_minor, lang),
            _rate(x.by_vat, lang),
            money(x.vat_minor, lang),
            money(x.total_minor, lang),
        ]
        c.setFont(FONT, 8)
        for (_, xx, al), text in zip(_COLS, cells, strict=True):
            (c.drawString if al == "l" else c.drawRightString)(xx, f.y, text)
        f.y -= 11
    c.setStrokeGray(0.7)
    c.line(40, f.y + 7, A4[0] - 40, f.y + 7)
    c.setStrokeGray(0)
    f.y -= 12


_SUMMARY = (
    ("col_item", 40, "l"),
    ("col_count", 250, "r"),
    ("col_kwh", 320, "r"),
    ("col_net", 385, "r"),
    ("col_vat_rate", 430, "r"),
    ("col_vat", 485, "r"),
    ("col_amount", 555, "r"),
)


def _summary_table(f: _Flow, doc: InvoiceDoc, lang: str) -> None:
    """One line per VAT rate: how many sessions, kWh, net, VAT (a session with two rates
    counts under each, its energy under the first)."""
    per: dict[int, list[float]] = {}
    for x in doc.lines:
        for i, (bp, (n, v)) in enumerate(sorted(x.by_vat.items(), reverse=True)):
            t = per.setdefault(bp, [0, 0.0, 0, 0])
            t[0] += 1
            t[1] += x.energy_wh if i == 0 else 0.0
            t[2] += n
            t[3] += v
    f.need(40)
    _header(f, _SUMMARY, lang)
    c = f.c
    c.setFont(FONT, 8.5)
    for bp, (count, wh, net, vat) in sorted(per.items(), reverse=True):
        cells = [
            w("summary_item", lang, r=vat_rate_text(bp, lang)),
            str(int(count)),
            decimal(wh / 1000, 3, lang),
            money(int(net), lang),
            vat_rate_text(bp, lang),
            money(int(vat), lang),
            money(int(net + vat), lang),
        ]
        for (_, xx, al), text in zip(_SUMMARY, cells, strict=True):
            (c.drawString if al == "l" else c.drawRightString)(xx, f.y, text)
        f.y -= 12
    f.y -= 6


def _payment_block(f: _Flow, doc: InvoiceDoc, lang: str) -> None:
    """Bankgiro/plusgiro, OCR, amount and due date in a frame; a Swish QR code at its right
    for a private buyer."""
    c = f.c
    left, right = 40, A4[0] - 40
    qr = bool(doc.private and doc.swish and doc.total_minor > doc.paid_minor)
    rows = []
    if doc.bankgiro:
        rows.append((w("bankgiro", lang), doc.bankgiro))
    if doc.plusgiro:
        rows.append((w("plusgiro", lang), doc.plusgiro))
    rows += [
        (w("ocr", lang), doc.ocr),
        (w("to_pay", lang), money(doc.total_minor - doc.paid_minor, lang, doc.currency)),
        (w("due", lang), doc.due_date),
    ]
    size = 78
    height = 18 + ((len(rows) + 1) // 2) * 13 + 34
    if qr:
        height = max(height, size + 14)
    f.need(height + 10)
    top = f.y + 10
    c.setStrokeGray(0.6)
    c.rect(left - 4, top - height, right - left + 8, height)
    c.setStrokeGray(0)
    y = top - 14
    c.setFont(BOLD, 10)
    c.drawString(left + 4, y, w("payment", lang))
    y -= 15
    for i, (k, v) in enumerate(rows):
        x = left + 4 + (i % 2) * 200
        yy = y - (i // 2) * 13
        c.setFont(FONT, 9)
        c.drawString(x, yy, f"{k}:")
        c.setFont(BOLD, 9)
        c.drawString(x + 80, yy, v)
    y -= ((len(rows) + 1) // 2) * 13 + 4
    c.setFont(FONT, 7.5)
    c.drawString(left + 4, y, w("ocr_note", lang))
    c.drawString(left + 4, y - 10, w("interest", lang))
    if qr:
        payload = swish_payload(doc.swish, doc.total_minor - doc.paid_minor, doc.ocr)
        draw_qr(c, payload, right - size - 4, top - size - 7, size)
        c.setFont(BOLD, 8)
        c.drawRightString(right - size - 12, top - height + 22, w("swish", lang))
        c.setFont(FONT, 8)
        c.drawRightString(right - size - 12, top - height + 11, doc.swish)
    f.y = top - height - 16
