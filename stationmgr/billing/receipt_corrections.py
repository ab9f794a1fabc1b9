"""Correcting receipts (ML 17 kap 22 §): when a receipted session is re-priced, its next
receipt refers to the earlier one by number and date, states the reason and what changes
in net, VAT per rate and total; the earlier receipt stays printable as it was issued,
stamped "corrected by N".

Nothing extra is stored: a session's receipts are ordered by their price revision, so a
receipt corrects the session's receipt of the highest earlier revision, and the reason is
the one the correction recorded on the new price.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, require
from stationmgr.billing.pdf import BOLD, FONT, money, vat_rate_text
from stationmgr.errors import UserError
from stationmgr.store.billing_models import PricedLine, Receipt, SessionPrice
from stationmgr.store.db import Database

W: dict[str, dict[str, str]] = {
    "title": {"sv": "KORRIGERINGSKVITTO", "en": "CORRECTING RECEIPT"},
    "corrects": {
        "sv": "Korrigerar kvitto {n} daterat {d}",
        "en": "Corrects receipt {n} dated {d}",
    },
    "reason": {"sv": "Orsak", "en": "Reason"},
    "change": {"sv": "Ändring mot kvitto {n}", "en": "Change from receipt {n}"},
    "net": {"sv": "netto", "en": "net"},
    "vat": {"sv": "moms", "en": "VAT"},
    "total": {"sv": "totalt", "en": "total"},
    "corrected_by": {
        "sv": "KORRIGERAT genom kvitto {n} ({d})",
        "en": "CORRECTED by receipt {n} ({d})",
    },
}


@dataclass(frozen=True)
class Corrects:
    """What a correcting receipt says about the receipt it corrects."""

    number: int
    date: str
    reason: str
    change_by_vat: dict[int, tuple[int, int]]  # vat_bp → (net change, VAT change)
    change_total: int


@dataclass(frozen=True)
class CorrectedBy:
    number: int
    date: str


def _by_vat(s: Session, price_id: int) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for line in s.scalars(select(PricedLine).where(PricedLine.price_id == price_id)):
        n, v = out.get(line.vat_bp, (0, 0))
        out[line.vat_bp] = (n + line.net_minor, v + line.vat_minor)
    return out


def _receipts_of(s: Session, session_id: int) -> list[tuple[Receipt, SessionPrice]]:
    return [
        (r, p)
        for r, p in s.execute(
            select(Receipt, SessionPrice)
            .join(SessionPrice, SessionPrice.id == Receipt.price_id)
            .where(Receipt.session_id == session_id)
            .order_by(SessionPrice.revision)
        ).all()
    ]


def references(s: Session, rec: Receipt, tz: object) -> tuple[Corrects | None, CorrectedBy | None]:
    """The receipt `rec` corrects (if any) and the one that corrects it (if any)."""
    chain = _receipts_of(s, rec.session_id)
    i = next((k for k, (r, _) in enumerate(chain) if r.id == rec.id), None)
    if i is None:
        return None, None
    day = lambda r: r.issued_at.astimezone(tz).date().isoformat()  # type: ignore[arg-type]  # noqa: E731
    corrects = None
    if i > 0:
        old, old_price = chain[i - 1]
        new_price = chain[i][1]
        before, after = _by_vat(s, old_price.id), _by_vat(s, new_price.id)
        change = {}
        for bp in sorted(set(before) | set(after), reverse=True):
            b, a = before.get(bp, (0, 0)), after.get(bp, (0, 0))
            change[bp] = (a[0] - b[0], a[1] - b[1])
        corrects = Corrects(
            old.number,
            day(old),
            new_price.reason or "",
            change,
            new_price.total_minor - old_price.total_minor,
        )
    corrected_by = None
    if i + 1 < len(chain):
        nxt = chain[i + 1][0]
        corrected_by = CorrectedBy(nxt.number, day(nxt))
    return corrects, corrected_by


def draw_corrected_stamp(c: Canvas, by: CorrectedBy, right: float, y: float, lang: str) -> None:
    """A red frame under the title: this receipt was corrected by a later one."""
    text = W["corrected_by"][lang].format(n=by.number, d=by.date)
    c.saveState()
    c.setFillColorRGB(0.75, 0.1, 0.1)
    c.setStrokeColorRGB(0.75, 0.1, 0.1)
    c.setFont(BOLD, 9)
    tw = c.stringWidth(text, BOLD, 9)
    c.rect(right - tw - 8, y - 5, tw + 8, 14, stroke=1, fill=0)
    c.drawRightString(right - 4, y, text)
    c.restoreState()


def draw_corrects(
    c: Canvas, ref: Corrects, left: float, y: float, lang: str, currency: str
) -> float:
    """The reference, the reason and the change, from `y` down; returns the next free y."""
    c.setFont(BOLD, 10)
    c.drawString(left, y, W["corrects"][lang].format(n=ref.number, d=ref.date))
    y -= 13
    c.setFont(FONT, 9)
    c.drawString(left, y, f"{W['reason'][lang]}: {ref.reason}"[:110])
    y -= 12
    parts = [
        f"{vat_rate_text(bp, lang)}: {W['net'][lang]} {money(n, lang)}, "
        f"{W['vat'][lang]} {money(v, lang)}"
        for bp, (n, v) in ref.change_by_vat.items()
    ]
    c.drawString(
        left,
        y,
        f"{W['change'][lang].format(n=ref.number)}: {'; '.join(parts)}; "
        f"{W['total'][lang]} {money(ref.change_total, lang, currency)}"[:130],
    )
    return y - 14


def was_receipted(s: Session, session_id: int) -> bool:
    return s.scalar(select(Receipt.id).where(Receipt.session_id == session_id).limit(1)) is not None


def reprint(db: Database, number: int, lang: str = "sv", actor: Actor | None = None) -> bytes:
    """Receipt `number` exactly as issued (plus its "corrected by" stamp) (`receipts.read`)."""
    from stationmgr.billing.receipts import receipt_doc, render_receipt

    with db.session() as s:
        require(actor, "receipts.read", s, target=f"receipt {number}")
        rec = s.scalar(select(Receipt).where(Receipt.number == number))
        if rec is None:
            raise UserError(f"no receipt number {number}")
        doc = receipt_doc(s, rec)
    return render_receipt(doc, lang)
