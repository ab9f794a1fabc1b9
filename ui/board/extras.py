"""Alert badges on the tiles: the titles of each bay's open alerts, from the alert events
of the site, and acknowledging them. (The cost so far, the expected end and the open alert
count are in the bay's snapshot: the core's read model.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from stationmgr.alerts import events as alert_events
from stationmgr.client import models as m
from ui.board.state import BayView

log = logging.getLogger(__name__)

# The alert titles of stationmgr.alerts.events.TITLES, for the translation catalogue.
_ALERT_TITLES = (
    QT_TRANSLATE_NOOP("alerts", "Session overrun"),
    QT_TRANSLATE_NOOP("alerts", "Charging stalled"),
    QT_TRANSLATE_NOOP("alerts", "Bay blocked"),
    QT_TRANSLATE_NOOP("alerts", "Charger fault"),
    QT_TRANSLATE_NOOP("alerts", "Charger not answering"),
    QT_TRANSLATE_NOOP("alerts", "Card denied repeatedly"),
)


def alert_title(kind: object) -> str:
    try:
        key: object = alert_events.AlertKind(kind)
    except ValueError:
        key = kind
    return QCoreApplication.translate("alerts", alert_events.TITLES.get(key, str(kind)))  # type: ignore[call-overload]


class Extras:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.acked: set[str] = set()

    # ------------------------------------------------------------ alerts (site events)

    def on_event(self, ev: m.Event, views: dict[int, BayView]) -> tuple[str, str] | bool | None:
        """Apply one site event; returns (title, text) to announce, False if only the tiles
        changed, None if the event was not ours."""
        d = ev.data
        if ev.type == "alert_raised":
            bay_id = d.get("bay_id")
            v = views.get(bay_id) if isinstance(bay_id, int) else None
            uid = str(d.get("uid"))
            if v is not None:
                v.alerts[uid] = alert_title(d.get("kind"))
            where = d.get("label") or (v.snap.label if v else "")
            return (f"{alert_title(d.get('kind'))}: {where}".rstrip(": "), str(d.get("detail")))
        if ev.type == "alert_cleared":
            uid = str(d.get("uid"))
            for v in views.values():
                v.alerts.pop(uid, None)
            self.acked.discard(uid)
            return False
        if ev.type == "alert_acknowledged":
            self.acked.add(str(d.get("uid")))
            return False
        return None

    def acknowledge(
        self,
        bay_id: int,
        views: dict[int, BayView],
        on_error: Callable[[str], None] | None = None,
    ) -> int:
        """Acknowledge the bay's open alerts through the site client (the core checks the
        role and audits), on the worker."""
        client = self.ctx.client
        v = views.get(bay_id)
        if client is None or v is None:
            return 0
        uids = [uid for uid in v.alerts if uid not in self.acked]
        if not uids:
            return 0

        def call() -> int:
            for uid in uids:
                client.acknowledge_alert(uid)
            return len(uids)

        def failed(e: BaseException) -> None:
            if on_error is not None:
                on_error(str(e))

        self.ctx.worker.run(call, lambda _n: None, failed)
        return len(uids)
