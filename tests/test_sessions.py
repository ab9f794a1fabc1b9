"""The bay state machine: every transition, table-driven, with injected time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stationmgr import sessions as sm
from stationmgr.drivers.api import ConnectorReading
from stationmgr.ocpp_words import AuthStatus, BayStatus, StopReason

CFG = sm.SessionConfig(
    card_window_s=60, idle_after_s=300, sample_interval_s=10, idle_sample_interval_s=300
)
T0 = 1_000_000.0
ANNA = sm.Authorization(AuthStatus.ACCEPTED, card_id=7, card_uid="0A1B2C3D", holder_name="Anna")
BERT = sm.Authorization(AuthStatus.ACCEPTED, card_id=8, card_uid="11223344", holder_name="Bert")


def R(
    plugged: bool = False,
    energy: float = 1000.0,
    power: float = 0.0,
    allowed: bool | None = None,
    fault: str | None = None,
) -> sm.Observed:
    return sm.Observed(
        ConnectorReading(
            plugged=plugged,
            charging=power > 0,
            allowed=allowed,
            energy_wh=energy,
            power_w=power,
            fault=fault,
        )
    )


class Bay:
    """A bay driven step by step; keeps every record and command."""

    def __init__(self, cfg: sm.SessionConfig = CFG) -> None:
        self.state = sm.BayState(bay_id=1)
        self.t = T0
        self.cfg = cfg
        self.records: list[object] = []
        self.commands: list[object] = []

    def at(self, dt: float, event: sm.Event) -> sm.Step:
        self.t += dt
        out = sm.step(self.state, event, self.t, self.cfg)
        self.state = out.bay
        self.records += out.records
        self.commands += out.commands
        return out

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [r for r in self.records if isinstance(r, kind)]

    @property
    def status(self) -> BayStatus:
        return self.state.status


def plugged_and_authorised(energy: float = 1000.0) -> Bay:
    b = Bay()
    b.at(0, R(False, energy))
    b.at(5, R(True, energy))
    b.at(5, sm.CardPresented(ANNA))
    return b


def test_first_reading_makes_the_bay_available_and_gated() -> None:
    b = Bay()
    assert b.status is BayStatus.UNAVAILABLE
    out = b.at(0, R(False, allowed=True))
    assert b.status is BayStatus.AVAILABLE
    assert out.commands == [sm.AllowCharging(1, False)]


def test_plug_then_card_starts_session_with_meter_start() -> None:
    b = Bay()
    b.at(0, R(False, 1234))
    b.at(10, R(True, 1234))
    assert b.status is BayStatus.PREPARING
    out = b.at(20, sm.CardPresented(ANNA))
    assert sm.AllowCharging(1, True) in out.commands
    (started,) = b.of(sm.TransactionStarted)
    assert started.tx.meter_start_wh == 1234
    assert started.tx.plugged_at == T0 + 10
    assert started.tx.authorized_at == T0 + 30
    assert b.status is BayStatus.SUSPENDED_EV


def test_card_before_plug_in_within_window_starts_at_plug_in() -> None:
    b = Bay()
    b.at(0, R(False))
    b.at(1, sm.CardPresented(ANNA))
    assert b.status is BayStatus.AVAILABLE and b.state.pending is ANNA
    b.at(30, R(True))
    assert len(b.of(sm.TransactionStarted)) == 1


def test_card_before_plug_in_expires_after_window() -> None:
    b = Bay()
    b.at(0, R(False))
    b.at(1, sm.CardPresented(ANNA))
    b.at(61, sm.Tick())
    assert b.state.pending is None
    b.at(1, R(True))
    assert b.of(sm.TransactionStarted) == []
    assert b.status is BayStatus.PREPARING


def test_refused_card_is_recorded_and_starts_nothing() -> None:
    b = Bay()
    b.at(0, R(True))
    b.at(1, sm.CardPresented(replace(ANNA, status=AuthStatus.BLOCKED, reason="card is blocked")))
    assert b.of(sm.TransactionStarted) == []
    (refused,) = b.of(sm.CardRefused)
    assert refused.why == "card is blocked"


def test_energy_flow_is_charging_then_idle_after_threshold() -> None:
    b = plugged_and_authorised()
    b.at(1, R(True, 1000, 7000, allowed=True))
    assert b.status is BayStatus.CHARGING
    b.at(3600, R(True, 8000, 7000, allowed=True))
    b.at(60, R(True, 8010, 0, allowed=True))
    assert b.status is BayStatus.SUSPENDED_EV
    b.at(300, R(True, 8010, 0, allowed=True))
    assert b.status is BayStatus.FINISHING  # idle: the car occupies a bay it no longer needs


def test_evse_not_offering_is_suspended_evse() -> None:
    b = plugged_and_authorised()
    b.at(1, R(True, 1000, 0, allowed=False))
    assert b.status is BayStatus.SUSPENDED_EVSE


def test_unplug_stops_with_ev_disconnected_and_counter_delta() -> None:
    b = plugged_and_authorised(1000)
    b.at(1, R(True, 1000, 7000, allowed=True))
    b.at(1800, R(True, 4500, 7000, allowed=True))
    b.at(600, R(True, 5000, 0, allowed=True))
    out = b.at(900, R(False, 5000))
    (stopped,) = b.of(sm.TransactionStopped)
    tx = stopped.tx
    assert tx.stop_reason is StopReason.EV_DISCONNECTED
    assert tx.meter_stop_wh == 5000 and tx.energy_wh == 4000
    assert sm.AllowCharging(1, False) in out.commands
    assert b.status is BayStatus.AVAILABLE
    d = tx.durations()
    assert d.plugged_s == pytest.approx(d.waiting_s + d.charging_s + d.idle_s)
    assert d.idle_s == pytest.approx(900 + 600 - 0)  # from the last flow to the stop


def test_retap_of_same_card_stops_local_then_finishing_until_unplug() -> None:
    b = plugged_and_authorised()
    b.at(1, R(True, 1000, 7000, allowed=True))
    b.at(60, sm.CardPresented(ANNA))
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.LOCAL
    assert b.status is BayStatus.FINISHING
    b.at(60, R(False))
    assert b.status is BayStatus.AVAILABLE


def test_retap_right_after_the_start_is_the_start_repeated_not_a_stop() -> None:
    """A driver who sees nothing happen for a few seconds taps again: the session goes on
    (the kill test saw a second tap 2.4 s after the first stop the session it started)."""
    b = plugged_and_authorised()
    b.at(2.4, sm.CardPresented(ANNA))
    assert b.of(sm.TransactionStopped) == [] and b.of(sm.CardRefused) == []
    assert b.state.tx is not None
    b.at(3, sm.CardPresented(ANNA))  # 5.4 s after the start: now it stops
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.LOCAL


def test_other_card_on_busy_bay_is_refused() -> None:
    b = plugged_and_authorised()
    b.at(1, sm.CardPresented(BERT))
    assert b.of(sm.TransactionStopped) == []
    assert b.of(sm.CardRefused)[0].why.startswith("bay is busy")


def test_remote_start_guest_and_remote_stop() -> None:
    b = Bay()
    b.at(0, R(True))
    b.at(1, sm.RemoteStart("maria", "card forgotten"))
    (started,) = b.of(sm.TransactionStarted)
    assert started.tx.auth.is_guest and started.tx.auth.started_by == "maria"
    assert started.tx.auth.reason == "card forgotten"
    b.at(10, sm.RemoteStop("maria"))
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.REMOTE and stopped.tx.stopped_by == "maria"


def test_fault_stops_session_and_is_raised_once_then_cleared() -> None:
    b = plugged_and_authorised()
    b.at(1, R(True, 1000, 7000, allowed=True))
    b.at(60, R(True, 1100, 0, fault="GFCI"))
    b.at(1, R(True, 1100, 0, fault="GFCI"))
    assert b.status is BayStatus.FAULTED
    assert len(b.of(sm.FaultRaised)) == 1
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.OTHER and "GFCI" in stopped.tx.stop_detail
    assert stopped.tx.energy_wh == 100
    b.at(30, R(True, 1100, 0))
    assert len(b.of(sm.FaultCleared)) == 1
    assert b.status is BayStatus.FINISHING


def test_card_refused_while_faulted() -> None:
    b = Bay()
    b.at(0, R(True, fault="NoGround"))
    b.at(1, sm.CardPresented(ANNA))
    assert b.of(sm.TransactionStarted) == []
    assert "fault" in b.of(sm.CardRefused)[0].why


def test_comm_lost_keeps_session_open_and_bay_unavailable() -> None:
    b = plugged_and_authorised()
    b.at(1, R(True, 1000, 7000, allowed=True))
    b.at(1, sm.CommLost("timeout"))
    assert b.status is BayStatus.UNAVAILABLE
    assert b.state.tx is not None
    # back within the continuity gap (too short to swap a car): the session carries on
    b.at(CFG.continuity_gap_s - 2, R(True, 1020, 7000, allowed=True))
    assert b.status is BayStatus.CHARGING
    assert b.state.tx.energy_wh == 20


def test_out_of_order_stops_and_refuses() -> None:
    b = plugged_and_authorised()
    b.at(1, sm.SetOutOfOrder(True, "maria"))
    assert b.status is BayStatus.UNAVAILABLE
    assert b.of(sm.TransactionStopped)[0].tx.stop_reason is StopReason.REMOTE
    b.at(1, sm.CardPresented(ANNA))
    assert "out of order" in b.of(sm.CardRefused)[-1].why
    b.at(1, sm.SetOutOfOrder(False, "maria"))
    b.at(1, R(True))
    assert b.status is BayStatus.FINISHING


def test_deauthorize_stops_with_deauthorized() -> None:
    b = plugged_and_authorised()
    b.at(1, sm.Deauthorize("monthly budget reached"))
    tx = b.of(sm.TransactionStopped)[0].tx
    assert tx.stop_reason is StopReason.DEAUTHORIZED and tx.stop_detail == "monthly budget reached"


def test_counter_reset_across_reboot_keeps_energy() -> None:
    b = plugged_and_authorised(5000)
    b.at(1, R(True, 5000, 7000, allowed=True))
    b.at(600, R(True, 6000, 7000, allowed=True))
    out = b.at(
        10,
        sm.Observed(
            ConnectorReading(plugged=True, energy_wh=0, power_w=0, allowed=False), rebooted=True
        ),
    )
    assert len(b.of(sm.CounterReset)) == 1
    assert sm.AllowCharging(1, True) in out.commands  # re-open the gate the reboot closed
    b.at(600, R(True, 700, 7000, allowed=True))
    b.at(5, R(False, 700))
    tx = b.of(sm.TransactionStopped)[0].tx
    assert tx.meter_resets == 1
    assert tx.energy_wh == pytest.approx(1000 + 700)
    assert tx.meter_stop_wh == 700 < tx.meter_start_wh


def test_samples_every_interval_while_charging_sparser_when_idle() -> None:
    b = plugged_and_authorised()
    for i in range(60):
        b.at(1, R(True, 1000 + i, 7000, allowed=True))
    assert len(b.of(sm.MeterSampled)) == 6
    for _ in range(600):
        b.at(1, R(True, 1060, 0, allowed=True))
    assert len(b.of(sm.MeterSampled)) in (7, 8)


def test_gate_is_reasserted_when_charger_disagrees() -> None:
    b = Bay()
    b.at(0, R(False, allowed=False))
    n = len(b.commands)
    b.at(1, R(False, allowed=True))  # someone enabled the charger by hand
    assert len(b.commands) == n  # not yet: give the charger time
    b.at(CFG.gate_resend_s, R(False, allowed=True))
    assert b.commands[-1] == sm.AllowCharging(1, False)


def proof(
    plugged: bool, energy: float, power: float, session_wh: float, allowed: bool = True
) -> sm.Observed:
    """A reading with the charger's own session energy (OpenEVSE `$GU` Ws): the proof."""
    return sm.Observed(
        ConnectorReading(
            plugged=plugged,
            charging=power > 0,
            allowed=allowed,
            energy_wh=energy,
            power_w=power,
            session_energy_wh=session_wh,
        )
    )


