"""The alert monitor: watches the engine, raises and clears alerts, keeps expected ends.

``install(engine)`` (before ``engine.start()``; ``stationmgr.runtime`` calls it) wires it: it
subscribes to the engine's bus, registers its records with the engine's single writer
(``Engine.persister.register``) and returns the monitor; ``changed(kinds)`` follows a
configuration change. The engine's stream of ``BaySnapshot`` events (every poll of every
answering charger, every engine tick of a bay with a session) drives a re-evaluation at most
once per second of engine time, so an alert is raised within a second or two of its
condition, well inside the one minute promised to the attendant.

What it publishes on the bus (and persists):

- ``AlertRaised`` / ``AlertCleared`` — one pair per occurrence, keyed by ``uid`` (an alert
  still open when the engine restarts continues, and is cleared if its condition is gone);
- ``AlertAcknowledged`` — after ``acknowledge`` (``alerts.service``), audited;
- ``ExpectedEnd`` — a running session's estimate, when it moves by a minute or more.

For the board: ``monitor.estimate(bay_id)`` is the current ``Estimate`` of the bay (or
None), ``monitor.rotation(limit)`` the bays expected to free up soonest, ``monitor.open()``
the alerts now raised. Everything runs on the engine's thread; the getters return immutable
values and are safe to call from any thread.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.alerts import estimator as est
from stationmgr.alerts.events import (
    TITLES,
    AlertAcknowledged,
    AlertCleared,
    AlertKind,
    AlertRaised,
    AlertsReset,
    ExpectedEnd,
)
from stationmgr.alerts.history import bay_history, card_history
from stationmgr.alerts.rules import (
    AlertConfig,
    BayFacts,
    Condition,
    alert_config_from,
    bay_conditions,
    charger_conditions,
    overrun_margin_s,
)
from stationmgr.clock import to_datetime, to_epoch
from stationmgr.events import BaySnapshot, ChargerCommLost, ChargerCommRestored, PersistFailed
from stationmgr.ocpp_words import BayStatus
from stationmgr.settings import get_setting
from stationmgr.store.alert_models import Alert
from stationmgr.store.models import ChargeSession

if TYPE_CHECKING:
    from stationmgr.engine import Engine

log = logging.getLogger(__name__)

EVAL_EVERY_S = 1.0  # engine seconds between evaluations
METER_STEP_WH = 1.0  # the meter "moved" when it advanced at least this much
ESTIMATE_STEP_S = 60.0  # publish a new ExpectedEnd when the estimate moves this much


@dataclass(frozen=True, slots=True)
class _Known:
    """What the history said about one session (loaded once, on the writer's thread)."""

    card: est.HistorySummary
    bay: est.HistorySummary
    grace_s: float


@dataclass(frozen=True, slots=True)
class _Ended:
    """A session that ended while its car stays plugged (the bay is still occupied)."""

    tx_uid: str
    card_uid: str | None
    last_flow_at: float
    known: _Known | None


def load_alert_config(s: Session) -> AlertConfig:
    return alert_config_from(get_setting(s, "alerts", {}) or {})


def tariff_grace_min(s: Session, group_id: int | None, guest: bool, at: float) -> float | None:
    """The idle grace of the tariff that prices this session's idle fee, if it has one."""
    from stationmgr.billing.pricing import in_force
    from stationmgr.billing.tariffs import versions_for

    terms = in_force(versions_for(s, group_id, guest), at)
    if terms is None or not terms.idle_minor_per_min:
        return None
    return float(terms.idle_grace_min)


class AlertMonitor:
    def __init__(self, engine: Engine, config: AlertConfig | None = None) -> None:
        self.engine = engine
        self.config = config or AlertConfig()
        self._fixed_config = config is not None  # given by the caller: not re-read
        self._active: dict[tuple[Any, ...], AlertRaised] = {}
        self._estimates: dict[int, est.Estimate] = {}
        self._published: dict[int, float] = {}
        self._known: dict[str, _Known] = {}
        self._loading: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._meter: dict[str, tuple[float, float]] = {}  # tx → (energy, unchanged since)
        self._overrun_after: dict[str, float] = {}
        self._ended: dict[int, _Ended] = {}
        self._refusals: dict[int, list[tuple[str, float]]] = {}
        self._offline: dict[int, tuple[str, float]] = {}  # charger → (name, since)
        self._fault_since: dict[int, float] = {}
        self._finishing_since: dict[int, float] = {}
        self._dropped: dict[str, Condition] = {}  # subject → a dropped record not yet seen
        self._last_eval = float("-inf")
        self._reset_sent = False
        self._seq = 0

    # ------------------------------------------------------------ wiring

    def install(self) -> AlertMonitor:
        p = self.engine.persister
        p.register(AlertRaised, _persist_raised)
        p.register(AlertCleared, _persist_cleared)
        p.register(AlertAcknowledged, persist_acknowledged)
        self.engine.bus.subscribe(
            self._on_event,
            BaySnapshot,
            sm.TransactionStarted,
            sm.TransactionStopped,
            sm.CardRefused,
            sm.FaultRaised,
            sm.StatusChanged,
            ChargerCommLost,
            ChargerCommRestored,
            PersistFailed,
            AlertAcknowledged,
        )
        self.engine.add_snapshot_enricher(self.enrich_snapshot)
        try:
            with self.engine.db.session() as s:
                self.config = load_alert_config(s)
                self._adopt(s)
        except Exception:  # a missing table is the migration's problem, not the monitor's
            log.exception("could not read the alert settings; using defaults")
        return self

    def _adopt(self, s: Session) -> None:
        """Alerts left open by an earlier run continue (same row, same acknowledgement) if
        their condition still holds after the restart, and are cleared if it does not."""
        for a in s.scalars(select(Alert).where(Alert.cleared_at.is_(None))):
            try:
                kind = AlertKind(a.kind)
            except ValueError:
                continue
            alert = AlertRaised(
                a.uid,
                kind,
                a.bay_id,
                a.charger_id,
                a.tx_uid,
                a.card_uid,
                a.subject,
                to_epoch(a.since),
                to_epoch(a.raised_at),
                a.detail or "",
            )
            self._active[(str(kind), a.bay_id, a.charger_id, a.subject)] = alert
            if kind is AlertKind.RECORD_DROPPED and a.acknowledged_at is None:
                since = to_epoch(a.since)
                self._dropped[a.subject or a.uid] = Condition(
                    kind, None, None, a.subject, since, a.detail or ""
                )

    # ------------------------------------------------------------ public, any thread

    def estimate(self, bay_id: int) -> est.Estimate | None:
        return self._estimates.get(bay_id)

    def enrich_snapshot(self, snap: BaySnapshot, bay: sm.BayState) -> BaySnapshot:
        """The bay's expected end and open alert count, into its snapshot (any thread)."""
        e = self._estimates.get(snap.bay_id) if bay.tx is not None else None
        n = sum(1 for a in list(self._active.values()) if a.bay_id == snap.bay_id)
        if e is None and n == 0:
            return snap
        return replace(snap, expected_end=e.end_at if e else None, open_alerts=n)

    def open(self) -> list[AlertRaised]:
        return sorted(self._active.values(), key=lambda a: a.at)

    def rotation(self, limit: int = 3) -> list[est.FreeUp]:
        eng = self.engine
        rows = []
        for bay_id, bay in list(eng.bays.items()):
            usable = bay.online and not bay.out_of_order and bay.fault is None
            busy = bay.plugged or bay.tx is not None
            estimate = self._estimates.get(bay_id) if busy else None
            if busy and estimate is None:
                continue  # occupied, no idea when it frees up: not a hint
            info = eng.bay_info.get(bay_id)  # None: removed meanwhile (another thread)
            if info is not None:
                rows.append((bay_id, info.label, estimate, usable))
        return est.rotation_hint(rows, eng.clock.now(), limit)

    # ------------------------------------------------------------ configuration (engine thread)

    def changed(self, kinds: frozenset[str]) -> None:
        """The site's configuration changed (`SiteRuntime` calls it on the engine's
        thread): re-read the alert settings; forget chargers and bays that are gone (their
        alerts clear at the next evaluation); tariffs give the idle grace again."""
        eng = self.engine
        if "chargers" in kinds:
            for charger_id in [c for c in self._offline if c not in eng.charger_ids()]:
                del self._offline[charger_id]
            for d in (self._ended, self._refusals, self._fault_since, self._finishing_since):
                for bay_id in [b for b in d if b not in eng.bays]:
                    del d[bay_id]
            for bay_id in [b for b in self._estimates if b not in eng.bays]:
                del self._estimates[bay_id]
                self._published.pop(bay_id, None)
                eng.bus.publish(ExpectedEnd(bay_id, None, None))
        if "tariffs" in kinds:
            self._known.clear()  # re-read with each running session's idle grace
        if not eng.running or eng.writer is None:  # not started: read at once, nothing runs
            if "settings" in kinds and not self._fixed_config:
                with eng.db.session() as s:
                    self.config = load_alert_config(s)
            return
        if "settings" in kinds and not self._fixed_config:
            writer = eng.writer

            async def reload() -> None:
                try:
                    self.config = await writer.call(load_alert_config)
                except Exception:
                    log.exception("could not re-read the alert settings; keeping the old ones")

            task = asyncio.get_running_loop().create_task(reload())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._evaluate(eng.clock.now())

    # ------------------------------------------------------------ events (engine thread)

    def _on_event(self, ev: object) -> None:
        now = self.engine.clock.now()
        if not self._reset_sent:  # tell the board which alerts are open (bus only)
            self._reset_sent = True
            self.engine.bus.publish(AlertsReset(now))
            for alert in self.open():
                self.engine.bus.publish(alert)
        match ev:
            case sm.TransactionStarted(tx=tx):
                self._ended.pop(tx.bay_id, None)
                if tx.auth.card_uid:  # the card got in: its refusals here are history
                    self._refusals[tx.bay_id] = [
                        r for r in self._refusals.get(tx.bay_id, []) if r[0] != tx.auth.card_uid
                    ]
            case sm.TransactionStopped(tx=tx):
                bay = self.engine.bays.get(tx.bay_id)
                if bay is not None and bay.plugged:
                    last = sm.finished_after(tx).idle_since  # the state machine's definition
                    self._ended[tx.bay_id] = _Ended(
                        tx.uid, tx.auth.card_uid, last, self._known.get(tx.uid)
                    )
                self._forget(tx.uid)
            case sm.CardRefused():
                card = ev.auth.card_uid or "unknown card"
                window = self.config.card_denied_window_min * 60.0
                kept = [r for r in self._refusals.get(ev.bay_id, []) if ev.at - r[1] < 2 * window]
                self._refusals[ev.bay_id] = [*kept, (card, ev.at)]
            case sm.StatusChanged(new=BayStatus.FINISHING):
                self._finishing_since[ev.bay_id] = ev.at
            case sm.FaultRaised():
                self._fault_since[ev.bay_id] = ev.at
            case ChargerCommLost():
                self._offline.setdefault(ev.charger_id, (ev.name, ev.at))
            case ChargerCommRestored():
                self._offline.pop(ev.charger_id, None)
            case PersistFailed():
                self._record_dropped(ev)
            case AlertAcknowledged(uid=uid):
                for alert in list(self._active.values()):
                    if alert.uid == uid and alert.kind is AlertKind.RECORD_DROPPED:
                        self._dropped.pop(alert.subject or alert.uid, None)  # seen: it clears
        if isinstance(ev, BaySnapshot) and now - self._last_eval < EVAL_EVERY_S:
            return
        self._evaluate(now)

    def _record_dropped(self, ev: PersistFailed) -> None:
        """A record the writer dropped is an alert until someone acknowledges it: the owner
        must hear that something (a session's end, a sample, a setting) is not stored."""
        if ev.record_type in ("AlertRaised", "AlertCleared"):
            return  # the alert itself could not be stored: raising another would loop
        if str(AlertKind.RECORD_DROPPED) in self.config.disabled:
            return
        subject = f"failure {ev.failure_id}" if ev.failure_id is not None else f"at {ev.at:.3f}"
        error = ev.error.strip().splitlines()[-1][:160] if ev.error.strip() else "refused"
        self._dropped[subject] = Condition(
            AlertKind.RECORD_DROPPED,
            None,
            None,
            subject,
            ev.at,
            f"a {ev.record_type} record could not be stored ({error}); "
            "see `stationmgr db failures`",
        )

    def _forget(self, tx_uid: str) -> None:
        self._known.pop(tx_uid, None)
        self._meter.pop(tx_uid, None)
        self._overrun_after.pop(tx_uid, None)

    # ------------------------------------------------------------ evaluation

    def _evaluate(self, now: float) -> None:
        self._last_eval = now
        eng = self.engine
        idle_after = eng.session_config.idle_after_s
        held: list[Condition] = []
        frozen_bays: set[int] = set()
        for bay_id, bay in list(eng.bays.items()):
            info = eng.bay_info[bay_id]
            if not bay.online or bay.recovering:
                frozen_bays.add(bay_id)  # no news from the bay: its alerts stay as they are
                continue
            facts = self._facts(bay, info.charger_id, now)
            held.extend(bay_conditions(facts, now, self.config, idle_after))
            self._update_estimate(bay, now)
        for charger_id, (name, since) in list(self._offline.items()):
            held.extend(charger_conditions(charger_id, name, since, now, self.config))
        held.extend(self._dropped.values())
        want = {c.key: c for c in held}
        for key, alert in list(self._active.items()):
            if key in want or alert.bay_id in frozen_bays:
                continue
            del self._active[key]
            self._emit(
                AlertCleared(alert.uid, alert.kind, alert.bay_id, alert.charger_id, now, "over")
            )
        for key, c in want.items():
            if key not in self._active:
                self._raise(c, now)

    def _facts(self, bay: sm.BayState, charger_id: int, now: float) -> BayFacts:
        tx = bay.tx
        cfg = self.config
        if tx is None:
            ended = self._ended.get(bay.bay_id) if bay.plugged else None
            if ended is None:
                self._ended.pop(bay.bay_id, None)
            return BayFacts(
                bay.bay_id,
                charger_id,
                bay.status,
                bay.online,
                bay.plugged,
                bay.fault,
                self._fault_since.get(bay.bay_id),
                ended.tx_uid if ended else None,
                ended.card_uid if ended else None,
                last_flow_at=ended.last_flow_at if ended else None,
                grace_s=self._grace(ended.known if ended else None),
                refusals=tuple(self._refusals.get(bay.bay_id, ())),
                finishing_since=self._finishing_since.get(bay.bay_id),
            )
        known = self._known.get(tx.uid)
        if known is None:
            self._load(tx)
        # Stalled: while Charging, since when has the meter not moved? (A charger without
        # an energy register cannot tell: no stalled alert for it.)
        still_since = None
        if bay.status is BayStatus.CHARGING and bay.last_energy_wh is not None:
            energy, since = self._meter.get(tx.uid, (tx.energy_wh, now))
            if tx.energy_wh - energy >= METER_STEP_WH:
                energy, since = tx.energy_wh, now
            self._meter[tx.uid] = (energy, since)
            still_since = since
        else:
            self._meter.pop(tx.uid, None)
        # Overrun: the expectation is fixed once charging has settled.
        settled = (
            tx.charging_started_at is not None
            and now - tx.charging_started_at >= cfg.overrun_settle_min * 60.0
        )
        if settled and known is not None and tx.uid not in self._overrun_after:
            e = est.estimate_end(_progress(bay, now), known.card, known.bay)
            margin = overrun_margin_s(e.latest_at - tx.plugged_at, cfg)
            self._overrun_after[tx.uid] = e.latest_at + margin
        return BayFacts(
            bay.bay_id,
            charger_id,
            bay.status,
            bay.online,
            bay.plugged,
            bay.fault,
            self._fault_since.get(bay.bay_id),
            tx.uid,
            tx.auth.card_uid,
            last_flow_at=tx.charging_ended_at or tx.authorized_at,
            meter_still_since=still_since,
            overrun_after=self._overrun_after.get(tx.uid),
            grace_s=self._grace(known),
            refusals=tuple(self._refusals.get(bay.bay_id, ())),
            finishing_since=self._finishing_since.get(bay.bay_id),
        )

    def _grace(self, known: _Known | None) -> float:
        if self.config.blocked_grace_min is not None:
            return self.config.blocked_grace_min * 60.0
        if known is not None:
            return known.grace_s
        return self.config.blocked_default_grace_min * 60.0

    def _update_estimate(self, bay: sm.BayState, now: float) -> None:
        e: est.Estimate | None = None
        tx_uid = None
        if bay.tx is not None:
            tx_uid = bay.tx.uid
            known = self._known.get(tx_uid)
            e = est.estimate_end(
                _progress(bay, now), known.card if known else None, known.bay if known else None
            )
        elif bay.plugged and bay.bay_id in self._ended:
            ended = self._ended[bay.bay_id]
            tx_uid = ended.tx_uid
            k = ended.known
            p = est.SessionProgress(
                plugged_at=bay.plugged_at or now,
                now=now,
                charging_ended_at=ended.last_flow_at,
                finished=True,
            )
            e = est.estimate_end(p, k.card if k else None, k.bay if k else None)
        if e is None:
            if self._estimates.pop(bay.bay_id, None) is not None:
                self._published.pop(bay.bay_id, None)
                self.engine.bus.publish(ExpectedEnd(bay.bay_id, None, None))
            return
        self._estimates[bay.bay_id] = e
        last = self._published.get(bay.bay_id)
        if last is None or abs(e.end_at - last) >= ESTIMATE_STEP_S:
            self._published[bay.bay_id] = e.end_at
            self.engine.bus.publish(ExpectedEnd(bay.bay_id, tx_uid, e))

    def _load(self, tx: sm.Transaction) -> None:
        if tx.uid in self._loading or self.engine.writer is None:
            return
        self._loading.add(tx.uid)
        a = tx.auth
        before = to_datetime(tx.plugged_at)
        default_grace = self.config.blocked_default_grace_min * 60.0

        def read(s: Session) -> _Known:
            grace = tariff_grace_min(s, a.group_id, a.is_guest, tx.plugged_at)
            return _Known(
                card_history(s, a.card_id, before),
                bay_history(s, tx.bay_id, before),
                default_grace if grace is None else grace * 60.0,
            )

        async def load() -> None:
            try:
                assert self.engine.writer is not None
                self._known[tx.uid] = await self.engine.writer.call(read)
            except Exception:
                log.exception("could not read the history of session %s", tx.uid)
            finally:
                self._loading.discard(tx.uid)

        task = asyncio.get_running_loop().create_task(load())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------ raising

    def _raise(self, c: Condition, now: float) -> None:
        eng = self.engine
        self._seq += 1
        uid = f"{c.kind}-{c.bay_id or c.charger_id}-{round(now * 1000)}-{self._seq}"
        label = ""
        tx_uid = card_uid = None
        if c.bay_id is not None and c.bay_id in eng.bay_info:
            label = eng.bay_info[c.bay_id].label
            bay = eng.bays[c.bay_id]
            if bay.tx is not None:
                tx_uid, card_uid = bay.tx.uid, bay.tx.auth.card_uid
            elif c.bay_id in self._ended:
                tx_uid, card_uid = self._ended[c.bay_id].tx_uid, self._ended[c.bay_id].card_uid
        elif c.charger_id is not None and c.charger_id in self._offline:
            label = self._offline[c.charger_id][0]
        elif c.kind is AlertKind.RECORD_DROPPED:
            label = "site"
        if c.kind == "card_denied":
            card_uid = c.subject
        alert = AlertRaised(
            uid,
            c.kind,
            c.bay_id,
            c.charger_id,
            tx_uid,
            card_uid,
            c.subject,
            c.since,
            now,
            c.detail,
            label,
        )
        self._active[c.key] = alert
        log.warning("%s at %s: %s", TITLES[c.kind], label or "?", c.detail)
        self._emit(alert)

    def _emit(self, rec: object) -> None:
        writer = self.engine.writer
        if writer is not None:
            writer.put(rec)
        self.engine.bus.publish(rec)


def _progress(bay: sm.BayState, now: float) -> est.SessionProgress:
    tx = bay.tx
    assert tx is not None
    return est.SessionProgress(
        plugged_at=tx.plugged_at,
        now=now,
        energy_wh=tx.energy_wh,
        power_w=tx.power_w if bay.flowing else 0.0,
        charging_ended_at=tx.charging_ended_at,
        finished=bay.status is BayStatus.FINISHING,
    )


# ---------------------------------------------------------------- persistence (writer thread)


def _persist_raised(s: Session, r: AlertRaised) -> None:
    sid = None
    if r.tx_uid:
        sid = s.scalar(select(ChargeSession.id).where(ChargeSession.tx_uid == r.tx_uid))
    s.add(
        Alert(
            uid=r.uid,
            kind=str(r.kind),
            bay_id=r.bay_id,
            charger_id=r.charger_id,
            session_id=sid,
            tx_uid=r.tx_uid,
            card_uid=r.card_uid,
            subject=r.subject,
            since=to_datetime(r.since),
            raised_at=to_datetime(r.at),
            detail=r.detail,
        )
    )
    s.flush()


def _persist_cleared(s: Session, r: AlertCleared) -> None:
    s.execute(
        update(Alert)
        .where(Alert.uid == r.uid, Alert.cleared_at.is_(None))
        .values(cleared_at=to_datetime(r.at), clear_detail=r.detail)
    )


def persist_acknowledged(s: Session, r: AlertAcknowledged) -> None:
    from stationmgr.alerts.service import acknowledge_in_session

    acknowledge_in_session(s, r.uid, r.operator, r.at, r.note)


_MONITORS: weakref.WeakKeyDictionary[Engine, AlertMonitor] = weakref.WeakKeyDictionary()


def install(engine: Engine, config: AlertConfig | None = None) -> AlertMonitor:
    """Wire an alert monitor into `engine` (call before ``engine.start()``)."""
    monitor = AlertMonitor(engine, config).install()
    if config is not None:
        monitor.config = config
    _MONITORS[engine] = monitor
    return monitor


def monitor_for(engine: Engine | None) -> AlertMonitor | None:
    """The alert monitor wired into `engine` (its estimates are in memory only: a site
    client asks the site for the rotation hint through this); None without one."""
    return _MONITORS.get(engine) if engine is not None else None


__all__ = ["AlertMonitor", "install", "load_alert_config", "monitor_for"]
