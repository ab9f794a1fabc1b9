"""PDF building blocks shared by receipts and statements: the embedded font, words in
Swedish and English, number formats, a QR code and a small power curve (reportlab canvas).

The font is DejaVu Sans from `resources/fonts/` (embedded, so å ä ö and € print anywhere).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import ClassVar

import qrcode
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FONT_DIRS = (
    Path(__file__).resolve().parents[2] / "resources" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)

WORDS: dict[str, dict[str, str]] = {
    "receipt": {"sv": "KVITTO", "en": "RECEIPT"},
    "receipt_no": {"sv": "Kvittonummer", "en": "Receipt number"},
    "date": {"sv": "Datum", "en": "Date"},
    "org_no": {"sv": "Org.nr", "en": "Org. no."},
    "vat_no": {"sv": "Momsreg.nr", "en": "VAT no."},
    "bay": {"sv": "Laddplats", "en": "Bay"},
    "card": {"sv": "Kort", "en": "Card"},
    "holder": {"sv": "Kortinnehavare", "en": "Card holder"},
    "guest": {"sv": "Gäst (startad av personal)", "en": "Guest (started by staff)"},
    "started_by": {"sv": "Startad av", "en": "Started by"},
    "start": {"sv": "Start", "en": "Start"},
    "stop": {"sv": "Stopp", "en": "Stop"},
    "plugged": {"sv": "Ansluten tid", "en": "Plugged time"},
    "charging": {"sv": "Laddtid", "en": "Charging time"},
    "idle": {"sv": "Tomgångstid", "en": "Idle time"},
    "energy": {"sv": "Energi", "en": "Energy"},
    "meter": {"sv": "Mätare start / stopp", "en": "Meter start / stop"},
    "item": {"sv": "Beskrivning", "en": "Item"},
    "qty": {"sv": "Antal", "en": "Quantity"},
    "unit_price": {"sv": "À-pris", "en": "Unit price"},
    "net": {"sv": "Netto", "en": "Net"},
    "vat_rate": {"sv": "Moms %", "en": "VAT %"},
    "vat": {"sv": "Moms", "en": "VAT"},
    "amount": {"sv": "Belopp", "en": "Amount"},
    "total": {"sv": "Att betala", "en": "Total"},
    "sum": {"sv": "Summa", "en": "Total"},
    "net_total": {"sv": "Summa netto", "en": "Net total"},
    "vat_total": {"sv": "Summa moms", "en": "VAT total"},
    "power_curve": {"sv": "Effekt under laddningen (kW)", "en": "Power during the session (kW)"},
    "verification": {"sv": "Verifieringskod", "en": "Verification code"},
    "session": {"sv": "Sessions-ID", "en": "Session ID"},
    "tariff": {"sv": "Tariff", "en": "Tariff"},
    "no_samples": {"sv": "inga mätvärden", "en": "no meter samples"},
    "start_fee": {"sv": "Startavgift", "en": "Start fee"},
    "energy_line": {"sv": "Energi", "en": "Energy"},
    "time_line": {"sv": "Tidsavgift", "en": "Time fee"},
    "idle_fee": {"sv": "Tomgångsavgift", "en": "Idle fee"},
    "reason": {"sv": "Stopporsak", "en": "Stop reason"},
    "ledger_code": {"sv": "Kontrollkod huvudbok", "en": "Ledger check code"},
    "ledger_note": {
        "sv": "Koden bekräftar posten i kassans hashkedja (stationmgr verify).",
        "en": "The code confirms the entry in the site's hash-chained ledger (stationmgr verify).",
    },
    "statement": {"sv": "MÅNADSBESKED", "en": "MONTHLY STATEMENT"},
    "period": {"sv": "Period", "en": "Period"},
    "to": {"sv": "Till", "en": "To"},
    "sessions": {"sv": "Laddningar", "en": "Sessions"},
    "page": {"sv": "Sida", "en": "Page"},
    "receipt_short": {"sv": "Kvitto", "en": "Receipt"},
    "kwh": {"sv": "kWh", "en": "kWh"},
    "of": {"sv": "av", "en": "of"},
    "vat_by_rate": {"sv": "Moms per momssats", "en": "VAT by rate"},
    "vat_in_sek": {"sv": "Moms i SEK", "en": "VAT in SEK"},
    "rate": {"sv": "kurs", "en": "rate"},
    "continued": {"sv": "forts.", "en": "cont."},
    "vat_exempt": {
        "sv": "Momsfri omsättning: undantagen från skatteplikt enligt 10 kap."
        " mervärdesskattelagen (2023:200).",
        "en": "VAT-exempt supply under chapter 10 of the Swedish VAT Act (2023:200).",
    },
}
# A session's stop reason (OCPP's word, stored) in words on documents.
UNIT_WORD = {
    "Wh": {"sv": "kWh", "en": "kWh"},
    "s": {"sv": "h", "en": "h"},
    "min": {"sv": "min", "en": "min"},
    "pcs": {"sv": "st", "en": "pcs"},
}
LINE_WORD = {
    "start_fee": "start_fee",
    "energy": "energy_line",
    "time": "time_line",
    "idle_fee": "idle_fee",
}
LANGS = ("sv", "en")
rl_config.useA85 = 0  # binary (compressed) streams: smaller files, 10 % faster receipts


def word(key: str, lang: str) -> str:
    return WORDS[key][lang]


# Characters every document's font subset starts with, in this order: with the same subset
# in every receipt, the subset font program is built once and reused (see `_memo_subsets`).
PRIMED = "".join(chr(c) for c in range(32, 127)) + "åäöÅÄÖéÉèüÜæøÆØ€£•–—’“”«»°×·µ²³½"


@cache
def register_fonts() -> None:
    for d in _FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            for name, path in ((FONT, regular), (BOLD, bold)):
                font = TTFont(name, str(path))
                _memo_subsets(font.face)
                pdfmetrics.registerFont(font)
            return
    raise FileNotFoundError("DejaVuSans.ttf not found in resources/fonts")


def _memo_subsets(face: object, size: int = 32) -> None:
    """Remember the last few subset font programs of `face` (building one is most of the
    time a receipt takes, and primed documents ask for the same subset every time)."""
    make = face.makeSubset  # type: ignore[attr-defined]
    memo: dict[tuple[int, ...], bytes] = {}

    def make_subset(subset: list[int]) -> bytes:
        key = tuple(subset)
        data = memo.get(key)
        if data is None:
            data = make(subset)
            if len(memo) >= size:
                memo.pop(next(iter(memo)))
            memo[key] = data
        return data

    face.makeSubset = make_subset  # type: ignore[attr-defined]
    _ZMemo.install()


class _ZMemo(pdfdoc.PDFStreamFilterZCompress):
    """reportlab's Flate filter, remembering the compressed form of the memoised subset font
    programs (recognised by identity: the very bytes objects `_memo_subsets` hands out).
    Every other stream is compressed as before, so other PDFs are byte-for-byte unchanged."""

    known: ClassVar[dict[int, tuple[bytes, bytes]]] = {}

    def encode(self, text: bytes | str) -> bytes:
        hit = self.known.get(id(text))
        if hit is not None and hit[0] is text:
            return hit[1]
        out = super().encode(text)
        if isinstance(text, bytes) and len(text) > 16_384:
            if len(self.known) >= 64:
                self.known.pop(next(iter(self.known)))
            self.known[id(text)] = (text, out)
        return out

    @classmethod
    def install(cls) -> None:
        if not isinstance(pdfdoc.PDFZCompress, cls):
            pdfdoc.PDFZCompress = cls()


def prime(c: Canvas) -> None:
    """Give a new document's fonts the common subset first (see PRIMED)."""
    register_fonts()
    for name in (FONT, BOLD):
        pdfmetrics.getFont(name).splitString(PRIMED, c._doc)


