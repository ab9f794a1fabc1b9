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
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from stationmgr.cards import parse_date
from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import UserError

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
    p.set_defaults(func=verify_cmd)

    p = sub.add_parser("tariffs", help="tariff versions (never edited: add a new version)")
    t = p.add_subparsers(dest="tariffs_command", metavar="ACTION", required=True)
    a = t.add_parser("add", help="add a tariff version")
    a.add_argument("name")
    a.add_argument("--valid-from", required=True, metavar="DATE", help="YYYY-MM-DD or ISO time")
    scope = a.add_mutually_exclusive_group()
    scope.add_argument("--group", help="for this card group (default: the site default)")
    scope.add_argument("--guests", action="store_true", help="for guest sessions")
    a.add_argument("--per-kwh", default="0", metavar="PRICE", help="price per kWh, e.g. 3.49")
    a.add_argument("--per-hour", default="0", metavar="PRICE")
    a.add_argument("--hour-basis", choices=("charging", "plugged"), default="charging")
    a.add_argument("--start-fee", default="0", metavar="PRICE")
    a.add_argument("--idle-per-min", default="0", metavar="PRICE")
    a.add_argument("--idle-grace-min", type=int, default=0, metavar="MIN")
    a.add_argument("--idle-cap", default=None, metavar="PRICE")
    a.add_argument("--vat", default="25", metavar="PERCENT")
    a.add_argument("--currency", default="SEK")
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
    sh.set_defaults(func=site_show_cmd, required_action="chargers.read")
    se = st.add_parser("set", help="set one setting (see `site show` for the keys)")
    se.add_argument("key")
    se.add_argument("value")
    se.set_defaults(func=site_set_cmd, required_action="settings.edit")


# ---------------------------------------------------------------- helpers


def _session_id(text: str) -> int:
    if not str(text).strip().isdigit():
        raise UserError(f"invalid session id {text!r}: expected a number")
    return int(text)


