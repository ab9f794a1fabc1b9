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

After a gap in observation (engine restart, link lost, charger reboot) an open session
resumes only on the charger's proof of the same plug-in (`continuity.py`); otherwise it
closes at the last reading it was sure of and the counter's advance becomes
`UnattributedEnergy` — as does energy that flows while no session is open. So every Wh the
counter advanced is in a session or recorded outside one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from stationmgr import continuity
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
    # ... but not this soon after the tap that started it: a driver who sees nothing happen
    # yet (the charger takes seconds to close its relay) taps again to start, not to stop.
    retap_guard_s: float = 5.0
    stop_on_fault: bool = True  # a charger fault ends the session (reason Other)
    gate_resend_s: float = 5.0  # re-assert the gate when the charger disagrees this long
    # Without the charger's proof of the same plug-in, a session resumes only across a gap
    # in observation this short (no car is swapped in 10 s); longer: closed, see continuity.
    continuity_gap_s: float = 10.0


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
    # The charger's own proof of the plug-in, from the same reading as meter_last_wh and
    # last_seen_at (see continuity.py); None: the device offers none.
    charger_elapsed_s: float | None = None
    charger_session_wh: float | None = None

    @property
    def last_sure(self) -> continuity.LastSure:
        """The last reading this session is sure of (what a gap is judged against)."""
        at = self.last_seen_at if self.last_seen_at is not None else self.authorized_at
        return continuity.LastSure(
            at, self.meter_last_wh, self.charger_elapsed_s, self.charger_session_wh
        )

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
class Finished:
    """A session ended here while the car stays plugged (card re-tap, attendant, fault): the
    bay is blocked, idle since that session's last energy flow. The one definition the
    board, the alerts and the snapshot share."""

    tx_uid: str
    card_uid: str | None
    idle_since: float  # the session's last energy flow (else its authorisation)
    charging_s: float | None  # how long that session charged
    stopped_at: float


def finished_after(tx: Transaction) -> Finished:
    """What a stopped session leaves at a bay whose car stays plugged."""
    start, end = tx.charging_started_at, tx.charging_ended_at
    return Finished(
        tx.uid,
        tx.auth.card_uid,
        end or tx.authorized_at,
        None if start is None or end is None else max(0.0, end - start),
        tx.stopped_at if tx.stopped_at is not None else tx.authorized_at,
    )


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
    finished: Finished | None = None  # a session ended while the car stays plugged
    last_reading_at: float | None = None  # when last_energy_wh was read (or stored)
    proof_elapsed_s: float | None = None  # the last reading's session_elapsed_s
    proof_session_wh: float | None = None  # the last reading's session_energy_wh
    outside_since: tuple[float, float] | None = None  # (at, Wh): energy flowing, no session
    # The card of the session the gap rule just closed: its tap, queued while the bay was
    # restored, was that session's stop, never a start for the car now plugged in.
    gap_closed_card: str | None = None

    @property
    def idle(self) -> bool:
        return self.status is BayStatus.FINISHING

    @property
    def finished_here(self) -> bool:
        return self.finished is not None

    @property
    def idle_since(self) -> float | None:
        """Since when the car plugged here draws nothing it was given: a running session
        suspended by the car or finishing (from its last flow), or a session that ended
        with the car still plugged. None while charging, waiting or empty."""
        tx = self.tx
        if tx is not None:
            if self.status in (BayStatus.SUSPENDED_EV, BayStatus.FINISHING):
                return tx.charging_ended_at or tx.authorized_at
            return None
        if self.plugged and self.finished is not None:
            return self.finished.idle_since
        return None

    def charging_s(self, now: float) -> float | None:
        """How long the session here has charged by `now` (the ended one's while its car
        stays plugged)."""
        tx = self.tx
        if tx is not None:
            if tx.charging_started_at is None:
                return None
            end = now if self.status is BayStatus.CHARGING else (tx.charging_ended_at or now)
            return max(0.0, end - tx.charging_started_at)
        if self.plugged and self.finished is not None:
            return self.finished.charging_s
        return None


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
class CardStart:
    """An attendant starts a session for a card from the site (not a bay event: a serial
    bay is presented the card, an OCPP one asked to start with it as the idTag)."""

    operator: str
    card: str


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
    """Open or shut the bay's gate. Opening carries the session's own current limit (the
    card's; None: the most the charger allows): the coordinator writes that current, clamped
    to what the installation, device and cable allow, before it opens the gate, so every
    session (and every re-assert after a reboot or a gap) sets its current explicitly."""

    bay_id: int
    allowed: bool
    amps: float | None = None


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
class UnattributedEnergy:
    """Energy the charger's counter advanced that belongs to no session: delivered while
    the engine could not watch the bay and the charger could not prove the plug-in (or
    with no session at all). Shown to the owner and in `reconcile`, never put on a card."""

    bay_id: int
    from_at: float  # the last reading the engine was sure of
    to_at: float
    meter_from_wh: float
    meter_to_wh: float
    reason: str
    after_tx_uid: str | None = None  # the session closed at `from_at`, if any

    @property
    def energy_wh(self) -> float:
        """The advance; 0 when the counter went backwards (restarted: unknown)."""
        return max(0.0, self.meter_to_wh - self.meter_from_wh)


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
    | UnattributedEnergy
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
            if out.bay.tx is not None and not out.bay.recovering:
                _stop(out, now, StopReason.REMOTE, event.operator, event.detail)
        case Deauthorize():
            if out.bay.tx is not None and not out.bay.recovering:
                _stop(out, now, StopReason.DEAUTHORIZED, "system", event.detail)
        case CommLost():
            # What the charger did while unreachable is unknown: re-assert the gate, with the
            # session's current, at once when it answers again (it may have rebooted, or
            # fallen back to its failsafe).
            out.bay = replace(out.bay, online=False, flowing=False, gate_sent=None)
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


