"""Pending charge points: an unregistered charge point id kept for the owner to accept.

Off by default: an id that is not a registered OCPP charger is refused at the upgrade (404).
With the site setting `ocpp_pending` = yes (`stationmgr site set ocpp_pending yes`, audited
like every site setting) it is let in instead and its BootNotification answered `Pending`
(OCPP 1.6: the charger boots again after `interval` and sends nothing else meanwhile); each
visit is kept as a charger event of kind `ocpp_pending` (its vendor, model, serial number,
firmware and address), which `stationmgr chargers pending` lists. The owner accepts one by
registering it (`stationmgr chargers accept CPID NAME --bays …`, i.e. `chargers add NAME
--driver ocpp --charge-point-id CPID`, audited as `chargers.add`); the running endpoint
knows it from `Engine.apply_changes({"chargers"})`, so the charger's next BootNotification,
on the same connection, is Accepted and it runs as a registered one: no restart of `run`.
The desktop app's Chargers page does the same (`POST /ocpp/pending/{cpid}/accept`).

Refusing one (`POST /ocpp/pending/{cpid}/refuse`, the Chargers page's "Refuse", audited as
`chargers.refuse`) keeps a charger event of kind `ocpp_refused`: the id leaves the list,
its waiting connection is closed, and its upgrades are refused (404) like an unknown id's,
until the owner registers it after all (`chargers add … --charge-point-id`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.clock import to_epoch
from stationmgr.events import ConfigurationChanged
from stationmgr.ocpp.records import OcppNote
from stationmgr.store.models import Charger, ChargerEvent

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.ocpp.handlers import ChargePointSite
    from stationmgr.ocpp.rpc import Rpc

log = logging.getLogger(__name__)

PENDING = "ocpp_pending"  # charger_events.kind; code = the charge point id
REFUSED = "ocpp_refused"  # charger_events.kind: the owner refused it; code = the id
SETTING = "ocpp_pending"  # site setting: yes / no (default no)
RETRY_S = 60  # BootNotification interval while pending: how soon an accepted one runs
NOTE_EVERY_S = 600.0  # one event per visit, then at most one per charge point per 10 min
_BOOT_KEYS = (
    "chargePointVendor",
    "chargePointModel",
    "chargePointSerialNumber",
    "chargeBoxSerialNumber",
    "firmwareVersion",
)


def allows_pending(s: Session) -> bool:
    from stationmgr.billing.site import site_value

    return site_value(s, SETTING).strip().lower() in ("yes", "true", "on", "1")


@dataclass(frozen=True)
class PendingPoint:
    """A charge point that asked to join and is not registered (newest visit last_seen)."""

    charge_point_id: str
    vendor: str
    model: str
    serial: str
    firmware: str
    address: str
    first_seen: float
    last_seen: float
    visits: int


def registered_ids(s: Session) -> set[str]:
    rows = s.scalars(select(Charger).where(Charger.driver == "ocpp"))
    return {str((c.settings or {}).get("charge_point_id")) for c in rows}


def refused_ids(s: Session) -> set[str]:
    q = select(ChargerEvent.code).where(ChargerEvent.kind == REFUSED)
    return {c for c in s.scalars(q) if c}


def is_refused(s: Session, cpid: str) -> bool:
    q = select(ChargerEvent.id).where(ChargerEvent.kind == REFUSED, ChargerEvent.code == cpid)
    return s.scalar(q.limit(1)) is not None


def refuse_point(s: Session, cpid: str, at: datetime) -> None:
    """Keep the owner's refusal (the caller checks the role and audits it)."""
    s.add(ChargerEvent(ts=at, kind=REFUSED, code=cpid[:40]))


def pending_points(s: Session) -> list[PendingPoint]:
    """Pending charge points, newest first; a registered or refused one is not pending."""
    known = registered_ids(s) | refused_ids(s)
    seen: dict[str, list[ChargerEvent]] = {}
    q = select(ChargerEvent).where(ChargerEvent.kind == PENDING).order_by(ChargerEvent.id)
    for ev in s.scalars(q):
        if ev.code and ev.code not in known:
            seen.setdefault(ev.code, []).append(ev)
    out = []
    for cpid, evs in seen.items():
        try:
            d = json.loads(evs[-1].detail or "{}")
        except ValueError:
            d = {}
        d = d if isinstance(d, dict) else {}
        out.append(
            PendingPoint(
                cpid,
                str(d.get("chargePointVendor", "")),
                str(d.get("chargePointModel", "")),
                str(d.get("chargePointSerialNumber") or d.get("chargeBoxSerialNumber") or ""),
                str(d.get("firmwareVersion", "")),
                str(d.get("address", "")),
                to_epoch(evs[0].ts),
                to_epoch(evs[-1].ts),
                len(evs),
            )
        )
    return sorted(out, key=lambda p: -p.last_seen)