def _out(path: str) -> Path:
    """An output path whose folder exists (checked before anything is produced)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"the folder {parent} does not exist")
    if p.is_dir():
        raise UserError(f"{p} is a folder")
    return p


def _write(path: Path, data: bytes) -> None:
    from stationmgr.billing.pdf import write_atomically

    try:
        write_atomically(path, data)
    except PermissionError:
        raise UserError(f"cannot write {path}: permission denied") from None


def _audit(s, action: str, target: str, after: object) -> None:  # type: ignore[no-untyped-def]
    """Record the change in the audit log when the operators layer is present."""
    try:
        from stationmgr.access.context import record
    except ImportError:  # pragma: no cover - the access layer is part of the core
        return
    record(s, action, target, None, after)


# ---------------------------------------------------------------- commands


def receipt_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.receipts import receipt_pdf

    sid = _session_id(args.session_id)
    out = _out(args.output)
    db = open_db(args)
    rec, pdf = receipt_pdf(db, sid, args.lang)
    _write(out, pdf)
    print(f"receipt {rec.number} ({rec.verification}) → {out}")
    return 0


def statement_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.jobs import statement_files
    from stationmgr.billing.site import parse_month

    parse_month(args.month)
    out = _out(args.output)
    csv_out = _out(args.csv) if args.csv else None
    files = statement_files(open_db(args), args.month, args.holder, args.group, args.lang)
    _write(out, files.pdf)
    if csv_out is not None:
        _write(csv_out, files.csv)
    print(f"{files.summary} → {out}" + (f", {csv_out}" if csv_out else ""))
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.jobs import export_file
    from stationmgr.billing.site import parse_month

    parse_month(args.month)
    out = _out(args.output)
    _write(out, export_file(open_db(args), args.month, args.format))
    print(f"{args.format.upper()} export of {args.month} → {out}")
    return 0


def verify_cmd(args: argparse.Namespace) -> int:
    from stationmgr.verify import run_checks

    db = open_db(args)
    failed = 0
    for r in run_checks(db):
        if r.ok:
            print(f"{r.name}: ok")
        else:
            failed += 1
            print(f"{r.name}: BROKEN: {r.problems[0]}")
            for extra in r.problems[1:5]:
                print(f"  also: {extra}")
    return 1 if failed else 0


def tariffs_add_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.tariffs import TariffInput, add_tariff, parse_money, parse_vat

    if args.idle_grace_min < 0:
        raise UserError("--idle-grace-min must not be negative")
    valid_from = parse_date(args.valid_from, "--valid-from date")
    assert valid_from is not None
    t = TariffInput(
        name=args.name,
        valid_from=valid_from,
        currency=args.currency,
        group=args.group,
        guests=args.guests,
        energy_minor_per_kwh=parse_money(args.per_kwh, "price per kWh"),
        time_minor_per_hour=parse_money(args.per_hour, "price per hour"),
        time_basis=args.hour_basis,
        start_fee_minor=parse_money(args.start_fee, "start fee"),
        idle_minor_per_min=parse_money(args.idle_per_min, "idle fee per minute"),
        idle_grace_min=args.idle_grace_min,
        idle_cap_minor=None if args.idle_cap is None else parse_money(args.idle_cap, "idle cap"),
        vat_bp=parse_vat(args.vat),
    )
    db = open_db(args)
    with db.session() as s:
        row = add_tariff(s, t)
        _audit(s, "tariffs.edit", f"tariff {row.id} {row.name}", _tariff_dict(row))
        print(f"tariff {row.id} {row.name!r} valid from {row.valid_from:%Y-%m-%d %H:%M} UTC")
    return 0


def _tariff_dict(row) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from stationmgr.billing.tariffs import terms

    return terms(row).snapshot()


def tariffs_list_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.tariffs import format_minor, list_tariffs
    from stationmgr.store.models import CardGroup

    db = open_db(args)
    with db.session() as s:
        groups = dict(s.execute(select(CardGroup.id, CardGroup.name)).all())
        rows = []
        for t in list_tariffs(s):
            scope = (
                "guests"
                if t.for_guests
                else (groups.get(t.group_id, "?") if t.group_id else "default")
            )
            rows.append(
                [
                    t.id,
                    t.name,
                    scope,
                    t.valid_from.strftime("%Y-%m-%d %H:%M"),
                    t.currency,
                    format_minor(t.energy_minor_per_kwh),
                    format_minor(t.time_minor_per_hour),
                    t.time_basis,
                    format_minor(t.start_fee_minor),
                    format_minor(t.idle_minor_per_min),
                    t.idle_grace_min,
                    "" if t.idle_cap_minor is None else format_minor(t.idle_cap_minor),
                    f"{t.vat_bp / 100:g} %",
                ]
            )
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


def budgets_add_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.budgets import add_budget

    db = open_db(args)
    with db.session() as s:
        b = add_budget(s, args.period, args.unit, args.limit, card_uid=args.card, group=args.group)
        target = f"budget {b.id} for " + (
            f"card {args.card}" if args.card else f"group {args.group}"
        )
        _audit(
            s, "cards.edit", target, {"period": b.period, "unit": b.unit, "limit": b.limit_value}
        )
        print(target)
    return 0


def budgets_list_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.budgets import PERIOD_WORD, amount_text
    from stationmgr.billing.tariffs import site_currency
    from stationmgr.store.billing_models import Budget
    from stationmgr.store.models import Card, CardGroup

    db = open_db(args)
    with db.session() as s:
        cur = site_currency(s)
        rows = []
        for b in s.scalars(select(Budget).order_by(Budget.id)):
            if b.card_id is not None:
                c = s.get(Card, b.card_id)
                who = f"card {c.uid if c else b.card_id}"
            else:
                g = s.get(CardGroup, b.group_id)
                who = f"group {g.name if g else b.group_id}"
            rows.append(
                [b.id, who, PERIOD_WORD[b.period], b.unit, amount_text(b, b.limit_value, cur)]
            )
    print_table(rows, ["id", "for", "period", "unit", "limit"])
    return 0


def correct_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.charges import correct_price

    sid = _session_id(args.session_id)
    if not args.tariff.isdigit():
        raise UserError(f"invalid tariff id {args.tariff!r}")
    db = open_db(args)
    with db.session() as s:
        new = correct_price(s, sid, int(args.tariff), args.reason)
        _audit(
            s,
            "billing.correct",
            f"session {sid}",
            {"revision": new.revision, "total_minor": new.total_minor, "reason": args.reason},
        )
        print(
            f"session {sid} re-priced (revision {new.revision}): {new.total_minor / 100:.2f} "
            f"{new.currency}"
        )
    return 0


def reconcile_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.reconcile import reconcile

    since = parse_date(args.since, "--from date")
    until = parse_date(args.until, "--to date")
    assert since is not None and until is not None
    if len(args.until.strip()) == 10:
        until += timedelta(days=1)
    if until <= since:
        raise UserError("--to is before --from")
    db = open_db(args)
    with db.session() as s:
        results = reconcile(s, since, until, args.charger)
        if args.charger and not results:
            raise UserError(f"no charger named {args.charger!r}")
    print_table(
        [
            [
                r.charger,
                r.sessions,
                f"{r.sessions_wh / 1000:.3f}",
                f"{r.counter_advance_wh / 1000:.3f}",
                f"{r.unbilled_wh / 1000:.3f}",
                len(r.overlaps),
                len(r.resets),
                "ok" if r.ok else "CHECK",
            ]
            for r in results
        ],
        [
            "charger",
            "sessions",
            "sessions_kwh",
            "counter_kwh",
            "unbilled_kwh",
            "overlaps",
            "resets",
            "status",
        ],
    )
    for r in results:
        for g in r.gaps:
            print(
                f"{r.charger} {g.bay}: {g.energy_wh / 1000:.3f} kWh outside any session between "
                f"{g.start:%Y-%m-%d %H:%M} and {g.end:%Y-%m-%d %H:%M} UTC "
                f"(after session {g.after_session}, before session {g.before_session})"
            )
        for o in r.overlaps:
            print(
                f"{r.charger} {o.bay}: sessions {o.first_session} and {o.second_session} "
                f"overlap by {o.seconds / 60:.0f} min"
            )
        for x in r.resets:
            what = "counter reset" if x.recorded else "counter went backwards (no reset recorded)"
            print(f"{r.charger} {x.bay}: {what} at {x.at:%Y-%m-%d %H:%M} UTC")
    return 0


def site_show_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.site import SITE_KEYS, site_value

    db = open_db(args)
    with db.session() as s:
        rows = [[k, site_value(s, k), what] for k, (what, _) in SITE_KEYS.items()]
    print_table(rows, ["key", "value", "what"])
    return 0


def site_set_cmd(args: argparse.Namespace) -> int:
    from stationmgr.billing.site import set_site_value, site_value

    db = open_db(args)
    with db.session() as s:
        set_site_value(s, args.key, args.value)
        _audit(s, "settings.edit", f"site {args.key}", {args.key: site_value(s, args.key)})
    print(f"{args.key} = {args.value.strip()}")
    return 0
