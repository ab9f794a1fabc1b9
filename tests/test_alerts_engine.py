"""Alerts through the real engine: a simulated stretch of a day on seven bays, each with its
own trouble, run on in-process virtual chargers under a warped clock.

Every alert kind must be raised exactly once, within one minute of *simulated* time after
its condition began, and cleared when the condition ends; the normal session raises
nothing. All time checks are in simulated seconds read from the database.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from stationmgr.alerts.events import AlertCleared, AlertRaised, ExpectedEnd
from stationmgr.alerts.service import acknowledge, list_alerts
from stationmgr.sessions import SessionConfig
from stationmgr.sim.ev import EV
from stationmgr.store.alert_models import Alert
from stationmgr.store.models import AuditEntry, Bay, ChargeSession, Fault
from tests.alerts_site import (
    add_history,
    build_site,
    epoch,
    running,
    set_alert_settings,
    sim_sleep,
    wait_for,
)

SPEED = 30.0  # simulated seconds per real second
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp()  # a Monday morning
LABELS = ["BLK", "STL", "OVR", "FLT", "COM", "DEN", "OK"]
CARDS = {
    "04A1B2C3": "Blocker",
    "04A1B2C4": "Staller",
    "04A1B2C5": "Overrunner",
    "04A1B2C6": "Faulty",
    "04A1B2C7": "Normal",
    "04A1B2C8": "Offline",
}
IDLE_AFTER_S = 60.0
GRACE_MIN = 2.0


def _alerts(db, kind=None):  # type: ignore[no-untyped-def]
    with db.session() as s:
        rows = list(s.scalars(select(Alert).order_by(Alert.id)))
        labels = dict(s.execute(select(Bay.id, Bay.label)).all())
    return [(labels.get(a.bay_id), a) for a in rows if kind is None or a.kind == kind]


def _raised_within_a_minute(a: Alert) -> None:
    lag = epoch(a.raised_at) - epoch(a.since)
    assert 0 <= lag <= 60, f"{a.kind} raised {lag:.0f} s after its condition began"


def test_each_alert_kind_raised_once_within_a_minute_and_cleared(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    db = sqlite_db
    devs = build_site(db, LABELS, CARDS)
    set_alert_settings(
        db,
        stalled_after_min=2,
        blocked_grace_min=GRACE_MIN,
        overrun_margin_min=2,
        overrun_margin_pct=0,
        overrun_settle_min=1,
        card_denied_count=3,
        card_denied_window_min=3,
    )
    # The overrunner usually takes ~500 Wh and leaves five minutes after plugging in.
    add_history(
        db,
        "OVR",
        "04A1B2C5",
        datetime(2026, 3, 2, tzinfo=UTC),
        [(500, 300, 180, 120), (520, 310, 170, 140), (480, 290, 175, 115)],
    )
    session = SessionConfig(idle_after_s=IDLE_AFTER_S, sample_interval_s=30)
    events: list[object] = []
    with running(db, SPEED, session, START) as (engine, monitor, clock):
        engine.bus.subscribe(events.append, AlertRaised, AlertCleared, ExpectedEnd)
        bay = {b.label: b.bay_id for b in engine.bay_info.values()}
        conn = {label: devs[label].connectors[0] for label in LABELS}

        def plug(label: str, ev: EV, card: str) -> None:
            conn[label].plug(ev, clock.now())
            engine.present_card(card, bay[label]).result(10)
            wait_for(lambda: engine.bays[bay[label]].tx is not None, what=f"{label} session")

        # Blocked: a nearly full car; charging ends within a minute, the car stays.
        plug("BLK", EV(capacity_wh=2_000, soc=0.99, max_power_w=7_000), "04A1B2C3")
        # Stalled: charging normally, then the meter freezes while power is still reported.
        plug("STL", EV(capacity_wh=60_000, soc=0.2), "04A1B2C4")
        # Overrun: this time the car wants far more than its usual 500 Wh.
        plug("OVR", EV(capacity_wh=60_000, soc=0.2), "04A1B2C5")
        # Fault: a session running when the charger reports a ground fault.
        plug("FLT", EV(capacity_wh=60_000, soc=0.2), "04A1B2C6")
        # Normal: a short top-up, unplugged right after: no alert at all.
        plug("OK", EV(capacity_wh=3_000, soc=0.97, max_power_w=11_000), "04A1B2C7")
        # Card denied: an unknown card tried three times at one bay.
        for _ in range(3):
            engine.present_card("DEADBEEF", bay["DEN"]).result(10)
            sim_sleep(clock, 20)

        sim_sleep(clock, 60)
        stuck_at = clock.now()
        conn["STL"].stuck_at = conn["STL"].energy_total_wh
        conn["FLT"].fault = "GFCI"
        devs["COM"].silent = True
        wait_for(lambda: engine.bays[bay["OK"]].status == "Finishing", what="OK full")
        conn["OK"].unplug(clock.now())

        # Wait for every kind to be raised (the overrun takes longest: ~8 simulated minutes).
        kinds = {"blocked", "stalled", "overrun", "fault", "comm_lost", "card_denied"}
        wait_for(lambda: kinds <= {a.kind for _, a in _alerts(db)}, timeout=120, what="all alerts")
        assert monitor.estimate(bay["OVR"]) is not None

        # Acknowledge the blocked bay's alert through the engine (audited).
        blocked_uid = next(a.uid for _, a in _alerts(db, "blocked"))
        acknowledge(engine, blocked_uid, "anna", "asked the driver to move")

        # End every condition.
        conn["BLK"].unplug(clock.now())
        conn["STL"].stuck_at = None
        conn["OVR"].unplug(clock.now())
        conn["FLT"].unplug(clock.now())
        conn["FLT"].fault = None
        devs["COM"].silent = False
        wait_for(
            lambda: all(a.cleared_at for _, a in _alerts(db) if a.kind != "card_denied"),
            timeout=60,
            what="conditions cleared",
        )
        # The refused card's alert clears once its window passes without another try.
        wait_for(lambda: all(a.cleared_at for _, a in _alerts(db)), timeout=60, what="window")
        engine.drain()

    rows = _alerts(db)
    by_kind: dict[str, list[tuple[str | None, Alert]]] = {}
    for label, a in rows:
        by_kind.setdefault(a.kind, []).append((label, a))
    assert {k: len(v) for k, v in by_kind.items()} == {
        "blocked": 1,
        "stalled": 1,
        "overrun": 1,
        "fault": 1,
        "comm_lost": 1,
        "card_denied": 1,
    }, [(label, a.kind, a.detail) for label, a in rows]
    assert "OK" not in {label for label, _ in rows}  # the normal session raised nothing

    with db.session() as s:
        sessions = {r.bay.label: r for r in s.scalars(select(ChargeSession))}
        fault = s.scalar(select(Fault))
        audit = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "alerts.acknowledge")))

    label, blocked = by_kind["blocked"][0]
    assert label == "BLK"
    blk = sessions["BLK"]
    expected_since = epoch(blk.charging_ended_at) + max(GRACE_MIN * 60, IDLE_AFTER_S)
    assert abs(epoch(blocked.since) - expected_since) < 1.0
    assert blocked.acknowledged_by == "anna" and blocked.acknowledged_at is not None
    assert len(audit) == 1 and audit[0].operator == "anna"
    assert blocked.session_id == blk.id and blocked.card_uid == "04A1B2C3"

    label, stalled = by_kind["stalled"][0]
    assert label == "STL"
    # The meter froze at `stuck_at`; the alert is due two minutes later (±1 poll).
    assert abs(epoch(stalled.since) - (stuck_at + 120)) <= 5

    label, overrun = by_kind["overrun"][0]
    assert label == "OVR"
    plugged = epoch(sessions["OVR"].plugged_at)
    # Usual visit ≈ 5 min, margin 2 min: the session counts as overrun after 6–9 minutes.
    assert 360 <= epoch(overrun.since) - plugged <= 540, epoch(overrun.since) - plugged

    label, faulted = by_kind["fault"][0]
    assert label == "FLT" and faulted.subject == "GFCI"
    assert abs(epoch(faulted.since) - epoch(fault.raised_at)) < 1.0

    _, comm = by_kind["comm_lost"][0]
    assert comm.bay_id is None and comm.charger_id is not None

    label, denied = by_kind["card_denied"][0]
    assert label == "DEN" and denied.card_uid == "DEADBEEF"

    for _, a in rows:
        _raised_within_a_minute(a)
        assert a.cleared_at is not None and a.cleared_at >= a.raised_at

    # The bus saw the same: one raise and one clear per alert.
    raised = [e for e in events if isinstance(e, AlertRaised)]
    cleared = [e for e in events if isinstance(e, AlertCleared)]
    assert sorted(e.uid for e in raised) == sorted(a.uid for _, a in rows)
    assert sorted(e.uid for e in cleared) == sorted(a.uid for _, a in rows)
    assert any(isinstance(e, ExpectedEnd) and e.bay_id == bay["OVR"] for e in events)

    with db.session() as s:
        assert list_alerts(s) and all(not a.is_open for a in list_alerts(s))


def test_an_open_alert_continues_across_a_restart(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    """The engine restarts while a finished car still blocks its bay: the same alert row
    stays open (no duplicate), is announced again on the bus, and clears at unplug."""
    db = sqlite_db
    devs = build_site(db, ["R1"], {"04DD0001": "Rita"})
    set_alert_settings(db, blocked_grace_min=1)
    session = SessionConfig(idle_after_s=IDLE_AFTER_S)
    conn = devs["R1"].connectors[0]
    with running(db, SPEED, session, START) as (engine, _monitor, clock):
        bay_id = next(iter(engine.bay_info))
        conn.plug(EV(capacity_wh=2_000, soc=0.99, max_power_w=7_000), clock.now())
        engine.present_card("04DD0001", bay_id).result(10)
        wait_for(lambda: _alerts(db, "blocked"), timeout=60, what="blocked")
        resume_at = clock.now()
    ((_, first),) = _alerts(db)
    assert first.cleared_at is None

    events: list[object] = []
    with running(db, SPEED, session, resume_at, events.append) as (engine, monitor, clock):
        sim_sleep(clock, 90)  # the charger is read again, conditions re-evaluated
        assert [a.uid for _, a in _alerts(db)] == [first.uid]
        assert [a.uid for a in monitor.open()] == [first.uid]
        assert [e.uid for e in events if isinstance(e, AlertRaised)] == [first.uid]
        conn.unplug(clock.now())
        wait_for(lambda: _alerts(db)[0][1].cleared_at is not None, what="cleared at unplug")
    ((_, after),) = _alerts(db)
    assert after.uid == first.uid and after.clear_detail == "over"
