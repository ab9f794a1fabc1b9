"""Continuity after a gap in observation: a session resumes only on the charger's proof of
the same plug-in; otherwise it closes at the last sure reading and the counter's advance is
energy outside a session, never on a card (issue 15, reliability defect 1)."""

from __future__ import annotations

from stationmgr import sessions as sm
from stationmgr.continuity import Continuity, LastSure, judge
from stationmgr.drivers.api import ConnectorReading
from stationmgr.ocpp_words import BayStatus, StopReason
from tests.test_sessions import ANNA, CFG, T0, Bay, R, plugged_and_authorised, proof


def swapped(prove: bool) -> tuple[Bay, sm.Transaction]:
    """Anna charges to 1200 Wh (200 Wh in her session); the engine dies."""
    b = plugged_and_authorised(1000)
    if prove:
        b.at(1, proof(True, 1000, 7000, 0))
        b.at(100, proof(True, 1200, 7000, 200))
    else:
        b.at(1, R(True, 1000, 7000, allowed=True))
        b.at(100, R(True, 1200, 7000, allowed=True))
    assert b.state.tx is not None
    return b, b.state.tx


def restarted(tx: sm.Transaction, t: float) -> Bay:
    b = Bay()
    b.state = sm.restore(1, tx)
    b.t = t
    return b


def test_swap_while_engine_down_is_a_new_plug_in_not_annas_session() -> None:
    # Anna leaves (her 50 more Wh folded into the counter), Bert plugs in and charges 300 Wh
    # on the still-enabled charger: its session energy restarted at his plug-in.
    b, tx = swapped(prove=True)
    b2 = restarted(tx, b.t + 600)
    out = b2.at(0, proof(True, 1550, 7000, 300))
    (stopped,) = b2.of(sm.TransactionStopped)
    assert stopped.tx.uid == tx.uid
    assert stopped.tx.stop_reason is StopReason.POWER_LOSS
    assert stopped.tx.meter_stop_wh == 1200 and stopped.tx.energy_wh == 200  # not Bert's
    assert "new plug-in" in (stopped.tx.stop_detail or "")
    (outside,) = b2.of(sm.UnattributedEnergy)
    assert (outside.meter_from_wh, outside.meter_to_wh, outside.energy_wh) == (1200, 1550, 350)
    assert outside.after_tx_uid == tx.uid and outside.from_at == tx.last_seen_at
    assert sm.AllowCharging(1, False) in out.commands  # Bert is gated at once
    assert b2.state.tx is None and b2.status is BayStatus.PREPARING
    assert b2.state.plugged_at == b2.t  # his own plug-in, waiting for his card


def test_same_plug_in_proven_resumes_even_after_a_long_gap() -> None:
    b, tx = swapped(prove=True)
    b2 = restarted(tx, b.t + 3600)
    b2.at(0, proof(True, 1500, 7000, 500))
    assert b2.of(sm.TransactionStopped) == [] and b2.of(sm.UnattributedEnergy) == []
    assert b2.state.tx is not None and b2.state.tx.energy_wh == 500


def test_no_proof_long_gap_at_restart_closes_at_last_sure_reading() -> None:
    b, tx = swapped(prove=False)
    b2 = restarted(tx, b.t + 600)
    out = b2.at(0, R(True, 1550, 7000, allowed=True))
    (stopped,) = b2.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.POWER_LOSS
    assert stopped.tx.meter_stop_wh == 1200 and stopped.tx.stopped_at == tx.last_seen_at
    (outside,) = b2.of(sm.UnattributedEnergy)
    assert outside.energy_wh == 350
    assert sm.AllowCharging(1, False) in out.commands


def test_no_proof_short_gap_resumes() -> None:
    b, tx = swapped(prove=False)
    b2 = restarted(tx, b.t + CFG.continuity_gap_s - 1)
    b2.at(0, R(True, 1210, 7000, allowed=True))
    assert b2.of(sm.TransactionStopped) == []
    assert b2.state.tx is not None and b2.state.tx.energy_wh == 210