def money(minor: int, lang: str, currency: str | None = None) -> str:
    """1234567 → `12 345,67` (sv) or `12,345.67` (en), optionally with the currency."""
    sign = "-" if minor < 0 else ""
    m = abs(minor)
    whole = f"{m // 100:,}"
    if lang == "sv":
        whole = whole.replace(",", "\u00a0")
        s = f"{sign}{whole},{m % 100:02d}"
    else:
        s = f"{sign}{whole}.{m % 100:02d}"
    return f"{s} {currency}" if currency else s


def decimal(value: float, places: int, lang: str) -> str:
    s = f"{value:,.{places}f}"
    if lang == "sv":
        s = s.replace(",", "\u00a0").replace(".", ",")
    return s


def quantity_text(quantity: int, unit: str, lang: str) -> str:
    if unit == "Wh":
        return f"{decimal(quantity / 1000, 3, lang)} kWh"
    if unit == "s":
        return f"{decimal(quantity / 3600, 4, lang)} h"
    return f"{quantity} {UNIT_WORD[unit][lang]}"


def unit_price_text(unit_price_minor: int, unit: str, lang: str, e4: int | None = None) -> str:
    """`3,50/kWh`; with a four-decimal price (`e4`, 1/10 000 of the unit) `3,4951/kWh`."""
    if e4 is not None and e4 % 100:
        sep = "," if lang == "sv" else "."
        return f"{e4 // 10_000}{sep}{e4 % 10_000:04d}/{UNIT_WORD[unit][lang]}"
    return f"{money(unit_price_minor, lang)}/{UNIT_WORD[unit][lang]}"


def vat_rate_text(vat_bp: int, lang: str) -> str:
    if vat_bp % 100 == 0:
        return f"{vat_bp // 100} %"
    return f"{decimal(vat_bp / 100, 2, lang)} %"


