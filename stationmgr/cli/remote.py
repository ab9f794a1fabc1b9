"""`--site URL`: CLI commands run on a site service through `RemoteClient`.

The sign-in is as for the local database (`STATIONMGR_USER`/`STATIONMGR_PASSWORD` or the
prompt), the permission checks and audit entries are the service's, and the exit statuses
are the same: 3 refused or failed login, 2 bad input, 1 the service cannot be reached (one
line naming the URL). A command not yet available over `--site` exits 2 saying so: it
never falls back to a local database.

The handlers here take a `SiteClient`, so the converted commands run the same code against
the local database too (`local_client`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from stationmgr.cli import bays_remote, chargers_ocpp, devices_remote, ocpp_pending, site_admin
from stationmgr.cli import months as months_cli
from stationmgr.cli.accounts_remote import ACCOUNTS
from stationmgr.cli.common import print_json, print_table
from stationmgr.cli.invoices import INVOICES
from stationmgr.client import models as m
from stationmgr.client.api import SiteClient
from stationmgr.errors import StationError, UserError

ENV_SITE = "STATIONMGR_SITE"
ENV_FINGERPRINT = "STATIONMGR_SITE_FINGERPRINT"

Handler = Callable[[argparse.Namespace, SiteClient], int]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        metavar="URL",
        help=f"run the command on a site service (http[s]://HOST:PORT; ${ENV_SITE})",
    )
    parser.add_argument(
        "--site-fingerprint",
        metavar="SHA256",
        help=f"the site certificate's fingerprint, for https (${ENV_FINGERPRINT})",
    )


def site_url(args: argparse.Namespace) -> str | None:
    return (getattr(args, "site", None) or os.environ.get(ENV_SITE) or "").strip() or None


def wants_site(args: argparse.Namespace) -> bool:
    """Whether the command reads or changes site data (then --site applies): every command
    but those that touch no site data (ports, probe, simulators, `site certificate`) — and
    those too when `--site` is given, to say they are local by nature (`devices_remote`)."""
    from stationmgr.cli.login import command_path

    path = command_path(args)
    if getattr(args, "site", None) and devices_remote.local_by_nature(path):  # say why not
        return True
    return getattr(args, "requires_login", True) or path in REMOTE


def run_remote(args: argparse.Namespace, url: str) -> int:
    """Run the parsed command on the site service at `url`."""
    from stationmgr.cli.login import command_path

    path = command_path(args)
    handler = REMOTE.get(path) or REMOTE.get((path[0], None))
    if handler is None:
        shown = " ".join(p for p in path if p)
        why = devices_remote.local_by_nature(path)
        if why:
            raise UserError(f"`stationmgr {shown}` is local by nature, not for --site: {why}")
        raise UserError(f"`stationmgr {shown}` is not available over --site yet")
    if getattr(args, "db", None):
        raise UserError("--db and --site name two different sites: give one")
    with remote_client(args, url) as client:
        return handler(args, client)


@contextmanager
def remote_client(args: argparse.Namespace, url: str) -> Iterator[SiteClient]:
    from stationmgr.cli.login import credentials
    from stationmgr.client.remote import RemoteClient

    fingerprint = getattr(args, "site_fingerprint", None) or os.environ.get(ENV_FINGERPRINT)
    client = RemoteClient(url, fingerprint)
    try:
        if client.site_info().protected:
            user, password = credentials()
            client.login(user, password)
        yield client
    finally:
        with suppress(StationError):
            client.logout()
        client.close()


def local_client(args: argparse.Namespace) -> SiteClient:
    """The same calls on the local database, as the operator `cli.login` signed in."""
    from stationmgr.access.context import current_actor
    from stationmgr.cli.common import open_db
    from stationmgr.client.local import LocalClient

    return LocalClient(open_db(args), actor=current_actor())


def local(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """A command handler on the local database, through LocalClient."""

    def run(args: argparse.Namespace) -> int:
        client = local_client(args)
        try:
            return handler(args, client)
        finally:
            client.db.dispose()  # type: ignore[attr-defined]

    return run


# ---------------------------------------------------------------- audit


def _audit_query(args: argparse.Namespace, limit: int = 100) -> m.AuditQuery:
    return m.AuditQuery(
        since=args.since,
        until=args.until,
        operator=args.operator,
        action=args.action,
        outcome=args.outcome,
        target=args.target,
        limit=limit,
    )


def audit_list(args: argparse.Namespace, client: SiteClient) -> int:
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    rows = [
        [e.id, e.ts, e.operator or "-", e.action, e.target or "", e.outcome, (e.detail or "")[:60]]
        for e in client.audit(_audit_query(args, args.limit))
    ]
    print_table(rows, ["id", "ts", "operator", "action", "target", "outcome", "detail"])
    return 0


def audit_export(args: argparse.Namespace, client: SiteClient) -> int:
    text = client.export_audit(_audit_query(args))
    if args.output:
        from stationmgr.cli.billing import _out, _write

        _write(_out(args.output), text.encode("utf-8"))
        import csv
        import io

        n = max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)
        print(f"exported {n} audit entries to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------- chargers and readers


def chargers_list(args: argparse.Namespace, client: SiteClient) -> int:
    rows = client.chargers()
    if args.json:
        keys = ("name", "driver", "port", "address", "baud", "enabled", "bays", "settings")
        print_json([{k: c.to_json()[k] for k in keys} for c in rows])  # as `charger_state`
        return 0
    print_table(
        [
            [
                c.name,
                c.driver,
                c.port,
                c.address,
                c.baud,
                "yes" if c.enabled else "no",
                " ".join(c.bays),
            ]
            for c in rows
        ],
        ["NAME", "DRIVER", "PORT", "ADDRESS", "BAUD", "ENABLED", "BAYS"],
    )
    return 0


def chargers_add(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.cli.devices import _settings
    from stationmgr.site_setup import MAX_CONNECTORS

    given = [label.strip() for b in (args.bays or []) for label in b.split(",") if label.strip()]
    connectors = args.connectors or len(given) or 1
    if not 1 <= connectors <= MAX_CONNECTORS:
        raise UserError(f"--connectors must be 1..{MAX_CONNECTORS}")
    labels = given or (
        [args.name] if connectors == 1 else [f"{args.name}-{i}" for i in range(1, connectors + 1)]
    )
    if len(labels) != connectors:
        raise UserError(f"{connectors} connector(s) need {connectors} bay label(s)")
    settings = _settings(args.set)
    cpid = getattr(args, "charge_point_id", None)
    if cpid is not None:
        if args.driver != "ocpp":
            raise UserError("--charge-point-id is for --driver ocpp")
        settings["charge_point_id"] = cpid
    if args.driver != "ocpp" and not args.port:
        raise UserError("--port is needed (a serial port or pyserial URL)")
    ch = client.add_charger(
        m.ChargerConfig(
            args.name,
            args.driver,
            args.port or "",
            list(labels),
            args.address,
            args.baud,
            settings,
        )
    )
    print(f"added charger {ch.name} ({ch.driver} on {ch.port}) with bay(s) {', '.join(ch.bays)}")
    return 0


def chargers_remove(args: argparse.Namespace, client: SiteClient) -> int:
    if client.remove_charger(args.name).outcome == "disabled":
        print(
            f"charger {args.name} has sessions on record: disabled, not deleted (history is kept)"
        )
    else:
        print(f"removed charger {args.name}")
    return 0


def readers_list(args: argparse.Namespace, client: SiteClient) -> int:
    rows = client.readers()
    if args.json:
        keys = ("name", "driver", "port", "baud", "bay", "enabled")
        print_json([{k: r.to_json()[k] for k in keys} for r in rows])
        return 0
    print_table(
        [
            [r.name, r.driver, r.port, r.baud, r.bay or "desk", "yes" if r.enabled else "no"]
            for r in rows
        ],
        ["NAME", "DRIVER", "PORT", "BAUD", "AT", "ENABLED"],
    )
    return 0


def readers_add(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.cli.devices import _settings

    r = client.add_reader(
        m.ReaderConfig(args.name, args.driver, args.port, args.bay, args.baud, _settings(args.set))
    )
    where = f"bay {r.bay}" if r.bay else "the desk"
    print(f"added card reader {r.name} ({r.driver} on {r.port}) at {where}")
    return 0


def readers_remove(args: argparse.Namespace, client: SiteClient) -> int:
    client.remove_reader(args.name)
    print(f"removed card reader {args.name}")
    return 0


# ---------------------------------------------------------------- sessions and cards


def sessions_list(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.client.history_csv import COLUMNS, session_cells

    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    q = m.SessionQuery(
        since=args.since,
        until=args.until,
        bay=args.bay,
        card=args.card,
        holder=args.holder,
        open=args.open,
        limit=args.limit,
    )
    columns = COLUMNS[:-1]  # the CLI's columns: without the price
    if args.csv:  # every matching row (sessions.export, audited by the site)
        from stationmgr.csv_safe import csv_writer

        w = csv_writer(sys.stdout)
        w.writerow(columns)
        for r in client.export_sessions(q):
            w.writerow(session_cells(r))
        return 0
    print_table([session_cells(r) for r in client.sessions(q)], columns)
    return 0


def cards_list(args: argparse.Namespace, client: SiteClient) -> int:
    rows = client.cards(args.search)
    print_table(
        [[c.uid, c.kind, c.label, c.holder, c.group, c.blocked, c.valid_to] for c in rows],
        ["uid", "kind", "label", "holder", "group", "blocked", "valid_to"],
    )
    return 0


def cards_add(args: argparse.Namespace, client: SiteClient) -> int:
    card = client.add_card(
        m.NewCard(
            uid=args.uid,
            label=args.label,
            holder=args.holder,
            group=args.group,
            valid_from=args.valid_from,
            valid_to=args.valid_to,
            allowed_bays=list(args.bays),
            max_concurrent=args.max_concurrent,
            blocked=args.blocked,
            note=args.note,
            kind=args.kind,
        )
    )
    what = "vehicle" if card.kind == "vehicle" else "card"
    print(f"enrolled {what} {card.uid}" + (f" for {card.holder}" if card.holder else ""))
    return 0


def cards_block(args: argparse.Namespace, client: SiteClient) -> int:
    card = client.set_blocked(args.uid, args.blocked)
    print(f"card {card.uid} {'blocked' if args.blocked else 'unblocked'}")
    return 0


# ---------------------------------------------------------------- billing and alerts


def billing_export(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.billing.site import parse_month
    from stationmgr.cli.billing import _out, _write

    parse_month(args.month)
    out = _out(args.output)
    _write(out, client.export_billing(args.month, args.format))
    print(f"{args.format.upper()} export of {args.month} → {out}")
    return 0


def alerts_list(args: argparse.Namespace, client: SiteClient) -> int:
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    q = m.AlertQuery(
        open=args.open, unacknowledged=args.unacknowledged, alert_kind=args.kind, limit=args.limit
    )
    rows = [
        [
            a.id,
            a.title,
            a.where,
            a.raised_at,
            f"{a.acknowledged_by} {a.acknowledged_at}" if a.acknowledged_at else "",
            a.cleared_at or "open",
            a.detail or "",
        ]
        for a in client.alerts(q)
    ]
    print_table(rows, ["id", "alert", "where", "raised", "acknowledged", "cleared", "detail"])
    return 0


def alerts_ack(args: argparse.Namespace, client: SiteClient) -> int:
    row = client.acknowledge_alert(args.alert, args.note)
    print(f"alert {row.id} acknowledged by {row.acknowledged_by}")
    return 0


def whoami(args: argparse.Namespace, client: SiteClient) -> int:
    who = client.whoami()
    if who.username is None:
        print("nobody (this site has no operators: no login needed)")
    else:
        print(f"{who.display_name or who.username} ({who.role})")
    return 0


def bays_list(args: argparse.Namespace, client: SiteClient) -> int:
    rows = client.bays()
    if getattr(args, "json", False):
        print_json([b.to_json() for b in rows])
        return 0

    def kwh(b: m.Bay) -> str:
        return "" if b.energy_wh is None else f"{b.energy_wh / 1000:.3f}"

    print_table(
        [
            [
                b.bay_id,
                b.label,
                b.status,
                "yes" if b.online else "no",
                b.holder_name or "",
                b.card_uid or "",
                kwh(b),
                b.fault or "",
            ]
            for b in rows
        ],
        ["id", "bay", "status", "online", "holder", "card", "energy_kwh", "fault"],
    )
    return 0


REMOTE: dict[tuple[str, str | None], Handler] = {
    ("audit", "list"): audit_list,
    ("audit", "export"): audit_export,
    ("chargers", "list"): chargers_list,
    ("chargers", "add"): chargers_add,
    ("chargers", "remove"): chargers_remove,
    ("readers", "list"): readers_list,
    ("readers", "add"): readers_add,
    ("readers", "remove"): readers_remove,
    ("sessions", "list"): sessions_list,
    ("cards", "list"): cards_list,
    ("cards", "add"): cards_add,
    ("cards", "block"): cards_block,
    ("cards", "unblock"): cards_block,
    ("export", None): billing_export,
    ("alerts", "list"): alerts_list,
    ("alerts", "ack"): alerts_ack,
    ("bays", None): bays_list,
    ("operators", "whoami"): whoami,
}
REMOTE.update(site_admin.ADMIN)
REMOTE.update(devices_remote.DEVICES)
REMOTE.update(ACCOUNTS)
REMOTE.update(INVOICES)
REMOTE.update(ocpp_pending.COMMANDS)
REMOTE.update(chargers_ocpp.REMOTE)
REMOTE.update(bays_remote.REMOTE)
REMOTE.update(months_cli.MONTHS)


# ---------------------------------------------------------------- `site certificate`


def certificate_cmd(args: argparse.Namespace) -> int:
    """Print the site certificate's fingerprint and where it is (made if there is none)."""
    from stationmgr.service import tls

    cert = tls.ensure()
    print(f"fingerprint (SHA-256): {cert.fingerprint}")
    print(f"certificate: {cert.cert_path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bays", help="the bays live, as the site service sees them (--site)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_bays_local, requires_login=False)
    bays_remote.add_to_bays(p)


def _bays_local(args: argparse.Namespace) -> int:
    raise UserError("`stationmgr bays` shows a running site: give --site URL")
