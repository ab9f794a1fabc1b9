"""`stationmgr cards add|list|show|block|unblock|import|export`."""

from __future__ import annotations

import argparse

from stationmgr.cards import CardInput, add_card, parse_date
from stationmgr.cli.common import int_arg, open_db


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cards", help="RFID cards (idTags)")
    s = p.add_subparsers(dest="cards_command", metavar="ACTION", required=True)

    a = s.add_parser("add", help="enrol a card")
    a.add_argument(
        "uid",
        help="card number: hex (any byte order) or 10-digit decimal; with --kind vehicle, "
        "the id tag the charger reports for the car (e.g. VID:0A1B2C3D4E5F)",
    )
    a.add_argument(
        "--kind",
        choices=("card", "vehicle"),
        default="card",
        help="card (default), or vehicle: a car the charger recognises itself (Autocharge)",
    )
    a.add_argument("--label")
    a.add_argument("--holder", help="holder name (created if new)")
    a.add_argument("--group", help="card group (created if new)")
    a.add_argument("--valid-from", metavar="DATE")
    a.add_argument("--valid-to", metavar="DATE")
    a.add_argument("--bays", nargs="*", default=[], metavar="LABEL", help="only these bays")
    a.add_argument("--max-concurrent", type=int_arg("--max-concurrent", 1, 1000), default=1)
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
    # Still on the database here: its messages name the CLI's flags (`--valid-to date`,
    # "already enrolled"), which the site's `add_card` words for every client.
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
        kind=args.kind,
    ).validate()
    db = open_db(args)
    with db.session() as s:
        row = add_card(s, card)
        what = "vehicle" if row.kind == "vehicle" else "card"
        print(f"enrolled {what} {row.uid}" + (f" for {card.holder}" if card.holder else ""))
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.cards_list)."""
    from stationmgr.cli.remote import cards_list, local

    return local(cards_list)(args)


def show_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.cards_show)."""
    from stationmgr.cli.accounts_remote import cards_show
    from stationmgr.cli.remote import local

    return local(cards_show)(args)


def block_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.cards_block)."""
    from stationmgr.cli.remote import cards_block, local

    return local(cards_block)(args)


def import_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.cards_import)."""
    from stationmgr.cli.accounts_remote import cards_import
    from stationmgr.cli.remote import local

    return local(cards_import)(args)


def export_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.cards_export)."""
    from stationmgr.cli.accounts_remote import cards_export
    from stationmgr.cli.remote import local

    return local(cards_export)(args)