def restore(
    bay_id: int,
    tx: Transaction | None,
    out_of_order: bool = False,
    accounted: tuple[float, float] | None = None,
) -> BayState:
    """A bay as found at start-up: an open session from the database is marked recovering,
    to be resumed or closed by the charger's first reading (see `_judge_gap`).

    `accounted` (at, meter Wh): for a bay with no open session, the last counter reading
    the database accounts for (the last session's stop or outside-energy record); what
    the counter advanced beyond it while the engine was down is energy outside a session.
    """
    if tx is not None:
        last = tx.last_sure
        accounted = (last.at, last.meter_wh)
    return BayState(
        bay_id=bay_id,
        out_of_order=out_of_order,
        tx=tx,
        recovering=tx is not None or accounted is not None,
        plugged=tx is not None,
        plugged_at=tx.plugged_at if tx else None,
        last_energy_wh=accounted[1] if accounted else None,
        last_reading_at=accounted[0] if accounted else None,
    )


def _observe(out: Step, ev: Observed, now: float, cfg: SessionConfig) -> None:
    r = ev.reading
    bay = out.bay
    energy = r.energy_wh if r.energy_wh is not None else bay.last_energy_wh

    # Counter went backwards, or the device says it rebooted: a new counter segment.
    reset = (
        energy is not None and bay.last_energy_wh is not None and energy < bay.last_energy_wh - 0.5
    )

    # After a gap in observation: the same plug-in only on proof (else closed), and what
    # the counter advanced while nobody watched a bay without a session is recorded.
    cause = _gap_cause(bay, ev, reset)
    if bay.tx is not None and cause is not None:
        _judge_gap(out, r, energy, now, cfg, cause, ev.rebooted or reset)
    elif bay.tx is None and bay.recovering:
        _outside_while_down(out, energy, now)
    elif bay.tx is None and not reset:
        _track_outside(out, energy)
    bay = out.bay
    was_plugged = bay.plugged
    if (reset or ev.rebooted) and bay.tx is not None and energy is not None:
        tx = bay.tx
        if reset:
            tx = replace(
                tx,
                energy_before_wh=tx.energy_wh,
                segment_start_wh=energy,
                meter_last_wh=energy,
                meter_resets=tx.meter_resets + 1,
                # sample the new segment's first value now: the stored curve then restarts
                # where the state machine's count does (`queries.energy_curve`)
                last_sample_at=None,
            )
        bay = replace(bay, tx=tx, gate_sent=None)
        out.records.append(CounterReset(bay.bay_id, now, tx.uid, bay.last_energy_wh or 0.0, energy))
    elif reset or ev.rebooted:
        bay = replace(bay, gate_sent=None)
        out.records.append(
            CounterReset(bay.bay_id, now, None, bay.last_energy_wh or 0.0, energy or 0.0)
        )

    flowing = _flowing(r, bay, energy, cfg)
    bay = replace(
        bay,
        online=True,
        flowing=flowing,
        allowed=r.allowed,
        last_energy_wh=energy,
        last_reading_at=now,
        proof_elapsed_s=r.session_elapsed_s,
        proof_session_wh=r.session_energy_wh,
    )
    out.bay = bay

    # Recovery after a restart, the session resumed: the car is still there → carry on;
    # gone → close (PowerLoss) with what the charger counted for it.
    if bay.recovering:
        out.bay = replace(bay, recovering=False)
        if not r.plugged and bay.tx is not None:
            tx = _advance_meter(bay.tx, energy)
            tx = _with_proof(tx, r)
            out.bay = replace(out.bay, tx=tx, plugged=False, plugged_at=None)
            stop_at = max(tx.last_seen_at or tx.authorized_at, tx.authorized_at)
            _stop(out, stop_at, StopReason.POWER_LOSS, "system", "closed at start-up: car gone")
            return
        if bay.tx is not None:
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
        out.bay = replace(out.bay, plugged=True, plugged_at=now, finished=None)
        if out.bay.pending is not None and out.bay.tx is None and out.bay.fault is None:
            auth = out.bay.pending
            out.bay = replace(out.bay, pending=None, pending_until=None)
            _start(out, auth, now)
    elif not r.plugged and was_plugged:
        out.bay = replace(out.bay, gap_closed_card=None)
        if out.bay.tx is not None:
            out.bay = replace(out.bay, tx=_advance_meter(out.bay.tx, energy))
            _stop(out, now, StopReason.EV_DISCONNECTED, "ev", None)
        else:
            _flush_outside(out, now, energy)
        out.bay = replace(out.bay, plugged=False, plugged_at=None, finished=None)

    # Session progress: meter, flow times, samples.
    tx = out.bay.tx
    if tx is not None and r.plugged:
        tx = _advance_meter(tx, energy)
        tx = _with_proof(replace(tx, last_seen_at=now, power_w=r.power_w), r)
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


