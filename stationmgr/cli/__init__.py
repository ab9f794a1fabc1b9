"""The `stationmgr` command line.

Each command group lives in its own module with a `register(subparsers)` function; add a
new module to `COMMAND_MODULES`. Handlers take the parsed arguments and return an exit
status. Exit statuses (documented in the README): 0 ok, 1 a device or I/O failure,
2 bad input (nothing written), 3 permission denied, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from stationmgr import __version__
from stationmgr.errors import StationError

COMMAND_MODULES = [
    "stationmgr.cli.run",
    "stationmgr.cli.cards",
    "stationmgr.cli.sessions",
    "stationmgr.cli.db",
    "stationmgr.cli.demo",
    "stationmgr.cli.operators",
    "stationmgr.cli.audit",
    "stationmgr.cli.secrets",
    "stationmgr.cli.devices",
    "stationmgr.cli.simulate",
    "stationmgr.cli.billing",
    "stationmgr.cli.invoices",
    "stationmgr.cli.months",
    "stationmgr.cli.report",
    "stationmgr.cli.alerts",
    "stationmgr.cli.faults",
    "stationmgr.cli.remote",
]


# Command modules outside the core (the desktop app's `gui` and `demo` window) register
# through this entry-point group, so the core never imports them.
PLUGIN_GROUP = "stationmgr.commands"


def plugin_command_modules() -> list[str]:
    from importlib.metadata import entry_points

    return [ep.value for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name)]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's usage errors also exit 2, one line
        self.exit(2, f"stationmgr: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stationmgr",
        description="Monitor and run a small EV charging site: bays, cards, sessions.",
    )
    parser.add_argument("--version", action="version", version=f"stationmgr {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy database URL (default: $STATIONMGR_DB or a SQLite file in the "
        "user data directory)",
    )
    from stationmgr.cli.remote import add_arguments as add_site_arguments

    add_site_arguments(parser)  # --site URL, --site-fingerprint
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for name in plugin_command_modules():
        try:
            importlib.import_module(name).register(sub)
        except ImportError as e:  # e.g. the desktop app without PySide6: the core still runs
            logging.getLogger(__name__).debug("command plugin %s not loaded: %s", name, e)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2) if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        from stationmgr.cli.remote import run_remote, site_url, wants_site

        url = site_url(args)
        if url is not None and wants_site(args):
            return run_remote(args, url)  # on a site service; never the local database
        from stationmgr.cli.login import signed_in  # sign-in, unless the command opts out

        with signed_in(args):
            return int(args.func(args) or 0)
    except StationError as e:
        print(f"stationmgr: error: {e}", file=sys.stderr)
        return e.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
