"""The receipt's page layout: blocks of known height placed top to bottom, over as many A4
pages as they need (a 28-day session with 52 lines ran off a single page).

Every page repeats the header (seller, title, number, date, "page k of n"); a page that
continues the priced lines repeats their column header. Positions are planned first and
drawn after, so "of n" is known on page 1 without rendering twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from stationmgr.auth import mask_uid
from stationmgr.billing.pdf import (
    BOLD,
    FONT,
    LINE_WORD,
    decimal,
    draw_curve,
    draw_qr,
    duration_text,
    money,
    quantity_text,
    unit_price_text,
    vat_in_sek,
    vat_rate_text,
    word,
)
from stationmgr.billing.receipt_corrections import W as CW
from stationmgr.billing.receipt_corrections import draw_corrected_stamp, draw_corrects
from stationmgr.ocpp_words import stop_reason_text

if TYPE_CHECKING:
    from stationmgr.billing.receipts import ReceiptDoc

WIDTH, HEIGHT = A4
LEFT, RIGHT = 50.0, WIDTH - 50.0
BOTTOM = 40.0
LINE_H = 14.0


@dataclass(frozen=True)
class Block:
    height: float
    draw: Callable[[float], None]  # draws with its first baseline at y
    is_line: bool = False  # a priced line: a new page repeats the column header first


def vat_by_rate(lines: object) -> dict[int, tuple[int, int]]:
    """VAT rate (basis points) → (net, VAT) of a receipt's lines, rates descending."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for ln in lines:  # type: ignore[attr-defined]
        out[ln.vat_bp][0] += ln.net_minor
        out[ln.vat_bp][1] += ln.vat_minor
    return {bp: (a, b) for bp, (a, b) in sorted(out.items(), reverse=True)}


