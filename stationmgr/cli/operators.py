"""`stationmgr operators add|list|passwd|reset|disable|enable|role|whoami`.

Passwords are typed on the terminal (twice) or taken from `STATIONMGR_NEW_PASSWORD`; they
are never command-line arguments.
"""

from __future__ import annotations

import argparse

from stationmgr.access.context import current_actor
from stationmgr.access.operators import (
    POLICY,
)
from stationmgr.access.roles import Role
from stationmgr.cli.common import float_arg, int_arg

ROLES = [r.value for r in Role]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("operators", help="people who use the app, their roles and passwords")
    s = p.add_subparsers(dest="operators_command", metavar="ACTION", required=True)

    a = s.add_parser(
        "add",
        help="add an operator (the first one: the owner, no login needed)",
        description="The password is typed twice on the terminal, or taken from "
        f"STATIONMGR_NEW_PASSWORD; at least {POLICY.min_length} characters.",
    )
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--name", help="display name")
    a.set_defaults(func=add_cmd)

    s.add_parser("list", help="list operators").set_defaults(func=list_cmd)
    s.add_parser("passwd", help="change your own password").set_defaults(func=passwd_cmd)
    s.add_parser("whoami", help="who is signed in").set_defaults(func=whoami_cmd)

    r = s.add_parser("reset", help="set a new password for an operator (owner); unlocks")
    r.add_argument("username")
    r.set_defaults(func=reset_cmd)

    for name, active in (("disable", False), ("enable", True)):
        d = s.add_parser(name, help=f"{name} an operator (owner)")
        d.add_argument("username")
        d.set_defaults(func=active_cmd, active=active)

    po = s.add_parser(
        "policy", help="login policy and idle lock (owner); without options: show them"
    )
    po.add_argument(
        "--min-length", type=int_arg("--min-length", 0, 1000), metavar="N", help="shortest password"
    )
    po.add_argument(
        "--max-failures",
        type=int_arg("--max-failures", 0, 1000),
        metavar="N",
        help="wrong passwords to lock",
    )
    po.add_argument(
        "--lockout-minutes",
        type=float_arg("--lockout-minutes", 0, 525_600),
        metavar="M",
        help="how long a lock lasts",
    )
    po.add_argument(
        "--idle-lock-minutes",
        type=float_arg("--idle-lock-minutes", 0, 525_600),
        metavar="M",
        help="desktop app idle lock (0: off)",
    )
    po.set_defaults(func=policy_cmd)

    ro = s.add_parser("role", help="change an operator's role (owner)")
    ro.add_argument("username")
    ro.add_argument("role", choices=ROLES)
    ro.set_defaults(func=role_cmd)


def add_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_add)."""
    from stationmgr.cli.accounts_remote import operators_add
    from stationmgr.cli.remote import local

    return local(operators_add)(args)


def list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_list)."""
    from stationmgr.cli.accounts_remote import operators_list
    from stationmgr.cli.remote import local

    return local(operators_list)(args)


def passwd_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_passwd)."""
    from stationmgr.cli.accounts_remote import operators_passwd
    from stationmgr.cli.remote import local

    return local(operators_passwd)(args)


def reset_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_reset)."""
    from stationmgr.cli.accounts_remote import operators_reset
    from stationmgr.cli.remote import local

    return local(operators_reset)(args)


def active_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_active)."""
    from stationmgr.cli.accounts_remote import operators_active
    from stationmgr.cli.remote import local

    return local(operators_active)(args)


def role_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_role)."""
    from stationmgr.cli.accounts_remote import operators_role
    from stationmgr.cli.remote import local

    return local(operators_role)(args)


def whoami_cmd(args: argparse.Namespace) -> int:
    actor = current_actor()
    print(actor.label if actor else "nobody (this site has no operators: no login needed)")
    return 0


def policy_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (accounts_remote.operators_policy)."""
    from stationmgr.cli.accounts_remote import operators_policy
    from stationmgr.cli.remote import local

    return local(operators_policy)(args)
