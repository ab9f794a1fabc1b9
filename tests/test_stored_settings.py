"""A bad driver setting already stored in the database (typed before validation existed, or
written by another tool) never stops the site: the engine reports that charger misconfigured
— one log line naming charger and setting, a comm_lost event, its bays unavailable — and
runs the rest. Heidelberg boxes on one virtual RS-485 bus (real driver, real pymodbus)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from stationmgr.clock import WarpClock
from stationmgr.drivers import DeviceConfig, create_charger
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.errors import UserError
from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import HeidelbergBox
from stationmgr.sim.modbus_sim import ModbusBusSim
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargerEvent
from tests.modbus_site import FAST, SIM_SETTINGS
from tests.site import wait_for

# slave -> the bad stored setting of its charger row (slave 1 is the good box)
BAD = {
    2: {"timeout_ms": -1},  # took the good box on the same bus offline
    3: {"failsafe_a": "nan"},  # silently killed the box's polling
    4: {"gate": "foo"},
    5: {"watchdog_ms": "abc"},
}


def test_stored_bad_settings_leave_the_rest_of_the_site_running(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = WarpClock(60.0)
    bus = ModbusBusSim([HeidelbergBox(s) for s in (1, *BAD)], clock, FAST)
    bus.serve_tcp()
    bus.start()
    try:
        with sqlite_db.session() as s:
            rows = [(1, SIM_SETTINGS), *((n, {**SIM_SETTINGS, **bad}) for n, bad in BAD.items())]
            for slave, settings in rows:
                c = Charger(
                    name=f"H{slave}",
                    driver="heidelberg",
                    port=bus.url,
                    address=slave,
                    settings=settings,
                )
                s.add(c)
                s.flush()
                s.add(Bay(id=slave, charger_id=c.id, connector=1, label=f"P{slave}"))
            # an OpenEVSE with a typo: made `stationmgr run` exit with a traceback
            e = Charger(
                name="E1",
                driver="openevse",
                port="/dev/nonexistent-e1",
                settings={"turnaround_s": "abc"},
            )
            s.add(e)
            s.flush()
            s.add(Bay(id=9, charger_id=e.id, connector=1, label="E1"))
        cfg = EngineConfig(
            CoordinatorConfig(
                poll_interval_s=0.05, read_timeout_s=5.0, backoff_min_s=0.05, backoff_max_s=0.2
            )
        )
        engine = Engine(sqlite_db, clock, cfg)
        with caplog.at_level(logging.ERROR, logger="stationmgr"):
            engine.start()
        try:
            assert engine.running
            wait_for(lambda: engine.bays[1].status is BayStatus.AVAILABLE, what="P1 available")
            # The good box keeps being polled: it sees a car plug in.
            bus.plug(1, EV(capacity_wh=50_000, soc=0.5))
            wait_for(lambda: engine.bays[1].status is BayStatus.PREPARING, what="P1 preparing")
            assert engine.bays[1].online

            def events() -> dict[str, str]:
                with sqlite_db.session() as s:
                    q = select(Charger.name, ChargerEvent.detail).join(
                        Charger, Charger.id == ChargerEvent.charger_id
                    )
                    return dict(s.execute(q.where(ChargerEvent.kind == "comm_lost")).all())

            bad_names = {f"H{n}" for n in BAD} | {"E1"}
            got = wait_for(lambda: bad_names <= set(events()) and events(), what="events")
            assert isinstance(got, dict)
            assert "H1" not in got  # the good box was never reported lost
            for n, bad in BAD.items():
                (key,) = bad
                assert got[f"H{n}"].startswith("misconfigured:") and key in got[f"H{n}"]
            assert "turnaround_s" in got["E1"]
            for bay_id in (*BAD, 9):
                assert engine.bays[bay_id].status is BayStatus.UNAVAILABLE
                assert not engine.bays[bay_id].online
                assert engine.snapshot(bay_id).online is False
        finally:
            engine.stop()
    finally:
        bus.stop()
    lines = [r.getMessage() for r in caplog.records if "misconfigured" in r.getMessage()]
    assert len(lines) == len(BAD) + 1  # one line per misconfigured charger
    assert any("H2" in line and "timeout_ms" in line for line in lines)


@pytest.mark.parametrize(
    "stored,use_auth_lock", [("false", False), (False, False), ("no", False), ("true", True)]
)
def test_auth_lock_false_reads_as_false(stored: object, use_auth_lock: bool) -> None:
    """`bool("false")` was True: the stored text is parsed by the schema now."""
    charger = create_charger(
        "openevse", DeviceConfig("/dev/nonexistent-x", settings={"auth_lock": stored})
    )
    assert charger.use_auth_lock is use_auth_lock  # type: ignore[attr-defined]


def test_a_stored_typo_is_one_line_naming_the_setting() -> None:
    with pytest.raises(UserError, match="setting turnaround_s must be a number, not 'abc'"):
        create_charger("openevse", DeviceConfig("/dev/x", settings={"turnaround_s": "abc"}))


def test_stored_session_settings_are_typed_or_default(sqlite_db: Database) -> None:
    """A stored `session` value that does not pass its schema is its default (logged), a
    stored "false" is False — `stationmgr run` reads these at start."""
    from stationmgr.sessions import SessionConfig
    from stationmgr.settings import load_session_config, set_setting

    with sqlite_db.session() as s:
        stored = {"sample_interval_s": "nan", "retap_stops": "false", "idle_after_s": "600"}
        set_setting(s, "session", stored)
    with sqlite_db.session() as s:
        cfg = load_session_config(s)
    assert cfg.sample_interval_s == SessionConfig().sample_interval_s
    assert cfg.retap_stops is False
    assert cfg.idle_after_s == 600.0


def test_every_session_config_field_can_be_set_as_a_site_setting() -> None:
    """A SessionConfig field missing from the schema is silently dropped at start-up (the
    continuity gap was: sites could not change it)."""
    import dataclasses

    from stationmgr.sessions import SessionConfig
    from stationmgr.settings import SESSION_SETTINGS

    fields = {f.name for f in dataclasses.fields(SessionConfig)}
    assert fields <= {spec.name for spec in SESSION_SETTINGS}