# ---------------------------------------------------------------- gaps in observation

_GAP_STOPS = {
    "engine restart": (StopReason.POWER_LOSS, "closed at start-up"),
    "link lost": (StopReason.OTHER, "charger unreachable"),
    "charger reboot": (StopReason.REBOOT, "charger rebooted"),
}
MIN_OUTSIDE_WH = 0.5  # less than this is rounding, not energy


def _gap_cause(bay: BayState, ev: Observed, reset: bool) -> str | None:
    """Why this reading follows a gap in what the engine knows of the bay (None: no gap)."""
    if bay.recovering:
        return "engine restart"
    if not bay.online:
        return "link lost"
    if ev.rebooted or reset:
        return "charger reboot"
    return None


def _judge_gap(
    out: Step,
    r: ConnectorReading,
    energy: float | None,
    now: float,
    cfg: SessionConfig,
    cause: str,
    rebooted: bool,
) -> None:
    """Resume the open session only if the charger proves the same plug-in (or, without
    proof, the gap was too short for a swap); otherwise close it at the last reading it is
    sure of and record the counter's advance since then as energy outside a session."""
    tx = out.bay.tx
    assert tx is not None
    last = tx.last_sure
    verdict = continuity.judge(last, now, r, energy, rebooted)
    gap_s = max(0.0, now - last.at)
    if continuity.may_resume(verdict, gap_s, cfg.continuity_gap_s):
        return
    why = (
        "the charger shows a new plug-in"
        if verdict is continuity.Continuity.NEW
        else "the charger cannot prove it is the same plug-in"
    )
    reason, prefix = _GAP_STOPS[cause]
    _stop(out, last.at, reason, "system", f"{prefix} after {gap_s:.0f} s: {why}")
    # The car now there is a new plug-in, gated (no session) until a card is accepted.
    out.bay = replace(
        out.bay,
        plugged=False,
        plugged_at=None,
        finished=None,
        gap_closed_card=tx.auth.card_uid,
    )
    if energy is not None and energy - last.meter_wh >= MIN_OUTSIDE_WH:
        out.records.append(
            UnattributedEnergy(
                out.bay.bay_id, last.at, now, last.meter_wh, energy, f"{cause}: {why}", tx.uid
            )
        )


