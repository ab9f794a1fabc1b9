"""`cards show|import|export`, `operators …`, `audit verify`, `tariffs`, `budgets`,
`receipt` and `statement`, written once against a `SiteClient`: the local command runs
them through `local(...)` and `--site` through `REMOTE` (`ACCOUNTS` is merged there), so
both print the same, refuse alike and write files on this PC only."""

from __future__ import annotations

import argparse
import base64
import csv
import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from stationmgr.cli.common import print_table
from stationmgr.client import models as m
from stationmgr.client.api import SiteClient
from stationmgr.errors import PermissionDenied, StationError, UserError
from stationmgr.validate import printable

# ---------------------------------------------------------------- cards


def cards_show(args: argparse.Namespace, client: SiteClient) -> int:
    for k, v in client.card(args.uid).to_json().items():
        print(f"{k:15} {printable(v)}")
    return 0


def cards_import(args: argparse.Namespace, client: SiteClient) -> int:
    """The file is read on this PC and sent whole: the site imports every row or none."""
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read {args.file}: {e}") from None
    print(f"imported {client.import_cards(text).count} card(s)")
    return 0


def cards_export(args: argparse.Namespace, client: SiteClient) -> int:
    fh = None
    if args.output:  # opened first: a folder that is not there costs no export
        try:
            fh = open(args.output, "w", newline="", encoding="utf-8")  # noqa: SIM115
        except OSError as e:
            raise UserError(f"cannot write {args.output}: {e.strerror or e}") from None
    try:
        text = client.export_cards()
    except BaseException:
        if fh is not None:
            fh.close()
        raise
    if fh is None:
        sys.stdout.write(text)
        return 0
    with fh:
        fh.write(text)
    n = max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)
    print(f"exported {n} card(s) to {args.output}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- operators


def _may(client: SiteClient, action: str) -> bool:
    """Whether the signed-in operator's role allows `action` (a site without operators:
    anyone). Only to avoid asking for a password nobody may set: the site decides."""
    from stationmgr.access.roles import role_may

    who = client.whoami()
    return who.role is None or role_may(who.role, action)


def operators_add(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.access.roles import Role
    from stationmgr.cli.login import new_password

    first = not client.site_info().protected
    if first and args.role != Role.OWNER:
        raise UserError("the first operator must be an owner (--role owner)")
    if not first and not _may(client, "operators.manage"):
        # refused before a password is asked for: the site refuses (and audits) the
        # request without one, as it would with one
        client.add_operator(m.NewOperator(args.username, args.role, "", args.name))
        raise PermissionDenied("permission denied")  # not reached: the site refused
    password = new_password(f"password for {args.username}")
    from stationmgr.access.operators import check_username

    client.add_operator(m.NewOperator(args.username, args.role, password, args.name))
    print(f"added operator {check_username(args.username)} ({args.role})")
    if first:
        print("from now on every command and window asks for a login", file=sys.stderr)
    return 0


def _minutes(text: str | None) -> str:
    """A wire time as the list showed it: to the minute, UTC without an offset."""
    if not text:
        return ""
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="minutes")


def operators_list(args: argparse.Namespace, client: SiteClient) -> int:
    rows = [
        [
            o.username,
            o.display_name or "",
            o.role,
            "yes" if o.active else "disabled",
            _minutes(o.locked_until),
            _minutes(o.last_login_at),
        ]
        for o in client.operators()
    ]
    print_table(rows, ["username", "name", "role", "active", "locked_until", "last_login"])
    return 0


def operators_passwd(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.cli.login import ENV_PASSWORD, new_password

    who = client.whoami()
    if who.username is None:
        raise UserError("this site has no operators yet: add one with `operators add`")
    old = os.environ.get(ENV_PASSWORD)
    if old is None:
        import getpass

        old = getpass.getpass("current password: ")
    done = client.change_password(m.PasswordChange(old, new_password()))
    print(f"password of {done.username} changed")
    return 0


def operators_reset(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.access.operators import check_username
    from stationmgr.cli.login import new_password

    if not _may(client, "operators.manage"):  # refused (and audited) before a password
        client.reset_operator_password(args.username, "")
        raise PermissionDenied("permission denied")  # not reached: the site refused
    password = new_password(f"new password for {args.username}")
    done = client.reset_operator_password(args.username, password)
    name = check_username(done.username)
    own = client.whoami().username == name  # one's own reset needs no change at login
    note = "" if own else " (to be changed at the next login)"
    print(f"password of {name} reset{note}")
    return 0


def operators_active(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.access.operators import check_username

    done = client.set_operator_active(args.username, args.active)
    word = "enabled" if args.active else "disabled"
    print(f"operator {check_username(done.username)} {word}")
    return 0


def operators_role(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.access.operators import check_username

    done = client.set_operator_role(args.username, args.role)
    print(f"operator {check_username(done.username)} is now {args.role}")
    return 0


def operators_policy(args: argparse.Namespace, client: SiteClient) -> int:
    change = m.PolicyChange(
        args.min_length, args.max_failures, args.lockout_minutes, args.idle_lock_minutes
    )
    changing = any(v is not None for v in change.to_json().values())
    p = client.set_login_policy(change) if changing else client.login_policy()
    print(f"min_length        {p.min_length}")
    print(f"max_failures      {p.max_failures}")
    print(f"lockout_minutes   {p.lockout_minutes:g}")
    idle = p.idle_lock_minutes
    print(f"idle_lock_minutes {idle:g}" + (" (off)" if not idle else ""))
    return 0


# ---------------------------------------------------------------- audit


class ChainBroken(StationError):
    """The audit chain does not verify (exit status 1)."""


def audit_verify(args: argparse.Namespace, client: SiteClient) -> int:
    result = client.check_audit_chain()
    if not result.ok:
        raise ChainBroken(result.text)
    print(result.text)
    return 0


# ---------------------------------------------------------------- tariffs and budgets


def _utc_minutes(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def tariffs_add(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.tariffs import parse_money, parse_unit_price, parse_vat
    from stationmgr.cards import parse_date

    if args.idle_grace_min < 0:
        raise UserError("--idle-grace-min must not be negative")
    tz = ZoneInfo(client.site_info().timezone)  # a bare date is the site's local midnight
    valid_from = parse_date(args.valid_from, "--valid-from date", tz=tz)
    assert valid_from is not None
    per_kwh, per_kwh_e4 = parse_unit_price(args.per_kwh, "price per kWh")
    t = m.NewTariff(
        name=args.name,
        valid_from=valid_from.isoformat(),
        currency=args.currency,
        group=args.group,
        guests=args.guests,
        energy_minor_per_kwh=per_kwh,
        energy_e4_per_kwh=per_kwh_e4,
        min_wh=args.min_wh,
        min_s=args.min_s,
        time_minor_per_hour=parse_money(args.per_hour, "price per hour"),
        time_basis=args.hour_basis,
        start_fee_minor=parse_money(args.start_fee, "start fee"),
        idle_minor_per_min=parse_money(args.idle_per_min, "idle fee per minute"),
        idle_grace_min=args.idle_grace_min,
        idle_cap_minor=None if args.idle_cap is None else parse_money(args.idle_cap, "idle cap"),
        vat_bp=parse_vat(args.vat),
    )
    tariff_id = client.add_tariff(t).id
    row = next((r for r in client.tariffs().rows if r.id == tariff_id), None)
    name = row.name if row else args.name
    start = datetime.fromisoformat(row.valid_from) if row else valid_from
    print(
        f"tariff {tariff_id} {name!r} valid from {start.astimezone(tz):%Y-%m-%d %H:%M} {tz.key}"
        f" ({start.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    return 0


def tariffs_list(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.tariffs import format_minor, per_kwh_text

    rows = [
        [
            t.id,
            t.name,
            "guests" if t.for_guests else (t.group or "default"),
            _utc_minutes(t.valid_from),
            t.currency,
            per_kwh_text(t.energy_minor_per_kwh, t.energy_e4_per_kwh),
            format_minor(t.time_minor_per_hour),
            t.time_basis,
            format_minor(t.start_fee_minor),
            format_minor(t.idle_minor_per_min),
            t.idle_grace_min,
            "" if t.idle_cap_minor is None else format_minor(t.idle_cap_minor),
            f"{t.vat_bp / 100:g} %",
        ]
        for t in client.tariffs().rows
    ]
    print_table(
        rows,
        [
            "id",
            "name",
            "for",
            "valid_from_utc",
            "cur",
            "per_kwh",
            "per_hour",
            "hour_basis",
            "start_fee",
            "idle_per_min",
            "grace_min",
            "idle_cap",
            "vat",
        ],
    )
    return 0


def budgets_add(args: argparse.Namespace, client: SiteClient) -> int:
    b = client.add_budget(m.NewBudget(args.period, args.unit, args.limit, args.card, args.group))
    print(f"budget {b.id} for " + (f"card {args.card}" if args.card else f"group {args.group}"))
    return 0


def budgets_list(args: argparse.Namespace, client: SiteClient) -> int:
    rows = [[b.id, b.target, b.period, b.unit, b.limit] for b in client.budgets()]
    print_table(rows, ["id", "for", "period", "unit", "limit"])
    return 0


# ---------------------------------------------------------------- receipts and statements


def receipt(args: argparse.Namespace, client: SiteClient) -> int:
    """The PDF is made on the site and written here (checked writable first: a receipt
    is numbered once)."""
    from stationmgr.cli.billing import _out, _session_id, _write

    sid = _session_id(args.session_id)
    out = _out(args.output)
    rec = client.receipt(m.ReceiptRequest(sid, args.lang))
    _write(out, base64.b64decode(rec.pdf_base64))
    print(f"receipt {rec.number} ({rec.verification}) → {out}")
    return 0


def statement(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.site import parse_month
    from stationmgr.cli.billing import _out, _write

    parse_month(args.month)
    out = _out(args.output)
    csv_out = _out(args.csv) if args.csv else None
    scope = (
        f"holder:{args.holder}" if args.holder else f"group:{args.group}" if args.group else None
    )
    p = client.statement(m.StatementRequest(args.month, scope, args.lang))
    _write(out, base64.b64decode(p.pdf_base64))
    if csv_out is not None:
        _write(csv_out, p.csv.encode("utf-8"))
    print(f"{p.summary} → {out}" + (f", {csv_out}" if csv_out else ""))
    return 0


ACCOUNTS = {
    ("cards", "show"): cards_show,
    ("cards", "import"): cards_import,
    ("cards", "export"): cards_export,
    ("operators", "add"): operators_add,
    ("operators", "list"): operators_list,
    ("operators", "passwd"): operators_passwd,
    ("operators", "reset"): operators_reset,
    ("operators", "disable"): operators_active,
    ("operators", "enable"): operators_active,
    ("operators", "role"): operators_role,
    ("operators", "policy"): operators_policy,
    ("audit", "verify"): audit_verify,
    ("tariffs", "add"): tariffs_add,
    ("tariffs", "list"): tariffs_list,
    ("budgets", "add"): budgets_add,
    ("budgets", "list"): budgets_list,
    ("receipt", None): receipt,
    ("statement", None): statement,
}
