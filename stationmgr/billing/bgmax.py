"""A reader for Bankgirot's BgMax file ("inbetalningsfil", Bankgiro Inbetalningar).

Layout (Bankgirot's technical manual): 80-character records, ISO 8859-1, the first two
characters the transaction code. 01 start (layout name `BGMAX`, version, timestamp, test
marker), then sections of 05 opening (payee bankgiro, currency), payments 20 (and 21
deductions, 22/23 extra references, 25–29 sender information), 15 deposit (date and amount
of the section), and 70 end (record counts). Positions below are 1-based as in the manual.

Payment record (20, and 21/22/23 alike): 3–12 sender's bankgiro, 13–37 reference, 38–55
amount in öre, 56 reference code (2: a checked OCR reference), 57 payment channel,
58–69 Bankgirot's serial number, 70 image marker. Deposit record (15): 3–37 payee's bank
account, 38–45 payment date YYYYMMDD, 46–50 deposit serial number, 51–68 amount in öre,
69–71 currency, 72–79 number of payments.

The reader checks what the file itself can prove (layout name, record lengths, each
section's payments against its deposit, the end record's counts) and names the line of
the first problem, so a damaged or foreign file is refused before anything is booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stationmgr.errors import UserError


@dataclass(frozen=True)
class BgPayment:
    """One incoming payment (a 20 record, or an extra reference 22/23 with its own amount)."""

    reference: str
    amount_minor: int
    paid_on: date
    sender_bankgiro: str
    serial: str  # Bankgirot's serial number: unique per payment and deposit
    ref_code: str
    line: int

    @property
    def bank_ref(self) -> str:
        return f"bgmax:{self.paid_on.isoformat()}:{self.serial}:{self.line_kind}"

    line_kind: str = "20"


@dataclass
class BgSection:
    payee_bankgiro: str
    currency: str
    payments: list[BgPayment] = field(default_factory=list)
    deductions_minor: int = 0
    deposit_minor: int = 0
    paid_on: date | None = None


@dataclass
class BgMaxFile:
    timestamp: str
    test: bool
    sections: list[BgSection] = field(default_factory=list)

    @property
    def payments(self) -> list[BgPayment]:
        return [p for s in self.sections for p in s.payments]


def _num(rec: str, a: int, b: int, what: str, line: int) -> int:
    text = rec[a - 1 : b].strip()
    if not text.isdigit():
        raise UserError(f"BgMax line {line}: {what} is not a number ({text[:20]!r})")
    return int(text)


def _date(text: str, line: int) -> date:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise UserError(f"BgMax line {line}: invalid payment date {text!r}") from None


def parse_bgmax(data: bytes) -> BgMaxFile:
    """Parse a BgMax file; UserError naming the line of the first problem."""
    text = data.decode("latin-1")
    records = [r.rstrip("\r") for r in text.split("\n")]
    while records and not records[-1].strip():
        records.pop()
    if not records or not records[0].startswith("01"):
        raise UserError("not a BgMax file: it does not begin with a start record (01)")
    first = records[0]
    if first[2:22].strip() != "BGMAX":
        raise UserError("not a BgMax file: the start record does not name the layout BGMAX")
    out = BgMaxFile(timestamp=first[24:44].strip(), test=first[44:45] == "T")
    sec: BgSection | None = None
    pending: list[BgPayment] = []  # payments of the open section (dated by its deposit)
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    ended = False
    for n, rec in enumerate(records, 1):
        if n == 1:
            continue
        if ended:
            raise UserError(f"BgMax line {n}: a record after the end record (70)")
        if len(rec) > 80:
            raise UserError(f"BgMax line {n}: longer than 80 characters")
        rec = rec.ljust(80)
        code = rec[0:2]
        if code == "05":
            if sec is not None:
                raise UserError(f"BgMax line {n}: a new section before the deposit record (15)")
            sec = BgSection(rec[2:12].strip(), rec[22:25].strip())
            pending = []
        elif code in ("20", "21", "22", "23"):
            if sec is None:
                raise UserError(f"BgMax line {n}: a payment outside a section (no 05 record)")
            amount = _num(rec, 38, 55, "the amount", n)
            if code == "21":
                sec.deductions_minor += amount
                counts["21"] += 1
                continue
            counts["20" if code == "20" else "22"] += 1
            pending.append(
                BgPayment(
                    reference=rec[12:37].strip(),
                    amount_minor=-amount if code == "23" else amount,
                    paid_on=date.min,  # set from the deposit record below
                    sender_bankgiro=rec[2:12].strip(),
                    serial=rec[57:69].strip(),
                    ref_code=rec[55:56],
                    line=n,
                    line_kind=code,
                )
            )
        elif code in ("25", "26", "27", "28", "29"):
            if sec is None:
                raise UserError(f"BgMax line {n}: sender information outside a section")
        elif code == "15":
            if sec is None:
                raise UserError(f"BgMax line {n}: a deposit record without an opening record")
            counts["15"] += 1
            sec.paid_on = _date(rec[37:45], n)
            sec.deposit_minor = _num(rec, 51, 68, "the deposit amount", n)
            declared = _num(rec, 72, 79, "the number of payments", n)
            main = [p for p in pending if p.line_kind == "20"]
            if declared != len(main):
                raise UserError(
                    f"BgMax line {n}: the deposit names {declared} payments, "
                    f"the section has {len(main)}"
                )
            paid = sum(p.amount_minor for p in main) - sec.deductions_minor
            if paid != sec.deposit_minor:
                raise UserError(
                    f"BgMax line {n}: the payments add up to {paid / 100:.2f}, "
                    f"the deposit says {sec.deposit_minor / 100:.2f}"
                )
            sec.payments = [_dated(p, sec.paid_on) for p in pending]
            out.sections.append(sec)
            sec, pending = None, []
        elif code == "70":
            ended = True
            want = {
                "20": _num(rec, 3, 10, "the number of payments", n),
                "21": _num(rec, 11, 18, "the number of deductions", n),
                "22": _num(rec, 19, 26, "the number of extra references", n),
                "15": _num(rec, 27, 34, "the number of deposits", n),
            }
            for k, v in want.items():
                if counts[k] != v:
                    raise UserError(
                        f"BgMax line {n}: the end record counts {v} records of type {k}, "
                        f"the file has {counts[k]}"
                    )
        else:
            raise UserError(f"BgMax line {n}: unknown transaction code {code!r}")
    if sec is not None:
        raise UserError("BgMax file: the last section has no deposit record (15)")
    if not ended:
        raise UserError("BgMax file: no end record (70): the file is incomplete")
    return out


def _dated(p: BgPayment, d: date) -> BgPayment:
    from dataclasses import replace

    return replace(p, paid_on=d)
