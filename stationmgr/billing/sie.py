"""SIE 4 export of a month's sales, for import into Swedish bookkeeping software.

The file follows SIE filformat 4B: `#FLAGGA 0` first, `#FORMAT PC8` (IBM code page 437:
a character it lacks is transliterated, Ø → Ö, € → EUR, or the export is refused naming
it — never a silent `?`), `#SIETYP 4`, `#PROGRAM`, `#GEN`, the company (`#FNAMN`, `#ORGNR`
as NNNNNN-NNNN, `#ADRESS` with every address line), the fiscal year (`#RAR 0`), the chart
type (`#KPTYP`), the accounts used (`#KONTO`), object dimensions if chosen (`#DIM`,
`#OBJEKT`), then vouchers: `#VER "series" "number" date "text" regdate`, `{`, one `#TRANS
account {objects} amount` per row, `}`. The registration date is the day the file was made
(for a closed month: its close), the day the voucher was compiled (BFL 5 kap 7 §); series
and number are quoted, as 4B allows any field to be, so that readers which only take the
quoted form (pysie-accounting, tests/test_sie_thirdparty.py) read every voucher. Amounts
have a decimal point and two decimals; debit is positive, credit negative; every voucher sums
to zero. Lines end with CR LF.

Booking (BAS): a card holder's sale is on credit, debit 1510 (receivables); a guest's is paid
at the site, debit 1580 (card/Swish receivables). The net is credited to the sales account of
its VAT rate (3001 25 %, 3002 12 %, 3003 6 %, 3004 without VAT) and the VAT to the output
VAT account of its rate (2611/2621/2631). Every account is a site setting. A reversal books
the opposite. One voucher per day (default) or per ledger entry (`sie_voucher_per`); a sale
booked after its session's month was closed gets a voucher of its own naming the session.

Voucher numbers run through the fiscal year (`fiscal_year_start`) in one series
(`sie_voucher_series`): a month's first number follows the last of the months before it in
the year (a closed month's count is stored at its close), so importing month after month
never meets a number twice.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import __version__
from stationmgr.billing.sales import Progress, Sale, sales
from stationmgr.billing.site import month_bounds, seller, site_tz, site_values
from stationmgr.errors import UserError

ACCOUNT_NAMES = {
    "sales": "Försäljning laddning",
    "sales_0": "Försäljning laddning, momsfri",
    "vat": "Utgående moms",
    "debit": "Kundfordringar",
    "paid": "Fordringar kontokort och Swish",
}
SALES_KEYS = {
    2500: "sie_account_sales",
    1200: "sie_account_sales_12",
    600: "sie_account_sales_6",
    0: "sie_account_sales_0",
}
_VAT_KEYS = {2500: "sie_account_vat", 1200: "sie_account_vat_12", 600: "sie_account_vat_6"}
DIM_BAY, DIM_CUSTOMER = "1", "8"  # 4B's reserved dimensions: resultatenhet, kund
DIM_NAMES = {DIM_BAY: "Laddplats", DIM_CUSTOMER: "Kund"}

# What code page 437 lacks, spelled in what it has (others: accents dropped, see `to_pc8`).
_TRANSLIT = {
    "€": "EUR",
    "Ø": "Ö",
    "ø": "ö",
    "Œ": "OE",
    "œ": "oe",
    "Þ": "Th",
    "þ": "th",
    "Ð": "D",
    "ð": "d",
    "Đ": "D",
    "đ": "d",
    "Ł": "L",
    "ł": "l",
    "–": "-",
    "—": "-",
    "‐": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": "'",
    "”": "'",
    "„": "'",
    "…": "...",
    "•": "*",
    "×": "x",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}


def to_pc8(text: str, where: str = "text") -> bytes:
    """CP437 bytes for `text`: characters it lacks are transliterated; one that cannot be
    is refused (UserError naming it and where), never written as '?'."""
    out = bytearray()
    for ch in text:
        rep = _TRANSLIT.get(ch, ch)
        try:
            out += rep.encode("cp437")
            continue
        except UnicodeEncodeError:
            pass
        base = "".join(
            c for c in unicodedata.normalize("NFKD", rep) if not unicodedata.combining(c)
        )
        try:
            if not base:
                raise UnicodeEncodeError("cp437", rep, 0, 1, "empty")
            out += base.encode("cp437")
        except UnicodeEncodeError:
            raise UserError(
                f"SIE (PC8) cannot write {ch!r} (U+{ord(ch):04X}) in {where}: change the text"
            ) from None
    return bytes(out)


def quote(text: str) -> str:
    """A SIE string field: always quoted, on one line. 4B defines no escape but `\\"`, so
    a quote becomes ' and a backslash / (see `_TRANSLIT`): every reader agrees on it."""
    t = " ".join(str(text).split())
    return '"' + t.replace("\\", "/").replace('"', "'") + '"'