def test_link_lost_too_long_without_proof_closes_with_other() -> None:
    b, _ = swapped(prove=False)
    b.at(1, sm.CommLost("timeout"))
    out = b.at(120, R(True, 1400, 7000, allowed=True))
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.OTHER
    assert "unreachable" in (stopped.tx.stop_detail or "")
    assert stopped.tx.meter_stop_wh == 1200
    assert [u.energy_wh for u in b.of(sm.UnattributedEnergy)] == [200]
    assert sm.AllowCharging(1, False) in out.commands


def test_link_lost_briefly_but_the_charger_shows_a_new_plug_in() -> None:
    b, _ = swapped(prove=True)
    b.at(1, sm.CommLost("timeout"))
    b.at(2, proof(True, 1230, 7000, 5))  # session energy restarted: another car
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.meter_stop_wh == 1200 and stopped.tx.stop_reason is StopReason.OTHER
    assert [u.energy_wh for u in b.of(sm.UnattributedEnergy)] == [30]


def test_charger_back_enabled_after_comm_loss_is_gated_at_once() -> None:
    b = Bay()
    b.at(0, R(False, allowed=False))
    b.at(1, R(True, allowed=False))
    b.at(1, sm.CommLost("timeout"))
    out = b.at(0.5, R(True, allowed=True))  # it came back enabled, with a car, no session
    assert out.commands == [sm.AllowCharging(1, False)]


def test_energy_while_engine_down_on_a_bay_without_session_is_recorded() -> None:
    b = Bay()
    b.state = sm.restore(1, None, accounted=(T0 - 600, 5000.0))
    b.t = T0
    out = b.at(0, R(True, 5400, 7000, allowed=True))
    (outside,) = b.of(sm.UnattributedEnergy)
    assert (outside.meter_from_wh, outside.meter_to_wh, outside.from_at) == (5000, 5400, T0 - 600)
    assert outside.after_tx_uid is None
    assert sm.AllowCharging(1, False) in out.commands
    assert b.status is BayStatus.PREPARING


def test_card_before_first_reading_after_restart_does_not_stop_at_stale_meter() -> None:
    b, tx = swapped(prove=True)
    b2 = restarted(tx, b.t + 30)
    b2.at(0, sm.CardPresented(ANNA))
    assert b2.of(sm.TransactionStopped) == []
    assert "first reading" in b2.of(sm.CardRefused)[0].why
    b2.at(0, sm.RemoteStop("maria"))
    assert b2.of(sm.TransactionStopped) == []
    b2.at(0, proof(True, 1230, 7000, 230))
    b2.at(1, sm.CardPresented(ANNA))
    (stopped,) = b2.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.LOCAL and stopped.tx.energy_wh == 230


def _reading(elapsed: float | None = None, session: float | None = None) -> ConnectorReading:
    return ConnectorReading(plugged=True, session_elapsed_s=elapsed, session_energy_wh=session)


def test_judge_the_charger_clock_and_energy() -> None:
    last = LastSure(at=T0, meter_wh=1000, elapsed_s=600, session_wh=100)
    # the plug-in clock ran back, or the session energy did: a new plug-in
    assert judge(last, T0 + 60, _reading(elapsed=30), 1100) is Continuity.NEW
    assert judge(last, T0 + 60, _reading(session=20), 1100) is Continuity.NEW
    # session energy moved differently from the register: a new plug-in took over
    assert judge(last, T0 + 60, _reading(session=150), 1200) is Continuity.NEW
    assert judge(last, T0 + 60, _reading(session=150), 1050.5) is Continuity.SAME
    # the charger's clock alone never proves the same plug-in (a clock faster than ours
    # faked it: a car swapped in seemed to have charged longer than the gap)
    assert judge(last, T0 + 60, _reading(elapsed=660), None) is Continuity.UNPROVEN
    assert judge(last, T0 + 6000, _reading(elapsed=700), None) is Continuity.UNPROVEN
    # nothing to go by (Heidelberg, EVSE-DIN), or the charger forgot (reboot)
    assert judge(last, T0 + 60, _reading(), 1100) is Continuity.UNPROVEN
    assert judge(last, T0 + 60, _reading(session=150), 1050, rebooted=True) is (Continuity.UNPROVEN)
    # no energy yet in the session: energy alone proves nothing
    empty = LastSure(at=T0, meter_wh=1000, session_wh=0)
    assert judge(empty, T0 + 60, _reading(session=40), 1040) is Continuity.UNPROVEN


