"""Turning the state machine's records into rows (used only by the engine's single writer).

Open sessions are rewritten as they progress so a crash loses at most one sample interval;
a stopped session is written once, complete, and is history from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.clock import to_datetime, to_epoch
from stationmgr.events import ChargerCommLost, ChargerCommRestored
from stationmgr.ocpp_words import AuthStatus, StopReason
from stationmgr.store.models import ChargerEvent, ChargeSession, Fault, MeterSample


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
        stop_reason=StopReason(row.stop_reason) if row.stop_reason else None,
    )


RecordHandler = Callable[[Session, Any], None]
ClosedHook = Callable[[Session, ChargeSession], None]


class Persister:
    """Applies records inside one database session; remembers tx_uid → row id.

    Other layers extend it without a second writer: `register(RecordType, fn)` persists their
    own records (alerts), and `closed_hooks` run in the same transaction that closes a
    session (pricing, budgets, the ledger), so a session is never closed without them.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.charger_of_bay: dict[int, int] = {}
        self.handlers: dict[type, RecordHandler] = {}
        self.closed_hooks: list[ClosedHook] = []

    def register(self, kind: type, handler: RecordHandler) -> None:
        self.handlers[kind] = handler

    def _session_id(self, s: Session, uid: str | None) -> int | None:
        if uid is None:
            return None
        if uid not in self._ids:
            sid = s.scalar(select(ChargeSession.id).where(ChargeSession.tx_uid == uid))
            if sid is None:
                return None
            self._ids[uid] = sid
        return self._ids[uid]

    def apply(self, s: Session, records: Iterable[object]) -> None:
        for rec in records:
            self.apply_one(s, rec)

    def apply_one(self, s: Session, rec: object) -> None:
        match rec:
            case sm.TransactionStarted(tx=tx):
                row = new_session_row(tx)
                s.add(row)
                s.flush()
                self._ids[tx.uid] = row.id
            case sm.TransactionProgress(tx=tx) | sm.TransactionStopped(tx=tx):
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
            case sm.MeterSampled():
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
            case sm.FaultRaised():
                s.add(
                    Fault(
                        charger_id=self.charger_of_bay.get(rec.bay_id),
                        bay_id=rec.bay_id,
                        session_id=self._session_id(s, rec.tx_uid),
                        code=rec.code,
                        raised_at=to_datetime(rec.at),
                    )
                )
            case sm.FaultCleared():
                for f in s.scalars(
                    select(Fault).where(
                        Fault.bay_id == rec.bay_id,
                        Fault.code == rec.code,
                        Fault.cleared_at.is_(None),
                    )
                ):
                    f.cleared_at = to_datetime(rec.at)
            case sm.CardRefused():
                self._event(
                    s,
                    rec.at,
                    rec.bay_id,
                    "card_refused",
                    str(rec.auth.status),
                    f"{rec.auth.card_uid or '?'}: {rec.why}",
                )
            case sm.CounterReset():
                self._event(
                    s,
                    rec.at,
                    rec.bay_id,
                    "counter_reset",
                    None,
                    f"energy register {rec.before_wh:.0f} → {rec.after_wh:.0f} Wh",
                    self._session_id(s, rec.tx_uid),
                )
            case ChargerCommLost():
                s.add(
                    ChargerEvent(
                        ts=to_datetime(rec.at),
                        charger_id=rec.charger_id,
                        kind="comm_lost",
                        detail=rec.detail,
                    )
                )
            case ChargerCommRestored():
                s.add(
                    ChargerEvent(
                        ts=to_datetime(rec.at), charger_id=rec.charger_id, kind="comm_restored"
                    )
                )
            case _:
                handler = self.handlers.get(type(rec))
                if handler is not None:
                    handler(s, rec)

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
                charger_id=self.charger_of_bay.get(bay_id),
                bay_id=bay_id,
                session_id=session_id,
                kind=kind,
                code=code,
                detail=detail,
            )
        )


def _ma(amps: float | None) -> int | None:
    return None if amps is None else round(amps * 1000)
