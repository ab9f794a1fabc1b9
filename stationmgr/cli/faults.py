"""`stationmgr faults list|ack` — the fault log, and acknowledging faults (audited), through
a `SiteClient` (cli.devices_remote): the same code locally and over `--site`."""

from __future__ import annotations

import argparse

from stationmgr.cli.common import int_arg


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("faults", help="charger faults: list, acknowledge")
    s = p.add_subparsers(dest="faults_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="faults, newest first")
    ls.add_argument("--bay", help="only this bay (label)")
    ls.add_argument("--open", action="store_true", help="only faults not yet cleared")
    ls.add_argument("--unacknowledged", action="store_true", help="only faults nobody has seen")
    ls.add_argument("--limit", type=int_arg("--limit", 1), default=100)
    ls.set_defaults(func=list_cmd)
    ack = s.add_parser("ack", help="acknowledge faults: a bay's, or by id")
    what = ack.add_mutually_exclusive_group(required=True)
    what.add_argument("--bay", help="every unacknowledged fault of this bay (label)")
    what.add_argument("--id", type=int_arg("--id", 1), nargs="+", dest="ids", help="fault ids")
    ack.add_argument("--note", help="what was done about it")
    ack.add_argument("--operator", default="", help="your name (sites without operators)")
    ack.set_defaults(func=ack_cmd)


def list_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.devices_remote import faults_list
    from stationmgr.cli.remote import local

    return local(faults_list)(args)


def ack_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.devices_remote import faults_ack
    from stationmgr.cli.remote import local

    return local(faults_ack)(args)
