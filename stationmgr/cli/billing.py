"""Billing commands: receipts, statements, exports, the ledger check, tariffs, budgets,
corrections, reconciliation and the seller's details.

    stationmgr receipt SESSION_ID -o FILE.pdf [--lang sv|en]
    stationmgr statement --month YYYY-MM [--holder ID | --group ID] -o FILE.pdf [--csv FILE]
    stationmgr export --month YYYY-MM --format csv|sie -o FILE
    stationmgr verify
    stationmgr tariffs add|list
    stationmgr budgets add|list
    stationmgr correct SESSION_ID --tariff ID --reason TEXT
    stationmgr reconcile --from DATE --to DATE [--charger NAME]
    stationmgr site show | site set KEY VALUE

Bad input gives one line and exit status 2 with nothing written: every file is produced in
memory first and then written whole (temp file + rename).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from stationmgr.access.context import record
from stationmgr.cli.common import int_arg
from stationmgr.errors import UserError
from stationmgr.validate import parse_id

LANG_CHOICES = ("sv", "en")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("receipt", help="issue (or re-print) a session's receipt as PDF")
    p.add_argument("session_id", help="the session's id (see `sessions list`)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    p.add_argument("--lang", choices=LANG_CHOICES, default="sv")
    p.set_defaults(func=receipt_cmd, required_action="receipts.issue")

    p = sub.add_parser(
        "statement",
        help="monthly statement of a card holder or group; without one, the month summary",
    )
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--holder", metavar="ID|NAME")
    who.add_argument("--group", metavar="ID|NAME")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    p.add_argument("--csv", metavar="FILE", help="also the same figures as CSV")
    p.add_argument("--lang", choices=LANG_CHOICES, default="sv")
    p.set_defaults(func=statement_cmd, required_action="statements.create")

    p = sub.add_parser("export", help="the month's sales for the bookkeeping (CSV or SIE 4)")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--format", required=True, choices=("csv", "sie"))
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.set_defaults(func=export_cmd, required_action="billing.export")

    p = sub.add_parser("verify", help="check the ledger, receipt numbering and other chains")
    p.add_argument(
        "--anchor",
        action="append",
        metavar="CODE",
        help="a ledger head code kept outside the database (month summary, invoice, "
        "anchor file): the entry it names must still be there with its hash (repeatable)",
    )
    p.set_defaults(func=verify_cmd)

    p = sub.add_parser("tariffs", help="tariff versions (never edited: add a new version)")
    t = p.add_subparsers(dest="tariffs_command", metavar="ACTION", required=True)
    a = t.add_parser("add", help="add a tariff version")
    a.add_argument("name")
    a.add_argument("--valid-from", required=True, metavar="DATE", help="YYYY-MM-DD or ISO time")
    scope = a.add_mutually_exclusive_group()
    scope.add_argument("--group", help="for this card group (default: the site default)")
    scope.add_argument("--guests", action="store_true", help="for guest sessions")
    a.add_argument(
        "--per-kwh", default="0", metavar="PRICE", help="price per kWh, up to 4 decimals: 3.4950"
    )
    a.add_argument("--per-hour", default="0", metavar="PRICE")
    a.add_argument("--hour-basis", choices=("charging", "plugged"), default="charging")
    a.add_argument("--start-fee", default="0", metavar="PRICE")
    a.add_argument("--idle-per-min", default="0", metavar="PRICE")
    a.add_argument(
        "--idle-grace-min", type=int_arg("--idle-grace-min", 0, 100_000), default=0, metavar="MIN"
    )
    a.add_argument("--idle-cap", default=None, metavar="PRICE")
    a.add_argument("--vat", default="25", metavar="PERCENT", help="one of the site's vat_rates")
    a.add_argument("--currency", default="SEK")
    a.add_argument(
        "--min-wh",
        type=int_arg("--min-wh", 0, 10_000_000),
        default=0,
        metavar="WH",
        help="minimum billable session: no start fee below this energy",
    )
    a.add_argument(
        "--min-s",
        type=int_arg("--min-s", 0, 10_000_000),
        default=0,
        metavar="S",
        help="no start fee for a session plugged in for less than this",
    )
    a.set_defaults(func=tariffs_add_cmd, required_action="tariffs.edit")
    ls = t.add_parser("list", help="list tariff versions")
    ls.set_defaults(func=tariffs_list_cmd, required_action="tariffs.read")

    p = sub.add_parser("budgets", help="daily/monthly kWh or money budgets")
    b = p.add_subparsers(dest="budgets_command", metavar="ACTION", required=True)
    a = b.add_parser("add", help="add a budget for a card or a card group")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--card", metavar="UID")
    who.add_argument("--group", metavar="NAME")
    a.add_argument("--period", choices=("day", "month"), required=True)
    a.add_argument("--unit", choices=("kWh", "money"), required=True)
    a.add_argument("--limit", required=True, help="kWh, or money in major units (12.50)")
    a.set_defaults(func=budgets_add_cmd, required_action="cards.edit")
    ls = b.add_parser("list", help="list budgets")
    ls.set_defaults(func=budgets_list_cmd, required_action="cards.read")

    p = sub.add_parser("correct", help="re-price a finished session (reversal + new entry)")
    p.add_argument("session_id")
    p.add_argument("--tariff", required=True, metavar="ID", help="tariff version id to apply")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=correct_cmd, required_action="billing.correct")

    p = sub.add_parser("reconcile", help="charger counters against billed sessions")
    p.add_argument("--from", dest="since", required=True, metavar="DATE")
    p.add_argument("--to", dest="until", required=True, metavar="DATE")
    p.add_argument("--charger", metavar="NAME")
    p.set_defaults(func=reconcile_cmd, required_action="billing.export")

    p = sub.add_parser("site", help="seller details, time zone and SIE accounts")
    st = p.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    sh = st.add_parser("show", help="show the billing site settings")
    sh.set_defaults(func=site_show_cmd, required_action="settings.read")
    se = st.add_parser("set", help="set one setting (see `site show` for the keys)")
    se.add_argument("key")
    se.add_argument("value")
    se.set_defaults(func=site_set_cmd, required_action="settings.edit")
    from stationmgr.cli.remote import certificate_cmd

    ce = st.add_parser("certificate", help="the site certificate's SHA-256 fingerprint (TLS)")
    ce.set_defaults(func=certificate_cmd, requires_login=False)  # public: no site data


# ---------------------------------------------------------------- helpers


def _session_id(text: str) -> int:
    return parse_id(text, "session id")


def _out(path: str) -> Path:
    """An output path whose folder exists (checked before anything is produced)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"the folder {parent} does not exist")
    if p.is_dir():
        raise UserError(f"{p} is a folder")
    if p.exists() and not p.is_file():
        raise UserError(f"{p} is not a regular file")
    try:  # the file is written beside itself, then renamed: that must be possible now,
        # before a receipt is numbered or a statement made (nothing half-written)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".stationmgr-check-"):
            pass
    except OSError as e:
        raise UserError(f"cannot write {p}: {e.strerror or e}") from None
    return p


