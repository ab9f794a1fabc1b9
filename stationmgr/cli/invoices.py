"""Invoices, credit notes, payments and the buyers' invoice details.

    stationmgr invoices issue --month YYYY-MM [--holder H | --group G]
    stationmgr invoices list [--month YYYY-MM] [--state issued|paid|overdue|credited|credit]
    stationmgr invoices show N -o FILE.pdf [--lang sv|en]
    stationmgr invoices pay N --date YYYY-MM-DD [--amount A]
    stationmgr invoices credit N --reason TEXT
    stationmgr invoices import-payments FILE     (a Bankgirot BgMax file)
    stationmgr buyers set --holder H | --group G [--name … --address "l1;l2" --org-number …
                          --vat-number … --email … --monthly yes|no --terms DAYS]
    stationmgr buyers list
    stationmgr receipts show N -o FILE.pdf [--lang sv|en]   (a receipt as issued, by number)

Bad input gives one line and exit status 2 with nothing written.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from stationmgr.cli.common import int_arg, open_db, print_table
from stationmgr.client import invoice_models as v
from stationmgr.errors import UserError

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient

LANG_CHOICES = ("sv", "en")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from stationmgr.billing.invoices import STATES

    p = sub.add_parser("invoices", help="monthly invoices, credit notes and their payments")
    t = p.add_subparsers(dest="invoices_command", metavar="ACTION", required=True)
    a = t.add_parser("issue", help="invoice a holder or group (or every monthly buyer)")
    a.add_argument("--month", required=True, metavar="YYYY-MM")
    who = a.add_mutually_exclusive_group()
    who.add_argument("--holder", metavar="ID|NAME")
    who.add_argument("--group", metavar="ID|NAME")
    a.set_defaults(func=issue_cmd, required_action="invoices.issue")

    a = t.add_parser("list", help="invoices and credit notes with their state")
    a.add_argument("--month", metavar="YYYY-MM", help="the month invoiced")
    a.add_argument("--state", choices=STATES)
    a.set_defaults(func=list_cmd, required_action="invoices.read")

    a = t.add_parser("show", help="an invoice or credit note as PDF")
    a.add_argument("number")
    a.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    a.add_argument("--lang", choices=LANG_CHOICES, default="sv")
    a.set_defaults(func=show_cmd, required_action="invoices.read")

    a = t.add_parser("pay", help="register a payment (the rest of the invoice by default)")
    a.add_argument("number")
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    a.add_argument("--amount", metavar="AMOUNT", help="e.g. 500.00 (a part payment)")
    a.set_defaults(func=pay_cmd, required_action="invoices.pay")

    a = t.add_parser("credit", help="issue a credit note for a whole invoice")
    a.add_argument("number")
    a.add_argument("--reason", required=True)
    a.set_defaults(func=credit_cmd, required_action="invoices.issue")

    a = t.add_parser("import-payments", help="book payments from a Bankgirot BgMax file by OCR")
    a.add_argument("file")
    a.set_defaults(func=import_cmd, required_action="invoices.pay")

    p = sub.add_parser("buyers", help="invoice details of card holders and groups")
    b = p.add_subparsers(dest="buyers_command", metavar="ACTION", required=True)
    a = b.add_parser("set", help="set a holder's or group's invoice details")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--holder", metavar="ID|NAME")
    who.add_argument("--group", metavar="ID|NAME")
    a.add_argument("--name", help="the buyer's name on invoices")
    a.add_argument("--address", help="address lines separated by ';'")
    a.add_argument("--org-number", help="NNNNNN-NNNN (empty: a private customer)")
    a.add_argument("--vat-number", help="e.g. SE556677889901")
    a.add_argument("--email")
    a.add_argument("--monthly", choices=("yes", "no"), help="invoiced by `invoices issue`")
    a.add_argument("--terms", type=int_arg("--terms", 0, 365), metavar="DAYS")
    a.set_defaults(func=buyers_set_cmd, required_action="buyers.edit")
    a = b.add_parser("list", help="list the buyers' invoice details")
    a.set_defaults(func=buyers_list_cmd, required_action="invoices.read")

    p = sub.add_parser("receipts", help="receipts by number (a corrected one as it was issued)")
    r = p.add_subparsers(dest="receipts_command", metavar="ACTION", required=True)
    a = r.add_parser("show", help="re-print receipt N as PDF")
    a.add_argument("number")
    a.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    a.add_argument("--lang", choices=LANG_CHOICES, default="sv")
    a.set_defaults(func=receipts_show_cmd, required_action="receipts.read")


def _number(text: str) -> int:
    from stationmgr.validate import parse_id

    return parse_id(text, "invoice number")


def _date(text: str) -> date:
    try:
        if len(text.strip()) != 10:
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"invalid date {text[:30]!r}: expected YYYY-MM-DD") from None


def _money(minor: int, cur: str = "") -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}" + (f" {cur}" if cur else "")


def _local(handler):  # type: ignore[no-untyped-def]
    """The handler through LocalClient: the same code as over `--site`."""

    def run(args: argparse.Namespace) -> int:
        from stationmgr.cli.remote import local

        return local(handler)(args)

    return run


def issue(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.site import parse_month

    parse_month(args.month)
    r = client.issue_invoices(v.InvoiceIssueRequest(args.month, args.holder, args.group))
    for i in r.issued:
        print(
            f"invoice {i.number}: {i.buyer}, {i.sessions} sessions, "
            f"{_money(i.total_minor, i.currency)}, OCR {i.ocr}, due {i.due_date}"
        )
    for line in r.skipped:
        print(f"skipped {line}")
    if not r.issued:
        raise UserError(f"no invoice issued for {args.month}")
    return 0


def listing(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.site import parse_month

    if args.month:
        parse_month(args.month)
    rows = client.invoices(v.InvoiceQuery(args.month, args.state))
    print_table(
        [
            [
                r.number,
                "credit note" if r.kind == "credit" else "invoice",
                r.invoice_date,
                r.due_date if r.kind == "invoice" else "",
                r.period,
                r.buyer,
                _money(r.total_minor),
                _money(r.paid_minor) if r.kind == "invoice" else "",
                r.currency,
                r.state if r.kind == "invoice" else f"credits {r.refers_to}",
                r.ocr,
                f"by {r.refers_to}" if r.state == "credited" else "",
            ]
            for r in rows
        ],
        [
            "number",
            "kind",
            "date",
            "due",
            "period",
            "buyer",
            "total",
            "paid",
            "cur",
            "state",
            "ocr",
            "",
        ],
    )
    return 0


def show(args: argparse.Namespace, client: SiteClient) -> int:
    import base64

    from stationmgr.cli.billing import _out, _write

    number = _number(args.number)
    out: Path = _out(args.output)
    f = client.invoice_pdf(number, v.InvoiceFileRequest(args.lang))
    _write(out, base64.b64decode(f.pdf_base64))
    what = "credit note" if f.kind == "credit" else "invoice"
    print(f"{what} {f.number} ({f.code}) → {out}")
    return 0


def pay(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.tariffs import parse_money

    number = _number(args.number)
    paid_on = _date(args.date)
    amount = parse_money(args.amount, "--amount") if args.amount is not None else None
    p = client.pay_invoice(number, v.PaymentRequest(paid_on.isoformat(), amount))
    print(
        f"invoice {p.number}: {_money(p.amount_minor)} paid on {paid_on}; "
        f"{_money(p.paid_minor)} of {_money(p.total_minor)} paid ({p.state})"
    )
    return 0


def credit(args: argparse.Namespace, client: SiteClient) -> int:
    number = _number(args.number)
    note = client.credit_invoice(number, v.CreditRequest(args.reason))
    print(
        f"credit note {note.number} for invoice {number}: "
        f"{_money(note.total_minor, note.currency)} ({note.sessions} sessions released)"
    )
    return 0


def import_payments(args: argparse.Namespace, client: SiteClient) -> int:
    import base64

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}") from None
    r = client.import_payments(v.PaymentsFile(base64.b64encode(data).decode()))
    for line in r.booked:
        print(line)
    for line in r.unmatched:
        print(f"not matched: {line}")
    if r.already:
        print(f"{r.already} payments were booked by an earlier import")
    for number in r.overpaid:
        print(f"invoice {number} is now paid more than its total")
    print(f"{len(r.booked)} booked, {len(r.unmatched)} not matched")
    return 0


def buyers_set(args: argparse.Namespace, client: SiteClient) -> int:
    b = client.set_buyer(
        v.BuyerRequest(
            holder=args.holder,
            group=args.group,
            name=args.name,
            address=args.address,
            org_number=args.org_number,
            vat_number=args.vat_number,
            email=args.email,
            invoice_monthly=None if args.monthly is None else args.monthly == "yes",
            terms_days=args.terms,
        )
    )
    kind = "private customer" if not b.org_number else f"org. no. {b.org_number}"
    monthly = "invoiced monthly" if b.invoice_monthly else "not invoiced monthly"
    print(f"{b.scope} {b.scope_name!r}: {b.name} ({kind}), {monthly}, {b.terms_days} days")
    return 0


def buyers_list(args: argparse.Namespace, client: SiteClient) -> int:
    print_table(
        [
            [
                b.scope,
                b.scope_name,
                b.name,
                " / ".join(b.address),
                b.org_number,
                b.vat_number,
                b.email,
                "yes" if b.invoice_monthly else "no",
                b.terms_days,
            ]
            for b in client.buyers()
        ],
        ["scope", "of", "name", "address", "org_no", "vat_no", "email", "monthly", "terms"],
    )
    return 0


issue_cmd = _local(issue)
list_cmd = _local(listing)
show_cmd = _local(show)
pay_cmd = _local(pay)
credit_cmd = _local(credit)
import_cmd = _local(import_payments)
buyers_set_cmd = _local(buyers_set)
buyers_list_cmd = _local(buyers_list)

# The same handlers over `--site` (cli.remote.REMOTE).
INVOICES = {
    ("invoices", "issue"): issue,
    ("invoices", "list"): listing,
    ("invoices", "show"): show,
    ("invoices", "pay"): pay,
    ("invoices", "credit"): credit,
    ("invoices", "import-payments"): import_payments,
    ("buyers", "set"): buyers_set,
    ("buyers", "list"): buyers_list,
}


def receipts_show_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.receipt_corrections import reprint
    from stationmgr.cli.billing import _out, _write
    from stationmgr.validate import parse_id

    number = parse_id(args.number, "receipt number")
    out = _out(args.output)
    db = open_db(args)
    try:
        pdf = reprint(db, number, args.lang)
    finally:
        db.dispose()
    _write(out, pdf)
    print(f"receipt {number} → {out}")
    return 0
