"""`stationmgr operators add|list|passwd|reset|disable|enable|role|whoami`.

Passwords are typed on the terminal (twice) or taken from `STATIONMGR_NEW_PASSWORD`; they
are never command-line arguments.
"""

from __future__ import annotations

import argparse
import os
import sys

from stationmgr.access.context import current_actor, protected, require
from stationmgr.access.operators import (
    POLICY,
    change_password,
    create_operator,
    idle_lock_minutes,
    list_operators,
    load_policy,
    reset_password,
    set_active,
    set_idle_lock_minutes,
    set_policy,
    set_role,
)
from stationmgr.access.roles import Role
from stationmgr.cli.common import open_db, print_table
from stationmgr.cli.login import ENV_PASSWORD, new_password
from stationmgr.errors import UserError

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
    po.add_argument("--min-length", type=int, metavar="N", help="shortest password")
    po.add_argument("--max-failures", type=int, metavar="N", help="wrong passwords to lock")
    po.add_argument("--lockout-minutes", type=float, metavar="M", help="how long a lock lasts")
    po.add_argument(
        "--idle-lock-minutes", type=float, metavar="M", help="desktop app idle lock (0: off)"
    )
    po.set_defaults(func=policy_cmd)

    ro = s.add_parser("role", help="change an operator's role (owner)")
    ro.add_argument("username")
    ro.add_argument("role", choices=ROLES)
    ro.set_defaults(func=role_cmd)


def add_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:  # refuse before asking for a password nobody may set
            first = not protected(s)
            require(None, "operators.manage", s, target=args.username)
        if first and args.role != Role.OWNER:
            raise UserError("the first operator must be an owner (--role owner)")
        password = new_password(f"password for {args.username}")
        with db.session() as s:
            row = create_operator(s, args.username, args.role, password, args.name)
            print(f"added operator {row.username} ({row.role})")
        if first:
            print("from now on every command and window asks for a login", file=sys.stderr)
    finally:
        db.dispose()
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:
            rows = [
                [
                    o.username,
                    o.display_name or "",
                    o.role,
                    "yes" if o.active else "disabled",
                    o.locked_until.isoformat(timespec="minutes") if o.locked_until else "",
                    o.last_login_at.isoformat(timespec="minutes") if o.last_login_at else "",
                ]
                for o in list_operators(s)
            ]
    finally:
        db.dispose()
    print_table(rows, ["username", "name", "role", "active", "locked_until", "last_login"])
    return 0


def passwd_cmd(args: argparse.Namespace) -> int:
    actor = current_actor()
    if actor is None:
        raise UserError("this site has no operators yet: add one with `operators add`")
    old = os.environ.get(ENV_PASSWORD)
    if old is None:
        import getpass

        old = getpass.getpass("current password: ")
    new = new_password()
    db = open_db(args)
    try:
        with db.session() as s:
            change_password(s, actor, old, new)
    finally:
        db.dispose()
    print(f"password of {actor.username} changed")
    return 0


def reset_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:  # refuse before asking for a password nobody may set
            require(None, "operators.manage", s, target=args.username)
        password = new_password(f"new password for {args.username}")
        with db.session() as s:
            row = reset_password(s, args.username, password)
            note = " (to be changed at the next login)" if row.must_change_password else ""
    finally:
        db.dispose()
    print(f"password of {row.username} reset{note}")
    return 0


def active_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:
            row = set_active(s, args.username, args.active)
    finally:
        db.dispose()
    print(f"operator {row.username} {'enabled' if args.active else 'disabled'}")
    return 0


def role_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:
            row = set_role(s, args.username, args.role)
    finally:
        db.dispose()
    print(f"operator {row.username} is now {row.role}")
    return 0


def whoami_cmd(args: argparse.Namespace) -> int:
    actor = current_actor()
    print(actor.label if actor else "nobody (this site has no operators: no login needed)")
    return 0


def policy_cmd(args: argparse.Namespace) -> int:
    changes = {
        k: v
        for k, v in (
            ("min_length", args.min_length),
            ("max_failures", args.max_failures),
            ("lockout_minutes", args.lockout_minutes),
        )
        if v is not None
    }
    db = open_db(args)
    try:
        with db.session() as s:
            if changes:
                set_policy(s, changes)
            if args.idle_lock_minutes is not None:
                set_idle_lock_minutes(s, args.idle_lock_minutes)
            policy = load_policy(s)
            idle = idle_lock_minutes(s)
    finally:
        db.dispose()
    print(f"min_length        {policy.min_length}")
    print(f"max_failures      {policy.max_failures}")
    print(f"lockout_minutes   {policy.lockout_minutes:g}")
    print(f"idle_lock_minutes {idle:g}" + (" (off)" if not idle else ""))
    return 0
