"""The OCPP calls of `SiteClient` (mixins for `LocalClient` and `RemoteClient`; the routes
are in `service.ocpp_routes`): the charge points waiting to be accepted (`ocpp.pending`),
accepting one (registered as an OCPP charger bound to bays, `chargers.add`) or refusing it
(`chargers.refuse`). Accepting or refusing an id that is not pending is 404; a charger
name in use 409."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from stationmgr.client import models as m
from stationmgr.client.errors import NotFound
from stationmgr.client.models import Wire

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stationmgr.access.context import Actor
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


@dataclass(frozen=True)
class AcceptChargePoint(Wire):
    """Bind a pending charge point to a charger name and bays (connector k → k-th bay)."""

    wire_name: ClassVar[str] = "accept"
    name: str
    bays: list[str]


@dataclass(frozen=True)
class RefusedChargePoint(Wire):
    charge_point_id: str


def _pending_path(cpid: str, verb: str) -> str:
    return f"/ocpp/pending/{quote(cpid, safe='')}/{verb}"


class LocalOcpp:
    db: Database
    actor: Actor | None

    if TYPE_CHECKING:  # LocalClient's own

        def _require(self, s: Session, action: str, target: str | None = None) -> None: ...

        def _changed(self, *kinds: str) -> None: ...

        def _now(self) -> float: ...

        def add_charger(self, ch: m.ChargerConfig) -> m.ChargerConfig: ...

    def _pending_one(self, s: Session, cpid: str) -> str:
        from stationmgr.drivers.ocpp import check_charge_point_id
        from stationmgr.ocpp.pending import pending_points

        cpid = check_charge_point_id(cpid)
        if cpid not in {p.charge_point_id for p in pending_points(s)}:
            raise NotFound(f"no pending charge point {cpid[:40]!r} (see the pending list)")
        return cpid

    def accept_charge_point(self, cpid: str, accept: AcceptChargePoint) -> m.ChargerConfig:
        """Register the pending charge point as an OCPP charger (audited as `chargers.add`);
        the running endpoint asks it to boot again at once, and Accepts that boot."""
        with self.db.session() as s:
            self._require(s, "chargers.add", target=accept.name)
            cpid = self._pending_one(s, cpid)
        labels = [b.strip() for b in accept.bays if b.strip()]
        if not labels:
            from stationmgr.errors import UserError

            raise UserError("name a bay for each of the charge point's connectors")
        return self.add_charger(
            m.ChargerConfig(accept.name, "ocpp", "", labels, settings={"charge_point_id": cpid})
        )

    def refuse_charge_point(self, cpid: str) -> RefusedChargePoint:
        """Refuse it: off the list, its connection closed, its upgrades refused (404)."""
        from stationmgr.access.context import record
        from stationmgr.clock import to_datetime
        from stationmgr.ocpp.pending import refuse_point

        with self.db.session() as s:
            self._require(s, "chargers.refuse", target=f"charge point {cpid[:40]}")
            cpid = self._pending_one(s, cpid)
            refuse_point(s, cpid, to_datetime(self._now()))
            record(
                s, "chargers.refuse", f"charge point {cpid}", None, {"refused": True}, self.actor
            )
        self._changed("chargers")
        return RefusedChargePoint(cpid)

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

    def accept_charge_point(self, cpid: str, accept: AcceptChargePoint) -> m.ChargerConfig:
        answer = self._call("POST", _pending_path(cpid, "accept"), accept.to_json())
        return m.ChargerConfig.from_json(answer)

    def refuse_charge_point(self, cpid: str) -> RefusedChargePoint:
        return RefusedChargePoint.from_json(self._call("POST", _pending_path(cpid, "refuse"), {}))
