"""`stationmgr audit list|export|verify` — the audit log (owner only)."""

from __future__ import annotations

import argparse

from stationmgr.access import audit
from stationmgr.cli.accounts_remote import ChainBroken  # noqa: F401 (raised by verify)
from stationmgr.cli.common import int_arg, open_db

OUTCOMES = [audit.OK, audit.DENIED, audit.FAILED]


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="since", metavar="DATE", help="on or after DATE")
    p.add_argument("--to", dest="until", metavar="DATE", help="on or before DATE")
    p.add_argument("--operator", help="exact username")
    p.add_argument("--action", help="action or its prefix (e.g. cards, login, bays.remote_stop)")
    p.add_argument("--outcome", choices=OUTCOMES)
    p.add_argument("--target", help="part of the target (card, bay, operator)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="the audit log: who did what, when (owner)")
    s = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ls = s.add_parser("list", help="list entries, newest first")
    _filters(ls)
    ls.add_argument(
        "--limit", type=int_arg("--limit", 1), default=100, help="at most this many (default 100)"
    )
    ls.set_defaults(func=list_cmd)
    ex = s.add_parser("export", help="export entries as CSV, oldest first")
    _filters(ex)
    ex.add_argument("-o", "--output", help="file (default stdout)")
    ex.set_defaults(func=export_cmd)
    v = s.add_parser("verify", help="check the hash chain (also part of `stationmgr verify`)")
    v.set_defaults(func=verify_cmd, required_action="verify")
    seal = s.add_parser(
        "seal", help="key and anchor a chain written by an older version (after checking it)"
    )
    seal.set_defaults(func=seal_cmd, required_action="audit.seal")


def audit_filter(args: argparse.Namespace) -> audit.AuditFilter:
    """The flags as an AuditFilter (one check for the CLI and the site API)."""
    from stationmgr.client.filters import audit_filter as checked

    return checked(args)


def list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.audit_list)."""
    from stationmgr.cli.remote import audit_list, local

    return local(audit_list)(args)


def export_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.audit_export)."""
    from stationmgr.cli.remote import audit_export, local

    return local(audit_export)(args)


def verify_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.audit_verify)."""
    from stationmgr.cli.accounts_remote import audit_verify
    from stationmgr.cli.remote import local

    return local(audit_verify)(args)


def seal_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:
            n = audit.seal(s)
    finally:
        db.dispose()
    print(f"audit chain keyed and anchored after {n} older entries")
    return 0
