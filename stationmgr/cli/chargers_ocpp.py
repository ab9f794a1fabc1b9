"""`stationmgr chargers ocpp NAME …` and `stationmgr chargers log NAME`: an OCPP charger's
maintenance commands, its configuration and its message log.

    stationmgr --site URL chargers ocpp NAME reset [--hard]
    stationmgr --site URL chargers ocpp NAME unlock BAY
    stationmgr --site URL chargers ocpp NAME trigger MESSAGE [--bay BAY]
    stationmgr --site URL chargers ocpp NAME clear-cache
    stationmgr --site URL chargers ocpp NAME config [KEY …] [--json]
    stationmgr --site URL chargers ocpp NAME config KEY=VALUE
    stationmgr [--site URL] chargers log NAME [--limit N] [--json]

The commands talk to the charger through the service it is connected to, so they need
`--site` (exit 2 without). The charger offline, silent or refusing: one line, exit 1. The
log is read from the database too, so it works without a running service.
"""

from __future__ import annotations

import argparse

from stationmgr.cli.common import int_arg, print_json, print_table
from stationmgr.client import ocpp_models as o
from stationmgr.client.api import SiteClient
from stationmgr.errors import UserError

PAYLOAD_SHOWN = 100  # characters of a payload in the table (all of it with --json)


def add_to_chargers(cs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `ocpp` and `log` actions of `stationmgr chargers` (cli.devices)."""
    p = cs.add_parser("ocpp", help="an OCPP charger's commands and configuration (--site)")
    p.add_argument("name", help="the charger's name")
    acts = p.add_subparsers(dest="ocpp_action", metavar="COMMAND", required=True)
    r = acts.add_parser("reset", help="Reset the charger (Soft; --hard: a power cycle)")
    r.add_argument("--hard", action="store_true")
    u = acts.add_parser("unlock", help="UnlockConnector of a bay (a cable stuck)")
    u.add_argument("bay", help="the bay's label or id")
    t = acts.add_parser("trigger", help="TriggerMessage: ask the charger to send a message now")
    t.add_argument("message", help=", ".join(o.TRIGGERS))
    t.add_argument("--bay", help="for one bay's connector (default: the whole charger)")
    acts.add_parser("clear-cache", help="ClearCache: forget the cards the charger cached")
    c = acts.add_parser(
        "config", help="GetConfiguration (all, or the KEYs given); KEY=VALUE: ChangeConfiguration"
    )
    c.add_argument("items", nargs="*", metavar="KEY|KEY=VALUE")
    c.add_argument("--json", action="store_true")
    p.set_defaults(func=_needs_site)

    lg = cs.add_parser("log", help="an OCPP charger's last messages, both directions")
    lg.add_argument("name")
    lg.add_argument("--limit", type=int_arg("--limit", 1, 1000), default=50)
    lg.add_argument("--json", action="store_true", help="every field, payloads whole")
    lg.set_defaults(func=_log_local)


def _needs_site(args: argparse.Namespace) -> int:
    raise UserError(
        "`stationmgr chargers ocpp` talks to a connected charger: give --site URL "
        "(the service running `--ocpp-listen`)"
    )


def _log_local(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local

    return local(charger_log)(args)


# ---------------------------------------------------------------- handlers (any SiteClient)


def ocpp_cmd(args: argparse.Namespace, client: SiteClient) -> int:
    if args.ocpp_action == "config":
        return _config(args, client)
    cmd = o.OcppCommand(
        command=args.ocpp_action,
        hard=bool(getattr(args, "hard", False)),
        bay=getattr(args, "bay", None),
        message=getattr(args, "message", None),
    )
    answer = client.ocpp_command(args.name, cmd)
    what = {"reset": "Reset Hard" if cmd.hard else "Reset Soft"}.get(cmd.command, answer.action)
    if cmd.command == "unlock":
        what = f"{answer.action} bay {cmd.bay}"
    elif cmd.command == "trigger":
        word = next((w for w in o.TRIGGERS if w.lower() == (cmd.message or "").lower()), "")
        what = f"{answer.action} {word}" + (f" bay {cmd.bay}" if cmd.bay else "")
    print(f"charger {answer.charger}: {what}: {answer.status}")
    return 0


def _config(args: argparse.Namespace, client: SiteClient) -> int:
    changes = [i for i in args.items if "=" in i]
    if changes:
        if len(args.items) != 1:
            raise UserError("change one key at a time: config KEY=VALUE")
        key, _, value = changes[0].partition("=")
        if not key.strip():
            raise UserError("config KEY=VALUE needs the key")
        answer = client.change_ocpp_configuration(args.name, o.OcppConfigChange(key.strip(), value))
        print(f"charger {answer.charger}: {key.strip()}={value}: {answer.status}")
        return 0
    conf = client.ocpp_configuration(args.name, list(args.items))
    if args.json:
        print_json(conf.to_json())
        return 0
    print_table(
        [[k.key, k.value if k.value is not None else "", "yes" if k.readonly else ""]
         for k in conf.keys],
        ["KEY", "VALUE", "READONLY"],
    )  # fmt: skip
    if conf.unknown:
        print(f"unknown to the charger: {', '.join(conf.unknown)}")
    return 0


def charger_log(args: argparse.Namespace, client: SiteClient) -> int:
    rows = client.ocpp_log(args.name, args.limit)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0

    def shown(text: str) -> str:
        return text if len(text) <= PAYLOAD_SHOWN else f"{text[:PAYLOAD_SHOWN]}…"

    print_table(
        [
            [r.at, "charger→site" if r.direction == "in" else "site→charger", r.kind,
             r.action or "", r.unique_id or "", shown(r.payload)]
            for r in rows
        ],
        ["TIME", "DIRECTION", "KIND", "ACTION", "UNIQUE ID", "PAYLOAD"],
    )  # fmt: skip
    return 0


REMOTE = {
    ("chargers", "ocpp"): ocpp_cmd,
    ("chargers", "log"): charger_log,
}
