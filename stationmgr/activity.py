"""The site's activity log: one INFO line per session start and stop, refused card, fault
and configuration change, for whoever reads the service's log (journalctl, a log file).

A bus subscriber (`stationmgr.runtime` installs it); it only formats, on the engine's
thread. Bays are named by their label, cards by their UID, energy in kWh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from stationmgr import sessions as sm
from stationmgr.events import ConfigurationChanged, EventBus

log = logging.getLogger("stationmgr.activity")


class ActivityLog:
    """Logs what happened at the bays; `bay_label(bay_id)` names a bay."""

    def __init__(self, bus: EventBus, bay_label: Callable[[int], str]) -> None:
        self.bay_label = bay_label
        self._unsubscribe = bus.subscribe(
            self.on_event,
            sm.TransactionStarted,
            sm.TransactionStopped,
            sm.CardRefused,
            sm.FaultRaised,
            sm.FaultCleared,
            ConfigurationChanged,
        )

    def close(self) -> None:
        self._unsubscribe()

    def on_event(self, ev: object) -> None:
        match ev:
            case sm.TransactionStarted(tx=tx):
                log.info(
                    "session started at bay %s: %s, meter start %.0f Wh (session %s)",
                    self.bay_label(tx.bay_id),
                    _who(tx.auth),
                    tx.meter_start_wh,
                    tx.uid,
                )
            case sm.TransactionStopped(tx=tx):
                detail = f" ({tx.stop_detail})" if tx.stop_detail else ""
                log.info(
                    "session stopped at bay %s: %s, %.3f kWh, stop reason %s%s (session %s)",
                    self.bay_label(tx.bay_id),
                    _who(tx.auth),
                    tx.energy_wh / 1000.0,
                    tx.stop_reason or "?",
                    detail,
                    tx.uid,
                )
            case sm.CardRefused(bay_id=bay_id, auth=auth, why=why):
                log.info(
                    "card refused at bay %s: card %s, %s (%s)",
                    self.bay_label(bay_id),
                    auth.card_uid or "unknown",
                    auth.status,
                    why or auth.reason or "no reason given",
                )
            case sm.FaultRaised(bay_id=bay_id, code=code, tx_uid=tx_uid):
                during = f", during session {tx_uid}" if tx_uid else ""
                log.info("fault at bay %s: %s%s", self.bay_label(bay_id), code, during)
            case sm.FaultCleared(bay_id=bay_id, code=code):
                log.info("fault cleared at bay %s: %s", self.bay_label(bay_id), code)
            case ConfigurationChanged(kinds=kinds):
                log.info("configuration applied: %s", ", ".join(sorted(kinds)))


def _who(auth: sm.Authorization) -> str:
    if auth.card_uid:
        holder = f" ({auth.holder_name})" if auth.holder_name else ""
        return f"card {auth.card_uid}{holder}"
    by = f" by {auth.started_by}" if auth.started_by else ""
    return f"guest start{by}"