def sek_of(minor: int, rate_e6: int) -> int:
    """An amount in another currency's minor units → öre at `rate_e6` (rounded half up)."""
    from stationmgr.billing.pricing import round_half_up

    return round_half_up(minor * rate_e6, 10**6)


def vat_in_sek(
    vat_minor: int, rate_e6: int, currency: str, lang: str, vat_bp: int | None = None
) -> str:
    """A foreign-currency document's VAT in SEK, with the rate used (ML 17 kap 24 §: the VAT
    amount in Swedish kronor); one rate's when `vat_bp` is given. Receipts, invoices,
    credit notes and statements all print it with this."""
    label = word("vat_in_sek", lang)
    if vat_bp is not None:
        label += f" {vat_rate_text(vat_bp, lang)}"
    rate = decimal(rate_e6 / 10**6, 4, lang)
    return (
        f"{label}: {money(sek_of(vat_minor, rate_e6), lang)} SEK"
        f" ({word('rate', lang)} {rate} SEK/{currency})"
    )


def vat_in_sek_lines(
    by_rate: dict[int, tuple[int, int]], rate_e6: int | None, currency: str, lang: str
) -> list[str]:
    """One `vat_in_sek` line per VAT rate (none for a document in SEK, `rate_e6` None)."""
    if rate_e6 is None:
        return []
    return [vat_in_sek(v, rate_e6, currency, lang, bp) for bp, (_n, v) in by_rate.items()]


def duration_text(seconds: int | None) -> str:
    s = int(seconds or 0)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code of `text` as vector squares, bottom-left at (x, y)."""
    matrix = _qr_matrix(text)
    n = len(matrix)
    cell = size / n
    path = c.beginPath()
    for r, row in enumerate(matrix):
        col = 0
        while col < n:  # one rectangle per run of dark modules: a small, fast path
            if not row[col]:
                col += 1
                continue
            run = col
            while run < n and row[run]:
                run += 1
            path.rect(x + col * cell, y + size - (r + 1) * cell, (run - col) * cell, cell)
            col = run
    c.drawPath(path, stroke=0, fill=1)


def _qr_matrix(text: str) -> list[list[bool]]:
    # A fixed mask pattern: any mask is valid, and choosing the "best" costs 25 ms a code.
    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def draw_curve(
    c: Canvas,
    points: Sequence[tuple[float, float]],
    x: float,
    y: float,
    w: float,
    h: float,
    title: str,
    empty: str,
    lang: str = "en",
) -> None:
    """A small line chart of (seconds since start, kW) in a frame with a kW scale."""
    c.setFont(FONT, 8)
    c.drawString(x, y + h + 4, title)
    c.setLineWidth(0.5)
    c.setStrokeGray(0.6)
    c.rect(x, y, w, h)
    if len(points) < 2:
        c.drawCentredString(x + w / 2, y + h / 2 - 3, empty)
        c.setStrokeGray(0)
        return
    t0, t1 = points[0][0], points[-1][0]
    span = max(t1 - t0, 1.0)
    top = max(max(p[1] for p in points), 0.1)
    top = _nice(top)
    for frac in (0.5, 1.0):
        yy = y + h * frac
        c.line(x, yy, x + w, yy)
        v = top * frac
        c.drawRightString(x - 3, yy - 3, decimal(v, 0 if v == int(v) else 1, lang))
    c.drawRightString(x - 3, y - 3, "0")
    minutes = span / 60
    c.drawString(x, y - 10, "0")
    c.drawRightString(x + w, y - 10, f"{minutes:.0f} min" if minutes >= 1 else f"{span:.0f} s")
    c.setStrokeColorRGB(0.05, 0.35, 0.7)
    c.setLineWidth(1.2)
    path = c.beginPath()
    for i, (t, kw) in enumerate(points):
        px = x + (t - t0) / span * w
        py = y + max(0.0, kw) / top * h
        if i == 0:
            path.moveTo(px, py)
        else:
            path.lineTo(px, py)
    c.drawPath(path, stroke=1, fill=0)
    c.setStrokeGray(0)
    c.setLineWidth(1)


def _nice(v: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 11, 15, 20, 22, 25, 50, 100, 150, 200, 350):
        if v <= step:
            return float(step)
    return float(v)


def current_umask() -> int:
    """The process's umask, read without changing it where the system shows it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere: set and put back (a lock: no other thread sees 0)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_UMASK_LOCK = threading.Lock()


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a temp file renamed into place). The file
    gets the mode a plain `open()` would give it (0666 less the umask): a temp file is
    0600, which would hide a receipt or an export from the accountant on a shared folder."""
    p = Path(path)
    if p.parent and not p.parent.exists():
        from stationmgr.errors import UserError

        raise UserError(f"the folder {p.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=p.parent or ".", prefix=f".{p.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
