"""What OCPP Core messages do to the one session model (pure, like `sessions.step`).

An OCPP charge point runs its own sessions: it decides when one starts and stops and
stamps every message with its own time. So these functions do not run the polling state
machine; they build the same `Transaction` and the same records (`TransactionStarted`,
`MeterSampled`, `TransactionProgress`, `TransactionStopped`, `StatusChanged`,
`FaultRaised`/`FaultCleared`) at the charger's timestamps, which the engine's single writer
stores like a serial charger's. Receipts, billing and reports read the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from stationmgr import sessions as sm
from stationmgr.ocpp_words import BayStatus, StopReason

TX_PREFIX = "ocpp-"
NO_ERROR = "NoError"
PLUGGED = {
    BayStatus.PREPARING,
    BayStatus.CHARGING,
    BayStatus.SUSPENDED_EV,
    BayStatus.SUSPENDED_EVSE,
    BayStatus.FINISHING,
}
# OCPP 1.6 stop reasons the site's vocabulary folds into one of its own (the word is kept).
_FOLDED = {"HardReset": StopReason.REBOOT, "SoftReset": StopReason.REBOOT}
_FOLDED_REMOTE = {"UnlockCommand"}
SUPERSEDED = "a new transaction started on this connector before this one's stop arrived"


def tx_uid(transaction_id: int) -> str:
    return f"{TX_PREFIX}{transaction_id}"


def transaction_id(uid: str | None) -> int | None:
    if uid is None or not uid.startswith(TX_PREFIX):
        return None
    try:
        return int(uid[len(TX_PREFIX) :])
    except ValueError:
        return None


def parse_time(text: str) -> float:
    """An OCPP dateTime (RFC 3339) as epoch seconds; naive times are UTC."""
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def stop_reason(word: str | None) -> tuple[StopReason, str | None]:
    """OCPP's Reason (default Local) as the site's StopReason and the detail to keep."""
    word = word or "Local"
    if word in _FOLDED:
        return _FOLDED[word], word
    if word in _FOLDED_REMOTE:
        return StopReason.REMOTE, word
    try:
        return StopReason(word), None
    except ValueError:
        return StopReason.OTHER, word


def bay_status(word: str) -> tuple[BayStatus, str | None]:
    """OCPP's ChargePointStatus as the bay's status (Reserved has no bay word yet)."""
    try:
        return BayStatus(word), None
    except ValueError:
        return BayStatus.UNAVAILABLE, word


@dataclass(frozen=True, slots=True)
class Sample:
    """One sampled moment of a MeterValues / transactionData entry."""

    at: float
    energy_wh: float | None = None
    power_w: float | None = None
    currents_a: tuple[float, ...] = ()


def parse_samples(meter_values: list[dict]) -> list[Sample]:
    """MeterValue entries → samples: Energy.Active.Import.Register (Wh or kWh),
    Power.Active.Import (W or kW), Current.Import per phase. Voltage and SoC are read but
    have no column yet. Unparseable values are skipped (the schema checked the shape)."""
    out = []
    for mv in meter_values:
        energy = power = None
        phases: dict[str, float] = {}
        for sv in mv.get("sampledValue", []):
            measurand = sv.get("measurand", "Energy.Active.Import.Register")
            unit = sv.get("unit")
            try:
                value = float(sv["value"])
            except (KeyError, TypeError, ValueError):
                continue
            if sv.get("format") == "SignedData":
                continue
            if measurand == "Energy.Active.Import.Register" and sv.get("phase") is None:
                energy = value * 1000 if unit == "kWh" else value
            elif measurand == "Power.Active.Import" and sv.get("phase") is None:
                power = value * 1000 if unit == "kW" else value
            elif measurand == "Current.Import":
                phases[str(sv.get("phase") or "L1")[:2]] = value
        currents = tuple(phases[p] for p in ("L1", "L2", "L3") if p in phases)
        out.append(Sample(parse_time(mv["timestamp"]), energy, power, currents))
    return out


def started(
    bay: sm.BayState, uid: str, auth: sm.Authorization, at: float, meter_start_wh: float
) -> sm.Step:
    """StartTransaction: a session from the charger's own time and meterStart. An open
    one on the connector lost its stop (the charger began anew): closed first, at this
    start, with the meter it last reported."""
    out = sm.Step(bay)
    if bay.tx is not None:
        _close(out, at, StopReason.OTHER, "charger", SUPERSEDED, bay.tx.meter_last_wh)
    tx = sm.Transaction(
        uid=uid,
        bay_id=bay.bay_id,
        auth=auth,
        plugged_at=at,
        authorized_at=at,
        meter_start_wh=meter_start_wh,
        meter_last_wh=meter_start_wh,
        segment_start_wh=meter_start_wh,
        last_seen_at=at,
    )
    out.bay = replace(
        out.bay,
        tx=tx,
        plugged=True,
        plugged_at=at,
        recovering=False,
        online=True,
        finished=None,
        last_energy_wh=meter_start_wh,
        last_reading_at=at,
    )
    out.records.append(sm.TransactionStarted(tx))
    return out


def sampled(bay: sm.BayState, uid: str, samples: list[Sample], flow_w: float) -> sm.Step:
    """MeterValues for a transaction: every sample stored at its own time; the open
    session's meter advances only with samples newer than what it has (a late one is
    history, not news)."""
    out = sm.Step(bay)
    tx = bay.tx if bay.tx is not None and bay.tx.uid == uid else None
    for smp in samples:
        if smp.energy_wh is not None:
            out.records.append(
                sm.MeterSampled(uid, bay.bay_id, smp.at, smp.energy_wh, smp.power_w, smp.currents_a)
            )
        if tx is None:
            continue
        last = tx.last_seen_at if tx.last_seen_at is not None else tx.authorized_at
        flowing = (smp.power_w or 0.0) > flow_w or (
            smp.energy_wh is not None and smp.energy_wh > tx.meter_last_wh
        )
        if flowing:
            tx = replace(
                tx,
                charging_started_at=min(tx.charging_started_at or smp.at, smp.at),
                charging_ended_at=max(tx.charging_ended_at or smp.at, smp.at),
            )
        if smp.at >= last:
            tx = replace(
                tx,
                meter_last_wh=smp.energy_wh if smp.energy_wh is not None else tx.meter_last_wh,
                power_w=smp.power_w if smp.power_w is not None else tx.power_w,
                last_seen_at=smp.at,
                last_sample_at=smp.at,
            )
    if tx is not None and tx != bay.tx:
        out.records.append(sm.TransactionProgress(tx))
        out.bay = replace(out.bay, tx=tx, last_energy_wh=tx.meter_last_wh)
    return out


def stopped(
    bay: sm.BayState, at: float, meter_stop_wh: float, reason: str | None, by: str | None
) -> sm.Step:
    """StopTransaction for the bay's open session: closed at the charger's time with
    its meterStop (energy = meterStop − meterStart)."""
    out = sm.Step(bay)
    why, detail = stop_reason(reason)
    _close(out, at, why, by or "charger", detail, meter_stop_wh)
    return out


def _close(
    out: sm.Step, at: float, why: StopReason, by: str, detail: str | None, meter_wh: float
) -> None:
    tx = out.bay.tx
    assert tx is not None
    at = max(at, tx.authorized_at)
    ended = tx.charging_ended_at
    if meter_wh > tx.meter_start_wh and ended is None:  # energy flowed, unsampled
        tx = replace(tx, charging_started_at=tx.authorized_at)
        ended = at
    tx = replace(
        tx,
        meter_last_wh=meter_wh,
        meter_stop_wh=meter_wh,
        last_seen_at=max(at, tx.last_seen_at or at),
        charging_ended_at=min(ended, at) if ended is not None else None,
        stopped_at=at,
        stop_reason=why,
        stopped_by=by[:80],
        stop_detail=detail,
        power_w=None,
    )
    out.records.append(sm.TransactionStopped(tx))
    out.bay = replace(out.bay, tx=None, last_energy_wh=meter_wh, last_reading_at=at)


def status(bay: sm.BayState, word: str, error_code: str, at: float) -> tuple[sm.Step, str | None]:
    """StatusNotification for one connector: the bay's status in OCPP's words and its
    fault (raised on a new errorCode, cleared on NoError), linked to the open session.
    Returns the step and the status word the bay has no name for (Reserved), if any."""
    out = sm.Step(bay)
    new, unknown = bay_status(word)
    fault = None if error_code == NO_ERROR else error_code
    if fault != bay.fault:
        if bay.fault is not None:
            out.records.append(sm.FaultCleared(bay.bay_id, bay.fault, at))
        if fault is not None:
            uid = bay.tx.uid if bay.tx is not None else None
            out.records.append(sm.FaultRaised(bay.bay_id, fault, at, uid))
    if new is not bay.status:
        out.records.append(sm.StatusChanged(bay.bay_id, bay.status, new, at))
    out.bay = replace(
        bay,
        status=new,
        fault=fault,
        online=True,
        plugged=new in PLUGGED or bay.tx is not None,
        flowing=new is BayStatus.CHARGING,
        recovering=False if bay.tx is None else bay.recovering,
    )
    return out, unknown


def online(bay: sm.BayState, is_online: bool, at: float) -> sm.Step:
    """The charge point connected or dropped: an open session stays open either way."""
    new = bay.status if is_online else BayStatus.UNAVAILABLE
    step = sm.Step(replace(bay, online=is_online, status=new))
    if new is not bay.status:
        step.records.append(sm.StatusChanged(bay.bay_id, bay.status, new, at))
    return step