def _write(path: Path, data: bytes) -> None:
    from stationmgr.billing.pdf import write_atomically

    try:
        write_atomically(path, data)
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None


def _audit(s, action: str, target: str, after: object) -> None:  # type: ignore[no-untyped-def]
    """Record the change in the audit log."""
    record(s, action, target, None, after)


# ---------------------------------------------------------------- commands


def receipt_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.receipt)."""
    from stationmgr.cli.accounts_remote import receipt
    from stationmgr.cli.remote import local

    return local(receipt)(args)


def statement_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.statement)."""
    from stationmgr.cli.accounts_remote import statement
    from stationmgr.cli.remote import local

    return local(statement)(args)


def export_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.billing_export)."""
    from stationmgr.cli.remote import billing_export, local

    return local(billing_export)(args)


def verify_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.site_admin.verify)."""
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import verify

    return local(verify)(args)


def tariffs_add_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.tariffs_add)."""
    from stationmgr.cli.accounts_remote import tariffs_add
    from stationmgr.cli.remote import local

    return local(tariffs_add)(args)


def tariffs_list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.tariffs_list)."""
    from stationmgr.cli.accounts_remote import tariffs_list
    from stationmgr.cli.remote import local

    return local(tariffs_list)(args)


def budgets_add_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.budgets_add)."""
    from stationmgr.cli.accounts_remote import budgets_add
    from stationmgr.cli.remote import local

    return local(budgets_add)(args)


def budgets_list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.budgets_list)."""
    from stationmgr.cli.accounts_remote import budgets_list
    from stationmgr.cli.remote import local

    return local(budgets_list)(args)


def correct_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.site_admin.correct)."""
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import correct

    return local(correct)(args)


def reconcile_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.site_admin.reconcile)."""
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import reconcile

    return local(reconcile)(args)


def site_show_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import site_show

    return local(site_show)(args)


def site_set_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local
    from stationmgr.cli.site_admin import site_set

    return local(site_set)(args)
