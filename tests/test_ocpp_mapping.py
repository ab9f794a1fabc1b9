"""The OCPP → session model mapping (pure): units, stop reasons, status words, faults, and
late samples that do not move an open session's meter back."""

from __future__ import annotations

from stationmgr import sessions as sm
from stationmgr.ocpp import mapping
from stationmgr.ocpp_words import AuthStatus, BayStatus, StopReason

AUTH = sm.Authorization(AuthStatus.ACCEPTED, card_uid="A1B2C3D4")


def test_samples_in_wh_and_kwh_with_power_and_phases() -> None:
    got = mapping.parse_samples(
        [
            {
                "timestamp": "2026-03-02T10:00:00Z",
                "sampledValue": [
                    {"value": "12.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
                    {"value": "7.2", "measurand": "Power.Active.Import", "unit": "kW"},
                    {"value": "10", "measurand": "Current.Import", "phase": "L2", "unit": "A"},
                    {"value": "11", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
                    {"value": "230", "measurand": "Voltage", "phase": "L1-N", "unit": "V"},
                    {"value": "55", "measurand": "SoC", "unit": "Percent"},
                ],
            },
            {"timestamp": "2026-03-02T10:00:10+00:00", "sampledValue": [{"value": "12600"}]},
        ]
    )
    assert got[0].energy_wh == 12500 and got[0].power_w == 7200
    assert got[0].currents_a == (11.0, 10.0)
    assert got[1].energy_wh == 12600 and got[1].at - got[0].at == 10


def test_stop_reasons_in_ocpp_words() -> None:
    assert mapping.stop_reason(None) == (StopReason.LOCAL, None)
    assert mapping.stop_reason("EVDisconnected") == (StopReason.EV_DISCONNECTED, None)
    assert mapping.stop_reason("HardReset") == (StopReason.REBOOT, "HardReset")
    assert mapping.stop_reason("UnlockCommand") == (StopReason.REMOTE, "UnlockCommand")


def test_a_session_from_start_to_stop_and_a_late_sample() -> None:
    bay = sm.BayState(bay_id=7, online=True, status=BayStatus.PREPARING)
    step = mapping.started(bay, "ocpp-1", AUTH, 1000.0, 5000.0)
    assert isinstance(step.records[0], sm.TransactionStarted)
    bay = step.bay
    bay = mapping.sampled(bay, "ocpp-1", [mapping.Sample(1100.0, 6000.0, 7000.0)], 50).bay
    late = mapping.sampled(bay, "ocpp-1", [mapping.Sample(1050.0, 5500.0, 7000.0)], 50)
    assert late.bay.tx is not None and late.bay.tx.meter_last_wh == 6000  # history, not news
    assert any(isinstance(r, sm.MeterSampled) and r.at == 1050.0 for r in late.records)
    done = mapping.stopped(late.bay, 1200.0, 7000.0, "Local", "A1B2C3D4")
    tx = done.records[-1].tx  # type: ignore[union-attr]
    assert tx.energy_wh == 2000 and tx.stopped_at == 1200.0 and done.bay.tx is None


def test_a_new_start_closes_a_session_whose_stop_was_lost() -> None:
    bay = mapping.started(sm.BayState(bay_id=1), "ocpp-1", AUTH, 100.0, 0.0).bay
    step = mapping.started(bay, "ocpp-2", AUTH, 200.0, 50.0)
    closed, opened = step.records
    assert isinstance(closed, sm.TransactionStopped) and closed.tx.uid == "ocpp-1"
    assert closed.tx.stop_reason is StopReason.OTHER
    assert isinstance(opened, sm.TransactionStarted) and step.bay.tx is not None


def test_status_faults_raised_and_cleared() -> None:
    bay = mapping.started(sm.BayState(bay_id=3), "ocpp-9", AUTH, 0.0, 0.0).bay
    step, unknown = mapping.status(bay, "Faulted", "GroundFailure", 10.0)
    assert unknown is None and step.bay.status is BayStatus.FAULTED
    raised = [r for r in step.records if isinstance(r, sm.FaultRaised)]
    assert raised == [sm.FaultRaised(3, "GroundFailure", 10.0, "ocpp-9")]
    step, _ = mapping.status(step.bay, "Charging", "NoError", 20.0)
    assert sm.FaultCleared(3, "GroundFailure", 20.0) in step.records
    _, unknown = mapping.status(step.bay, "Reserved", "NoError", 30.0)
    assert unknown == "Reserved"
