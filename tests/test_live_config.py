"""Live configuration: chargers, readers and settings changed in the database take effect in
the running site (`SiteRuntime.changed` → `Engine.apply_changes`) without a restart, while
the chargers nobody touched keep polling. Real engine, real SQLite, in-process virtual
chargers and, for ports, the OpenEVSE and RDM6300 simulators on real ptys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import serial
from sqlalchemy import select

from stationmgr.drivers import inproc
from stationmgr.engine import EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.engine.engine import REMOVED_DETAIL
from stationmgr.errors import UserError
from stationmgr.events import ConfigurationChanged
from stationmgr.ocpp_words import BayStatus, StopReason
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.settings import set_setting
from stationmgr.sim.device import VirtualCharger
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.site_setup import (
    ChargerInput,
    ReaderInput,
    add_charger,
    add_reader,
    remove_charger,
    remove_reader,
    update_charger,
)
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession
from tests.helpers.openevse import status_polls
from tests.helpers.wait import wait_until
from tests.site import build_site, running_site

CARD = "0A1B2C3D"


def bay_id(db: Database, label: str) -> int:
    with db.session() as s:
        found = s.scalar(select(Bay.id).where(Bay.label == label))
        assert found is not None
        return found


def charger_id(db: Database, name: str) -> int:
    with db.session() as s:
        found = s.scalar(select(Charger.id).where(Charger.name == name))
        assert found is not None
        return found


def labels(rt: SiteRuntime) -> list[str]:
    return [s.label for s in rt.engine.snapshots()]


def changes(rt: SiteRuntime) -> list[ConfigurationChanged]:
    seen: list[ConfigurationChanged] = []
    rt.bus.subscribe(seen.append, ConfigurationChanged)
    return seen


def polls_go_on(rt: SiteRuntime, charger: int, more: int = 5) -> None:
    """The coordinator of `charger` polls `more` times again (it was never stopped)."""
    coord = rt.engine.coordinators[charger]
    seen = coord.polls
    wait_until(lambda: coord.polls >= seen + more, what=f"charger {charger} polled on")


def charge(rt: SiteRuntime, dev: VirtualCharger, bay: int) -> str:
    """Plug in, tap the card: the session's uid once the car charges."""
    eng = rt.engine
    dev.connectors[0].plug(EV(capacity_wh=60_000, soc=0.3), eng.clock.now())
    wait_until(lambda: eng.bays[bay].status is BayStatus.PREPARING, what="preparing")
    auth = eng.present_card(CARD, bay).result(10)
    assert auth.accepted, auth.reason
    wait_until(lambda: eng.bays[bay].status is BayStatus.CHARGING, what="charging")
    tx = eng.bays[bay].tx
    assert tx is not None
    return tx.uid


def test_a_charger_added_while_running_is_polled_and_takes_a_card(sqlite_db: Database) -> None:
    (dev1,) = build_site(sqlite_db, chargers=1)
    with running_site(sqlite_db) as rt:
        seen = changes(rt)
        first = rt.engine.coordinators[charger_id(sqlite_db, f"vc1-{id(sqlite_db)}")]
        polls_go_on(rt, first.charger_id)
        name = f"added-{id(sqlite_db)}"
        inproc.VIRTUAL_CHARGERS[name] = dev2 = VirtualCharger()
        with sqlite_db.session() as s:
            add_charger(s, ChargerInput(name, "inproc", f"inproc://{name}", bays=("P9",)))
        assert "P9" not in labels(rt)  # nothing happens behind the site's back
        before = first.polls
        rt.changed({"chargers"}).result(10)

        assert labels(rt) == ["P1", "P9"]
        assert [e.kinds for e in seen] == [frozenset({"chargers"})]
        new = rt.engine.coordinators[charger_id(sqlite_db, name)]
        wait_until(lambda: new.polls >= 3, what="the added charger polled")
        uid = charge(rt, dev2, bay_id(sqlite_db, "P9"))
        assert dev2.connectors[0].enabled
        # The charger already there was never restarted and never stopped polling.
        assert rt.engine.coordinators[first.charger_id] is first
        assert first.polls > before
        polls_go_on(rt, first.charger_id)
        assert not dev1.connectors[0].plugged
    with sqlite_db.session() as s:
        assert s.scalar(select(ChargeSession.tx_uid).where(ChargeSession.tx_uid == uid)) == uid


@pytest.fixture
def openevse() -> Iterator[OpenEVSESim]:
    sim = OpenEVSESim(PtyEndpoint(), log_commands=True).start()
    try:
        yield sim
    finally:
        sim.stop()


def port_is_free(port: str) -> bool:
    """Another program could open the port now (the engine opens it with an exclusive
    lock; this open takes one too)."""
    try:
        serial.Serial(port, exclusive=True).close()
    except serial.SerialException:
        return False
    return True


def line_baud(rt: SiteRuntime, port: str) -> int:
    (link,) = [o for o in rt.engine.ports.owners() if getattr(o, "url", None) == port]
    return int(link.settings["baudrate"])


