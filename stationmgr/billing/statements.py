"""Monthly statements per card holder or card group (PDF + CSV) and the accountant's month
summary (per day, bay and tariff, with VAT totals per rate).

A statement lists the sessions that *stopped* in the local month at their current price
(a corrected session shows its corrected price). The month summary is read from the ledger
like the SIE export, so the two always agree. Everything here is plain functions over a
database session with an optional `progress(done, total)` callback: the GUI runs them on a
worker thread.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr.auth import mask_uid
from stationmgr.billing.pdf import (
    BOLD,
    FONT,
    LANGS,
    decimal,
    money,
    register_fonts,
    vat_in_sek_lines,
    vat_rate_text,
    word,
)
from stationmgr.billing.sales import sales
from stationmgr.billing.site import Seller, month_bounds, sek_rate_e6, seller, site_tz
from stationmgr.billing.tariffs import site_currency
from stationmgr.csv_safe import csv_writer
from stationmgr.errors import UserError
from stationmgr.store.billing_models import PricedLine, Receipt, SessionPrice
from stationmgr.store.models import Bay, CardGroup, CardHolder, ChargeSession
from stationmgr.validate import parse_id, printable

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StatementRow:
    session_id: int
    tx_uid: str
    bay: str
    card: str
    holder: str
    plugged_at: datetime
    stopped_at: datetime
    energy_wh: float
    net_minor: int
    vat_minor: int
    total_minor: int
    receipt: int | None
    tariff: str
    by_vat: dict[int, tuple[int, int]]


@dataclass
class Statement:
    title: str
    addressee: str
    address: tuple[str, ...]
    year: int
    month: int
    currency: str
    seller: Seller
    tz: object
    rows: list[StatementRow] = field(default_factory=list)
    sek_rate_e6: int | None = None  # the site's rate when made: VAT in SEK in another currency

    @property
    def energy_wh(self) -> float:
        return sum(r.energy_wh for r in self.rows)

    @property
    def net_minor(self) -> int:
        return sum(r.net_minor for r in self.rows)

    @property
    def vat_minor(self) -> int:
        return sum(r.vat_minor for r in self.rows)

    @property
    def total_minor(self) -> int:
        return sum(r.total_minor for r in self.rows)

    def vat_totals(self) -> dict[int, tuple[int, int]]:
        out: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for r in self.rows:
            for bp, (n, v) in r.by_vat.items():
                a, b = out[bp]
                out[bp] = (a + n, b + v)
        return dict(sorted(out.items()))


def _row_id(text: str) -> int | None:
    """An id typed as ASCII digits within 64 bits, else None (then it is a name)."""
    try:
        return parse_id(text, "id")
    except UserError:
        return None


def resolve_scope(
    s: Session, holder: str | None, group: str | None
) -> tuple[str, tuple[str, ...], int | None, int | None]:
    """(addressee, address lines, holder_id, group_id) from a holder/group id or name."""
    if holder and group:
        raise UserError("give --holder or --group, not both")
    if holder:
        hid = _row_id(holder)
        h = (
            s.get(CardHolder, hid)
            if hid is not None
            else s.scalar(select(CardHolder).where(CardHolder.name == holder))
        )
        if h is None:
            raise UserError(f"no card holder {printable(holder)[:60]!r}")
        addr = tuple(
            x.strip() for x in (h.address or "").replace("\n", ";").split(";") if x.strip()
        )
        return h.name, addr, h.id, None
    if group:
        gid = _row_id(group)
        g = (
            s.get(CardGroup, gid)
            if gid is not None
            else s.scalar(select(CardGroup).where(CardGroup.name == group))
        )
        if g is None:
            raise UserError(f"no card group {printable(group)[:60]!r}")
        return g.name, (), None, g.id
    raise UserError("a statement is for one --holder or one --group")


def statement(
    s: Session,
    year: int,
    month: int,
    holder_id: int | None = None,
    group_id: int | None = None,
    addressee: str = "",
    address: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> Statement:
    tz = site_tz(s)
    start, end = month_bounds(year, month, tz)
    latest = (
        select(SessionPrice.session_id, func.max(SessionPrice.revision).label("rev"))
        .group_by(SessionPrice.session_id)
        .subquery()
    )
    q = (
        select(ChargeSession, SessionPrice)
        .join(latest, latest.c.session_id == ChargeSession.id)
        .join(
            SessionPrice,
            (SessionPrice.session_id == ChargeSession.id) & (SessionPrice.revision == latest.c.rev),
        )
        .where(ChargeSession.stopped_at >= start, ChargeSession.stopped_at < end)
        .order_by(ChargeSession.stopped_at, ChargeSession.id)
    )
    if holder_id is not None:
        q = q.where(ChargeSession.holder_id == holder_id)
    if group_id is not None:
        q = q.where(ChargeSession.group_id == group_id)
    pairs = s.execute(q).all()
    price_ids = [p.id for _, p in pairs]
    by_vat: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    receipts: dict[int, int] = {}
    for chunk in range(0, len(price_ids), 500):
        ids = price_ids[chunk : chunk + 500]
        for pid, bp, n, v in s.execute(
            select(
                PricedLine.price_id,
                PricedLine.vat_bp,
                func.sum(PricedLine.net_minor),
                func.sum(PricedLine.vat_minor),
            )
            .where(PricedLine.price_id.in_(ids))
            .group_by(PricedLine.price_id, PricedLine.vat_bp)
        ):
            by_vat[pid][bp] = (int(n), int(v))
        receipts.update(
            s.execute(
                select(Receipt.price_id, Receipt.number).where(Receipt.price_id.in_(ids))
            ).all()
        )
    bays = dict(s.execute(select(Bay.id, Bay.label)).all())
    st = Statement(
        title="statement",
        addressee=addressee,
        address=address,
        year=year,
        month=month,
        currency=site_currency(s),
        seller=seller(s),
        tz=tz,
    )
    st.sek_rate_e6 = sek_rate_e6(s, st.currency)
    for n, (row, price) in enumerate(pairs, 1):
        st.rows.append(
            StatementRow(
                session_id=row.id,
                tx_uid=row.tx_uid,
                bay=bays.get(row.bay_id, str(row.bay_id)),
                card=mask_uid(row.card_uid) if row.card_uid else "guest",
                holder=row.holder_name or "",
                plugged_at=row.plugged_at,
                stopped_at=row.stopped_at,  # type: ignore[arg-type]
                energy_wh=row.energy_wh,
                net_minor=price.net_minor,
                vat_minor=price.vat_minor,
                total_minor=price.total_minor,
                receipt=receipts.get(price.id),
                tariff=", ".join(dict.fromkeys(t["name"] for t in price.tariffs or [])),
                by_vat=by_vat.get(price.id, {}),
            )
        )
        if progress is not None and (n % 500 == 0 or n == len(pairs)):
            progress(n, len(pairs))
    return st


STATEMENT_CSV = [
    "session_id",
    "tx_uid",
    "bay",
    "card",
    "holder",
    "plugged_at",
    "stopped_at",
    "energy_kwh",
    "net",
    "vat",
    "total",
    "currency",
    "receipt",
    "tariff",
]


def statement_csv(st: Statement, dialect: str = "plain") -> str:
    out = io.StringIO()
    w = csv_writer(out, dialect)
    w.writerow(STATEMENT_CSV)
    for r in st.rows:
        w.writerow(
            [
                r.session_id,
                r.tx_uid,
                r.bay,
                r.card,
                r.holder,
                r.plugged_at.astimezone(st.tz).isoformat(timespec="seconds"),  # type: ignore[arg-type]
                r.stopped_at.astimezone(st.tz).isoformat(timespec="seconds"),  # type: ignore[arg-type]
                f"{r.energy_wh / 1000:.3f}",
                money(r.net_minor, "en").replace(",", ""),
                money(r.vat_minor, "en").replace(",", ""),
                money(r.total_minor, "en").replace(",", ""),
                st.currency,
                r.receipt or "",
                r.tariff,
            ]
        )
    w.writerow(
        [
            "total",
            "",
            "",
            "",
            "",
            "",
            "",
            f"{st.energy_wh / 1000:.3f}",
            money(st.net_minor, "en").replace(",", ""),
            money(st.vat_minor, "en").replace(",", ""),
            money(st.total_minor, "en").replace(",", ""),
            st.currency,
            "",
            "",
        ]
    )
    return out.getvalue()


class _Pages:
    """A tiny page writer: header on each page, rows flow onto new pages."""

    def __init__(self, title: str, seller_: Seller, lang: str, subtitle: list[str]) -> None:
        register_fonts()
        self.buf = io.BytesIO()
        self.c = Canvas(self.buf, pagesize=A4, pageCompression=1)
        self.c.setTitle(title)
        self.title, self.seller, self.lang, self.subtitle = title, seller_, lang, subtitle
        self.page = 0
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        c, (w, h) = self.c, A4
        c.setFont(BOLD, 13)
        c.drawString(40, h - 50, self.seller.name)
        c.setFont(FONT, 8)
        info = [*self.seller.address]
        if self.seller.org_number:
            info.append(f"{word('org_no', self.lang)} {self.seller.org_number}")
        if self.seller.vat_number:
            info.append(f"{word('vat_no', self.lang)} {self.seller.vat_number}")
        c.drawString(40, h - 62, " · ".join(info))
        c.setFont(BOLD, 14)
        c.drawRightString(w - 40, h - 50, self.title)
        c.setFont(FONT, 9)
        for i, line in enumerate(self.subtitle):
            c.drawRightString(w - 40, h - 64 - i * 11, line)
        c.setFont(FONT, 7)
        c.drawRightString(w - 40, 25, f"{word('page', self.lang)} {self.page}")
        self.y = h - 80 - 11 * len(self.subtitle)

    def need(self, height: float) -> None:
        if self.y - height < 45:
            self.new_page()

    def table(
        self, cols: list[tuple[str, float, str]], rows: list[list[str]], bold_last: bool = False
    ) -> None:
        def header() -> None:
            self.c.setFillGray(0.92)
            self.c.rect(36, self.y - 3, A4[0] - 72, 13, stroke=0, fill=1)
            self.c.setFillGray(0)
            self.c.setFont(BOLD, 7.5)
            for title, x, al in cols:
                (self.c.drawString if al == "l" else self.c.drawRightString)(x, self.y, title)
            self.y -= 13

        self.need(30)
        header()
        for i, r in enumerate(rows):
            if self.y < 50:
                self.new_page()
                header()
            last = bold_last and i == len(rows) - 1
            self.c.setFont(BOLD if last else FONT, 7.5)
            for (_, x, al), text in zip(cols, r, strict=True):
                (self.c.drawString if al == "l" else self.c.drawRightString)(x, self.y, text)
            self.y -= 10.5
        self.y -= 8

    def heading(self, text: str) -> None:
        self.need(40)
        self.c.setFont(BOLD, 10)
        self.c.drawString(40, self.y, text)
        self.y -= 15

    def text(self, text: str, font: str = FONT, size: float = 9) -> None:
        self.need(14)
        self.c.setFont(font, size)
        self.c.drawString(40, self.y, text)
        self.y -= size + 3

    def done(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def _vat_table(
    p: _Pages,
    totals: dict[int, tuple[int, int]],
    lang: str,
    currency: str,
    rate_e6: int | None = None,
) -> None:
    w = lambda k: word(k, lang)  # noqa: E731
    cols = [
        (w("vat_rate"), 60, "l"),
        (w("net"), 250, "r"),
        (w("vat"), 350, "r"),
        (w("amount"), 450, "r"),
    ]
    rows = [
        [vat_rate_text(bp, lang), money(n, lang), money(v, lang), money(n + v, lang)]
        for bp, (n, v) in totals.items()
    ]
    tn, tv = sum(n for n, _ in totals.values()), sum(v for _, v in totals.values())
    rows.append(
        [f"{w('sum')} ({currency})", money(tn, lang), money(tv, lang), money(tn + tv, lang)]
    )
    p.table(cols, rows, bold_last=True)
    for line in vat_in_sek_lines(totals, rate_e6, currency, lang):
        p.text(line)


def render_statement(st: Statement, lang: str = "sv") -> bytes:
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}: use sv or en")
    w = lambda k: word(k, lang)  # noqa: E731
    period = f"{st.year}-{st.month:02d}"
    p = _Pages(w("statement"), st.seller, lang, [f"{w('period')}: {period}"])
    p.text(f"{w('to')}: {st.addressee}", BOLD, 11)
    for line in st.address:
        p.text(line)
    p.y -= 6
    tz = st.tz
    cols = [
        (w("date"), 40, "l"),
        (w("bay"), 92, "l"),
        (w("card"), 136, "l"),
        (w("start"), 190, "l"),
        (w("stop"), 222, "l"),
        (w("energy"), 300, "r"),
        (w("net"), 355, "r"),
        (w("vat"), 405, "r"),
        (w("amount"), 465, "r"),
        (w("receipt_short"), 505, "r"),
        (w("tariff"), 512, "l"),
    ]
    rows = []
    for r in st.rows:
        a, b = r.plugged_at.astimezone(tz), r.stopped_at.astimezone(tz)  # type: ignore[arg-type]
        rows.append(
            [
                a.strftime("%Y-%m-%d"),
                r.bay,
                r.card,
                a.strftime("%H:%M"),
                b.strftime("%H:%M"),
                decimal(r.energy_wh / 1000, 3, lang),
                money(r.net_minor, lang),
                money(r.vat_minor, lang),
                money(r.total_minor, lang),
                str(r.receipt or ""),
                r.tariff[:14],
            ]
        )
    rows.append(
        [
            w("sum"),
            "",
            "",
            "",
            "",
            decimal(st.energy_wh / 1000, 3, lang),
            money(st.net_minor, lang),
            money(st.vat_minor, lang),
            money(st.total_minor, lang),
            "",
            st.currency,
        ]
    )
    p.heading(f"{w('sessions')}: {len(st.rows)}")
    p.table(cols, rows, bold_last=True)
    p.heading(w("vat"))
    _vat_table(p, st.vat_totals(), lang, st.currency, st.sek_rate_e6)
    return p.done()


# ---------------------------------------------------------------- the accountant's summary


@dataclass
class MonthSummary:
    year: int
    month: int
    currency: str
    seller: Seller
    # key → [entries, Wh, net, vat]
    by_day: dict[str, list[float]] = field(default_factory=dict)
    by_bay: dict[str, list[float]] = field(default_factory=dict)
    by_tariff: dict[str, list[float]] = field(default_factory=dict)
    by_vat: dict[int, tuple[int, int]] = field(default_factory=dict)
    reversals: int = 0
    unpriced: int = 0  # sessions plugged in before any valid tariff: priced at nothing
    ledger_code: str = ""  # the ledger head's code, to keep outside (billing.anchors)
    sek_rate_e6: int | None = None  # the site's rate when made: VAT in SEK in another currency


def month_summary(
    s: Session, year: int, month: int, progress: Progress | None = None
) -> MonthSummary:
    tz = site_tz(s)
    start, end = month_bounds(year, month, tz)
    m = MonthSummary(year, month, site_currency(s), seller(s))
    m.sek_rate_e6 = sek_rate_e6(s, m.currency)
    vat: dict[int, list[int]] = defaultdict(lambda: [0, 0])

    def add(table: dict[str, list[float]], key: str, wh: float, net: int, v: int, n: int) -> None:
        row = table.setdefault(key, [0, 0.0, 0, 0])
        row[0] += n
        row[1] += wh
        row[2] += net
        row[3] += v

    for x in sales(s, start, end, progress):
        n = -1 if x.kind == "reversal" else 1
        m.reversals += x.kind == "reversal"
        m.unpriced += x.kind == "sale" and not x.tariffs
        day = x.ts.astimezone(tz).date().isoformat()
        add(m.by_day, day, x.energy_wh, x.net_minor, x.vat_minor, n)
        add(m.by_bay, x.bay, x.energy_wh, x.net_minor, x.vat_minor, n)
        add(m.by_tariff, ", ".join(x.tariffs) or "-", x.energy_wh, x.net_minor, x.vat_minor, n)
        for bp, (net, v) in x.by_vat.items():
            vat[bp][0] += net
            vat[bp][1] += v
    m.by_day = dict(sorted(m.by_day.items()))
    m.by_bay = dict(sorted(m.by_bay.items()))
    m.by_tariff = dict(sorted(m.by_tariff.items()))
    m.by_vat = {bp: (a, b) for bp, (a, b) in sorted(vat.items())}
    from stationmgr.billing.anchors import month_head_code

    m.ledger_code = month_head_code(s, year, month)
    return m


def summary_csv(m: MonthSummary, dialect: str = "plain") -> str:
    out = io.StringIO()
    w = csv_writer(out, dialect)
    w.writerow(["section", "key", "sessions", "energy_kwh", "net", "vat", "total", "currency"])
    for section, table in (("day", m.by_day), ("bay", m.by_bay), ("tariff", m.by_tariff)):
        for key, (n, wh, net, v) in table.items():
            w.writerow(
                [
                    section,
                    key,
                    int(n),
                    f"{wh / 1000:.3f}",
                    _plain(int(net)),
                    _plain(int(v)),
                    _plain(int(net + v)),
                    m.currency,
                ]
            )
    for bp, (net, v) in m.by_vat.items():
        w.writerow(
            ["vat", f"{bp / 100:g}%", "", "", _plain(net), _plain(v), _plain(net + v), m.currency]
        )
    if m.unpriced:
        w.writerow(["unpriced", "no valid tariff", m.unpriced, "", "", "", "", m.currency])
    return out.getvalue()


def _plain(minor: int) -> str:
    return money(minor, "en").replace(",", "")


def render_summary(m: MonthSummary, lang: str = "sv") -> bytes:
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}: use sv or en")
    w = lambda k: word(k, lang)  # noqa: E731
    title = {"sv": "MÅNADSSAMMANSTÄLLNING", "en": "MONTH SUMMARY"}[lang]
    code = w("ledger_code")
    p = _Pages(
        title,
        m.seller,
        lang,
        [f"{w('period')}: {m.year}-{m.month:02d}", f"{code}: {m.ledger_code}"],
    )
    heads = {
        "sv": ("Per dag", "Per laddplats", "Per tariff"),
        "en": ("Per day", "Per bay", "Per tariff"),
    }
    for head, table in zip(heads[lang], (m.by_day, m.by_bay, m.by_tariff), strict=True):
        cols = [
            ("", 40, "l"),
            (w("sessions"), 250, "r"),
            (w("energy") + " kWh", 320, "r"),
            (w("net"), 400, "r"),
            (w("vat"), 470, "r"),
            (w("amount"), 555, "r"),
        ]
        rows = [
            [
                k,
                str(int(n)),
                decimal(wh / 1000, 3, lang),
                money(int(net), lang),
                money(int(v), lang),
                money(int(net + v), lang),
            ]
            for k, (n, wh, net, v) in table.items()
        ]
        tot = [sum(r[i] for r in table.values()) for i in range(4)]
        rows.append(
            [
                w("sum"),
                str(int(tot[0])),
                decimal(tot[1] / 1000, 3, lang),
                money(int(tot[2]), lang),
                money(int(tot[3]), lang),
                money(int(tot[2] + tot[3]), lang),
            ]
        )
        p.heading(head)
        p.table(cols, rows, bold_last=True)
    p.heading(w("vat"))
    _vat_table(p, m.by_vat, lang, m.currency, m.sek_rate_e6)
    if m.unpriced:
        p.text(unpriced_text(m.unpriced, lang))
    return p.done()


def unpriced_text(n: int, lang: str) -> str:
    """The line that says sessions went unpriced (no tariff was valid at their plug-in)."""
    if lang == "sv":
        return f"{n} laddningar utan giltig tariff vid start: ej prissatta (0,00)."
    return f"{n} sessions with no valid tariff at their start: not priced (0.00)."
