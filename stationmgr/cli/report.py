"""`stationmgr report --from DATE --to DATE -o FILE.pdf` — the capacity report as a PDF.

Both dates are local days of the site (its `timezone` setting), both included. A bad date, a
reversed period or an output folder that does not exist is bad input: one line, exit 2, no
file written.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from stationmgr.access.context import require
from stationmgr.alerts.capacity import capacity_report
from stationmgr.alerts.report_pdf import write_capacity_pdf
from stationmgr.cli.common import open_db
from stationmgr.clock import SystemClock
from stationmgr.errors import UserError
from stationmgr.settings import get_setting


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="capacity report (occupancy, idle time) as a PDF")
    p.add_argument("--from", dest="first", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    p.set_defaults(func=report_cmd)


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"invalid {what} {text!r}: expected YYYY-MM-DD") from None


def report_cmd(args: argparse.Namespace) -> int:
    first = parse_day(args.first, "--from date")
    last = parse_day(args.last, "--to date")
    if last < first:
        raise UserError("--to is before --from")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise UserError(f"no folder {str(out.parent)!r} to write {out.name} into")
    if out.is_dir():
        raise UserError(f"{str(out)!r} is a folder; name the PDF file")
    db = open_db(args)
    try:
        with db.session() as s:
            require(None, "sessions.read", s)
            rep = capacity_report(s, first, last, now=SystemClock().now())
            site = str(get_setting(s, "seller_name", "") or "")
        write_capacity_pdf(rep, out, site)
    finally:
        db.dispose()
    print(f"wrote {out} ({rep.sessions} sessions, {rep.energy_wh / 1000:.1f} kWh)")
    return 0
