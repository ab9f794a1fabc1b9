"""SIE 4 export of a month's sales, for import into Swedish bookkeeping software.

The file follows the SIE 4 rules: `#FLAGGA 0` first, `#FORMAT PC8` (so the bytes are IBM
code page 437; characters it lacks, such as €, are spelled out), `#SIETYP 4`, `#PROGRAM`,
`#GEN`, company (`#FNAMN`, `#ORGNR`), the fiscal year (`#RAR 0`), the accounts used
(`#KONTO`), then vouchers: `#VER series number date "text"` followed by `{`, one `#TRANS
account {} amount` per row, `}`. Amounts have a decimal point and two decimals; debit is
positive, credit negative, and every voucher sums to exactly zero. Lines end with CR LF.

Booking per voucher: debit receivables/bank with the total, credit sales with the net, and
credit output VAT (one account per rate) with the VAT. A reversal books the opposite.
One voucher per day (default) or one per ledger entry (`sie_voucher_per = receipt`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from stationmgr import __version__
from stationmgr.billing.sales import Progress, Sale, sales
from stationmgr.billing.site import month_bounds, seller, site_tz, site_value
from stationmgr.errors import UserError

ACCOUNT_NAMES = {
    "sales": "Försäljning laddning",
    "vat": "Utgående moms",
    "debit": "Kundfordringar/bank",
}
_VAT_KEYS = {2500: "sie_account_vat", 1200: "sie_account_vat_12", 600: "sie_account_vat_6"}


def quote(text: str) -> str:
    """A SIE string field: always quoted, quotes and backslashes escaped, one line."""
    t = " ".join(str(text).split())
    return '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'


def amount(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    m = abs(minor)
    return f"{sign}{m // 100}.{m % 100:02d}"


def ymd(d: date | datetime) -> str:
    return d.strftime("%Y%m%d")


def encode_pc8(text: str) -> bytes:
    """CP437 bytes; characters outside it are spelled out or replaced by '?'."""
    for ch, rep in (("€", "EUR"), ("–", "-"), ("—", "-"), ("’", "'"), ("•", "*")):
        text = text.replace(ch, rep)
    return text.encode("cp437", errors="replace")


@dataclass(frozen=True)
class Accounts:
    """The BAS accounts the export books to (site settings, read once per export)."""

    sales: str
    debit: str
    vat: dict[int, str]  # VAT rate (basis points) → output VAT account

    @classmethod
    def of_site(cls, s: Session) -> Accounts:
        return cls(
            site_value(s, "sie_account_sales"),
            site_value(s, "sie_account_debit"),
            {bp: site_value(s, key) for bp, key in _VAT_KEYS.items()},
        )

    def for_vat(self, vat_bp: int) -> str:
        if vat_bp not in self.vat:
            raise UserError(f"no SIE output VAT account for the rate {vat_bp / 100:g} %")
        return self.vat[vat_bp]


def _voucher_rows(acc: Accounts, group: Iterable[Sale]) -> list[tuple[str, int]]:
    """(account, amount) rows of one voucher, debit positive; sums to zero."""
    net_total = vat_total = 0
    vat_by_acct: dict[str, int] = defaultdict(int)
    for sale in group:
        for bp, (net, vat) in sale.by_vat.items():
            net_total += net
            vat_total += vat
            if vat:
                vat_by_acct[acc.for_vat(bp)] += vat
    rows = [(acc.debit, net_total + vat_total), (acc.sales, -net_total)]
    rows += [(acct, -v) for acct, v in sorted(vat_by_acct.items())]
    rows = [(a, v) for a, v in rows if v]
    assert sum(v for _, v in rows) == 0
    return rows


def export_sie(
    s: Session, year: int, month: int, now: datetime, progress: Progress | None = None
) -> bytes:
    """The month's sales as a SIE 4 file (bytes, CP437)."""
    tz = site_tz(s)
    start, end = month_bounds(year, month, tz)
    who = seller(s)
    series = site_value(s, "sie_voucher_series") or "L"
    per = site_value(s, "sie_voucher_per") or "day"
    items = list(sales(s, start, end, progress))
    currencies = {x.currency for x in items}
    if len(currencies) > 1:
        raise UserError(f"the month has sales in several currencies: {sorted(currencies)}")

    groups: list[tuple[date, str, list[Sale]]] = []
    if per == "receipt":
        for x in items:
            d = x.ts.astimezone(tz).date()
            what = "Kreditering" if x.kind == "reversal" else "Laddning"
            ref = f" kvitto {x.receipt}" if x.receipt else ""
            groups.append((d, f"{what} {x.bay} {x.tx_uid}{ref}", [x]))
    else:
        by_day: dict[date, list[Sale]] = defaultdict(list)
        for x in items:
            by_day[x.ts.astimezone(tz).date()].append(x)
        for d in sorted(by_day):
            groups.append((d, f"Laddning {d.isoformat()} ({len(by_day[d])} st)", by_day[d]))

    acc = Accounts.of_site(s)
    vouchers = [(d, text, _voucher_rows(acc, g)) for d, text, g in groups]
    vouchers = [v for v in vouchers if v[2]]
    used = sorted({a for _, _, rows in vouchers for a, _ in rows})
    names = {acc.sales: ACCOUNT_NAMES["sales"], acc.debit: ACCOUNT_NAMES["debit"]}
    for bp, acct in acc.vat.items():
        names.setdefault(acct, f"{ACCOUNT_NAMES['vat']} {bp // 100} %")

    m0 = int(site_value(s, "fiscal_year_start") or 1)
    fy_start = date(year if month >= m0 else year - 1, m0, 1)
    fy_end = date(fy_start.year + (m0 > 1), (m0 - 2) % 12 + 1, 1)  # first of the last month
    fy_end = date(fy_end.year + fy_end.month // 12, fy_end.month % 12 + 1, 1) - timedelta(days=1)
    out = [
        "#FLAGGA 0",
        f"#PROGRAM {quote('stationmgr')} {quote(__version__)}",
        "#FORMAT PC8",
        f"#GEN {ymd(now.astimezone(tz))}",
        "#SIETYP 4",
        f"#PROSA {quote(f'Försäljning laddning {year}-{month:02d}')}",
    ]
    if who.org_number:
        out.append(f"#ORGNR {who.org_number}")
    if who.address:
        addr = [*who.address, "", ""]
        out.append(f"#ADRESS {quote('')} {quote(addr[0])} {quote(addr[1])} {quote('')}")
    out += [
        f"#FNAMN {quote(who.name)}",
        f"#RAR 0 {ymd(fy_start)} {ymd(fy_end)}",
        f"#VALUTA {next(iter(currencies), 'SEK')}",
    ]
    out += [f"#KONTO {a} {quote(names.get(a, 'Konto ' + a))}" for a in used]
    for n, (d, text, rows) in enumerate(vouchers, 1):
        out.append(f"#VER {series} {n} {ymd(d)} {quote(text)}")
        out.append("{")
        out += [f"   #TRANS {a} {{}} {amount(v)}" for a, v in rows]
        out.append("}")
    return encode_pc8("\r\n".join(out) + "\r\n")
