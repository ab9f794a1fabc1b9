"""Current limits (issue 10, items 6 and 7): no current reaching a device ever exceeds the
charger's installation maximum, and every session sets its own current.

The property test runs the engine's real decision path — the session state machine and the
charger coordinator (the one choke point every current passes through) — over the
in-process driver and a `VirtualConnector` that records every current it is told, with an
injected clock. The end-to-end tests run the real engine against the Modbus simulators over
TCP (pymodbus on the driver side) and the OpenEVSE simulator on a pty, and look at what
reached the device's registers and command line.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from stationmgr import sessions as sm
from stationmgr.auth import CardFacts, authorize
from stationmgr.cards import CardInput, add_card
from stationmgr.clock import ManualClock, WarpClock
from stationmgr.drivers import DeviceConfig, create_charger, inproc
from stationmgr.drivers.api import ConnectorReading
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import ChargerCoordinator, CoordinatorConfig
from stationmgr.engine.current import CurrentLimits, allowed_max_a, refusal, session_current_a
from stationmgr.errors import DeviceError, UserError
from stationmgr.ocpp_words import AuthStatus, BayStatus
from stationmgr.sessions import SessionConfig
from stationmgr.sim.device import VirtualCharger, VirtualConnector
from stationmgr.sim.ev import EV
from stationmgr.sim.modbus_boxes import EvseDinBox, HeidelbergBox
from stationmgr.sim.modbus_sim import ModbusBusSim
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.site_setup import ChargerInput, add_charger
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargerEvent, ChargeSession
from stationmgr.store.persist import new_session_row, transaction_from_row
from tests.modbus_site import FAST, SIM_SETTINGS
from tests.site import wait_for

# ---------------------------------------------------------------- the rule itself


def test_the_rule_takes_the_smallest_known_limit() -> None:
    lim = CurrentLimits(installation_max_a=20, device_max_a=32, cable_max_a=None)
    assert allowed_max_a(lim) == 20
    assert session_current_a(lim, None) == 20
    assert session_current_a(lim, 10) == 10
    assert session_current_a(CurrentLimits(None, 16), 32) == 16
    assert session_current_a(CurrentLimits(32, 32, cable_max_a=13), None) == 13
    assert session_current_a(CurrentLimits(16.05, 32), None) == 16.0  # floored, never up
    # The device cannot tell and nothing is set: no current at all (never 80 A).
    assert session_current_a(CurrentLimits(None, None), None) is None
    assert "installation_max_a" in (refusal(CurrentLimits(None, None)) or "")
    assert session_current_a(CurrentLimits(16, None), None) == 16
    # An installation below the device's minimum cannot charge safely.
    assert session_current_a(CurrentLimits(6, 16, device_min_a=8), None) is None


def test_after_a_gap_the_gate_is_sent_again_with_the_cards_current() -> None:
    reading = ConnectorReading(plugged=True, allowed=True, energy_wh=0.0)
    bay = sm.step(sm.restore(1, None), sm.Observed(reading), 0.0).bay
    auth = authorize(CardFacts(1, "A", max_current_a=10), 1, datetime.fromtimestamp(1.0))
    start = sm.step(bay, sm.CardPresented(auth), 1.0)
    assert start.commands == [sm.AllowCharging(1, True, 10)]
    lost = sm.step(start.bay, sm.CommLost("silence"), 2.0)
    back = sm.step(lost.bay, sm.Observed(reading), 3.0)
    assert back.commands == [sm.AllowCharging(1, True, 10)]


def test_a_resumed_session_opens_the_gate_with_its_cards_current(db: Database) -> None:
    """After a restart the session comes back from the database with its card's limit."""
    with db.session() as s:
        card = add_card(s, CardInput(uid="0A1B2C01", holder="Ann", max_current_a=10))
        s.add(Charger(id=1, name="c", driver="inproc", port="inproc://c"))
        s.add(Bay(id=1, charger_id=1, connector=1, label="P1"))
        s.flush()
        facts = CardFacts(card.id, card.uid, max_current_a=card.max_current_a)
        auth = authorize(facts, 1, datetime.fromtimestamp(1.0))
        s.add(new_session_row(sm.Transaction("1-1", 1, auth, 0.0, 1.0, 0.0, 0.0, 0.0)))
    with db.session() as s:
        restored = transaction_from_row(s.scalars(select(ChargeSession)).one())
    assert restored.auth.max_current_a == 10
    reading = ConnectorReading(plugged=True, allowed=True, energy_wh=0.0)
    out = sm.step(sm.restore(1, restored), sm.Observed(reading), 2.0)
    assert out.bay.tx is not None
    assert sm.AllowCharging(1, True, 10) in out.commands


