"""The bay state machine: what chargers report → sessions (transactions) and commands.

Pure: `step(bay, event, now, config)` returns the bay's new state, the commands the driver
must carry out and the records the writer must persist. No I/O, no clock of its own, so
every transition is tested in microseconds and a two-hour session in a few steps.

Durations of a finished session always add up:
``plugged_s = waiting_s + charging_s + idle_s`` where
- ``charging_s`` spans the first to the last moment energy flowed (pauses included),
- ``idle_s`` runs from the last flow to the stop (the car occupies a bay it no longer needs),
- ``waiting_s`` is the rest: plug-in until energy first flowed (or until the stop).

Energy is the charger's own counter. When the counter goes backwards (the charger rebooted
and its counter restarted) the session keeps what it had and counts on from the new value:
``energy_wh = energy_before_wh + (meter_last_wh - segment_start_wh)``, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from stationmgr.drivers.api import ConnectorReading
from stationmgr.ocpp_words import AuthStatus, BayStatus, StopReason

# ---------------------------------------------------------------- configuration


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """Site-wide behaviour of sessions (stored in site settings)."""

    card_window_s: float = 120.0  # a card tapped before plug-in is honoured this long
    idle_after_s: float = 300.0  # no energy flow this long → charging has ended, idle begins
    flow_threshold_w: float = 50.0  # power above this counts as energy flowing
    sample_interval_s: float = 10.0  # meter samples while energy flows
    idle_sample_interval_s: float = 300.0  # meter samples while the car does not draw
    retap_stops: bool = True  # the same card tapped again at the bay stops its session
    stop_on_fault: bool = True  # a charger fault ends the session (reason Other)
    gate_resend_s: float = 5.0  # re-assert the gate when the charger disagrees this long


# ---------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class Authorization:
    """The outcome of authorising a card (or an attendant's guest start) with a snapshot of
    who it was, so a session keeps its holder's name even if the card is later deleted."""

    status: AuthStatus
    card_id: int | None = None
    card_uid: str | None = None
    holder_id: int | None = None
    holder_name: str | None = None
    group_id: int | None = None
    reason: str = ""  # why refused, or the guest-start reason
    started_by: str | None = None  # operator for a guest start
    max_current_a: float | None = None

    @property
    def accepted(self) -> bool:
        return self.status is AuthStatus.ACCEPTED

    @property
    def is_guest(self) -> bool:
        return self.card_id is None and self.card_uid is None


@dataclass(frozen=True, slots=True)
class Transaction:
    """An open or finished charging session on one bay."""

    uid: str
    bay_id: int
    auth: Authorization
    plugged_at: float
    authorized_at: float
    meter_start_wh: float
    meter_last_wh: float
    segment_start_wh: float
    energy_before_wh: float = 0.0
    meter_resets: int = 0
    charging_started_at: float | None = None
    charging_ended_at: float | None = None  # last moment energy flowed
    last_seen_at: float | None = None  # last reading with the car plugged
    last_sample_at: float | None = None
    power_w: float | None = None
    stopped_at: float | None = None
    stop_reason: StopReason | None = None
    stopped_by: str | None = None
    stop_detail: str | None = None
    meter_stop_wh: float | None = None

    @property
    def energy_wh(self) -> float:
        return max(0.0, self.energy_before_wh + (self.meter_last_wh - self.segment_start_wh))

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    def durations(self, now: float | None = None) -> Durations:
        """Plugged, waiting, charging and idle seconds (up to `now` for an open session)."""
        end = self.stopped_at if self.stopped_at is not None else now
        if end is None:
            raise ValueError("an open session needs `now`")
        end = max(end, self.plugged_at)
        plugged = end - self.plugged_at
        if self.charging_started_at is None or self.charging_ended_at is None:
            return Durations(plugged, plugged, 0.0, 0.0)
        c0 = min(max(self.charging_started_at, self.plugged_at), end)
        c1 = min(max(self.charging_ended_at, c0), end)
        return Durations(plugged, c0 - self.plugged_at, c1 - c0, end - c1)


@dataclass(frozen=True, slots=True)
class Durations:
    plugged_s: float
    waiting_s: float
    charging_s: float
    idle_s: float


@dataclass(frozen=True, slots=True)
class BayState:
    """Everything the machine remembers about one bay between events."""

    bay_id: int
    status: BayStatus = BayStatus.UNAVAILABLE
    online: bool = False  # the charger answered its last poll
    recovering: bool = False  # tx was restored from the database and not yet seen again
    out_of_order: bool = False
    plugged: bool = False
    plugged_at: float | None = None
    flowing: bool = False
    allowed: bool | None = None  # what the charger last said about offering energy
    fault: str | None = None
    last_energy_wh: float | None = None
    tx: Transaction | None = None
    pending: Authorization | None = None  # card tapped before plug-in
    pending_until: float | None = None
    gate_sent: bool | None = None  # what we last told the charger
    gate_sent_at: float = float("-inf")
    finished_here: bool = False  # a session ended while the car stays plugged

    @property
    def idle(self) -> bool:
        return self.status is BayStatus.FINISHING


# ---------------------------------------------------------------- events in


@dataclass(frozen=True, slots=True)
class Observed:
    """A fresh reading of the bay's connector."""

    reading: ConnectorReading
    rebooted: bool = False


@dataclass(frozen=True, slots=True)
class CardPresented:
    """A card was tapped at this bay and authorised (or refused) by `auth.authorize`."""

    auth: Authorization


@dataclass(frozen=True, slots=True)
class RemoteStart:
    """An attendant starts a session without a card (a guest); a reason is required."""

    operator: str
    reason: str


@dataclass(frozen=True, slots=True)
class RemoteStop:
    operator: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Deauthorize:
    """The running session may no longer charge (card blocked, budget used up)."""

    detail: str


@dataclass(frozen=True, slots=True)
class CommLost:
    """The charger stopped answering."""

    detail: str = ""


@dataclass(frozen=True, slots=True)
class SetOutOfOrder:
    out_of_order: bool
    operator: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed without a reading (expires a waiting card)."""


Event = (
    Observed
    | CardPresented
    | RemoteStart
    | RemoteStop
    | Deauthorize
    | CommLost
    | SetOutOfOrder
    | Tick
)


# ---------------------------------------------------------------- commands and records out


@dataclass(frozen=True, slots=True)
class AllowCharging:
    bay_id: int
    allowed: bool


@dataclass(frozen=True, slots=True)
class SetCurrent:
    bay_id: int
    amps: float


Command = AllowCharging | SetCurrent


@dataclass(frozen=True, slots=True)
class TransactionStarted:
    tx: Transaction


@dataclass(frozen=True, slots=True)
class TransactionProgress:
    """Open-session progress to persist (meter, flow times) so a crash loses nothing."""

    tx: Transaction


@dataclass(frozen=True, slots=True)
class TransactionStopped:
    tx: Transaction


@dataclass(frozen=True, slots=True)
class MeterSampled:
    tx_uid: str
    bay_id: int
    at: float
    energy_wh: float  # the charger's register
    power_w: float | None
    currents_a: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class StatusChanged:
    bay_id: int
    old: BayStatus
    new: BayStatus
    at: float


@dataclass(frozen=True, slots=True)
class FaultRaised:
    bay_id: int
    code: str
    at: float
    tx_uid: str | None


@dataclass(frozen=True, slots=True)
class FaultCleared:
    bay_id: int
    code: str
    at: float


@dataclass(frozen=True, slots=True)
class CardRefused:
    """A card tap that did not start or stop anything, and why."""

    bay_id: int
    auth: Authorization
    at: float
    why: str


@dataclass(frozen=True, slots=True)
class CounterReset:
    """The charger's counter went backwards (reboot) during a session."""

    bay_id: int
    at: float
    tx_uid: str | None
    before_wh: float
    after_wh: float


Record = (
    TransactionStarted
    | TransactionProgress
    | TransactionStopped
    | MeterSampled
    | StatusChanged
    | FaultRaised
    | FaultCleared
    | CardRefused
    | CounterReset
)


@dataclass(slots=True)
class Step:
    """The result of one event: the new bay state, commands for the driver, records."""

    bay: BayState
    commands: list[Command] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


# ---------------------------------------------------------------- the machine


def tx_uid_for(bay_id: int, at: float) -> str:
    """A transaction id that is unique per bay and readable: bay and start time in ms."""
    return f"{bay_id}-{round(at * 1000)}"


def step(bay: BayState, event: Event, now: float, cfg: SessionConfig | None = None) -> Step:
    """Advance one bay by one event at time `now`."""
    cfg = cfg or SessionConfig()
    out = Step(bay)
    match event:
        case Observed():
            _observe(out, event, now, cfg)
        case CardPresented():
            _card(out, event.auth, now, cfg)
        case RemoteStart():
            auth = Authorization(
                AuthStatus.ACCEPTED,
                holder_name="Guest",
                reason=event.reason,
                started_by=event.operator,
            )
            _card(out, auth, now, cfg)
        case RemoteStop():
            if out.bay.tx is not None:
                _stop(out, now, StopReason.REMOTE, event.operator, event.detail)
        case Deauthorize():
            if out.bay.tx is not None:
                _stop(out, now, StopReason.DEAUTHORIZED, "system", event.detail)
        case CommLost():
            out.bay = replace(out.bay, online=False, flowing=False)
        case SetOutOfOrder():
            if event.out_of_order and out.bay.tx is not None:
                _stop(out, now, StopReason.REMOTE, event.operator, "bay set out of order")
            out.bay = replace(out.bay, out_of_order=event.out_of_order, pending=None)
        case Tick():
            pass
    _expire_pending(out, now)
    _refresh_status(out, now, cfg)
    _assert_gate(out, now, cfg)
    return out


def restore(bay_id: int, tx: Transaction | None, out_of_order: bool = False) -> BayState:
    """A bay as found at start-up: an open session from the database is marked recovering,
    to be resumed or closed by the charger's first reading."""
    return BayState(
        bay_id=bay_id,
        out_of_order=out_of_order,
        tx=tx,
        recovering=tx is not None,
        plugged=tx is not None,
        plugged_at=tx.plugged_at if tx else None,
        last_energy_wh=tx.meter_last_wh if tx else None,
    )


def _observe(out: Step, ev: Observed, now: float, cfg: SessionConfig) -> None:
    r = ev.reading
    bay = out.bay
    energy = r.energy_wh if r.energy_wh is not None else bay.last_energy_wh
    was_plugged = bay.plugged

    # Counter went backwards, or the device says it rebooted: a new counter segment.
    reset = (
        energy is not None and bay.last_energy_wh is not None and energy < bay.last_energy_wh - 0.5
    )
    if (reset or ev.rebooted) and bay.tx is not None and energy is not None:
        tx = bay.tx
        if reset:
            tx = replace(
                tx,
                energy_before_wh=tx.energy_wh,
                segment_start_wh=energy,
                meter_last_wh=energy,
                meter_resets=tx.meter_resets + 1,
            )
        bay = replace(bay, tx=tx, gate_sent=None)
        out.records.append(CounterReset(bay.bay_id, now, tx.uid, bay.last_energy_wh or 0.0, energy))
    elif reset or ev.rebooted:
        bay = replace(bay, gate_sent=None)
        out.records.append(
            CounterReset(bay.bay_id, now, None, bay.last_energy_wh or 0.0, energy or 0.0)
        )

    flowing = _flowing(r, bay, energy, cfg)
    bay = replace(bay, online=True, flowing=flowing, allowed=r.allowed, last_energy_wh=energy)
    out.bay = bay

    # Recovery after a restart: the car is still there → resume; gone → close (PowerLoss).
    if bay.recovering:
        out.bay = replace(bay, recovering=False)
        if not r.plugged and bay.tx is not None:
            tx = _advance_meter(bay.tx, energy)
            out.bay = replace(out.bay, tx=tx, plugged=False, plugged_at=None)
            stop_at = max(tx.last_seen_at or tx.authorized_at, tx.authorized_at)
            _stop(out, stop_at, StopReason.POWER_LOSS, "system", "closed at start-up: car gone")
            return
        was_plugged = True

    # Faults.
    if r.fault and r.fault != bay.fault:
        out.records.append(FaultRaised(bay.bay_id, r.fault, now, bay.tx.uid if bay.tx else None))
        out.bay = replace(out.bay, fault=r.fault)
        if out.bay.tx is not None and cfg.stop_on_fault:
            out.bay = replace(out.bay, tx=_advance_meter(out.bay.tx, energy))
            _stop(out, now, StopReason.OTHER, "charger", f"fault {r.fault}")
    elif not r.fault and bay.fault:
        out.records.append(FaultCleared(bay.bay_id, bay.fault, now))
        out.bay = replace(out.bay, fault=None)

    # Plug and unplug.
    if r.plugged and not was_plugged:
        out.bay = replace(out.bay, plugged=True, plugged_at=now, finished_here=False)
        if out.bay.pending is not None and out.bay.tx is None and out.bay.fault is None:
            auth = out.bay.pending
            out.bay = replace(out.bay, pending=None, pending_until=None)
            _start(out, auth, now)
    elif not r.plugged and was_plugged:
        if out.bay.tx is not None:
            out.bay = replace(out.bay, tx=_advance_meter(out.bay.tx, energy))
            _stop(out, now, StopReason.EV_DISCONNECTED, "ev", None)
        out.bay = replace(out.bay, plugged=False, plugged_at=None, finished_here=False)

    # Session progress: meter, flow times, samples.
    tx = out.bay.tx
    if tx is not None and r.plugged:
        tx = _advance_meter(tx, energy)
        tx = replace(tx, last_seen_at=now, power_w=r.power_w)
        if flowing:
            tx = replace(
                tx,
                charging_started_at=tx.charging_started_at if tx.charging_started_at else now,
                charging_ended_at=now,
            )
        interval = cfg.sample_interval_s if flowing else cfg.idle_sample_interval_s
        due = tx.last_sample_at is None or now - tx.last_sample_at >= interval
        if due and energy is not None:
            tx = replace(tx, last_sample_at=now)
            out.records.append(
                MeterSampled(tx.uid, tx.bay_id, now, energy, r.power_w, tuple(r.currents_a))
            )
            out.records.append(TransactionProgress(tx))
        out.bay = replace(out.bay, tx=tx)


def _flowing(r: ConnectorReading, bay: BayState, energy: float | None, cfg: SessionConfig) -> bool:
    if not r.plugged:
        return False
    if r.power_w is not None:
        return r.power_w > cfg.flow_threshold_w
    if energy is not None and bay.last_energy_wh is not None and energy > bay.last_energy_wh:
        return True
    return r.charging


def _advance_meter(tx: Transaction, energy: float | None) -> Transaction:
    if energy is None or energy < tx.meter_last_wh:
        return tx
    return replace(tx, meter_last_wh=energy)


def _card(out: Step, auth: Authorization, now: float, cfg: SessionConfig) -> None:
    bay = out.bay
    tx = bay.tx
    if tx is not None:
        same = (auth.card_id is not None and auth.card_id == tx.auth.card_id) or (
            auth.card_uid is not None and auth.card_uid == tx.auth.card_uid
        )
        if same and cfg.retap_stops:
            _stop(out, now, StopReason.LOCAL, auth.card_uid or "card", None)
        else:
            out.records.append(
                CardRefused(bay.bay_id, auth, now, "bay is busy with another session")
            )
        return
    if not auth.accepted:
        out.records.append(CardRefused(bay.bay_id, auth, now, auth.reason or str(auth.status)))
        return
    if bay.out_of_order or not bay.online or bay.fault:
        why = (
            "bay is out of order"
            if bay.out_of_order
            else (f"charger fault {bay.fault}" if bay.fault else "charger does not answer")
        )
        out.records.append(CardRefused(bay.bay_id, auth, now, why))
        return
    if bay.plugged:
        _start(out, auth, now)
    else:
        out.bay = replace(bay, pending=auth, pending_until=now + cfg.card_window_s)


def _start(out: Step, auth: Authorization, now: float) -> None:
    bay = out.bay
    meter = bay.last_energy_wh if bay.last_energy_wh is not None else 0.0
    tx = Transaction(
        uid=tx_uid_for(bay.bay_id, now),
        bay_id=bay.bay_id,
        auth=auth,
        plugged_at=bay.plugged_at if bay.plugged_at is not None else now,
        authorized_at=now,
        meter_start_wh=meter,
        meter_last_wh=meter,
        segment_start_wh=meter,
        last_seen_at=now,
    )
    out.bay = replace(bay, tx=tx, finished_here=False)
    out.records.append(TransactionStarted(tx))
    if auth.max_current_a is not None:
        out.commands.append(SetCurrent(bay.bay_id, auth.max_current_a))


def _stop(out: Step, at: float, reason: StopReason, by: str | None, detail: str | None) -> None:
    bay = out.bay
    tx = bay.tx
    assert tx is not None
    at = max(at, tx.authorized_at)
    ended = tx.charging_ended_at
    if ended is not None and ended > at:
        ended = at
    tx = replace(
        tx,
        charging_ended_at=ended,
        stopped_at=at,
        stop_reason=reason,
        stopped_by=by,
        stop_detail=detail,
        meter_stop_wh=tx.meter_last_wh,
    )
    out.records.append(TransactionStopped(tx))
    out.bay = replace(bay, tx=None, finished_here=bay.plugged)


def _expire_pending(out: Step, now: float) -> None:
    bay = out.bay
    if bay.pending is not None and bay.pending_until is not None and now > bay.pending_until:
        out.bay = replace(bay, pending=None, pending_until=None)


def _refresh_status(out: Step, now: float, cfg: SessionConfig) -> None:
    bay = out.bay
    new = _status(bay, now, cfg)
    if new is not bay.status:
        out.records.append(StatusChanged(bay.bay_id, bay.status, new, now))
        out.bay = replace(bay, status=new)


def _status(bay: BayState, now: float, cfg: SessionConfig) -> BayStatus:
    if bay.out_of_order or not bay.online or bay.recovering:
        return BayStatus.UNAVAILABLE
    if bay.fault:
        return BayStatus.FAULTED
    if not bay.plugged:
        return BayStatus.AVAILABLE
    tx = bay.tx
    if tx is None:
        return BayStatus.FINISHING if bay.finished_here else BayStatus.PREPARING
    if bay.flowing:
        return BayStatus.CHARGING
    if bay.allowed is False:
        return BayStatus.SUSPENDED_EVSE
    last_flow = tx.charging_ended_at if tx.charging_ended_at is not None else tx.authorized_at
    if now - last_flow >= cfg.idle_after_s:
        return BayStatus.FINISHING
    return BayStatus.SUSPENDED_EV


def _assert_gate(out: Step, now: float, cfg: SessionConfig) -> None:
    """Keep the charger's gate where it belongs: open only during a session.

    Sent on every change of what we want, and again when the charger still disagrees after
    `gate_resend_s` (it rebooted, or missed the command)."""
    bay = out.bay
    if not bay.online:
        return
    want = bay.tx is not None and not bay.out_of_order and bay.fault is None
    disagrees = bay.allowed is not None and bay.allowed != want
    changed = bay.gate_sent is not want
    if changed or (disagrees and now - bay.gate_sent_at >= cfg.gate_resend_s):
        out.commands.append(AllowCharging(bay.bay_id, want))
        out.bay = replace(bay, gate_sent=want, gate_sent_at=now)
