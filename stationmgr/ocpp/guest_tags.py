"""Guest id tags kept in the database, so a restart between the site's RemoteStartTransaction
and the charger's StartTransaction still books the session to the guest.

A guest start (`commands.guest_start`) writes its tag durably (`Issued`) before the charger
is asked; the charger may start minutes later, or after the service restarted, and its
Authorize / StartTransaction with a tag this run does not know is looked up here
(`recall`): unused and not past `expires_at` (`remote.GUEST_WINDOW_S` after it was asked),
or started and not yet stopped, it is the guest start again — the attendant, the reason
and the bay. `Started` binds it to its transaction; `Done` (the charger's StopTransaction)
deletes it. Expired, unused tags are deleted at the next guest start; none outlives
`KEEP_S`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from stationmgr.clock import to_datetime, to_epoch
from stationmgr.ocpp.remote import GUEST_WINDOW_S, GuestStart
from stationmgr.store.ocpp_models import OcppGuestTag
from stationmgr.store.persist import Persister

if TYPE_CHECKING:
    from stationmgr.engine import Engine

KEEP_S = 7 * 24 * 3600.0  # a started guest session the charger never reported stopped


@dataclass(frozen=True, slots=True)
class Issued:
    tag: str
    bay_id: int
    operator: str
    reason: str
    asked_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class Started:
    tag: str
    tx_uid: str


@dataclass(frozen=True, slots=True)
class Done:
    tx_uid: str  # every tag of this transaction


def install(persister: Persister) -> None:
    """Register the writer's handlers (once per persister)."""
    if Issued not in persister.handlers:
        persister.register(Issued, _issued)
        persister.register(Started, _started)
        persister.register(Done, _done)


def _issued(s: Session, rec: Issued) -> None:
    now = to_datetime(rec.asked_at)
    s.execute(
        delete(OcppGuestTag).where(
            or_(
                (OcppGuestTag.tx_uid.is_(None)) & (OcppGuestTag.expires_at < now),
                OcppGuestTag.asked_at < now - timedelta(seconds=KEEP_S),
            )
        )
    )
    s.add(
        OcppGuestTag(
            tag=rec.tag,
            bay_id=rec.bay_id,
            operator=rec.operator[:80],
            reason=rec.reason,
            asked_at=now,
            expires_at=to_datetime(rec.expires_at),
        )
    )


def _started(s: Session, rec: Started) -> None:
    row = s.get(OcppGuestTag, rec.tag)
    if row is not None:
        row.tx_uid = rec.tx_uid


def _done(s: Session, rec: Done) -> None:
    s.execute(delete(OcppGuestTag).where(OcppGuestTag.tx_uid == rec.tx_uid))


async def keep(engine: Engine, tag: str, g: GuestStart) -> None:
    """Write the tag before the charger is asked (durable: it survives a crash)."""
    assert engine.writer is not None
    rec = Issued(tag, g.bay_id, g.operator, g.reason, g.asked_at, g.asked_at + GUEST_WINDOW_S)
    await engine.writer.durable([engine.writer.put(rec)])


def started(engine: Engine, tag: str, tx_uid: str) -> None:
    assert engine.writer is not None
    engine.writer.put(Started(tag, tx_uid))


def done(engine: Engine, tx_uid: str) -> None:
    assert engine.writer is not None
    engine.writer.put(Done(tx_uid))


async def recall(engine: Engine, tag: str, now: float) -> GuestStart | None:
    """The guest start of a tag this run does not know: unused and not expired, or started
    (then its transaction's); None otherwise."""
    assert engine.writer is not None

    def read(s: Session) -> GuestStart | None:
        row = s.get(OcppGuestTag, tag)
        if row is None:
            return None
        if row.tx_uid is None and to_epoch(row.expires_at) < now:
            return None
        return GuestStart(row.bay_id, row.operator, row.reason, to_epoch(row.asked_at), row.tx_uid)

    return await engine.writer.read(read)
