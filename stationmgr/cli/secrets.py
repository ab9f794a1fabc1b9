"""`stationmgr secrets set|delete|check|where` — credentials for chargers, gateways, mail.

Values are typed on the terminal or read from `STATIONMGR_SECRET`; never printed, never
arguments. Owner only.
"""

from __future__ import annotations

import argparse
import getpass
import os

from stationmgr.access.context import record, require
from stationmgr.access.secrets import SecretStore, check_name
from stationmgr.cli.common import open_db
from stationmgr.cli.login import _has_tty
from stationmgr.errors import UserError

ENV_SECRET = "STATIONMGR_SECRET"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("secrets", help="credentials in the OS vault (owner)")
    s = p.add_subparsers(dest="secrets_command", metavar="ACTION", required=True)
    st = s.add_parser("set", help=f"store a secret (typed, or from ${ENV_SECRET})")
    st.add_argument("name", help="KIND:NAME[:FIELD], e.g. charger:north-1:password")
    st.set_defaults(func=set_cmd)
    d = s.add_parser("delete", help="delete a secret")
    d.add_argument("name")
    d.set_defaults(func=delete_cmd)
    c = s.add_parser("check", help="say whether a secret is stored (never prints it)")
    c.add_argument("name")
    c.set_defaults(func=check_cmd)
    s.add_parser("where", help="where secrets are kept").set_defaults(func=where_cmd)


def _audited(args: argparse.Namespace, action: str, name: str, detail: str | None) -> None:
    db = open_db(args)
    try:
        with db.session() as s:
            record(s, action, name, detail=detail)
    finally:
        db.dispose()


def _permit(args: argparse.Namespace, name: str) -> None:
    db = open_db(args)
    try:
        with db.session() as s:
            require(None, "secrets.manage", s, target=name)
    finally:
        db.dispose()


def set_cmd(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    _permit(args, name)
    value = os.environ.get(ENV_SECRET)
    if value is None:
        if not _has_tty():
            raise UserError(f"no terminal to type the secret: set {ENV_SECRET}")
        value = getpass.getpass(f"value of {name}: ")
    where = SecretStore().set(name, value)
    _audited(args, "secrets.set", name, f"stored in {where}")
    print(f"stored {name} in {where}")
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    _permit(args, name)
    if not SecretStore().delete(name):
        raise UserError(f"no secret {name!r}")
    _audited(args, "secrets.delete", name, None)
    print(f"deleted {name}")
    return 0


def check_cmd(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    _permit(args, name)
    present = SecretStore().get(name) is not None
    print(f"{name}: {'stored' if present else 'not stored'}")
    return 0 if present else 1


def where_cmd(args: argparse.Namespace) -> int:
    _permit(args, "where")
    print(SecretStore().backend_name)
    return 0