def fit(text: str, width: float, size: float) -> str:
    """`text` cut with "…" to fit `width` points (a list of 26 tariff names, say)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


class ReceiptLayout:
    def __init__(self, c: Canvas, doc: ReceiptDoc, lang: str) -> None:
        self.c, self.doc, self.lang = c, doc, lang

    def w(self, key: str) -> str:
        return word(key, self.lang)

    def when(self, d: datetime | None) -> str:
        if d is None:
            return ""
        return d.astimezone(self.doc.tz).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]

    # ------------------------------------------------------------ the plan
    def draw(self) -> None:
        blocks = self.blocks()
        top = self.header_bottom() - 18
        pages: list[list[tuple[float, Block]]] = [[]]
        y = top
        for b in blocks:
            if y - b.height < BOTTOM:
                pages.append([])
                y = top
                if b.is_line:  # the lines go on: their column header again
                    head = self.columns_block(continued=True)
                    pages[-1].append((y, head))
                    y -= head.height
            pages[-1].append((y, b))
            y -= b.height
        n = len(pages)
        for k, placed in enumerate(pages, 1):
            self.header(k, n)
            for y, b in placed:
                b.draw(y)
            self.c.showPage()

    def blocks(self) -> list[Block]:
        out = [Block(5 * 14 + 16, self.facts), self.columns_block()]
        ref = self.doc.corrects
        if ref is not None:  # a correcting receipt: what it corrects, first
            out.insert(0, Block(self._corrects_height(), self._corrects))
        for ln in self.doc.lines:
            out.append(Block(LINE_H, lambda y, ln=ln: self.line(y, ln), is_line=True))
        out.append(Block(6 + 3 * 16, self.totals))
        rates = vat_by_rate(self.doc.lines)
        out.append(Block(14 + 12 * len(rates) + 6, lambda y: self.vat_table(y, rates)))
        notes = self.notes(rates)
        if notes:
            out.append(Block(11 * len(notes) + 6, lambda y: self.draw_notes(y, notes)))
        out.append(Block(150, self.curve))
        out.append(Block(120, self.qr))
        return out

    def _corrects(self, y: float) -> None:
        assert self.doc.corrects is not None
        draw_corrects(self.c, self.doc.corrects, LEFT, y + 2, self.lang, self.doc.price.currency)

    def _corrects_height(self) -> float:
        """How far the reference block reaches, measured by drawing it once off the page."""
        import io

        from reportlab.pdfgen.canvas import Canvas as Scratch

        assert self.doc.corrects is not None
        scratch = Scratch(io.BytesIO())
        end = draw_corrects(
            scratch, self.doc.corrects, LEFT, 1000, self.lang, self.doc.price.currency
        )
        return 1000 - end + 8

    # ------------------------------------------------------------ every page
    def header_lines(self) -> list[str]:
        s = self.doc.seller
        out = list(s.address)
        if s.org_number:
            out.append(f"{self.w('org_no')} {s.org_number}")
        if s.vat_number:
            out.append(f"{self.w('vat_no')} {s.vat_number}")
        return out

    def header_bottom(self) -> float:
        y = HEIGHT - 60
        yy = y - 15 - 11 * len(self.header_lines())
        bottom = min(yy + 11, y - 53) - 14
        return bottom - 12 if self.doc.corrected_by else bottom

    def header(self, page: int, pages: int) -> None:
        c, doc = self.c, self.doc
        y = HEIGHT - 60
        c.setFont(BOLD, 15)
        c.drawString(LEFT, y, doc.seller.name)
        c.setFont(FONT, 9)
        yy = y - 15
        for line in self.header_lines():
            c.drawString(LEFT, yy, line)
            yy -= 11
        c.setFont(BOLD, 18)
        c.drawRightString(RIGHT, y, CW["title"][self.lang] if doc.corrects else self.w("receipt"))
        c.setFont(FONT, 10)
        c.drawRightString(RIGHT, y - 18, f"{self.w('receipt_no')}: {doc.number}")
        c.drawRightString(RIGHT, y - 31, f"{self.w('date')}: {self.when(doc.issued_at)[:10]}")
        c.setFont(FONT, 8)
        c.drawRightString(RIGHT, y - 44, f"{self.w('page')} {page} {self.w('of')} {pages}")
        if doc.corrected_by:
            draw_corrected_stamp(c, doc.corrected_by, RIGHT, y - 60, self.lang)
        yb = self.header_bottom()
        c.setStrokeGray(0.7)
        c.line(LEFT, yb, RIGHT, yb)
        c.setStrokeGray(0)

    # ------------------------------------------------------------ the blocks
    def facts(self, y: float) -> None:
        c, row, w, lang = self.c, self.doc.session, self.w, self.lang
        holder_label, holder = w("holder"), row.holder_name or ""
        if row.start_kind == "guest":
            card_text, holder_label, holder = w("guest"), w("started_by"), row.started_by or ""
        else:
            card_text = mask_uid(row.card_uid or "")
        facts = [
            (w("bay"), self.doc.bay_label),
            (w("card"), card_text),
            (holder_label, holder),
            (w("start"), self.when(row.plugged_at)),
            (w("stop"), self.when(row.stopped_at)),
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
        col_x = (LEFT, LEFT + 235)  # the right column leaves room for long meter readings
        for i, (k, v) in enumerate(facts):
            x = col_x[i // 5]
            yy = y - (i % 5) * 14
            c.setFont(FONT, 9)
            c.drawString(x, yy, f"{k}:")
            c.setFont(BOLD, 9)
            c.drawString(x + (120 if i < 5 else 112), yy, v)

    def cols(self) -> list[tuple[str, float, str]]:
        w = self.w
        return [
            (w("item"), LEFT, "l"),
            (w("qty"), LEFT + 175, "r"),
            (w("unit_price"), LEFT + 255, "r"),
            (w("net"), LEFT + 320, "r"),
            (w("vat_rate"), LEFT + 370, "r"),
            (w("vat"), LEFT + 425, "r"),
            (w("amount"), RIGHT, "r"),
        ]

    def columns_block(self, continued: bool = False) -> Block:
        def draw(y: float) -> None:
            c = self.c
            c.setFillGray(0.92)
            c.rect(LEFT - 4, y - 4, RIGHT - LEFT + 8, 16, stroke=0, fill=1)
            c.setFillGray(0)
            c.setFont(BOLD, 9)
            for i, (title, x, align) in enumerate(self.cols()):
                if i == 0 and continued:
                    title = f"{title} ({self.w('continued')})"
                (c.drawString if align == "l" else c.drawRightString)(x, y, title)

        return Block(16, draw)

    def exact_prices(self) -> dict[int, int]:
        """tariff id → its four-decimal price per kWh, from the price's tariff snapshot."""
        out = {}
        for t in self.doc.price.tariffs or []:
            e4 = t.get("energy_e4_per_kwh")
            if e4 is not None and t.get("id") is not None:
                out[int(t["id"])] = int(e4)
        return out

    def line(self, y: float, ln: object) -> None:
        c, lang = self.c, self.lang
        e4 = self.exact_prices().get(ln.tariff_id) if ln.kind == "energy" else None  # type: ignore[attr-defined]
        cells = [
            self.w(LINE_WORD[ln.kind]),  # type: ignore[attr-defined]
            quantity_text(ln.quantity, ln.unit, lang),  # type: ignore[attr-defined]
            unit_price_text(ln.unit_price_minor, ln.unit, lang, e4),  # type: ignore[attr-defined]
            money(ln.net_minor, lang),  # type: ignore[attr-defined]
            vat_rate_text(ln.vat_bp, lang),  # type: ignore[attr-defined]
            money(ln.vat_minor, lang),  # type: ignore[attr-defined]
            money(ln.amount_minor, lang),  # type: ignore[attr-defined]
        ]
        c.setFont(FONT, 9)
        for (_, x, align), text in zip(self.cols(), cells, strict=True):
            (c.drawString if align == "l" else c.drawRightString)(x, y, text)

    def totals(self, y: float) -> None:
        c, price, lang = self.c, self.doc.price, self.lang
        c.setStrokeGray(0.7)
        c.line(LEFT, y + 8, RIGHT, y + 8)
        c.setStrokeGray(0)
        y -= 6
        for key, value, font in (
            ("net_total", price.net_minor, FONT),
            ("vat_total", price.vat_minor, FONT),
            ("total", price.total_minor, BOLD),
        ):
            c.setFont(font, 10 if key != "total" else 12)
            c.drawRightString(RIGHT - 110, y, f"{self.w(key)}:")
            c.drawRightString(RIGHT, y, money(value, lang, price.currency))
            y -= 16

    def vat_table(self, y: float, rates: dict[int, tuple[int, int]]) -> None:
        c, lang, cur = self.c, self.lang, self.doc.price.currency
        c.setFont(BOLD, 9)
        c.drawString(LEFT, y, self.w("vat_by_rate"))
        for title, x in ((self.w("net"), LEFT + 320), (self.w("vat"), LEFT + 425)):
            c.drawRightString(x, y, title)
        c.drawRightString(RIGHT, y, self.w("amount"))
        c.setFont(FONT, 9)
        for bp, (net, vat) in rates.items():
            y -= 12
            c.drawString(LEFT, y, f"{self.w('vat')} {vat_rate_text(bp, lang)}")
            c.drawRightString(LEFT + 320, y, money(net, lang))
            c.drawRightString(LEFT + 425, y, money(vat, lang))
            c.drawRightString(RIGHT, y, money(net + vat, lang, cur))

    def notes(self, rates: dict[int, tuple[int, int]]) -> list[str]:
        doc, lang, out = self.doc, self.lang, []
        if 0 in rates:
            out.append(doc.exemption_text or self.w("vat_exempt"))
        if doc.sek_rate_e6 is not None:
            out.append(vat_in_sek(doc.price.vat_minor, doc.sek_rate_e6, doc.price.currency, lang))
        tariffs = ", ".join(dict.fromkeys(t.get("name", "") for t in (doc.price.tariffs or [])))
        if tariffs:
            out.append(f"{self.w('tariff')}: {tariffs}")
        if doc.session.stop_reason:
            out.append(f"{self.w('reason')}: {stop_reason_text(doc.session.stop_reason, lang)}")
        return out

    def draw_notes(self, y: float, notes: list[str]) -> None:
        self.c.setFont(FONT, 8)
        for text in notes:
            self.c.drawString(LEFT, y, fit(text, RIGHT - LEFT, 8))
            y -= 11

    def curve(self, y: float) -> None:
        w = self.w
        draw_curve(
            self.c,
            self.doc.curve,
            LEFT + 20,
            y - 112,
            RIGHT - LEFT - 20,
            100,
            w("power_curve"),
            w("no_samples"),
            self.lang,
        )

    def qr(self, y: float) -> None:
        from stationmgr.billing.receipts import qr_payload

        c, doc = self.c, self.doc
        yb = y - 105
        draw_qr(c, qr_payload(doc), RIGHT - 100, yb, 100)
        c.setFont(FONT, 9)
        c.drawString(LEFT, yb + 80, f"{self.w('verification')}:")
        c.setFont(BOLD, 13)
        c.drawString(LEFT, yb + 62, doc.verification)
        c.setFont(FONT, 8)
        c.drawString(LEFT, yb + 46, self.w("ledger_note"))
        c.drawString(LEFT, yb + 34, f"{self.w('session')}: {doc.session.tx_uid}")
        if doc.seller.email:
            c.drawString(LEFT, yb + 22, doc.seller.email)