def _outside_while_down(out: Step, energy: float | None, now: float) -> None:
    """A bay with no open session at start-up: the counter's advance since the last reading
    the database accounts for was delivered with no session."""
    bay = out.bay
    last, at = bay.last_energy_wh, bay.last_reading_at
    if energy is None or last is None or at is None or energy - last < MIN_OUTSIDE_WH:
        return
    out.records.append(
        UnattributedEnergy(bay.bay_id, at, now, last, energy, "engine restart: no session open")
    )


def _track_outside(out: Step, energy: float | None) -> None:
    """No session, yet the counter moves (the charger ignored the gate, or the moment a
    stop takes to reach it): keep where that began, recorded at the next session or unplug."""
    bay = out.bay
    last, at = bay.last_energy_wh, bay.last_reading_at
    if bay.outside_since is not None or energy is None or last is None or at is None:
        return
    if energy > last:
        out.bay = replace(bay, outside_since=(at, last))


def _flush_outside(out: Step, now: float, energy: float | None) -> None:
    """Record the energy that flowed with no session since `outside_since` (if any)."""
    since = out.bay.outside_since
    if since is None:
        return
    out.bay = replace(out.bay, outside_since=None)
    at, start = since
    if energy is not None and energy - start >= MIN_OUTSIDE_WH:
        out.records.append(
            UnattributedEnergy(out.bay.bay_id, at, now, start, energy, "no session open")
        )


def outside_at_stop(bay: BayState) -> UnattributedEnergy | None:
    """At a clean stop: the energy seen flowing with no session up to the last reading
    (else it would be recorded at an unplug nobody sees). The next start counts on from
    it (`accounted` meters), so nothing is counted twice."""
    since = bay.outside_since
    if since is None or bay.tx is not None or bay.last_energy_wh is None:
        return None
    at, start = since
    if bay.last_energy_wh - start < MIN_OUTSIDE_WH:
        return None
    end = bay.last_reading_at if bay.last_reading_at is not None else at
    return UnattributedEnergy(
        bay.bay_id, at, end, start, bay.last_energy_wh, "no session open (site stopped)"
    )


def _with_proof(tx: Transaction, r: ConnectorReading) -> Transaction:
    """Keep the charger's proof of the plug-in from the reading that set the meter."""
    return replace(
        tx, charger_elapsed_s=r.session_elapsed_s, charger_session_wh=r.session_energy_wh
    )


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
    if bay.recovering:
        # Nothing acts on a restored bay before its charger's first reading (a stop would
        # close at the stale stored meter); the engine waits for that reading first.
        out.records.append(
            CardRefused(bay.bay_id, auth, now, "waiting for the charger's first reading")
        )
        return
    if tx is None and bay.gap_closed_card is not None and auth.card_uid == bay.gap_closed_card:
        out.bay = replace(bay, gap_closed_card=None)  # once: a tap after this one starts
        out.records.append(
            CardRefused(
                bay.bay_id, auth, now, "its session was closed after a gap: tap again to start"
            )
        )
        return
    if tx is not None:
        same = (auth.card_id is not None and auth.card_id == tx.auth.card_id) or (
            auth.card_uid is not None and auth.card_uid == tx.auth.card_uid
        )
        if same and cfg.retap_stops and now - tx.authorized_at < cfg.retap_guard_s:
            return  # the start tapped again: the session is already under way
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
    meter = out.bay.last_energy_wh if out.bay.last_energy_wh is not None else 0.0
    _flush_outside(out, now, meter)
    bay = out.bay
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
        charger_elapsed_s=bay.proof_elapsed_s,
        charger_session_wh=bay.proof_session_wh,
    )
    # gate_sent=None: the gate opens with this session's own current (AllowCharging.amps).
    out.bay = replace(bay, tx=tx, finished=None, gate_sent=None, gap_closed_card=None)
    out.records.append(TransactionStarted(tx))


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
    out.bay = replace(bay, tx=None, finished=finished_after(tx) if bay.plugged else None)


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
        amps = bay.tx.auth.max_current_a if want and bay.tx is not None else None
        out.commands.append(AllowCharging(bay.bay_id, want, amps))
        out.bay = replace(bay, gate_sent=want, gate_sent_at=now)
