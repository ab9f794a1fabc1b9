"""The real engine driving Heidelberg boxes on a virtual RS-485 bus over TCP, through the
real driver, pymodbus and a SQLite file: full sessions, every fault kind, the port
vanishing and coming back."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from stationmgr.cards import CardInput, add_card
from stationmgr.clock import WarpClock
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.ocpp_words import AuthStatus, BayStatus
from stationmgr.sessions import SessionConfig
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import HeidelbergBox
from stationmgr.sim.modbus_sim import ModbusBusSim
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargerEvent, ChargeSession, Fault, MeterSample
from tests.modbus_site import FAST, SIM_SETTINGS
from tests.site import wait_for

SPEED = 60.0


def card_uid(slave: int) -> str:
    return f"0A1B2C{slave:02X}"


@contextmanager
def site(
    db: Database, slaves: tuple[int, ...], layout: int = 0x0108, **settings: str
) -> Iterator[tuple[Engine, ModbusBusSim]]:
    """Boxes at `slaves` on one bus; charger rows, bays P<slave>, one card per bay."""
    clock = WarpClock(SPEED)
    bus = ModbusBusSim([HeidelbergBox(s, layout=layout) for s in slaves], clock, FAST)
    bus.serve_tcp()
    bus.start()
    try:
        with db.session() as s:
            for slave in slaves:
                c = Charger(
                    name=f"Heidelberg {slave}",
                    driver="heidelberg",
                    port=bus.url,
                    address=slave,
                    settings={**SIM_SETTINGS, **settings},
                )
                s.add(c)
                s.flush()
                s.add(Bay(id=slave, charger_id=c.id, connector=1, label=f"P{slave}"))
                add_card(s, CardInput(uid=card_uid(slave), holder=f"Driver {slave}"))
        cfg = EngineConfig(
            CoordinatorConfig(
                poll_interval_s=0.05, read_timeout_s=5.0, backoff_min_s=0.05, backoff_max_s=0.2
            ),
            # A gap of a few real seconds is no car swap, even at 60x (continuity.py).
            SessionConfig(sample_interval_s=30.0, continuity_gap_s=5 * SPEED),
        )
        engine = Engine(db, clock, cfg)
        engine.start()
        try:
            yield engine, bus
        finally:
            engine.stop()
    finally:
        bus.stop()


def start_session(eng: Engine, bus: ModbusBusSim, slave: int) -> None:
    wait_for(lambda: eng.bays[slave].status is BayStatus.AVAILABLE, what=f"P{slave} available")
    bus.plug(slave, EV(capacity_wh=200_000, soc=0.2))
    wait_for(lambda: eng.bays[slave].status is BayStatus.PREPARING, what=f"P{slave} preparing")
    auth = eng.present_card(card_uid(slave), slave).result(5)
    assert auth.status is AuthStatus.ACCEPTED
    wait_for(lambda: bus.box(slave).holding[261] == 160, what=f"P{slave} current written")
    wait_for(lambda: eng.bays[slave].status is BayStatus.CHARGING, what=f"P{slave} charging")


def sessions(db: Database) -> dict[int, ChargeSession]:
    with db.session() as s:
        return {r.bay_id: r for r in s.scalars(select(ChargeSession))}


def events(db: Database, kind: str) -> list[ChargerEvent]:
    with db.session() as s:
        return list(s.scalars(select(ChargerEvent).where(ChargerEvent.kind == kind)))


def assert_energy_is_counter_delta(row: ChargeSession, box: HeidelbergBox) -> None:
    register_now = float(int(box.connector.energy_total_wh))  # what register 17–18 says
    assert row.stopped_at is not None
    assert row.meter_start_wh == 0.0  # a new box; nothing flowed before the card
    assert row.meter_stop_wh == register_now
    assert row.energy_wh == row.meter_stop_wh - row.meter_start_wh
    assert row.energy_wh > 0


def test_full_session_card_to_unplug(sqlite_db: Database) -> None:
    with site(sqlite_db, (1,)) as (eng, bus):
        wait_for(lambda: bus.box(1).holding[258] == 4, what="standby disabled")
        assert bus.box(1).holding[261] == 0  # gated until a card
        start_session(eng, bus, 1)
        tx = eng.bays[1].tx
        assert tx is not None
        wait_for(lambda: bus.box(1).connector.energy_total_wh > 600, what="energy flowing")
        bus.unplug(1)
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="available again")
        wait_for(lambda: bus.box(1).holding[261] == 0, what="gate closed after the session")
        eng.drain()
    row = sessions(sqlite_db)[1]
    assert row.stop_reason == "EVDisconnected"
    assert_energy_is_counter_delta(row, bus.box(1))
    with sqlite_db.session() as s:
        samples = list(s.scalars(select(MeterSample).where(MeterSample.session_id == row.id)))
    assert len(samples) >= 2
    assert [x.energy_wh for x in samples] == sorted(x.energy_wh for x in samples)
    assert all(x.current_l1_ma == 15900 for x in samples if x.power_w)


FAULTS = {1: "E", 2: "F", 3: "error", 4: "overtemp", 5: "silence", 6: "garbage", 7: "bad_crc",
          8: "reboot"}  # fmt: skip


def test_every_fault_kind_during_sessions(sqlite_db: Database) -> None:
    slaves = tuple(FAULTS)
    with site(sqlite_db, slaves) as (eng, bus):
        for slave in slaves:
            start_session(eng, bus, slave)
        for slave in slaves:
            wait_for(lambda s=slave: bus.box(s).connector.energy_total_wh > 100, what="energy")
        for slave, kind in FAULTS.items():
            if kind == "silence":
                bus.fault(slave, kind, seconds=3.0)  # longer than a read with its retry
            elif kind in ("garbage", "bad_crc"):
                bus.fault(slave, kind, count=2)  # the first try and its retry: one lost read
            else:
                bus.fault(slave, kind)
        for slave in (1, 2, 3, 4):
            wait_for(lambda s=slave: eng.bays[s].status is BayStatus.FAULTED, what="faulted")
        # One "restored" per charger at start (first answer), plus one per recovery.
        wait_for(
            lambda: len(events(sqlite_db, "comm_restored")) >= 11, timeout=40, what="recoveries"
        )
        wait_for(lambda: len(events(sqlite_db, "counter_reset")) >= 1, timeout=40, what="reboot")
        wait_for(lambda: bus.box(8).holding[261] == 160, what="gate re-asserted after reboot")
        wait_for(lambda: bus.box(8).connector.power_w > 0, what="charging after reboot")
        for slave in (5, 6, 7, 8):
            assert eng.bays[slave].tx is not None  # these sessions survive their fault
        for slave in slaves:
            bus.unplug(slave)
        wait_for(lambda: all(eng.bays[s].tx is None for s in slaves), what="all closed")
        assert eng.running
        eng.drain()
    rows = sessions(sqlite_db)
    assert len(rows) == len(slaves)
    for slave, row in rows.items():
        assert_energy_is_counter_delta(row, bus.box(slave))
    with sqlite_db.session() as s:
        faults = [(f.bay_id, f.code, f.session_id) for f in s.scalars(select(Fault))]
    assert sorted(faults) == [
        (1, "Error", rows[1].id),
        (2, "Error", rows[2].id),
        (3, "Error", rows[3].id),
        (4, "OverTemperature", rows[4].id),
    ]
    for slave in (1, 2, 3, 4):
        assert (rows[slave].stop_reason, rows[slave].stop_detail) == (
            "Other",
            f"fault {'OverTemperature' if slave == 4 else 'Error'}",
        )
    for slave in (5, 6, 7, 8):
        assert rows[slave].stop_reason == "EVDisconnected"
    # Charger ids were created in slave order; each communication fault is stored once.
    lost = sorted(e.charger_id for e in events(sqlite_db, "comm_lost"))
    restored = sorted(e.charger_id for e in events(sqlite_db, "comm_restored"))
    assert lost == [5, 6, 7]
    assert restored == sorted([*slaves, 5, 6, 7])
    (reset,) = events(sqlite_db, "counter_reset")
    assert (reset.bay_id, reset.session_id) == (8, rows[8].id)
    assert rows[8].meter_resets == 0  # the meter (since installation) did not go back


def test_port_vanishes_and_comes_back(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for name in ("stationmgr.drivers", "stationmgr.engine"):  # whatever another test set
        caplog.set_level(logging.INFO, logger=name)
    with site(sqlite_db, (1, 2)) as (eng, bus):
        start_session(eng, bus, 1)
        wait_for(lambda: eng.bays[2].status is BayStatus.AVAILABLE, what="P2 available")
        bus.vanish()
        for b in (1, 2):
            wait_for(lambda b=b: eng.bays[b].status is BayStatus.UNAVAILABLE, what="unavailable")
        # Let it fail a while: retries with backoff, still logged once.
        wait_for(lambda: eng.coordinators[1].failures >= 4, what="several failed attempts")
        bus.restore()
        wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING, what="P1 charging again")
        wait_for(lambda: eng.bays[2].status is BayStatus.AVAILABLE, what="P2 available again")
        bus.unplug(1)
        wait_for(lambda: eng.bays[1].tx is None, what="session closed")
        eng.drain()
    messages = [r.getMessage() for r in caplog.records]
    # One line when the port is lost and one when it is back, however many reopen attempts
    # fail in between. (Under a heavily loaded CI a second, short drop was seen once right
    # after the restore; it is logged as its own outage, lost then back, which is right.)
    port = [
        "lost" if " lost" in m else "back"
        for m in messages
        if m.startswith("modbus port") and (" lost" in m or "is back" in m)
    ]
    assert port and port[0] == "lost" and port[-1] == "back", port
    assert all(a != b for a, b in itertools.pairwise(port)), port  # never twice in a row
    for name in ("Heidelberg 1", "Heidelberg 2"):
        assert sum(f"charger {name} does not answer" in m for m in messages) == 1
        assert sum(f"charger {name} answers again" in m for m in messages) == 1
    assert len(events(sqlite_db, "comm_lost")) == 2
    assert len(events(sqlite_db, "comm_restored")) == 4  # first answers + recoveries
    row = sessions(sqlite_db)[1]
    assert row.stop_reason == "EVDisconnected"
    assert_energy_is_counter_delta(row, bus.box(1))


def test_power_on_counter_as_meter_counts_on_across_a_reboot(sqlite_db: Database) -> None:
    """With `energy_register=power_on` the meter restarts at a reboot: the session keeps
    what it had read before and counts on from the new value (sessions.py). What flowed
    between the last poll and the reboot is lost with the old count — why the counter since
    installation is the default."""
    with site(sqlite_db, (1,), energy_register="power_on") as (eng, bus):
        start_session(eng, bus, 1)
        box = bus.box(1)
        wait_for(lambda: box.connector.energy_since_boot_wh > 300, what="energy before")
        with box.lock:
            at_reboot = box.connector.energy_since_boot_wh
            bus.fault(1, "reboot")
        wait_for(lambda: box.holding[261] == 160, what="gate re-asserted after the reboot")
        wait_for(lambda: box.connector.energy_since_boot_wh > 300, what="energy after")
        bus.unplug(1)
        wait_for(lambda: eng.bays[1].tx is None, what="session closed")
        eng.drain()
    row = sessions(sqlite_db)[1]
    assert row.meter_resets == 1
    assert 0 < row.energy_before_wh <= at_reboot  # the last count read before the reset
    assert row.segment_start_wh == 0.0 and row.meter_stop_wh == int(
        box.connector.energy_since_boot_wh
    )
    assert row.energy_wh == row.energy_before_wh + row.meter_stop_wh
    assert row.energy_wh <= box.connector.energy_total_wh  # never more than really flowed


@pytest.mark.parametrize("layout", [0x0107, 0x0108])
def test_idle_box_reboot_with_counter_zero_gets_standby_disabled_again(
    sqlite_db: Database, layout: int
) -> None:
    """An idle box has counted 0 VAh since power-on: its reboot cannot show in the counter.
    The driver's configuration check sees 257/258 back at factory values and configures the
    box again, so it does not fall asleep (review defect 12)."""
    with site(sqlite_db, (1,), layout=layout) as (eng, bus):
        box = bus.box(1)
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="P1 available")
        wait_for(lambda: (box.holding[257], box.holding[258]) == (15001, 4), what="configured")
        assert box.connector.energy_since_boot_wh == 0.0
        bus.fault(1, "reboot")
        assert (box.holding[257], box.holding[258]) == (15000, 0)
        wait_for(
            lambda: (box.holding[257], box.holding[258]) == (15001, 4),
            what="standby disabled again after the reboot",
        )
        assert eng.bays[1].status is BayStatus.AVAILABLE
        assert box.holding[261] == 0  # still gated: no session
