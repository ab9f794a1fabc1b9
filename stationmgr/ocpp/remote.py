"""What the site asked charge points to do, until the charger reports doing it.

OCPP splits a remote command in two: the charger answers RemoteStartTransaction or
RemoteStopTransaction at once (Accepted), and later sends the StartTransaction or
StopTransaction that really opens or closes the session. The session model follows the
second message only; this is what links it to the attendant who asked:

- a guest start gets an id tag of its own (`GUEST-…`, 20 characters at most) that the
  charger then authorises and starts with: it is answered Accepted and the session is a
  guest session started by the attendant, with the reason, as at a serial bay;
- an attendant's stop names who stopped the session when the charger's stop arrives.

Kept in memory (site-wide, shared by every connection); a guest tag is also kept in the
database (`guest_tags`), so after a restart a late StartTransaction with it still books the
guest. A request the charger never acts on within `GUEST_WINDOW_S` is forgotten (its tag
then refused like an unknown card).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from stationmgr import sessions as sm
from stationmgr.ocpp_words import AuthStatus

GUEST_PREFIX = "GUEST-"
GUEST_WINDOW_S = 300.0  # a charger waits ConnectionTimeOut (often 60 … 180 s) for the car


@dataclass
class GuestStart:
    bay_id: int
    operator: str
    reason: str
    asked_at: float
    tx_uid: str | None = None  # once the charger started it
    started: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class RemoteStop:
    operator: str
    detail: str | None
    stopped: asyncio.Event = field(default_factory=asyncio.Event)


class RemoteRequests:
    """Guest starts and stops the site asked for, by id tag and by transaction uid."""

    def __init__(self) -> None:
        self.guests: dict[str, GuestStart] = {}
        self.stops: dict[str, RemoteStop] = {}

    # ------------------------------------------------------------ guest starts

    def new_guest(self, bay_id: int, operator: str, reason: str, now: float) -> str:
        self._expire(now)
        tag = GUEST_PREFIX + secrets.token_hex(5).upper()  # 16 characters
        self.guests[tag] = GuestStart(bay_id, operator, reason, now)
        return tag

    def forget_guest(self, tag: str) -> None:
        self.guests.pop(tag, None)

    def guest(self, id_tag: str, now: float) -> sm.Authorization | None:
        """The guest authorisation for a tag the site gave out (None: not one of ours)."""
        self._expire(now)
        g = self.guests.get(id_tag)
        if g is None:
            return None
        return sm.Authorization(
            AuthStatus.ACCEPTED, holder_name="Guest", reason=g.reason, started_by=g.operator
        )

    def started(self, id_tag: str, uid: str) -> None:
        g = self.guests.get(id_tag)
        if g is not None:
            g.tx_uid = uid
            g.started.set()

    def _expire(self, now: float) -> None:
        for tag, g in list(self.guests.items()):
            if g.tx_uid is None and now - g.asked_at > GUEST_WINDOW_S:
                del self.guests[tag]

    # ------------------------------------------------------------ stops

    def asked_stop(self, uid: str, operator: str, detail: str | None) -> RemoteStop:
        self.stops[uid] = stop = RemoteStop(operator, detail)
        return stop

    def stopped(self, uid: str) -> RemoteStop | None:
        """The charger reports the transaction's end: the stop the site asked for, if it
        did (set its `stopped` once booked). The transaction's guest tag is done with."""
        for tag, g in list(self.guests.items()):
            if g.tx_uid == uid:
                del self.guests[tag]
        return self.stops.pop(uid, None)
