"""Commands from the site to connected charge points (OCPP 1.6 Core and RemoteTrigger).

A bay's manual commands (`Engine.external_commands`, driver `ocpp`):
- attendant stop / deauthorise → RemoteStopTransaction; the session closes when the
  charger's StopTransaction arrives (its reason, Remote; stopped by the attendant), never
  on our side alone;
- guest start → RemoteStartTransaction with a guest id tag (`remote`); the StartTransaction
  that follows opens the guest session;
- out of order / back in service → ChangeAvailability Inoperative / Operative (Scheduled:
  the charger applies it once its transaction ends).
We wait up to `FOLLOW_S` for the charger's own message, so the attendant sees the result;
a charger that accepted but reports later is booked when it does.

Maintenance (`ocpp.service`): Reset, UnlockConnector, TriggerMessage, ClearCache,
GetConfiguration, ChangeConfiguration.

OCPP allows one outstanding call per direction (`Rpc.call` queues ours); a call not
answered within `timeout_s` (the wait for our turn included) fails with one clear line,
and the connection stays. An offline charger, a CallError or a refusal (Rejected,
UnlockFailed …) is a `DeviceError`: exit 1 at the CLI, HTTP 502 over the site API.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ocpp.exceptions import OCPPError

from stationmgr import sessions as sm
from stationmgr.errors import DeviceError, UserError
from stationmgr.ocpp import guest_tags, mapping

if TYPE_CHECKING:
    from stationmgr.ocpp.endpoint import OcppServer
    from stationmgr.ocpp.rpc import Rpc
    from stationmgr.store.models import Charger as ChargerRow

log = logging.getLogger(__name__)

TIMEOUT_S = 15.0  # one call, our turn included: well inside the site API's 30 s
FOLLOW_S = 10.0  # how long a remote start/stop waits for the charger's own message


class ChargerUnavailable(DeviceError):
    """The charger is not connected, did not answer in time, or answered a CallError."""


class ChargerRefused(DeviceError):
    """The charger answered, and said no (Rejected, UnlockFailed, NotSupported …)."""


@dataclass(frozen=True)
class Target:
    """A registered OCPP charger as a command needs it."""

    charger_id: int
    name: str
    cpid: str


class OcppCommands:
    """The commands of one running endpoint (registered on the engine while it serves)."""

    def __init__(self, server: OcppServer, timeout_s: float = TIMEOUT_S) -> None:
        self.server = server
        self.engine = server.engine
        self.timeout_s = timeout_s
        self.remote = server.ids.remote

    # ------------------------------------------------------------ lookup

    def target(self, charger_id: int) -> Target:
        row: ChargerRow | None = self.engine.external_chargers.get(charger_id)
        if row is None:
            raise UserError(f"charger {charger_id} is not an enabled OCPP charger")
        cpid = str((row.settings or {}).get("charge_point_id") or "")
        return Target(row.id, row.name, cpid)

    def _bay(self, bay_id: int) -> tuple[Target, int, str]:
        info = self.engine.bay_info[bay_id]
        return self.target(info.charger_id), info.connector, info.label

    def connected(self, t: Target) -> bool:
        return t.cpid in self.server.rpcs

    async def call(self, t: Target, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Our call to the charger and its answer's payload, or a clear `DeviceError`."""
        rpc: Rpc | None = self.server.rpcs.get(t.cpid)
        if rpc is None:
            raise ChargerUnavailable(f"charger {t.name} ({t.cpid}) is offline: {action} not sent")
        try:
            async with asyncio.timeout(self.timeout_s):
                answer = await rpc.call(action, payload)
        except TimeoutError:
            log.warning("charge point %s: no answer to %s in %g s", t.cpid, action, self.timeout_s)
            raise ChargerUnavailable(
                f"charger {t.name} did not answer {action} within {self.timeout_s:g} s"
            ) from None
        except OCPPError as e:
            raise ChargerUnavailable(f"charger {t.name} answered {action} with {e}") from None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # we are being cancelled, not the call
            raise ChargerUnavailable(
                f"charger {t.name} disconnected before it answered {action}"
            ) from None
        log.info("charge point %s: %s → %s", t.cpid, action, answer.get("status", "answered"))
        return answer

    async def status_call(
        self, t: Target, action: str, payload: dict[str, Any], ok: tuple[str, ...], what: str
    ) -> str:
        """A call whose answer is a status; a status not in `ok` is a refusal."""
        status = str((await self.call(t, action, payload)).get("status"))
        if status not in ok:
            raise ChargerRefused(f"charger {t.name} refused {what}: {action} {status}")
        return status

    # ------------------------------------------------------------ a bay's commands

    async def __call__(self, bay_id: int, event: sm.Event | sm.CardStart) -> str | None:
        """Carry out the bay's command; a note for its audit entry, if any."""
        match event:
            case sm.RemoteStart():
                return await self.guest_start(bay_id, event.operator, event.reason)
            case sm.CardStart():
                return await self.card_start(bay_id, event.card)
            case sm.RemoteStop():
                return await self.remote_stop(bay_id, event.operator, event.detail)
            case sm.Deauthorize():
                return await self.remote_stop(bay_id, "system", event.detail)
            case sm.SetOutOfOrder():
                return await self.availability(bay_id, event.out_of_order)
        raise UserError(f"{type(event).__name__} is not a command for an OCPP charger")

    async def guest_start(self, bay_id: int, operator: str, reason: str) -> str | None:
        t, connector, label = self._bay(bay_id)
        bay = self.engine.bays[bay_id]
        if bay.tx is not None:
            raise UserError(f"bay {label} has a session already")
        if bay.out_of_order:
            raise UserError(f"bay {label} is out of order")
        tag = self.remote.new_guest(bay_id, operator, reason, self.engine.clock.now())
        guest = self.remote.guests[tag]
        try:
            await guest_tags.keep(self.engine, tag, guest)  # kept across a restart
            await self.status_call(
                t,
                "RemoteStartTransaction",
                {"connectorId": connector, "idTag": tag},
                ("Accepted",),
                f"the guest start on bay {label}",
            )
        except BaseException:
            self.remote.forget_guest(tag)
            raise
        return await self._follow(guest.started, t, "StartTransaction")

    async def card_start(self, bay_id: int, card: str) -> str | None:
        """RemoteStartTransaction with the card as the idTag: the charger authorises it
        (Authorize, or its StartTransaction) and the card rules answer, as for a tap."""
        t, connector, label = self._bay(bay_id)
        bay = self.engine.bays[bay_id]
        if bay.tx is not None:
            raise UserError(f"bay {label} has a session already")
        if bay.out_of_order:
            raise UserError(f"bay {label} is out of order")
        if len(card) > 20:  # IdToken is CiString20
            raise UserError(f"card {card[:24]!r}: an OCPP id tag is at most 20 characters")
        await self.status_call(
            t,
            "RemoteStartTransaction",
            {"connectorId": connector, "idTag": card},
            ("Accepted",),
            f"the start for card {card} on bay {label}",
        )
        return "accepted by the charger; it authorises the card"

    async def remote_stop(self, bay_id: int, operator: str, detail: str | None) -> str | None:
        t, _connector, label = self._bay(bay_id)
        tx = self.engine.bays[bay_id].tx
        if tx is None:
            return None  # nothing to stop (as at a serial bay)
        txid = mapping.transaction_id(tx.uid)
        if txid is None:
            raise UserError(f"bay {label}: session {tx.uid} is not an OCPP transaction")
        asked = self.remote.asked_stop(tx.uid, operator, detail)
        try:
            await self.status_call(
                t,
                "RemoteStopTransaction",
                {"transactionId": txid},
                ("Accepted",),
                f"to stop transaction {txid} on bay {label}",
            )
        except BaseException:
            self.remote.stops.pop(tx.uid, None)
            raise
        return await self._follow(asked.stopped, t, "StopTransaction")

    async def availability(self, bay_id: int, out_of_order: bool) -> str | None:
        t, connector, label = self._bay(bay_id)
        kind = "Inoperative" if out_of_order else "Operative"
        status = await self.status_call(
            t,
            "ChangeAvailability",
            {"connectorId": connector, "type": kind},
            ("Accepted", "Scheduled"),
            f"to make bay {label} {kind}",
        )
        await self.engine.external_step(
            bay_id, lambda bay: sm.Step(replace(bay, out_of_order=out_of_order))
        )
        if status == "Scheduled":
            log.info("bay %s: %s once its transaction ends (Scheduled)", label, kind)
            return f"ChangeAvailability {kind}: Scheduled (once the charger's session ends)"
        return None

    async def _follow(self, happened: asyncio.Event, t: Target, action: str) -> str | None:
        try:
            async with asyncio.timeout(FOLLOW_S):
                await happened.wait()
        except TimeoutError:
            log.info("charge point %s: accepted, no %s yet (booked when it comes)", t.cpid, action)
            return f"accepted by the charger; no {action} yet"
        return None