def test_charger_setup_checks_the_installation_maximum(db: Database) -> None:
    def charger(name: str, port: str, **settings_: Any) -> ChargerInput:
        return ChargerInput(name, "openevse", port, settings=settings_)

    with db.session() as s:
        for bad in (100, "abc", 3):
            with pytest.raises(UserError, match=r"charger X: .*installation_max_a"):
                add_charger(s, charger("X", "/dev/ttyUSB0", installation_max_a=bad))
        row = add_charger(s, charger("Y", "/dev/ttyUSB1", installation_max_a="16"))
        assert row.settings == {"installation_max_a": 16.0}  # stored typed
    with db.session() as s:
        assert [c.name for c in s.scalars(select(Charger))] == ["Y"]


# ---------------------------------------------------------------- the property


@dataclass
class Rig:
    """One in-process charger behind the real coordinator and state machine."""

    conn: VirtualConnector
    coord: ChargerCoordinator
    clock: ManualClock
    bay: sm.BayState
    cfg: SessionConfig

    async def run(self, event: sm.Event) -> None:
        out = sm.step(self.bay, event, self.clock.now(), self.cfg)
        self.bay = out.bay
        for cmd in out.commands:
            await self.coord.execute(1, cmd)

    async def poll(self) -> None:
        try:
            reading = await self.coord.poll_once()
        except DeviceError as e:
            self.coord.opened = False  # as ChargerCoordinator.run does after a failure
            await self.run(sm.CommLost(str(e)))
            return
        for c in reading.connectors:
            await self.run(sm.Observed(c, reading.rebooted))


_rig_names = itertools.count()


async def make_rig(
    installation_max_a: float | None, device_max_a: float, reports_max: bool, cable: float | None
) -> Rig:
    name = f"limits-{next(_rig_names)}"
    conn = VirtualConnector(
        max_current_a=device_max_a, current_limit_a=device_max_a, cable_max_a=cable
    )
    inproc.VIRTUAL_CHARGERS[name] = VirtualCharger(connectors=[conn], reports_max=reports_max)
    settings_ = {} if installation_max_a is None else {"installation_max_a": installation_max_a}
    driver = create_charger("inproc", DeviceConfig(f"inproc://{name}", settings=settings_))
    clock = ManualClock()
    inproc.CLOCK[0] = clock

    async def ignore(*_: Any) -> None:
        return None

    coord = ChargerCoordinator(
        1, name, driver, {1: 1}, clock, ignore, ignore, installation_max_a=installation_max_a
    )
    return Rig(conn, coord, clock, sm.restore(1, None), SessionConfig(gate_resend_s=5.0))


def test_a_set_current_above_the_installation_maximum_is_clamped() -> None:
    async def go() -> list[float]:
        rig = await make_rig(13.0, 32.0, True, None)
        await rig.poll()
        await rig.coord.execute(1, sm.SetCurrent(1, 32.0))
        await rig.coord.execute(1, sm.SetCurrent(1, 10.0))
        return rig.conn.told_a

    assert asyncio.run(go()) == [13.0, 10.0]


CARDS = st.lists(st.one_of(st.none(), st.integers(6, 40)), min_size=1, max_size=3)
# A session from plug-in (or card first) to its end, with what may happen in between.
EPISODE = st.tuples(
    st.just("session"),
    st.integers(0, 2),  # the card
    st.booleans(),  # card tapped before the car is plugged
    st.sampled_from(["none", "reboot", "silence", "outage", "wait"]),  # during the session
    st.sampled_from(["unplug", "retap"]),  # how it ends
)
ACTIONS = st.lists(
    st.one_of(
        EPISODE,
        st.tuples(st.just("plug")),
        st.tuples(st.just("unplug")),
        st.tuples(st.just("tap"), st.integers(0, 2)),
        st.tuples(st.just("reboot")),
        st.tuples(st.just("silence")),
        st.tuples(st.just("outage")),
        st.tuples(st.just("wait"), st.integers(1, 20)),
    ),
    max_size=12,
)