def test_an_edited_then_removed_charger_reopens_its_port_then_releases_it(
    sqlite_db: Database, openevse: OpenEVSESim
) -> None:
    build_site(sqlite_db, chargers=1)
    port = openevse.endpoint.name
    with sqlite_db.session() as s:
        evse = add_charger(s, ChargerInput("evse", "openevse", port, bays=("E1",))).id
    with running_site(sqlite_db) as rt:
        other = charger_id(sqlite_db, f"vc1-{id(sqlite_db)}")
        wait_until(lambda: rt.engine.coordinators[evse].polls >= 3, what="the OpenEVSE polled")
        assert not port_is_free(port)
        assert line_baud(rt, port) == 115200
        # Edited to another baud: the port is opened afresh with it (not the old link's).
        with sqlite_db.session() as s:
            update_charger(s, evse, ChargerInput("evse", "openevse", port, ("E1",), baud=38400))
        rt.changed({"chargers"}).result(15)
        assert line_baud(rt, port) == 38400
        asked = status_polls(openevse)
        wait_until(lambda: status_polls(openevse) >= asked + 3, what="polled at the new baud")

        with sqlite_db.session() as s:
            assert remove_charger(s, evse) == "removed"
        rt.changed({"chargers"}).result(15)

        assert evse not in rt.engine.coordinators and labels(rt) == ["P1"]
        assert port_is_free(port)
        asked = status_polls(openevse)
        polls_go_on(rt, other, more=10)  # ten polls of the other charger later…
        assert status_polls(openevse) == asked  # …nobody asked the removed one anything


def test_an_edited_charger_restarts_with_its_new_settings_and_its_session_goes_on(
    sqlite_db: Database,
) -> None:
    dev1, dev2 = build_site(sqlite_db, chargers=2)
    name1, name2 = f"vc1-{id(sqlite_db)}", f"vc2-{id(sqlite_db)}"
    with running_site(sqlite_db) as rt:
        c1, c2 = charger_id(sqlite_db, name1), charger_id(sqlite_db, name2)
        p1 = bay_id(sqlite_db, "P1")
        uid = charge(rt, dev1, p1)
        conn = dev1.connectors[0]
        assert conn.told_a[-1] == conn.max_current_a == 16.0  # nothing lower is set
        old, untouched = rt.engine.coordinators[c1], rt.engine.coordinators[c2]
        edited = ChargerInput(name1, "inproc", f"inproc://{name1}", ("P1",))
        edited.settings = {"installation_max_a": 10}
        with sqlite_db.session() as s:
            update_charger(s, c1, edited)
        rt.changed({"chargers"}).result(15)

        new = rt.engine.coordinators[c1]
        assert new is not old and new.installation_max_a == 10
        # The session carries on, and its current is written again within the new limit.
        wait_until(lambda: conn.told_a[-1] == 10.0, what="the new limit written")
        assert conn.current_limit_a == 10.0 and conn.enabled
        tx = rt.engine.bays[p1].tx
        assert tx is not None and tx.uid == uid
        assert rt.engine.coordinators[c2] is untouched
        polls_go_on(rt, c2)
        assert not dev2.connectors[0].plugged
    with sqlite_db.session() as s:
        assert [r.tx_uid for r in s.scalars(select(ChargeSession))] == [uid]


def test_a_charger_removed_with_a_session_open_closes_it_and_can_come_back(
    sqlite_db: Database,
) -> None:
    """A charger with history is disabled rather than deleted; its running session is
    stopped like an attendant's stop (reason Remote, the charger told to stop, its meter
    read), then the bay leaves the board. Enabled again, the bay returns."""
    (dev,) = build_site(sqlite_db, chargers=1)
    name = f"vc1-{id(sqlite_db)}"
    with running_site(sqlite_db) as rt:
        c1, p1 = charger_id(sqlite_db, name), bay_id(sqlite_db, "P1")
        uid = charge(rt, dev, p1)
        wait_until(lambda: (rt.engine.bays[p1].tx or 0) and rt.engine.bays[p1].tx.energy_wh > 0)
        with sqlite_db.session() as s:
            assert remove_charger(s, c1) == "disabled"  # it has a session on record
        rt.changed({"chargers"}).result(15)

        assert labels(rt) == [] and c1 not in rt.engine.coordinators
        assert not dev.connectors[0].enabled  # stopped before it was let go
        rt.engine.drain()
        with sqlite_db.session() as s:
            row = s.scalar(select(ChargeSession).where(ChargeSession.tx_uid == uid))
            assert row is not None and row.stopped_at is not None
            assert row.stop_reason == StopReason.REMOTE and row.stop_detail == REMOVED_DETAIL
            assert row.energy_wh > 0 and row.meter_stop_wh is not None

        with sqlite_db.session() as s:
            s.get(Charger, c1).enabled = True  # type: ignore[union-attr]
        rt.changed({"chargers"}).result(15)
        wait_until(lambda: rt.engine.bays[p1].status is BayStatus.PREPARING, what="back")
        assert rt.engine.bays[p1].tx is None  # the closed session stays closed


@pytest.fixture
def reader() -> Iterator[ReaderSim]:
    sim = ReaderSim(PtyEndpoint(), repeat_s=0.05).start()
    try:
        yield sim
    finally:
        sim.stop()