def amount(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    m = abs(minor)
    return f"{sign}{m // 100}.{m % 100:02d}"


def ymd(d: date | datetime) -> str:
    return d.strftime("%Y%m%d")


def org_number(text: str) -> str:
    """NNNNNN-NNNN, as 4B writes `#ORGNR` (entered with or without the hyphen)."""
    digits = "".join(c for c in text if c.isdigit())
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 else text


@dataclass(frozen=True)
class Accounts:
    """The BAS accounts the export books to (site settings, read once per export)."""

    sales: dict[int, str]  # VAT rate (basis points) → sales account
    vat: dict[int, str]  # VAT rate → output VAT account
    debit: str  # sales on credit
    paid: str  # sales paid at the site

    @classmethod
    def of(cls, values: dict[str, str]) -> Accounts:
        return cls(
            {bp: values[k] for bp, k in SALES_KEYS.items()},
            {bp: values[k] for bp, k in _VAT_KEYS.items()},
            values["sie_account_debit"],
            values["sie_account_paid"],
        )

    def sales_for(self, vat_bp: int, sale: Sale) -> str:
        if vat_bp not in self.sales:
            raise UserError(
                f"no SIE sales account for the VAT rate {vat_bp / 100:g} % (session "
                f"{sale.tx_uid}): Swedish rates are 25, 12, 6 and 0 %"
            )
        return self.sales[vat_bp]

    def vat_for(self, vat_bp: int, sale: Sale) -> str:
        if vat_bp not in self.vat:
            raise UserError(
                f"no SIE output VAT account for the rate {vat_bp / 100:g} % (session "
                f"{sale.tx_uid}): Swedish rates are 25, 12, 6 and 0 %"
            )
        return self.vat[vat_bp]

    def names(self) -> dict[str, str]:
        n = {self.debit: ACCOUNT_NAMES["debit"], self.paid: ACCOUNT_NAMES["paid"]}
        for bp, a in self.sales.items():
            n.setdefault(a, ACCOUNT_NAMES["sales_0" if bp == 0 else "sales"] + _pct(bp))
        for bp, a in self.vat.items():
            n.setdefault(a, f"{ACCOUNT_NAMES['vat']}{_pct(bp)}")
        return n


def _pct(bp: int) -> str:
    return f" {bp / 100:g} %" if bp else ""


Objects = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Voucher:
    day: date
    text: str
    rows: tuple[tuple[str, Objects, int], ...]  # (account, objects, amount), debit positive


def _rows(
    acc: Accounts, group: Iterable[Sale], dims: set[str]
) -> tuple[tuple[str, Objects, int], ...]:
    """One voucher's rows, summed per account and objects; they sum to zero."""
    sums: dict[tuple[str, Objects], int] = defaultdict(int)
    for x in group:
        cust: Objects = ()
        if "customer" in dims and x.holder_id is not None:
            cust = ((DIM_CUSTOMER, str(x.holder_id)),)
        bay: Objects = ((DIM_BAY, x.bay),) if "bay" in dims else ()
        debit = acc.paid if x.guest else acc.debit
        for bp, (net, vat) in sorted(x.by_vat.items()):
            sums[(debit, cust)] += net + vat
            sums[(acc.sales_for(bp, x), bay + cust)] -= net
            if vat:
                sums[(acc.vat_for(bp, x), ())] -= vat
    rows = tuple((a, o, v) for (a, o), v in sums.items() if v)
    assert sum(v for _, _, v in rows) == 0
    return rows


def _late(x: Sale, start: datetime) -> bool:
    """Booked after its session's month was closed (the session stopped before `start`)."""
    return x.kind == "sale" and x.stopped_at is not None and x.stopped_at < start


def month_vouchers(
    s: Session,
    year: int,
    month: int,
    values: dict[str, str],
    tz: ZoneInfo,
    progress: Progress | None = None,
) -> tuple[list[Voucher], list[Sale]]:
    """The month's vouchers (empty ones left out) and the sales behind them."""
    start, end = month_bounds(year, month, tz)
    items = list(sales(s, start, end, progress))
    acc = Accounts.of(values)
    dims = set(filter(None, values["sie_objects"].split(",")))
    groups: list[tuple[date, str, list[Sale]]] = []
    by_day: dict[date, list[Sale]] = defaultdict(list)
    for x in items:
        d = x.ts.astimezone(tz).date()
        ref = f" kvitto {x.receipt}" if x.receipt else ""
        if _late(x, start):
            assert x.stopped_at is not None
            when = x.stopped_at.astimezone(tz).date().isoformat()
            text = f"Laddning {x.bay} {x.tx_uid}{ref}, session {when} (sent bokad)"
            groups.append((d, text, [x]))
        elif values["sie_voucher_per"] == "receipt":
            what = "Kreditering" if x.kind == "reversal" else "Laddning"
            groups.append((d, f"{what} {x.bay} {x.tx_uid}{ref}", [x]))
        else:
            by_day[d].append(x)
    for d, xs in by_day.items():
        groups.append((d, f"Laddning {d.isoformat()} ({len(xs)} st)", xs))
    groups.sort(key=lambda g: (g[0], min(x.seq for x in g[2])))
    vouchers = [Voucher(d, text, _rows(acc, g, dims)) for d, text, g in groups]
    return [v for v in vouchers if v.rows], items


def fiscal_year(year: int, month: int, first_month: int) -> tuple[date, date]:
    """The fiscal year containing the month (first and last day)."""
    start = date(year if month >= first_month else year - 1, first_month, 1)
    nxt = date(start.year + 1, first_month, 1)
    return start, nxt - timedelta(days=1)


def vouchers_before(s: Session, year: int, month: int, values: dict[str, str], tz: ZoneInfo) -> int:
    """How many vouchers the months before this one in its fiscal year have (a closed
    month's count as stored at its close, an open one's as exported now)."""
    from stationmgr.store.billing_models import MonthClose

    fy_start, _ = fiscal_year(year, month, int(values["fiscal_year_start"] or 1))
    closed = dict(
        s.execute(select(MonthClose.year * 100 + MonthClose.month, MonthClose.sie_vouchers)).all()
    )
    n = 0
    y, m = fy_start.year, fy_start.month
    while (y, m) < (year, month):
        if y * 100 + m in closed:
            n += closed[y * 100 + m]
        else:
            n += len(month_vouchers(s, y, m, values, tz)[0])
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return n


def export_sie(
    s: Session,
    year: int,
    month: int,
    now: datetime,
    progress: Progress | None = None,
    values: dict[str, str] | None = None,
    version: str | None = None,
) -> bytes:
    """The month's sales as a SIE 4 file (bytes, CP437). `values` and `version` default to
    the site's settings and this program's version (a month close stores both, so its
    export can be made again byte for byte)."""
    v = values or site_values(s)
    tz = site_tz(s, v)
    who = seller(s, v)
    vouchers, items = month_vouchers(s, year, month, v, tz, progress)
    currencies = {x.currency for x in items}
    if len(currencies) > 1:
        raise UserError(f"the month has sales in several currencies: {sorted(currencies)}")
    first = vouchers_before(s, year, month, v, tz) + 1
    acc = Accounts.of(v)
    names = acc.names()
    used = sorted({a for x in vouchers for a, _, _ in x.rows})
    objects: dict[tuple[str, str], str] = {}
    holder_names = {str(x.holder_id): x.holder_name or "" for x in items if x.holder_id}
    for x in vouchers:
        for _, objs, _ in x.rows:
            for dim, obj in objs:
                name = obj if dim == DIM_BAY else holder_names.get(obj, obj)
                objects[(dim, obj)] = name
    fy_start, fy_end = fiscal_year(year, month, int(v["fiscal_year_start"] or 1))
    out = [
        "#FLAGGA 0",
        f"#PROGRAM {quote('stationmgr')} {quote(version or __version__)}",
        "#FORMAT PC8",
        f"#GEN {ymd(now.astimezone(tz))}",
        "#SIETYP 4",
        f"#PROSA {quote(f'Försäljning laddning {year}-{month:02d}')}",
    ]
    if who.org_number:
        out.append(f"#ORGNR {org_number(who.org_number)}")
    if who.address:
        lines = list(who.address)
        street = ", ".join(lines[:-1]) if len(lines) > 1 else lines[0]
        post = lines[-1] if len(lines) > 1 else ""
        out.append(f"#ADRESS {quote('')} {quote(street)} {quote(post)} {quote('')}")
    out += [
        f"#FNAMN {quote(who.name)}",
        f"#RAR 0 {ymd(fy_start)} {ymd(fy_end)}",
        f"#KPTYP {v['sie_kptyp']}",
        f"#VALUTA {next(iter(currencies), v['currency'] or 'SEK')}",
    ]
    out += [f"#KONTO {a} {quote(names.get(a, 'Konto ' + a))}" for a in used]
    for dim in sorted({d for d, _ in objects}, key=int):
        out.append(f"#DIM {dim} {quote(DIM_NAMES[dim])}")
    for (dim, obj), name in sorted(objects.items(), key=lambda k: (int(k[0][0]), k[0][1])):
        out.append(f"#OBJEKT {dim} {quote(obj)} {quote(name)}")
    series = quote(v["sie_voucher_series"] or "L")
    made = ymd(now.astimezone(tz))
    for n, x in enumerate(vouchers, first):
        out.append(f"#VER {series} {quote(str(n))} {ymd(x.day)} {quote(x.text)} {made}")
        out.append("{")
        for a, objs, amt in x.rows:
            ol = " ".join(f"{d} {quote(o)}" for d, o in objs)
            out.append(f"   #TRANS {a} {{{ol}}} {amount(amt)}")
        out.append("}")
    return b"".join(to_pc8(line, line[:40]) + b"\r\n" for line in out)