def expand(actions: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Episodes into single steps."""
    for a in actions:
        if a[0] != "session":
            yield a
            continue
        _, card, card_first, during, end = a
        yield from ([("tap", card), ("plug",)] if card_first else [("plug",), ("tap", card)])
        if during != "none":
            yield (during, 7) if during == "wait" else (during,)
        yield ("unplug",) if end == "unplug" else ("tap", card)
        yield ("unplug",)


def expected_a(
    inst: float | None, dev: float, reports: bool, cable: float | None, card: float | None
) -> float:
    """The session's current, computed here independently of engine/current.py."""
    limits = [x for x in (inst, dev if reports else None, cable, card) if x is not None]
    return float(min(limits))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inst=st.one_of(st.none(), st.sampled_from([6.0, 10.0, 13.0, 16.0, 20.0, 32.0, 40.0])),
    dev=st.sampled_from([16.0, 32.0, 40.0, 80.0]),
    reports=st.booleans(),
    cable=st.one_of(st.none(), st.sampled_from([13.0, 20.0, 32.0])),
    cards=CARDS,
    actions=ACTIONS,
)
def test_no_current_above_the_installation_maximum_and_each_session_its_own(
    inst: float | None,
    dev: float,
    reports: bool,
    cable: float | None,
    cards: list[int | None],
    actions: list[tuple[Any, ...]],
) -> None:
    asyncio.run(_property(inst, dev, reports, cable, cards, actions))


async def _property(
    inst: float | None,
    dev: float,
    reports: bool,
    cable: float | None,
    cards: list[int | None],
    actions: list[tuple[Any, ...]],
) -> None:
    rig = await make_rig(inst, dev, reports, cable)
    conn = rig.conn
    safe = inst is not None or reports  # some current is known to be safe
    await rig.poll()
    for action in expand(actions):
        kind = action[0]
        now = rig.clock.now()
        if kind == "plug" and conn.ev is None:
            conn.plug(EV(capacity_wh=100_000, soc=0.1), now)
        elif kind == "unplug" and conn.ev is not None:
            conn.unplug(now)
        elif kind == "tap":
            i = action[1] % len(cards)
            facts = CardFacts(card_id=i + 1, uid=f"CARD{i}", max_current_a=cards[i])
            auth = authorize(facts, 1, datetime.fromtimestamp(now))
            await rig.run(sm.CardPresented(auth))
        elif kind == "reboot":
            if rig.bay.tx is not None:
                event("a charger rebooted during a session")
            conn.reboot(now)
            conn.current_limit_a = conn.max_current_a  # the volatile limit is lost
        elif kind in ("silence", "outage"):
            dev_ = inproc.VIRTUAL_CHARGERS[rig.coord.name]
            dev_.silent = True
            await rig.poll()
            if kind == "outage":  # it lost power while nobody could see it
                if rig.bay.tx is not None:
                    event("a charger restarted unseen during a session")
                conn.reboot(now)
                conn.current_limit_a = conn.max_current_a
            dev_.silent = False
        elif kind == "wait":
            rig.clock.advance(action[1])
        await rig.poll()

        # Nothing above the installation maximum ever reached the device.
        if inst is not None:
            assert all(a <= inst for a in conn.told_a), conn.told_a
            assert not conn.enabled or conn.current_limit_a <= inst
        if not safe:  # cannot tell, nothing set: never a current, never the gate
            assert conn.told_a == [] and not conn.enabled
            assert rig.bay.fault == "Misconfigured" and rig.bay.tx is None
        # A session that may charge offers exactly its own current.
        tx = rig.bay.tx
        if tx is not None and conn.enabled:
            want = expected_a(inst, dev, reports, cable, tx.auth.max_current_a)
            event("a session charged")
            assert conn.told_a and conn.told_a[-1] == want
            assert conn.current_limit_a == min(want, dev)


# ---------------------------------------------------------------- the engine, in-process


def _inproc_site(db: Database, name: str, settings_: dict[str, Any], dev: VirtualCharger) -> None:
    inproc.VIRTUAL_CHARGERS[name] = dev
    with db.session() as s:
        c = Charger(name=name, driver="inproc", port=f"inproc://{name}", settings=settings_)
        s.add(c)
        s.flush()
        s.add(Bay(id=1, charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid="0A1B2C3D", holder="Ann"))


@contextmanager
def _engine(db: Database) -> Iterator[Engine]:
    clock = WarpClock(60.0)
    inproc.CLOCK[0] = clock
    cfg = EngineConfig(
        CoordinatorConfig(poll_interval_s=0.02, backoff_min_s=0.05, backoff_max_s=0.2),
        SessionConfig(),
    )
    engine = Engine(db, clock, cfg)
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