def test_recovery_resume_when_still_plugged() -> None:
    b = plugged_and_authorised(1000)
    b.at(1, proof(True, 1000, 7000, 0))
    b.at(100, proof(True, 1200, 7000, 200))
    restored = sm.restore(1, b.state.tx)
    b2 = Bay()
    b2.state = restored
    assert b2.state.status is BayStatus.UNAVAILABLE
    b2.t = b.t + 3600
    b2.at(0, proof(True, 1500, 7000, 500))  # the charger proves the same plug-in
    assert b2.state.tx is not None and b2.state.tx.energy_wh == 500
    assert b2.status is BayStatus.CHARGING
    assert b2.of(sm.TransactionStopped) == []


def test_recovery_close_power_loss_when_car_gone() -> None:
    b = plugged_and_authorised(1000)
    b.at(1, proof(True, 1000, 7000, 0))
    b.at(100, proof(True, 1200, 7000, 200))
    last_seen = b.t
    b2 = Bay()
    b2.state = sm.restore(1, b.state.tx)
    b2.t = b.t + 3600
    b2.at(0, proof(False, 1300, 0, 300))  # kept after unplug until the next plug-in
    tx = b2.of(sm.TransactionStopped)[0].tx
    assert tx.stop_reason is StopReason.POWER_LOSS
    assert tx.meter_stop_wh == 1300 and tx.energy_wh == 300
    assert tx.stopped_at == last_seen
    assert b2.status is BayStatus.AVAILABLE