def test_energy_with_no_session_is_recorded_at_the_next_session_or_unplug() -> None:
    """The charger delivered although no session was open (the moment a stop takes to
    reach it, or a charger that ignores the gate): recorded, never put on the next card."""
    b = plugged_and_authorised(1000)
    b.at(1, R(True, 1000, 7000, allowed=True))
    b.at(5, sm.CardPresented(ANNA))  # stop with the card (after the repeat guard)
    b.at(1, R(True, 1003, 7000, allowed=True))  # the charger took a moment to stop
    b.at(1, R(True, 1003, 0, allowed=False))
    b.at(1, sm.CardPresented(ANNA))  # a new session in the same plug-in
    (outside,) = b.of(sm.UnattributedEnergy)
    assert (outside.meter_from_wh, outside.meter_to_wh, outside.reason) == (
        1000,
        1003,
        "no session open",
    )
    second = b.of(sm.TransactionStarted)[-1].tx
    assert second.meter_start_wh == 1003
    b.at(1, R(True, 1010, 7000, allowed=True))
    b.at(5, sm.CardPresented(ANNA))
    b.at(1, R(True, 1011, 0, allowed=False))
    b.at(1, R(False, 1012))  # leaves: what flowed after the stop is recorded at unplug
    assert [(u.meter_from_wh, u.meter_to_wh) for u in b.of(sm.UnattributedEnergy)] == [
        (1000, 1003),
        (1010, 1012),
    ]


def test_charger_rebooted_long_unseen_closes_with_reboot() -> None:
    """A reboot wipes the charger's memory of the plug-in: no proof, so only a short gap
    resumes (the existing counter-reset test); a long one closes with Reboot."""
    b, tx = swapped(prove=True)
    out = b.at(
        120,
        sm.Observed(
            ConnectorReading(
                plugged=True, energy_wh=1300, power_w=7000, allowed=True, session_energy_wh=40
            ),
            rebooted=True,
        ),
    )
    (stopped,) = b.of(sm.TransactionStopped)
    assert stopped.tx.stop_reason is StopReason.REBOOT and stopped.tx.meter_stop_wh == 1200
    assert [u.energy_wh for u in b.of(sm.UnattributedEnergy)] == [100]
    assert sm.AllowCharging(1, False) in out.commands
    assert tx.uid == stopped.tx.uid


def test_a_stop_tap_queued_at_restart_does_not_start_a_session_for_the_next_car() -> None:
    """Found by the kill test: Anna's tap reached the restarted engine while her session
    waited for its first reading; that reading closed it (no proof: Bert had swapped in),
    and her tap then started a session on Anna's card for Bert's car. The tap was her
    session's stop: it starts nothing. A second tap does."""
    b, tx = swapped(prove=False)
    b2 = restarted(tx, b.t + 600)
    b2.at(0, R(True, 1550, 7000, allowed=True))  # first reading: closed, Bert gated
    assert b2.state.tx is None
    b2.at(0.5, sm.CardPresented(ANNA))  # the queued tap
    assert b2.of(sm.TransactionStarted) == []
    assert "closed after a gap" in b2.of(sm.CardRefused)[-1].why
    b2.at(1, sm.CardPresented(ANNA))  # she taps again: a new session starts
    (started,) = b2.of(sm.TransactionStarted)
    assert started.tx.auth.card_uid == ANNA.card_uid
