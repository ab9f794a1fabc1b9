"""Turning the state machine's records into rows (used only by the engine's single writer).

Open sessions are rewritten as they progress so a crash loses at most one sample interval;
a stopped session is written once, complete, and is history from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.clock import to_datetime, to_epoch
from stationmgr.events import ChargerCommLost, ChargerCommRestored, ChargerMisconfigured
from stationmgr.ocpp_words import AuthStatus, StopReason
from stationmgr.store.models import (
    Bay,
    ChargerEvent,
    ChargeSession,
    Fault,
    MeterSample,
    UnattributedEnergy,
)


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else to_datetime(ts)


def _ts(dt: datetime | None) -> float | None:
    return None if dt is None else to_epoch(dt)


def _fill(row: ChargeSession, tx: sm.Transaction) -> None:
    row.charging_started_at = _dt(tx.charging_started_at)
    row.charging_ended_at = _dt(tx.charging_ended_at)
    row.last_seen_at = _dt(tx.last_seen_at)
    row.meter_last_wh = tx.meter_last_wh
    row.segment_start_wh = tx.segment_start_wh
    row.energy_before_wh = tx.energy_before_wh
    row.meter_resets = tx.meter_resets
    row.energy_wh = round(tx.energy_wh, 3)
    row.charger_elapsed_s = tx.charger_elapsed_s
    row.charger_session_wh = tx.charger_session_wh
    if tx.stopped_at is not None:
        d = tx.durations()
        row.stopped_at = _dt(tx.stopped_at)
        row.meter_stop_wh = tx.meter_stop_wh
        row.stop_reason = str(tx.stop_reason) if tx.stop_reason else None
        row.stopped_by = tx.stopped_by
        row.stop_detail = tx.stop_detail
        # Rounded once, so the parts still add up to the whole in whole seconds.
        row.plugged_s = round(d.plugged_s)
        row.charging_s = round(d.charging_s)
        row.idle_s = round(d.idle_s)
        row.waiting_s = row.plugged_s - row.charging_s - row.idle_s


def new_session_row(tx: sm.Transaction) -> ChargeSession:
    a = tx.auth
    row = ChargeSession(
        tx_uid=tx.uid,
        bay_id=tx.bay_id,
        card_id=a.card_id,
        card_uid=a.card_uid,
        holder_id=a.holder_id,
        holder_name=a.holder_name,
        group_id=a.group_id,
        start_kind="guest" if a.is_guest else "card",
        started_by=a.started_by,
        guest_reason=a.reason if a.is_guest else None,
        max_current_a=a.max_current_a,
        plugged_at=to_datetime(tx.plugged_at),
        authorized_at=to_datetime(tx.authorized_at),
        meter_start_wh=tx.meter_start_wh,
    )
    _fill(row, tx)
    return row


def transaction_from_row(row: ChargeSession) -> sm.Transaction:
    """An open session as the state machine knows it (crash recovery)."""
    auth = sm.Authorization(
        AuthStatus.ACCEPTED,
        card_id=row.card_id,
        card_uid=row.card_uid,
        holder_id=row.holder_id,
        holder_name=row.holder_name,
        group_id=row.group_id,
        reason=row.guest_reason or "",
        started_by=row.started_by,
        max_current_a=row.max_current_a,
    )
    return sm.Transaction(
        uid=row.tx_uid,
        bay_id=row.bay_id,
        auth=auth,
        plugged_at=to_epoch(row.plugged_at),
        authorized_at=to_epoch(row.authorized_at),
        meter_start_wh=row.meter_start_wh,
        meter_last_wh=row.meter_last_wh,
        segment_start_wh=row.segment_start_wh,
        energy_before_wh=row.energy_before_wh,
        meter_resets=row.meter_resets,
        charging_started_at=_ts(row.charging_started_at),
        charging_ended_at=_ts(row.charging_ended_at),
        last_seen_at=_ts(row.last_seen_at),
        charger_elapsed_s=row.charger_elapsed_s,
        charger_session_wh=row.charger_session_wh,
        stop_reason=StopReason(row.stop_reason) if row.stop_reason else None,
    )


@dataclass(frozen=True, slots=True)
class AuditAppended:
    """An audit entry made by the engine (a manual start/stop), written in order with the
    session records it explains — and journaled with them while the database is busy."""

    operator: str | None
    action: str
    target: str | None
    before: Any
    after: Any
    outcome: str
    detail: str | None
    at: float


RecordHandler = Callable[[Session, Any], None]
ClosedHook = Callable[[Session, ChargeSession], None]


class UnregisteredRecord(TypeError):
    """A record type no handler stores: a programming error, raised where it is queued."""


class Persister:
    """Applies records inside one database session; remembers tx_uid → row id.

    One registry, keyed by record type, for the built-in records and extensions alike:
    `register(RecordType, fn)` (alerts register theirs); `closed_hooks` run in the same
    transaction that closes a session (pricing, budgets, the ledger), so a session is never
    closed without them. A handler that raises only loses its own record: the writer stores
    it as a failed record and commits the rest (`engine.writer`).
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.charger_of_bay: dict[int, int] = {}
        self.handlers: dict[type, RecordHandler] = {}
        self.closed_hooks: list[ClosedHook] = []
        for kind, handler in self._builtins().items():
            self.register(kind, handler)

    def _builtins(self) -> dict[type, RecordHandler]:
        return {
            sm.TransactionStarted: self._started,
            sm.TransactionProgress: self._progress,
            sm.TransactionStopped: self._progress,
            sm.MeterSampled: self._sample,
            sm.FaultRaised: self._fault_raised,
            sm.FaultCleared: self._fault_cleared,
            sm.CardRefused: self._card_refused,
            sm.CounterReset: self._counter_reset,
            AuditAppended: self._audit,
            sm.UnattributedEnergy: self._unattributed,
            ChargerCommLost: self._comm_lost,
            ChargerMisconfigured: self._misconfigured,
            ChargerCommRestored: self._comm_restored,
        }

    def register(self, kind: type, handler: RecordHandler) -> None:
        """Store records of `kind` with `handler(session, record)`; a second, different
        handler for a kind is refused (two layers would silently fight over it)."""
        old = self.handlers.get(kind)
        if old is not None and old != handler:
            raise ValueError(f"{kind.__name__} records already have a handler ({old!r})")
        self.handlers[kind] = handler

    def handler(self, kind: type) -> RecordHandler:
        """The handler for records of `kind` (or of its nearest registered base class);
        UnregisteredRecord if none."""
        for cls in kind.__mro__:
            found = self.handlers.get(cls)
            if found is not None:
                if cls is not kind:
                    self.handlers[kind] = found
                return found
        raise UnregisteredRecord(
            f"no persister handler for {kind.__module__}.{kind.__qualname__} records "
            "(register one with Persister.register before queueing them)"
        )

    def forget(self) -> None:
        """Drop the cached row ids: after a rollback they may name rows that were never
        committed (looked up again from the database as needed)."""
        self._ids.clear()

    def _session_id(self, s: Session, uid: str | None) -> int | None:
        if uid is None:
            return None
        if uid not in self._ids:
            sid = s.scalar(select(ChargeSession.id).where(ChargeSession.tx_uid == uid))
            if sid is None:
                return None
            self._ids[uid] = sid
        return self._ids[uid]

    def _charger(self, s: Session, bay_id: int) -> int | None:
        """The bay's charger (looked up when replaying the journal before the engine has
        loaded its bays)."""
        if bay_id not in self.charger_of_bay:
            cid = s.scalar(select(Bay.charger_id).where(Bay.id == bay_id))
            if cid is None:
                return None
            self.charger_of_bay[bay_id] = cid
        return self.charger_of_bay[bay_id]

    def apply(self, s: Session, records: Iterable[object]) -> None:
        for rec in records:
            self.apply_one(s, rec)

    def apply_one(self, s: Session, rec: object) -> None:
        self.handler(type(rec))(s, rec)

    # ------------------------------------------------------------ built-in handlers

    def _started(self, s: Session, rec: sm.TransactionStarted) -> None:
        tx = rec.tx
        if self._session_id(s, tx.uid) is not None:
            return  # replayed from the journal: the database has it already
        row = new_session_row(tx)
        s.add(row)
        s.flush()
        self._ids[tx.uid] = row.id

    def _progress(self, s: Session, rec: sm.TransactionProgress | sm.TransactionStopped) -> None:
        tx = rec.tx
        sid = self._session_id(s, tx.uid)
        row = s.get(ChargeSession, sid) if sid else None
        if row is None:
            row = new_session_row(tx)
            s.add(row)
            s.flush()
            self._ids[tx.uid] = row.id
        elif row.stopped_at is not None:
            return  # history is never edited in place
        _fill(row, tx)
        if isinstance(rec, sm.TransactionStopped):
            self._ids.pop(tx.uid, None)
            s.flush()
            for hook in self.closed_hooks:
                hook(s, row)

    def _sample(self, s: Session, rec: sm.MeterSampled) -> None:
        sid = self._session_id(s, rec.tx_uid)
        if sid is None:
            return
        cur = [*list(rec.currents_a), None, None, None]
        s.add(
            MeterSample(
                session_id=sid,
                ts=to_datetime(rec.at),
                energy_wh=round(rec.energy_wh),
                power_w=None if rec.power_w is None else round(rec.power_w),
                current_l1_ma=_ma(cur[0]),
                current_l2_ma=_ma(cur[1]),
                current_l3_ma=_ma(cur[2]),
            )
        )

    def _fault_raised(self, s: Session, rec: sm.FaultRaised) -> None:
        s.add(
            Fault(
                charger_id=self._charger(s, rec.bay_id),
                bay_id=rec.bay_id,
                session_id=self._session_id(s, rec.tx_uid),
                code=rec.code,
                raised_at=to_datetime(rec.at),
            )
        )

    def _fault_cleared(self, s: Session, rec: sm.FaultCleared) -> None:
        for f in s.scalars(
            select(Fault).where(
                Fault.bay_id == rec.bay_id,
                Fault.code == rec.code,
                Fault.cleared_at.is_(None),
            )
        ):
            f.cleared_at = to_datetime(rec.at)

    def _card_refused(self, s: Session, rec: sm.CardRefused) -> None:
        self._event(
            s,
            rec.at,
            rec.bay_id,
            "card_refused",
            str(rec.auth.status),
            f"{rec.auth.card_uid or '?'}: {rec.why}",
        )

    def _counter_reset(self, s: Session, rec: sm.CounterReset) -> None:
        self._event(
            s,
            rec.at,
            rec.bay_id,
            "counter_reset",
            None,
            f"energy register {rec.before_wh:.0f} → {rec.after_wh:.0f} Wh",
            self._session_id(s, rec.tx_uid),
        )

    def _audit(self, s: Session, rec: AuditAppended) -> None:
        from stationmgr.access import audit

        audit.append(
            s,
            rec.operator,
            rec.action,
            rec.target,
            rec.before,
            rec.after,
            rec.outcome,
            rec.detail,
            rec.at,
        )

    def _comm_lost(self, s: Session, rec: ChargerCommLost) -> None:
        s.add(
            ChargerEvent(
                ts=to_datetime(rec.at),
                charger_id=rec.charger_id,
                kind="comm_lost",
                detail=_blind_since(rec.detail, rec.last_reading_at),
            )
        )

    def _misconfigured(self, s: Session, rec: ChargerMisconfigured) -> None:
        s.add(
            ChargerEvent(
                ts=to_datetime(rec.at),
                charger_id=rec.charger_id,
                kind="misconfigured",
                detail=rec.detail,
            )
        )

    def _comm_restored(self, s: Session, rec: ChargerCommRestored) -> None:
        s.add(
            ChargerEvent(
                ts=to_datetime(rec.at),
                charger_id=rec.charger_id,
                kind="comm_restored",
                detail=_blind_for(rec.at, rec.lost_at),
            )
        )

    def _unattributed(self, s: Session, rec: sm.UnattributedEnergy) -> None:
        s.add(
            UnattributedEnergy(
                charger_id=self.charger_of_bay.get(rec.bay_id),
                bay_id=rec.bay_id,
                after_session_id=self._session_id(s, rec.after_tx_uid),
                from_ts=to_datetime(rec.from_at),
                to_ts=to_datetime(rec.to_at),
                meter_from_wh=rec.meter_from_wh,
                meter_to_wh=rec.meter_to_wh,
                energy_wh=round(rec.energy_wh, 3),
                reason=rec.reason[:200],
            )
        )

    def _event(
        self,
        s: Session,
        at: float,
        bay_id: int,
        kind: str,
        code: str | None,
        detail: str | None,
        session_id: int | None = None,
    ) -> None:
        s.add(
            ChargerEvent(
                ts=to_datetime(at),
                charger_id=self._charger(s, bay_id),
                bay_id=bay_id,
                session_id=session_id,
                kind=kind,
                code=code,
                detail=detail,
            )
        )


def _blind_since(detail: str, last_reading_at: float | None) -> str:
    """comm_lost detail: why, and the last good reading (where the blind spot starts)."""
    if last_reading_at is None:
        return detail
    return f"{detail} (last reading {to_datetime(last_reading_at):%Y-%m-%d %H:%M:%S} UTC)"


def _blind_for(at: float, lost_at: float | None) -> str | None:
    """comm_restored detail: how long the charger could not be seen."""
    if lost_at is None:
        return None
    return f"unreachable for {max(0.0, at - lost_at):.1f} s"


def _ma(amps: float | None) -> int | None:
    return None if amps is None else round(amps * 1000)