class PendingGate:
    """The endpoint's side: is pending allowed now, noting a visit (throttled), and the
    connections waiting, each asked to boot again (TriggerMessage BootNotification) as soon
    as the owner has registered it, rather than after its retry interval."""

    def __init__(self, engine: Engine, site_of: Callable[[str], ChargePointSite | None]) -> None:
        self.engine = engine
        self.site_of = site_of
        self.waiting: dict[str, Rpc] = {}
        self._allowed: tuple[float, bool] | None = None  # (monotonic read at, value)
        self._noted: dict[str, float] = {}
        engine.bus.subscribe(self._on_changed, ConfigurationChanged)

    def _on_changed(self, ev: object) -> None:
        if not isinstance(ev, ConfigurationChanged) or "chargers" not in ev.kinds:
            return
        for cpid, rpc in list(self.waiting.items()):
            if self.site_of(cpid) is not None:
                self.engine.submit(self._nudge(cpid, rpc))
            else:
                self.engine.submit(self._close_if_refused(cpid, rpc))

    async def _close_if_refused(self, cpid: str, rpc: Rpc) -> None:
        if await self.refused(cpid):
            log.warning("charge point %s refused by the owner: closing its connection", cpid)
            await rpc.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"refused")

    async def refused(self, cpid: str) -> bool:
        """The owner refused this id (its upgrades are then refused like an unknown's)."""
        assert self.engine.writer is not None
        return await self.engine.writer.read(lambda s: is_refused(s, cpid))

    async def _nudge(self, cpid: str, rpc: Rpc) -> None:
        try:
            answer = await rpc.call("TriggerMessage", {"requestedMessage": "BootNotification"})
            log.info("charge point %s accepted: asked to boot again (%s)", cpid, answer)
        except Exception as e:  # it boots again after its interval anyway
            log.info("charge point %s accepted; TriggerMessage failed: %r", cpid, e)

    async def allowed(self) -> bool:
        now = time.monotonic()
        if self._allowed is None or now - self._allowed[0] > 2.0:  # a peer trying many ids
            assert self.engine.writer is not None
            self._allowed = (now, await self.engine.writer.read(allows_pending))
        return self._allowed[1]

    async def note(self, cpid: str, boot: dict[str, Any], address: str | None) -> None:
        now = time.monotonic()
        last = self._noted.get(cpid)
        if last is not None and now - last < NOTE_EVERY_S:
            return
        if len(self._noted) >= 1000:
            self._noted.clear()
        self._noted[cpid] = now
        detail = {k: str(boot[k])[:60] for k in _BOOT_KEYS if k in boot}
        detail["address"] = address or ""
        assert self.engine.writer is not None
        rec = OcppNote(None, None, self.engine.clock.now(), PENDING, cpid, json.dumps(detail))
        await self.engine.writer.durable([self.engine.writer.put(rec)])
        log.warning(
            "charge point %s (%s %s) is pending: accept it with `stationmgr chargers accept "
            "%s NAME --bays …`",
            cpid,
            detail.get("chargePointVendor", "?"),
            detail.get("chargePointModel", "?"),
            cpid,
        )


Accept = Callable[["ChargePointSite"], Awaitable[Any]]


class PendingHandlers:
    """The calls of a charge point that is not registered: BootNotification Pending until
    the owner registers it, then handed to the Core profile (`accept`) on the same
    connection."""

    def __init__(
        self,
        engine: Engine,
        cpid: str,
        gate: PendingGate,
        site_of: Callable[[], ChargePointSite | None],
        accept: Accept,
        address: str | None,
    ) -> None:
        self.engine = engine
        self.cpid = cpid
        self.gate = gate
        self.site_of = site_of
        self.accept = accept
        self.address = address

    def table(self) -> dict[str, Any]:
        return {
            "BootNotification": self.boot,
            "Heartbeat": self.heartbeat,
            "StatusNotification": self.ignored,
            "Authorize": self.authorize,
            "StartTransaction": self.start,
            "MeterValues": self.ignored,
            "StopTransaction": self.ignored,  # never an error for a stop (see handlers)
        }

    async def boot(self, p: dict[str, Any]) -> dict[str, Any]:
        site = self.site_of()
        if site is not None:  # registered meanwhile: this boot is the first as one
            log.info("charge point %s was accepted; answering its boot", self.cpid)
            self.gate.waiting.pop(self.cpid, None)
            core = await self.accept(site)
            return dict(await core.boot(p))
        await self.gate.note(self.cpid, p, self.address)
        from stationmgr.ocpp.handlers import _now_text

        now = _now_text(self.engine.clock.now())
        return {"status": "Pending", "currentTime": now, "interval": RETRY_S}

    async def heartbeat(self, _p: dict[str, Any]) -> dict[str, Any]:
        from stationmgr.ocpp.handlers import _now_text

        return {"currentTime": _now_text(self.engine.clock.now())}

    async def ignored(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {}

    async def authorize(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"idTagInfo": {"status": "Invalid"}}  # not accepted yet: no card works

    async def start(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"transactionId": 0, "idTagInfo": {"status": "Invalid"}}
