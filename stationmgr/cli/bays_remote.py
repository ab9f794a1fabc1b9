"""`stationmgr bays start BAY (--card C | --guest --reason TEXT)` and `stationmgr bays stop
BAY`: an attendant's start and stop, carried out by the running site service (`--site`), on
the same engine path as the desktop app's board (`POST /bays/{id}/remote-start|stop`):

- on an OCPP bay: RemoteStartTransaction (a guest gets an id tag of its own; a card is sent
  as the idTag and the charger authorises it) and RemoteStopTransaction;
- on a serial bay: a guest session, or the card as if tapped at the bay's reader; the stop
  as from the board.

BAY is the bay's label or id. Exit 0 done (the charger accepted); 1 the charger refused,
did not answer or is not connected; 2 bad input (no such bay, a session there already, no
session to stop, a card the rules refuse, no `--site`); 3 the role may not.
"""

from __future__ import annotations

import argparse

from stationmgr.client import models as m
from stationmgr.client.api import SiteClient
from stationmgr.errors import UserError


def add_to_bays(p: argparse.ArgumentParser) -> None:
    """The `start` and `stop` actions of `stationmgr bays` (cli.remote)."""
    acts = p.add_subparsers(dest="bays_command", metavar="ACTION")
    s = acts.add_parser("start", help="start a session on a bay: for a card, or a guest (--site)")
    s.add_argument("bay", help="the bay's label or id")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--card", metavar="C", help="the card to start for (the card rules apply)")
    who.add_argument("--guest", action="store_true", help="a guest session without a card")
    s.add_argument("--reason", help="why a guest charges without a card (needed with --guest)")
    s.set_defaults(func=_needs_site, requires_login=False)
    t = acts.add_parser("stop", help="stop the session on a bay (--site)")
    t.add_argument("bay", help="the bay's label or id")
    t.add_argument("--detail", help="a note for the audit log")
    t.set_defaults(func=_needs_site, requires_login=False)


def _needs_site(args: argparse.Namespace) -> int:
    raise UserError(
        f"`stationmgr bays {args.bays_command}` is carried out by the running site: give "
        "--site URL (the service the chargers are connected to)"
    )


def _bay(client: SiteClient, text: str) -> m.Bay:
    wanted = text.strip()
    rows = client.bays()
    for b in rows:
        if wanted == b.label:
            return b
    for b in rows:
        if wanted == str(b.bay_id):
            return b
    labels = ", ".join(b.label for b in rows) or "none"
    raise UserError(f"no bay {wanted[:40]!r} (the bays: {labels})")


def bays_start(args: argparse.Namespace, client: SiteClient) -> int:
    bay = _bay(client, args.bay)
    if bay.tx_uid is not None:
        raise UserError(f"bay {bay.label} has a session already ({bay.tx_uid})")
    if args.guest:
        reason = (args.reason or "").strip()
        if not reason:
            raise UserError("a guest start needs --reason (why the guest charges without a card)")
        after = client.remote_start(bay.bay_id, reason)
        print(f"bay {after.label}: guest start asked ({reason}); status {after.status}")
        return 0
    if args.reason:
        raise UserError("--reason is for --guest (a card start is the card's)")
    after = client.remote_start(bay.bay_id, "", card=args.card)
    print(f"bay {after.label}: start asked for card {args.card.strip()}; status {after.status}")
    return 0


def bays_stop(args: argparse.Namespace, client: SiteClient) -> int:
    bay = _bay(client, args.bay)
    if bay.tx_uid is None:
        raise UserError(f"bay {bay.label} has no session to stop")
    after = client.remote_stop(bay.bay_id, args.detail)
    shown = "stopped" if after.tx_uid is None else "stop asked (the charger ends it)"
    print(f"bay {after.label}: session {bay.tx_uid} {shown}; status {after.status}")
    return 0


REMOTE = {("bays", "start"): bays_start, ("bays", "stop"): bays_stop}
