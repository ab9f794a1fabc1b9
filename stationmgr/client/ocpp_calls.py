"""The OCPP calls of `SiteClient` (mixins for `LocalClient` and `RemoteClient`; the route is
in `service.ocpp_routes`): the charge points waiting to be accepted (`ocpp.pending`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stationmgr.client.models import Wire

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stationmgr.store.db import Database


@dataclass(frozen=True)
class PendingChargePoint(Wire):
    charge_point_id: str
    vendor: str
    model: str
    serial: str
    firmware: str
    address: str
    first_seen: str
    last_seen: str
    visits: int


class LocalOcpp:
    db: Database

    if TYPE_CHECKING:  # LocalClient's own

        def _require(self, s: Session, action: str, target: str | None = None) -> None: ...

    def pending_charge_points(self) -> list[PendingChargePoint]:
        from stationmgr.client.local import iso
        from stationmgr.ocpp.pending import pending_points

        with self.db.session() as s:
            self._require(s, "chargers.read")
            points = pending_points(s)
        return [
            PendingChargePoint(
                p.charge_point_id,
                p.vendor,
                p.model,
                p.serial,
                p.firmware,
                p.address,
                iso(p.first_seen) or "",
                iso(p.last_seen) or "",
                p.visits,
            )
            for p in points
        ]


class RemoteOcpp:
    if TYPE_CHECKING:  # RemoteClient's own

        def _call(
            self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
        ) -> Any: ...

    def pending_charge_points(self) -> list[PendingChargePoint]:
        answer = self._call("GET", "/ocpp/pending")
        return [PendingChargePoint.from_json(x) for x in answer["items"]]