def test_a_charger_that_cannot_tell_its_maximum_and_has_no_setting_never_charges(
    db: Database,
) -> None:
    dev = VirtualCharger(
        connectors=[VirtualConnector(max_current_a=80.0, current_limit_a=80.0)], reports_max=False
    )
    _inproc_site(db, f"nomax-{id(db)}", {}, dev)
    with _engine(db) as eng:
        wait_for(lambda: eng.bays[1].fault == "Misconfigured", what="bay faulted Misconfigured")
        dev.connectors[0].plug(EV(), eng.clock.now())
        auth = eng.present_card("0A1B2C3D", 1).result(5)
        assert auth.status is AuthStatus.ACCEPTED  # the card is fine; the bay is not
        eng.drain()
        assert eng.bays[1].tx is None and eng.bays[1].status is BayStatus.FAULTED
        assert not dev.connectors[0].enabled and dev.connectors[0].told_a == []
    with db.session() as s:
        kinds = {(e.kind, e.code) for e in s.scalars(select(ChargerEvent))}
        detail = s.scalar(select(ChargerEvent.detail).where(ChargerEvent.kind == "misconfigured"))
        assert s.scalar(select(ChargeSession.id)) is None
    assert ("card_refused", "Accepted") in kinds
    assert "installation_max_a" in (detail or "")


# ---------------------------------------------------------------- Heidelberg over TCP


class RecordingHeidelberg(HeidelbergBox):
    """The project's Heidelberg box, keeping every value written to register 261."""

    def __init__(self, slave: int) -> None:
        super().__init__(slave)
        self.written_261: list[int] = []

    def write_register(self, address: int, value: int, now: float) -> int | None:
        if address == 261:
            self.written_261.append(value)
        return super().write_register(address, value, now)


class RecordingEvseDin(EvseDinBox):
    def __init__(self, slave: int, pp_a: int) -> None:
        super().__init__(slave)
        self.holding[1003] = pp_a  # 0: tethered cable, PP detection off
        self.written_1000: list[int] = []

    def power_on(self) -> None:
        pp = getattr(self, "holding", {}).get(1003, 32)
        super().power_on()
        self.holding[1003] = pp

    def write_register(self, address: int, value: int, now: float) -> int | None:
        if address == 1000:
            self.written_1000.append(value)
        return super().write_register(address, value, now)


@contextmanager
def _modbus_site(
    db: Database, box: Any, driver: str, settings_: dict[str, Any]
) -> Iterator[tuple[Engine, ModbusBusSim]]:
    clock = WarpClock(60.0)
    bus = ModbusBusSim([box], clock, FAST)
    bus.serve_tcp()
    bus.start()
    try:
        with db.session() as s:
            c = Charger(
                name="box",
                driver=driver,
                port=bus.url,
                address=box.slave,
                settings={**SIM_SETTINGS, **settings_},
            )
            s.add(c)
            s.flush()
            s.add(Bay(id=1, charger_id=c.id, connector=1, label="P1"))
            add_card(s, CardInput(uid="0A1B2C01", holder="Ann", max_current_a=10))
            add_card(s, CardInput(uid="0A1B2C02", holder="Ben"))
        cfg = EngineConfig(
            CoordinatorConfig(
                poll_interval_s=0.05, read_timeout_s=5.0, backoff_min_s=0.05, backoff_max_s=0.2
            ),
            SessionConfig(sample_interval_s=30.0),
        )
        engine = Engine(db, clock, cfg)
        engine.start()
        try:
            yield engine, bus
        finally:
            engine.stop()
    finally:
        bus.stop()


def _session(eng: Engine, bus: ModbusBusSim, uid: str) -> None:
    """Plug in, tap `uid`, wait for the session to charge."""
    wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="bay available")
    bus.plug(1, EV(capacity_wh=200_000, soc=0.2))
    wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="bay preparing")
    assert eng.present_card(uid, 1).result(5).status is AuthStatus.ACCEPTED
    wait_for(lambda: eng.bays[1].status is BayStatus.CHARGING, what="charging")


def _end(eng: Engine, bus: ModbusBusSim) -> None:
    bus.unplug(1)
    wait_for(lambda: eng.bays[1].tx is None, what="session closed")


def test_heidelberg_a_limited_card_does_not_leak_into_the_next_session(db: Database) -> None:
    box = RecordingHeidelberg(1)
    with _modbus_site(db, box, "heidelberg", {}) as (eng, bus):
        _session(eng, bus, "0A1B2C01")  # Ann: 10 A
        assert box.holding[261] == 100
        _end(eng, bus)
        wait_for(lambda: box.holding[261] == 0, what="gate shut")
        _session(eng, bus, "0A1B2C02")  # Ben: no limit → the box's 16 A, not Ann's 10 A
        wait_for(lambda: box.holding[261] == 160, what="Ben's session at 16 A")
        assert max(box.written_261) == 160