def test_a_reader_added_while_running_reads_cards_and_removed_frees_its_port(
    sqlite_db: Database, reader: ReaderSim
) -> None:
    (dev,) = build_site(sqlite_db, chargers=1)
    port = reader.endpoint.name
    with running_site(sqlite_db) as rt:
        p1 = bay_id(sqlite_db, "P1")
        with sqlite_db.session() as s:
            rid = add_reader(s, ReaderInput("r1", "rdm6300", port, bay="P1")).id
        rt.changed({"readers"}).result(10)
        dev.connectors[0].plug(EV(), rt.clock.now())
        wait_until(lambda: rt.engine.bays[p1].status is BayStatus.PREPARING, what="preparing")
        reader.tap(CARD, hold_s=0.3)
        wait_until(lambda: rt.engine.bays[p1].tx is not None, what="a session from the reader")
        assert not port_is_free(port)

        with sqlite_db.session() as s:
            remove_reader(s, rid)
        rt.changed({"readers"}).result(10)
        assert port_is_free(port)


def test_site_settings_apply_at_once(sqlite_db: Database) -> None:
    """Session settings come from the database (no fixed config): "settings" re-reads them."""
    build_site(sqlite_db, chargers=1)
    clock_cfg = EngineConfig(CoordinatorConfig(poll_interval_s=0.02))
    with build_runtime(sqlite_db, config=clock_cfg) as rt:
        assert rt.engine.session_config.idle_after_s != 123.0
        with sqlite_db.session() as s:
            set_setting(s, "session", {"idle_after_s": 123})
        rt.changed({"settings"}).result(10)
        assert rt.engine.session_config.idle_after_s == 123.0


def test_an_unknown_kind_is_one_clear_line(sqlite_db: Database) -> None:
    build_site(sqlite_db, chargers=1)
    with running_site(sqlite_db) as rt, pytest.raises(UserError, match="unknown configuration"):
        rt.changed({"chargers", "bays"})


def test_a_card_blocked_while_it_charges_stops_its_session(sqlite_db: Database) -> None:
    """Cards are read at every tap; "cards" also re-checks the running sessions: a card
    blocked since its tap is stopped now (DeAuthorized), other sessions run on."""
    from stationmgr.cards import CardInput, add_card, set_blocked

    dev1, dev2 = build_site(sqlite_db, chargers=2)
    with sqlite_db.session() as s:
        add_card(s, CardInput(uid="11223344", holder="Other"))
    with running_site(sqlite_db) as rt:
        eng = rt.engine
        p1, p2 = bay_id(sqlite_db, "P1"), bay_id(sqlite_db, "P2")
        uid = charge(rt, dev1, p1)
        dev2.connectors[0].plug(EV(capacity_wh=60_000, soc=0.3), eng.clock.now())
        wait_until(lambda: eng.bays[p2].status is BayStatus.PREPARING, what="P2 preparing")
        assert eng.present_card("11223344", p2).result(10).accepted
        with sqlite_db.session() as s:
            set_blocked(s, CARD, True)
        assert eng.bays[p1].tx is not None  # nothing happens behind the site's back
        rt.changed({"cards"}).result(15)
        assert eng.bays[p1].tx is None and not dev1.connectors[0].enabled
        assert eng.bays[p2].tx is not None
        eng.drain()
    with sqlite_db.session() as s:
        row = s.scalar(select(ChargeSession).where(ChargeSession.tx_uid == uid))
        assert row is not None and row.stop_reason == StopReason.DEAUTHORIZED
        assert row.stop_detail == f"card {CARD}: card is blocked"


def test_a_new_tariff_reaches_the_live_estimates_also_when_applied_by_the_engine(
    sqlite_db: Database,
) -> None:
    """The site API calls `Engine.apply_changes` directly: the runtime hears the
    `ConfigurationChanged` and tells billing all the same (its cached tariffs dropped)."""
    from datetime import UTC, datetime

    from stationmgr.billing.tariffs import TariffInput, add_tariff

    def tariff(name: str, year: int) -> TariffInput:
        return TariffInput(name, datetime(year, 1, 1, tzinfo=UTC), energy_minor_per_kwh=300)

    build_site(sqlite_db, chargers=1)
    with sqlite_db.session() as s:
        add_tariff(s, tariff("Old", 2020))
    with running_site(sqlite_db) as rt:
        estimates = rt.estimates
        assert estimates is not None
        assert [t.name for t in estimates.tariffs(None, False)] == ["Old"]
        with sqlite_db.session() as s:
            add_tariff(s, tariff("New", 2021))
        assert [t.name for t in estimates.tariffs(None, False)] == ["Old"]  # cached
        rt.engine.apply_changes({"tariffs"}).result(10)
        assert [t.name for t in estimates.tariffs(None, False)] == ["Old", "New"]
    # Not running: the runtime drops the caches itself.
    with sqlite_db.session() as s:
        add_tariff(s, tariff("Newer", 2022))
    assert rt.changed({"tariffs"}).result(1) is None
    assert [t.name for t in estimates.tariffs(None, False)] == ["Old", "New", "Newer"]
