"""The OCPP 1.6 Core profile for one connected charge point, into the one session model.

Every message's effect is built by `mapping` at the charger's own timestamps and stepped
into the engine's bay (`Engine.external_step`): its records go through the single writer
(journaled first while the database is busy), so a message a charger queued offline is
booked at its own time and never lost. Answers never depend on the database being free:
card decisions use the writer's reader connection, like a tap at a bay.

Never lose a transaction:
- StartTransaction retried (same connector, idTag, timestamp, meterStart) gets the same
  transactionId;
- StopTransaction is never answered with an error: for a transaction we closed already it
  changes nothing; for an unknown one (or -1) it is recorded (`records.UNKNOWN_STOP`) for
  the owner to reconcile;
- a dropped connection leaves the session open until the charger reports its end.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.clock import to_datetime, to_epoch
from stationmgr.ocpp import guest_tags, mapping, quirks
from stationmgr.ocpp.records import FAULT_DETAIL, UNKNOWN_STOP, OcppNote
from stationmgr.ocpp.remote import GUEST_PREFIX, RemoteRequests
from stationmgr.ocpp_words import AuthStatus
from stationmgr.store.models import Card, CardGroup, ChargeSession

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.ocpp.rpc import Rpc

log = logging.getLogger(__name__)

HEARTBEAT_S = 60
SAMPLED_DATA = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"


class TransactionIds:
    """Site-wide transactionIds: one more than the highest ever given (stored sessions
    `ocpp-<id>`, and open ones restored from the journal)."""

    def __init__(self) -> None:
        self._last: int | None = None
        # What this run booked, so a retry is recognised even while the database is busy
        # (the records are then in the journal, not yet where a read finds them).
        self.started: dict[tuple[int, int, float], int] = {}  # (bay, ms, meterStart) → id
        self.closed: set[str] = set()
        self.remote = RemoteRequests()  # guest starts and stops the site asked for

    async def next(self, engine: Engine) -> int:
        if self._last is None:
            assert engine.writer is not None

            def highest(s: Session) -> int:
                best = 0
                q = select(ChargeSession.tx_uid).where(
                    ChargeSession.tx_uid.like(f"{mapping.TX_PREFIX}%")
                )
                for uid in s.scalars(q):
                    best = max(best, mapping.transaction_id(uid) or 0)
                return best

            last = await engine.writer.read(highest)
            for bay in engine.bays.values():
                if bay.tx is not None:
                    last = max(last, mapping.transaction_id(bay.tx.uid) or 0)
            self._last = last if self._last is None else max(self._last, last)
        self._last += 1
        return self._last


def _now_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class ChargePointSite:
    """One registered charge point: its row and bays (connector k → bay id)."""

    charger_id: int
    name: str
    cpid: str
    bays: dict[int, int]


class CoreHandlers:
    def __init__(self, engine: Engine, cp: ChargePointSite, ids: TransactionIds, rpc: Rpc):
        self.engine = engine
        self.cp = cp
        self.ids = ids
        self.rpc = rpc
        self.quirks = quirks.of(cp.cpid)  # the model's deviations (`quirks`), set at boot

    def table(self) -> dict[str, Any]:
        return {
            "BootNotification": self.boot,
            "Heartbeat": self.heartbeat,
            "StatusNotification": self.status,
            "Authorize": self.authorize,
            "StartTransaction": self.start,
            "MeterValues": self.meter_values,
            "StopTransaction": self.stop,
        }

    # ------------------------------------------------------------ helpers

    def _bay(self, connector: int) -> int | None:
        return self.cp.bays.get(connector)

    def _first_bay(self) -> int | None:
        return self.cp.bays[min(self.cp.bays)] if self.cp.bays else None

    def _bay_of_tx(self, uid: str) -> int | None:
        for bay_id in self.cp.bays.values():
            bay = self.engine.bays.get(bay_id)
            if bay is not None and bay.tx is not None and bay.tx.uid == uid:
                return bay_id
        return None

    async def _id_tag_info(self, id_tag: str, bay_id: int | None) -> tuple[dict, sm.Authorization]:
        """The card rules of a tapped card, as OCPP idTagInfo (expiryDate: its validity end;
        parentIdTag: its group)."""
        if bay_id is None:
            auth = sm.Authorization(AuthStatus.INVALID, card_uid=id_tag, reason="no bay")
            return {"status": str(auth.status)}, auth
        now = self.engine.clock.now()
        guest = self.ids.remote.guest(id_tag, now)
        if guest is None and id_tag.startswith(GUEST_PREFIX):  # given out before a restart?
            kept = await guest_tags.recall(self.engine, id_tag, now)
            if kept is not None:
                self.ids.remote.guests[id_tag] = kept
                guest = self.ids.remote.guest(id_tag, now)
        if guest is not None:  # the tag of a guest start the site asked for
            return {"status": str(guest.status)}, guest
        for form in self.quirks.id_tags(id_tag):  # e.g. KEBA's zero-padded UIDs
            auth = await self.engine.decide_card(form, bay_id, exact=True)
            if auth.card_id is not None:
                break
        if auth.card_id is None:  # not found exactly: as a typed number, like the desk
            auth = await self.engine.decide_card(id_tag, bay_id)
        info: dict[str, Any] = {"status": str(auth.status)}
        if auth.card_id is not None:
            valid_to, group = await self._card_facts(auth.card_id, auth.group_id)
            if valid_to is not None:  # the charger's cache expires it on its own then
                info["expiryDate"] = _now_text(to_epoch(valid_to))
            if group:
                info["parentIdTag"] = group[:20]
        return info, auth

    async def _card_facts(
        self, card_id: int, group_id: int | None
    ) -> tuple[datetime | None, str | None]:
        """The card's validity end and its group's name (idTagInfo's expiryDate and
        parentIdTag), read on the writer's reader connection like the decision."""
        assert self.engine.writer is not None

        def facts(s: Session) -> tuple[datetime | None, str | None]:
            card = s.get(Card, card_id)
            g = s.get(CardGroup, group_id) if group_id is not None else None
            return (card.valid_to if card is not None else None), (g.name if g else None)

        return await self.engine.writer.read(facts)

    async def _note(
        self,
        bay_id: int | None,
        at: float,
        kind: str,
        code: str | None,
        detail: str,
        uid: str | None = None,
    ) -> None:
        assert self.engine.writer is not None
        rec = OcppNote(self.cp.charger_id, bay_id, at, kind, code, detail, uid)
        await self.engine.writer.durable([self.engine.writer.put(rec)])
        self.engine.bus.publish(rec)

    # ------------------------------------------------------------ Core profile

    async def boot(self, p: dict[str, Any]) -> dict[str, Any]:
        log.info(
            "charge point %s booted: %s %s (firmware %s)",
            self.cp.cpid,
            p.get("chargePointVendor"),
            p.get("chargePointModel"),
            p.get("firmwareVersion", "?"),
        )
        self.quirks = quirks.at_boot(self.cp.cpid, p)
        self.rpc.after(self._configure)
        now = self.engine.clock.now()
        return {"status": "Accepted", "currentTime": _now_text(now), "interval": HEARTBEAT_S}

    async def _configure(self) -> None:
        """Ask for the samples the session model keeps, as often as for a serial charger."""
        every = max(1, round(self.engine.session_config.sample_interval_s))
        for key, value in (
            ("MeterValueSampleInterval", str(every)),
            ("MeterValuesSampledData", SAMPLED_DATA),
        ):
            answer = await self.rpc.call("ChangeConfiguration", {"key": key, "value": value})
            if answer.get("status") != "Accepted":
                log.info(
                    "charge point %s: %s=%s %s", self.cp.cpid, key, value, answer.get("status")
                )

    async def heartbeat(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"currentTime": _now_text(self.engine.clock.now())}

    async def status(self, p: dict[str, Any]) -> dict[str, Any]:
        connector = int(p["connectorId"])
        at = mapping.parse_time(p["timestamp"]) if p.get("timestamp") else self.engine.clock.now()
        error = p.get("errorCode", mapping.NO_ERROR)
        targets = list(self.cp.bays.values()) if connector == 0 else [self._bay(connector)]
        for bay_id in targets:
            if bay_id is None:
                log.warning(
                    "charge point %s: status for unknown connector %d", self.cp.cpid, connector
                )
                return {}
            if connector == 0 and error == mapping.NO_ERROR:
                continue  # the charger as a whole is fine: each connector says its own
            word = p["status"]

            def fn(bay: sm.BayState, w: str = word) -> sm.Step:
                step, unknown = mapping.status(bay, w, error, at)
                if unknown:
                    log.info("charge point %s: status %s shown as Unavailable", self.cp.cpid, w)
                return step

            await self.engine.external_step(bay_id, fn)
            if error != mapping.NO_ERROR and (p.get("vendorErrorCode") or p.get("info")):
                detail = json.dumps(
                    {
                        k: p[k]
                        for k in ("errorCode", "vendorErrorCode", "info", "vendorId")
                        if k in p
                    }
                )
                tx = self.engine.bays[bay_id].tx
                await self._note(bay_id, at, FAULT_DETAIL, error, detail, tx.uid if tx else None)
        return {}

    async def authorize(self, p: dict[str, Any]) -> dict[str, Any]:
        info, auth = await self._id_tag_info(p["idTag"], self._first_bay())
        if not auth.accepted:
            log.info(
                "charge point %s: card %s %s (%s)",
                self.cp.cpid,
                p["idTag"],
                auth.status,
                auth.reason,
            )
        return {"idTagInfo": info}

    async def start(self, p: dict[str, Any]) -> dict[str, Any]:
        connector = int(p["connectorId"])
        bay_id = self._bay(connector)
        at = mapping.parse_time(p["timestamp"])
        meter = float(p["meterStart"])
        id_tag = p["idTag"]
        info, auth = await self._id_tag_info(id_tag, bay_id)
        if bay_id is None:
            log.warning(
                "charge point %s: StartTransaction on unknown connector %d", self.cp.cpid, connector
            )
            return {"transactionId": -1, "idTagInfo": {"status": "Invalid"}}
        same = await self._same_start(bay_id, id_tag, at, meter)
        if same is not None:
            return {"transactionId": same, "idTagInfo": info}
        txid = await self.ids.next(self.engine)
        if auth.card_uid is None and auth.started_by is None:  # a guest's tag is not a card
            from dataclasses import replace

            auth = replace(auth, card_uid=id_tag[:20])
        await self.engine.external_step(
            bay_id, lambda bay: mapping.started(bay, mapping.tx_uid(txid), auth, at, meter)
        )
        self.ids.started[(bay_id, round(at * 1000), meter)] = txid
        if id_tag in self.ids.remote.guests:
            self.ids.remote.started(id_tag, mapping.tx_uid(txid))
            guest_tags.started(self.engine, id_tag, mapping.tx_uid(txid))
        log.info(
            "charge point %s: transaction %d started on bay %s (%s)",
            self.cp.cpid,
            txid,
            self.engine.bay_label(bay_id),
            auth.status,
        )
        return {"transactionId": txid, "idTagInfo": info}

    async def _same_start(self, bay_id: int, id_tag: str, at: float, meter: float) -> int | None:
        """A StartTransaction we booked already (the charger retried it)."""
        known = self.ids.started.get((bay_id, round(at * 1000), meter))
        if known is not None:
            return known
        bay = self.engine.bays.get(bay_id)
        tx = bay.tx if bay is not None else None
        if tx is not None and _same(tx.authorized_at, at) and tx.meter_start_wh == meter:
            return mapping.transaction_id(tx.uid)
        assert self.engine.writer is not None

        def find(s: Session) -> int | None:
            q = select(ChargeSession.tx_uid).where(
                ChargeSession.bay_id == bay_id,
                ChargeSession.authorized_at == to_datetime(at),
                ChargeSession.meter_start_wh == meter,
                ChargeSession.tx_uid.like(f"{mapping.TX_PREFIX}%"),
            )
            return next((mapping.transaction_id(u) for u in s.scalars(q)), None)

        return await self.engine.writer.read(find)

    async def meter_values(self, p: dict[str, Any]) -> dict[str, Any]:
        samples = mapping.parse_samples(self.quirks.meter_values(p.get("meterValue", [])))
        txid = p.get("transactionId")
        if txid is None:
            return {}  # energy outside a transaction: no session to book it on
        uid = mapping.tx_uid(int(txid))
        bay_id = self._bay_of_tx(uid) or self._bay(int(p["connectorId"]))
        if bay_id is None:
            return {}
        flow = self.engine.session_config.flow_threshold_w
        await self.engine.external_step(
            bay_id, lambda bay: mapping.sampled(bay, uid, samples, flow)
        )
        return {}

    async def stop(self, p: dict[str, Any]) -> dict[str, Any]:
        """Answered whatever happens: an error would make the charger retry, then drop it."""
        txid = int(p["transactionId"])
        at = mapping.parse_time(p["timestamp"])
        meter = float(p["meterStop"])
        id_tag = p.get("idTag")
        answer: dict[str, Any] = {}
        if id_tag:
            info, _auth = await self._id_tag_info(id_tag, self._first_bay())
            answer["idTagInfo"] = info
        uid = mapping.tx_uid(txid)
        samples = mapping.parse_samples(self.quirks.meter_values(p.get("transactionData") or []))
        bay_id = self._bay_of_tx(uid)
        if bay_id is not None:
            flow = self.engine.session_config.flow_threshold_w
            if any(g.tx_uid == uid for g in self.ids.remote.guests.values()):
                guest_tags.done(self.engine, uid)
            asked = self.ids.remote.stopped(uid)  # the attendant who asked for it, if one did
            by = asked.operator if asked is not None else id_tag

            def fn(bay: sm.BayState) -> sm.Step:
                first = mapping.sampled(bay, uid, samples, flow)
                last = mapping.stopped(first.bay, at, meter, p.get("reason"), by)
                return sm.Step(last.bay, [], first.records + last.records)

            await self.engine.external_step(bay_id, fn)
            self.ids.closed.add(uid)
            if asked is not None:
                asked.stopped.set()
            log.info(
                "charge point %s: transaction %d stopped (%s)",
                self.cp.cpid,
                txid,
                p.get("reason", "Local"),
            )
            return answer
        if txid > 0 and (uid in self.ids.closed or await self._closed(uid)):
            return answer  # a retried stop: booked already, nothing changes
        log.warning(
            "charge point %s: StopTransaction for unknown transaction %d recorded for "
            "reconciliation",
            self.cp.cpid,
            txid,
        )
        await self._note(self._first_bay(), at, UNKNOWN_STOP, str(txid), json.dumps(p))
        return answer

    async def _closed(self, uid: str) -> bool:
        assert self.engine.writer is not None

        def find(s: Session) -> bool:
            q = select(ChargeSession.id).where(ChargeSession.tx_uid == uid)
            return s.scalar(q) is not None

        return await self.engine.writer.read(find)

    # ------------------------------------------------------------ connection

    async def connected(self, is_online: bool) -> None:
        now = self.engine.clock.now()
        for bay_id in self.cp.bays.values():
            if bay_id in self.engine.bays:
                await self.engine.external_step(
                    bay_id, lambda bay: mapping.online(bay, is_online, now)
                )


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.0005  # stored to the millisecond
