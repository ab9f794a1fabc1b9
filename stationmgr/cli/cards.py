"""`stationmgr cards add|list|show|block|unblock|import|export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stationmgr.cards import (
    CardInput,
    add_card,
    card_row,
    export_csv,
    get_card,
    import_csv,
    list_cards,
    parse_date,
    set_blocked,
)
from stationmgr.cli.common import open_db, print_table
from stationmgr.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cards", help="RFID cards (idTags)")
    s = p.add_subparsers(dest="cards_command", metavar="ACTION", required=True)

    a = s.add_parser("add", help="enrol a card")
    a.add_argument("uid", help="card number: hex (any byte order) or 10-digit decimal")
    a.add_argument("--label")
    a.add_argument("--holder", help="holder name (created if new)")
    a.add_argument("--group", help="card group (created if new)")
    a.add_argument("--valid-from", metavar="DATE")
    a.add_argument("--valid-to", metavar="DATE")
    a.add_argument("--bays", nargs="*", default=[], metavar="LABEL", help="only these bays")
    a.add_argument("--max-concurrent", type=int, default=1)
    a.add_argument("--blocked", action="store_true")
    a.add_argument("--note")
    a.set_defaults(func=add_cmd)

    ls = s.add_parser("list", help="list cards")
    ls.add_argument("--search", help="part of a label, holder or card number")
    ls.set_defaults(func=list_cmd)

    sh = s.add_parser("show", help="one card in detail")
    sh.add_argument("uid")
    sh.set_defaults(func=show_cmd)

    for name, blocked in (("block", True), ("unblock", False)):
        b = s.add_parser(name, help=f"{name} a card")
        b.add_argument("uid")
        b.set_defaults(func=block_cmd, blocked=blocked)

    im = s.add_parser("import", help="import cards from CSV (all rows or none)")
    im.add_argument("file", help="CSV file with a header row; '-' for stdin")
    im.set_defaults(func=import_cmd)

    ex = s.add_parser("export", help="export all cards as CSV")
    ex.add_argument("-o", "--output", help="file (default stdout)")
    ex.set_defaults(func=export_cmd)


def add_cmd(args: argparse.Namespace) -> int:
    card = CardInput(
        uid=args.uid,
        label=args.label,
        holder=args.holder,
        group=args.group,
        blocked=args.blocked,
        valid_from=parse_date(args.valid_from, "--valid-from date"),
        valid_to=parse_date(args.valid_to, "--valid-to date", end_of_day=True),
        allowed_bays=tuple(args.bays),
        max_concurrent=args.max_concurrent,
        note=args.note,
    ).validate()
    db = open_db(args)
    with db.session() as s:
        row = add_card(s, card)
        print(f"enrolled card {row.uid}" + (f" for {card.holder}" if card.holder else ""))
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        rows = [card_row(c) for c in list_cards(s, args.search)]
    print_table(
        [
            [r["uid"], r["label"], r["holder"], r["group"], r["blocked"], r["valid_to"]]
            for r in rows
        ],
        ["uid", "label", "holder", "group", "blocked", "valid_to"],
    )
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        row = card_row(get_card(s, args.uid))
    for k, v in row.items():
        print(f"{k:15} {v}")
    return 0


def block_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        card = set_blocked(s, args.uid, args.blocked)
        print(f"card {card.uid} {'blocked' if args.blocked else 'unblocked'}")
    return 0


def import_cmd(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read {args.file}: {e}") from None
    db = open_db(args)
    with db.session() as s:
        n = import_csv(s, text)
    print(f"imported {n} card(s)")
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.session() as s:
        if args.output:
            with open(args.output, "w", newline="", encoding="utf-8") as fh:
                n = export_csv(s, fh)
            print(f"exported {n} card(s) to {args.output}", file=sys.stderr)
        else:
            export_csv(s, sys.stdout)
    return 0
