"""`chargers set`, `readers set`, `report` and `faults list|ack`, written once against a
`SiteClient`: the same code runs on the local database (`local(...)`) and on a site service
(`--site`), so both print the same, refuse alike (exit 3, audited by the site) and reject
bad input alike (exit 2, nothing written).

Also the commands that stay on the PC they run on (`LOCAL_BY_NATURE`): over `--site` they
exit 2 with one line saying why and what to do instead, never reaching a local database.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from stationmgr.cli.common import print_table
from stationmgr.client import models as m
from stationmgr.client.api import SiteClient
from stationmgr.errors import UserError

# ---------------------------------------------------------------- driver settings


def chargers_set(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.cli.devices import _merged

    ch = client.charger(args.name)
    new = client.edit_charger(ch.name, replace(ch, settings=_merged(ch.settings, args.values)))
    print(f"charger {new.name} settings: {_shown(new.settings)}")
    return 0


def readers_set(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.cli.devices import _merged

    r = client.reader(args.name)
    new = client.edit_reader(r.name, replace(r, settings=_merged(r.settings, args.values)))
    print(f"card reader {new.name} settings: {_shown(new.settings)}")
    return 0


def _shown(settings: dict[str, object]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(settings.items())) or "(defaults)"


# ---------------------------------------------------------------- the capacity report


def report(args: argparse.Namespace, client: SiteClient) -> int:
    """The PDF is made by the site and written here, where `-o` says (this PC's disk)."""
    from stationmgr.cli.billing import _write
    from stationmgr.cli.report import parse_day

    first = parse_day(args.first, "--from date")
    last = parse_day(args.last, "--to date")
    if last < first:
        raise UserError("--to is before --from")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise UserError(f"no folder {str(out.parent)!r} to write {out.name} into")
    if out.is_dir():
        raise UserError(f"{str(out)!r} is a folder; name the PDF file")
    query = m.CapacityQuery(first.isoformat(), last.isoformat())
    data = client.capacity_pdf(query)  # checked (sessions.export) and audited by the site
    rep = client.capacity(query)
    _write(out, data)
    print(f"wrote {out} ({rep.sessions} sessions, {rep.energy_wh / 1000:.1f} kWh)")
    return 0


# ---------------------------------------------------------------- faults


def _bay_id(client: SiteClient, label: str) -> int:
    for charger in client.devices().chargers:
        for bay in charger.bays:
            if bay.label == label:
                return bay.bay_id
    raise UserError(f"no bay labelled {label[:40]!r}")


def faults_list(args: argparse.Namespace, client: SiteClient) -> int:
    bay_id = _bay_id(client, args.bay) if args.bay else None
    query = m.FaultQuery(bay_id, args.unacknowledged, args.open, args.limit)
    rows = [
        [
            f.id,
            f.bay,
            f.code,
            f.raised_at,
            f.cleared_at or "open",
            f"{f.acknowledged_by} {f.acknowledged_at}" if f.acknowledged_at else "",
        ]
        for f in client.faults(query)
    ]
    print_table(rows, ["id", "bay", "fault", "raised", "cleared", "acknowledged"])
    return 0


def faults_ack(args: argparse.Namespace, client: SiteClient) -> int:
    bay_id = _bay_id(client, args.bay) if args.bay else None
    ids = list(args.ids) if args.ids else None
    req = m.FaultAcknowledge(bay_id, ids, args.operator or "", args.note)
    done = client.acknowledge_faults(req).fault_ids
    print(f"{len(done)} fault(s) acknowledged" + (": " + ", ".join(map(str, done)) if done else ""))
    return 0


DEVICES = {
    ("chargers", "set"): chargers_set,
    ("readers", "set"): readers_set,
    ("report", None): report,
    ("faults", "list"): faults_list,
    ("faults", "ack"): faults_ack,
}


# ---------------------------------------------------------------- local by nature

# (command, action) -> why it stays on this PC and what to do instead. `secrets` stays
# local: a secret is kept in the vault of the account that runs the engine and is typed on
# that PC; a network path to write it would let a stolen owner session swap a gateway's or
# the mail server's password, and nothing on a second PC needs to read one.
LOCAL_BY_NATURE: dict[tuple[str, str | None], str] = {
    ("db", "create"): "it makes a database file on this PC: run it on the site's PC",
    ("db", "upgrade"): "it upgrades a database file on this PC: run it on the site's PC "
    "(the service upgrades its database at every start)",
    ("ports", None): "it lists this PC's serial ports: run it on the PC the chargers are wired to",
    ("probe", None): "it talks to a charger or reader on this PC's ports: run it on the PC "
    "the device is wired to",
    ("simulate", None): "it runs a virtual device on this PC: run it without --site",
    ("demo", None): "it runs a demo site of its own on this PC: run it without --site",
    ("run", None): "it runs the site's engine on this PC: start it on the site's PC "
    "(`stationmgr run --listen`)",
    ("secrets", None): "secrets are kept in the vault of the PC that runs the site: run "
    "`stationmgr secrets` on that PC (typed there, never sent over the network)",
    ("site", "certificate"): "it reads the certificate on this PC: run it on the site's "
    "PC and pin the fingerprint it prints with --site-fingerprint",
}


def local_by_nature(path: tuple[str, str | None]) -> str | None:
    """Why the command cannot run over `--site`, or None when it is a site command."""
    return LOCAL_BY_NATURE.get(path) or LOCAL_BY_NATURE.get((path[0], None))
