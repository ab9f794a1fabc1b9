"""`stationmgr report --from DATE --to DATE -o FILE.pdf` — the capacity report as a PDF.

Both dates are local days of the site (its `timezone` setting), both included. A bad date, a
reversed period or an output folder that does not exist is bad input: one line, exit 2, no
file written. Over `--site` the site makes the PDF and it is written here, where `-o` says.
"""

from __future__ import annotations

import argparse
from datetime import date

from stationmgr.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="capacity report (occupancy, idle time) as a PDF")
    p.add_argument("--from", dest="first", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    p.set_defaults(func=report_cmd)


def parse_day(text: str, what: str) -> date:
    """A local day, YYYY-MM-DD in the years `parse_date` takes (so the day after exists)."""
    from stationmgr.cards import parse_date

    dt = parse_date(text, what) if len(str(text).strip()) == 10 else None
    if dt is None:
        raise UserError(f"invalid {what} {str(text)[:40]!r}: expected YYYY-MM-DD")
    return dt.date()


def report_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.devices_remote.report)."""
    from stationmgr.cli.devices_remote import report
    from stationmgr.cli.remote import local

    return local(report)(args)
