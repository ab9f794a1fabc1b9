"""`stationmgr sessions list` — the charging history, filtered, as a table or CSV."""

from __future__ import annotations

import argparse

from stationmgr.cli.common import int_arg


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sessions", help="charging sessions (transactions)")
    s = p.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="list sessions, newest first")
    ls.add_argument("--from", dest="since", metavar="DATE", help="plugged in on or after DATE")
    ls.add_argument("--to", dest="until", metavar="DATE", help="plugged in on or before DATE")
    ls.add_argument("--bay", help="bay label or id")
    ls.add_argument("--card", help="card number in any spelling")
    ls.add_argument("--holder", help="holder name (part of it) or id")
    ls.add_argument("--open", action="store_true", help="only sessions still running")
    ls.add_argument(
        "--limit", type=int_arg("--limit", 1), default=100, help="at most this many (default 100)"
    )
    ls.add_argument("--csv", action="store_true", help="CSV on stdout (all matching rows)")
    ls.set_defaults(func=list_cmd)


def list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.sessions_list); the
    CSV is an export, audited like the site's."""
    from stationmgr.cli.remote import local, sessions_list

    return local(sessions_list)(args)
