"""`stationmgr chargers pending` and `chargers accept CPID NAME --bays …`: the OCPP charge
points that asked to join (site setting `ocpp_pending` = yes; see `stationmgr.ocpp.pending`),
written once against a `SiteClient` so they run alike on the local database and over
`--site`. Accepting registers the charger (`chargers add --driver ocpp`, audited); over
`--site` the running endpoint takes it at once, and the charger's next boot is Accepted.
"""

from __future__ import annotations

import argparse

from stationmgr.cli.common import print_table
from stationmgr.client.api import SiteClient
from stationmgr.errors import UserError


def register(cs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Under `chargers` (called by `cli.devices`)."""
    p = cs.add_parser("pending", help="OCPP charge points waiting to be accepted")
    p.set_defaults(func=pending_cmd)
    a = cs.add_parser("accept", help="accept a pending OCPP charge point and bind its bays")
    a.add_argument("charge_point_id", metavar="CPID")
    a.add_argument("name", help="the charger's name on this site")
    a.add_argument(
        "--bays",
        nargs="+",
        required=True,
        metavar="LABEL",
        help="bay labels, one per connector (connector k = k-th), space- or comma-separated",
    )
    a.set_defaults(func=accept_cmd)
    r = cs.add_parser("refuse", help="refuse a pending OCPP charge point (it may not join)")
    r.add_argument("charge_point_id", metavar="CPID")
    r.set_defaults(func=refuse_cmd)


def pending(args: argparse.Namespace, client: SiteClient) -> int:
    rows = [
        [p.charge_point_id, p.vendor, p.model, p.serial, p.address, p.first_seen, p.last_seen]
        for p in client.pending_charge_points()
    ]
    print_table(rows, ["CPID", "VENDOR", "MODEL", "SERIAL", "ADDRESS", "FIRST SEEN", "LAST SEEN"])
    return 0


def accept(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.client.errors import NotFound
    from stationmgr.client.ocpp_calls import AcceptChargePoint

    labels = [label.strip() for b in args.bays for label in b.split(",") if label.strip()]
    try:
        ch = client.accept_charge_point(args.charge_point_id, AcceptChargePoint(args.name, labels))
    except NotFound as e:
        raise UserError(
            f"{e}; to register one that has not connected yet: `stationmgr chargers add NAME "
            "--driver ocpp --charge-point-id CPID --bays …`"
        ) from None
    print(f"accepted charge point {args.charge_point_id} as charger {ch.name} with bay(s) "
          f"{', '.join(ch.bays)}")  # fmt: skip
    return 0


def refuse(args: argparse.Namespace, client: SiteClient) -> int:
    done = client.refuse_charge_point(args.charge_point_id)
    print(f"refused charge point {done.charge_point_id}: it may not join this site")
    return 0


def pending_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local

    return local(pending)(args)


def accept_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local

    return local(accept)(args)


def refuse_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli.remote import local

    return local(refuse)(args)


COMMANDS = {
    ("chargers", "pending"): pending,
    ("chargers", "accept"): accept,
    ("chargers", "refuse"): refuse,
}
