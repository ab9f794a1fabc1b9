"""What other parts of the core add to a tile: alert badges, expected end, cost so far.

Each comes from its own core package when it is installed (alerts: `stationmgr.alerts`
events on the bus; billing: `stationmgr.billing` tariffs and the pure live estimate); the
board works without them. Tariffs are read off the GUI thread and cached per scope.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ui.board.state import BayView

log = logging.getLogger(__name__)

try:
    from stationmgr.alerts import events as alert_events
except ImportError:  # pragma: no cover - the alerts package is optional
    alert_events = None  # type: ignore[assignment]
try:
    from stationmgr.billing import pricing, tariffs
except ImportError:  # pragma: no cover - the billing package is optional
    pricing = tariffs = None  # type: ignore[assignment]

TARIFF_TTL_S = 300.0


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
    titles = getattr(alert_events, "TITLES", {})
    return QCoreApplication.translate("alerts", titles.get(kind, str(kind)))


class Extras:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._tariffs: dict[tuple[int | None, bool], tuple[float, list[Any]]] = {}
        self._loading: set[tuple[int | None, bool]] = set()
        self.acked: set[str] = set()

    # ------------------------------------------------------------ alerts (bus events)

    def on_event(self, ev: object, views: dict[int, BayView]) -> tuple[str, str] | bool | None:
        """Apply one event; returns (title, text) to announce, False if only the tiles
        changed, None if the event was not ours."""
        if alert_events is None:
            return None
        ae = alert_events
        if isinstance(ev, ae.AlertRaised):
            v = views.get(ev.bay_id) if ev.bay_id is not None else None
            if v is not None:
                v.alerts[ev.uid] = alert_title(ev.kind)
            where = ev.label or (v.snap.label if v else "")
            return (f"{alert_title(ev.kind)}: {where}".rstrip(": "), ev.detail)
        if isinstance(ev, ae.AlertCleared):
            for v in views.values():
                v.alerts.pop(ev.uid, None)
            self.acked.discard(ev.uid)
            return False
        if isinstance(ev, ae.AlertAcknowledged):
            self.acked.add(ev.uid)
            return False
        if isinstance(ev, ae.AlertsReset):
            for v in views.values():
                v.alerts.clear()
            return False
        if isinstance(ev, ae.ExpectedEnd):
            v = views.get(ev.bay_id)
            if v is not None:
                v.expected_end = ev.estimate.end_at if ev.estimate is not None else None
            return False
        return None

    def acknowledge(self, bay_id: int, views: dict[int, BayView]) -> int:
        """Acknowledge the bay's open alerts through the engine's writer (audited)."""
        eng = self.ctx.engine
        v = views.get(bay_id)
        if eng is None or v is None or alert_events is None:
            return 0
        from stationmgr.alerts.service import acknowledge

        n = 0
        for uid in list(v.alerts):
            if uid not in self.acked:
                acknowledge(eng, uid, self.ctx.actor)
                n += 1
        return n

    # ------------------------------------------------------------ cost so far (billing)

    def refresh(self, views: dict[int, BayView], now: float) -> None:
        """Recompute each running session's cost estimate (pure; tariffs cached)."""
        eng = self.ctx.engine
        if eng is None or pricing is None:
            return
        for bay_id, v in views.items():
            bay = eng.bays.get(bay_id)
            tx = bay.tx if bay is not None else None
            if tx is None:
                v.cost_minor = None
                continue
            scope = (tx.auth.group_id, tx.auth.is_guest)
            terms = self._terms(scope)
            if not terms:
                v.cost_minor = None
                continue
            try:
                v.cost_minor = pricing.estimate_cost(tx, terms, now).total_minor
            except Exception:
                log.debug("no cost estimate for bay %s", bay_id, exc_info=True)
                v.cost_minor = None

    def _terms(self, scope: tuple[int | None, bool]) -> list[Any] | None:
        hit = self._tariffs.get(scope)
        if (hit is None or time.monotonic() - hit[0] > TARIFF_TTL_S) and scope not in self._loading:
            self._loading.add(scope)
            db = self.ctx.db

            def load() -> list[Any]:
                with db.session() as s:
                    return list(tariffs.versions_for(s, scope[0], scope[1]))

            def done(terms: list[Any]) -> None:
                self._loading.discard(scope)
                self._tariffs[scope] = (time.monotonic(), terms)

            def failed(e: BaseException) -> None:
                self._loading.discard(scope)
                self._tariffs[scope] = (time.monotonic(), [])
                log.warning("tariffs could not be read: %s", e)

            self.ctx.worker.run(load, done, failed)
        return hit[1] if hit else None
