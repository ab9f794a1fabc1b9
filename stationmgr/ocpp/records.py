"""Records the OCPP central system keeps beyond the session model, as charger events.

`OcppNote` is a `charger_events` row an owner sees with the other charger events
(`stationmgr faults`, the Faults page): a StopTransaction for a transaction we do not know
(kind `ocpp_unknown_stop`, kept for reconciliation with its meterStop and transactionData),
and the details of a charger's StatusNotification fault (vendorErrorCode, info).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from stationmgr.clock import to_datetime
from stationmgr.store.models import ChargerEvent
from stationmgr.store.persist import Persister

UNKNOWN_STOP = "ocpp_unknown_stop"
FAULT_DETAIL = "ocpp_fault"


@dataclass(frozen=True, slots=True)
class OcppNote:
    charger_id: int | None  # None: a charge point not registered (`pending.PENDING`)
    bay_id: int | None
    at: float
    kind: str
    code: str | None
    detail: str
    tx_uid: str | None = None


def install(persister: Persister) -> None:
    """Register the handler (once per persister)."""
    if OcppNote not in persister.handlers:
        persister.register(OcppNote, _Handler(persister).apply)
    from stationmgr.ocpp import guest_tags, msglog

    msglog.install(persister)  # the message log's ring
    guest_tags.install(persister)  # guest id tags of remote starts


class _Handler:
    def __init__(self, persister: Persister) -> None:
        self.persister = persister

    def apply(self, s: Session, rec: OcppNote) -> None:
        s.add(
            ChargerEvent(
                ts=to_datetime(rec.at),
                charger_id=rec.charger_id,
                bay_id=rec.bay_id,
                session_id=self.persister._session_id(s, rec.tx_uid),
                kind=rec.kind,
                code=(rec.code or "")[:40] or None,
                detail=rec.detail,
            )
        )
