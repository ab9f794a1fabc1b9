"""Property tests of the state machine's invariants over random event sequences."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stationmgr import sessions as sm
from stationmgr.drivers.api import ConnectorReading
from stationmgr.ocpp_words import AuthStatus

ANNA = sm.Authorization(AuthStatus.ACCEPTED, card_id=1, card_uid="0A1B2C3D")
REFUSED = sm.Authorization(AuthStatus.BLOCKED, card_id=2, card_uid="11223344", reason="blocked")

# One step of the world: what happens, and how much time passes before it.
action = st.one_of(
    st.tuples(
        st.just("read"),
        st.booleans(),
        st.floats(0, 500),
        st.floats(0, 11000),
        st.sampled_from([None, None, None, "GFCI"]),
    ),
    st.tuples(st.just("reboot")),
    st.tuples(st.just("card"), st.sampled_from([ANNA, REFUSED])),
    st.tuples(st.just("guest")),
    st.tuples(st.just("stop")),
    st.tuples(st.just("lost")),
    st.tuples(st.just("ooo"), st.booleans()),
    st.tuples(st.just("tick")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 4000), action), max_size=60))
def test_invariants(steps: list) -> None:  # type: ignore[type-arg]
    cfg = sm.SessionConfig(idle_after_s=300)
    bay = sm.BayState(bay_id=1)
    t = 1_000_000.0
    counter = 0.0
    delivered = 0.0  # everything the counter ever advanced
    open_tx = 0
    for dt, act in steps:
        t += dt
        match act[0]:
            case "read":
                _, plugged, inc, power, fault = act
                counter += inc
                delivered += inc
                ev: sm.Event = sm.Observed(
                    ConnectorReading(
                        plugged=plugged, energy_wh=counter, power_w=power, allowed=True, fault=fault
                    )
                )
            case "reboot":
                counter = 0.0
                ev = sm.Observed(
                    ConnectorReading(
                        plugged=bay.plugged, energy_wh=0.0, power_w=0.0, allowed=False
                    ),
                    rebooted=True,
                )
            case "card":
                ev = sm.CardPresented(act[1])
            case "guest":
                ev = sm.RemoteStart("op", "test")
            case "stop":
                ev = sm.RemoteStop("op")
            case "lost":
                ev = sm.CommLost()
            case "ooo":
                ev = sm.SetOutOfOrder(act[1], "op")
            case _:
                ev = sm.Tick()
        out = sm.step(bay, ev, t, cfg)
        bay = out.bay
        for rec in out.records:
            if isinstance(rec, sm.TransactionStarted):
                open_tx += 1
                assert open_tx == 1, "two sessions open on one bay"
            if isinstance(rec, sm.TransactionStopped):
                open_tx -= 1
                tx = rec.tx
                assert tx.energy_wh >= 0
                assert tx.energy_wh <= delivered + 1e-6
                if tx.meter_resets == 0:
                    assert tx.meter_stop_wh >= tx.meter_start_wh
                d = tx.durations()
                for part in (d.plugged_s, d.waiting_s, d.charging_s, d.idle_s):
                    assert part >= -1e-6
                assert abs(d.plugged_s - (d.waiting_s + d.charging_s + d.idle_s)) < 1e-6
                assert tx.stopped_at >= tx.authorized_at
        if bay.tx is not None:
            assert bay.tx.energy_wh >= 0
            d = bay.tx.durations(t)
            assert abs(d.plugged_s - (d.waiting_s + d.charging_s + d.idle_s)) < 1e-6
        assert (bay.tx is not None) == (open_tx == 1)