def test_heidelberg_never_above_the_installation_maximum(db: Database) -> None:
    box = RecordingHeidelberg(1)
    with _modbus_site(db, box, "heidelberg", {"installation_max_a": 13}) as (eng, bus):
        _session(eng, bus, "0A1B2C02")
        assert box.holding[261] == 130
        _end(eng, bus)
        _session(eng, bus, "0A1B2C01")
        assert box.holding[261] == 100
        assert box.written_261 and max(box.written_261) <= 130


def test_evse_din_with_pp_0_and_no_setting_is_never_offered_80_a(db: Database) -> None:
    box = RecordingEvseDin(1, pp_a=0)
    with _modbus_site(db, box, "evse-din", {}) as (eng, bus):
        wait_for(lambda: eng.bays[1].fault == "Misconfigured", what="misconfigured")
        bus.plug(1, EV())
        eng.present_card("0A1B2C02", 1).result(5)
        eng.drain()
        assert eng.bays[1].tx is None
        assert all(v == 0 for v in box.written_1000) and box.holding[1000] == 0


def test_evse_din_with_pp_0_charges_at_the_installation_maximum(db: Database) -> None:
    box = RecordingEvseDin(1, pp_a=0)
    with _modbus_site(db, box, "evse-din", {"installation_max_a": 16}) as (eng, bus):
        wait_for(lambda: eng.bays[1].status is BayStatus.AVAILABLE, what="bay available")
        bus.plug(1, EV(capacity_wh=200_000, soc=0.2))
        wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="bay preparing")
        eng.present_card("0A1B2C02", 1).result(5)
        wait_for(lambda: box.holding[1000] == 16, what="16 A offered")
        assert max(box.written_1000) == 16


# ---------------------------------------------------------------- OpenEVSE on a pty


class FirmwareOpenEVSE(OpenEVSESim):
    """The project's OpenEVSE simulator, keeping every `$SC` it is sent; a reboot drops the
    volatile `$SC … V` current back to the stored one, as the firmware does (`$SC V` is not
    written to EEPROM)."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.sc: list[int] = []

    def _command(self, cmd: str, args: list[str]) -> tuple[bool, str]:
        if cmd == "SC" and args:
            self.sc.append(int(args[0]))
        return super()._command(cmd, args)

    def reboot(self) -> None:
        with self.lock:
            self.conn.current_limit_a = self.conn.max_current_a
            super().reboot()


def test_openevse_card_limit_per_session_and_again_after_a_reboot(
    db: Database, tmp_path: Path
) -> None:
    clock = WarpClock(30.0)
    sim = FirmwareOpenEVSE(PtyEndpoint(tmp_path / "evse"), clock, max_current_a=32.0).start()
    try:
        with db.session() as s:
            c = Charger(name="evse", driver="openevse", port=str(tmp_path / "evse"))
            s.add(c)
            s.flush()
            s.add(Bay(id=1, charger_id=c.id, connector=1, label="P1"))
            add_card(s, CardInput(uid="0A1B2C01", holder="Ann", max_current_a=10))
            add_card(s, CardInput(uid="0A1B2C02", holder="Ben"))
        cfg = EngineConfig(
            CoordinatorConfig(poll_interval_s=0.05, backoff_min_s=0.05, backoff_max_s=0.2),
            SessionConfig(gate_resend_s=2.0),
        )
        eng = Engine(db, clock, cfg)
        eng.start()
        try:
            wait_for(lambda: sim.st.mode == "sleeping", what="gated")
            sim.plug(EV(capacity_wh=100_000, soc=0.2, max_power_w=7000))
            wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
            eng.present_card("0A1B2C01", 1).result(5)
            wait_for(lambda: sim.st.mode == "active", what="enabled")
            assert sim.conn.current_limit_a == 10
            # The controller reboots mid-session: the card's 10 A is sent again.
            n = len(sim.sc)
            sim.reboot()
            assert sim.conn.current_limit_a == 32
            wait_for(lambda: len(sim.sc) > n and sim.conn.current_limit_a == 10, what="10 A")
            assert eng.bays[1].tx is not None
            sim.unplug()
            wait_for(lambda: eng.bays[1].tx is None, what="session closed")
            # Ben has no limit: he gets the charger's 32 A, not Ann's 10 A.
            sim.plug(EV(capacity_wh=100_000, soc=0.2, max_power_w=7000))
            wait_for(lambda: eng.bays[1].status is BayStatus.PREPARING, what="preparing")
            eng.present_card("0A1B2C02", 1).result(5)
            wait_for(lambda: sim.st.mode == "active", what="enabled")
            wait_for(lambda: sim.conn.current_limit_a == 32, what="32 A for Ben")
            assert sim.sc[-1] == 32 and max(sim.sc) == 32
        finally:
            eng.stop()
    finally:
        sim.stop()


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db
