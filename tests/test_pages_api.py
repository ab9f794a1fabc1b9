"""The site API calls of the window's history, reports and chargers pages, over real HTTP
on loopback (a `SiteServer` on a running site, `RemoteClient`s signed in per role): what
each role may do, bad input as one line (400), missing things (404), refusals (403,
audited), and files (CSV, PDF) handed over as text and bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.client import models as m
from stationmgr.client.errors import NotFound
from stationmgr.client.remote import RemoteClient
from stationmgr.errors import PermissionDenied, UserError
from stationmgr.runtime import SiteRuntime
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from stationmgr.store.models import AuditEntry, Charger
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries
from tests.helpers.wait import wait_until
from tests.ui_site import CARD, LiveSite, live_site


@dataclass
class Api:
    site: LiveSite
    db: Database
    url: str

    @property
    def runtime(self) -> SiteRuntime:
        return self.site.runtime

    def signed_in(self, role: Role) -> RemoteClient:
        client = RemoteClient(self.url)
        client.login(USERS[role], PASSWORDS[role])
        return client


@pytest.fixture
def api(sqlite_db: Database) -> Iterator[Api]:
    from stationmgr.service.server import Listen, SiteServer

    with live_site(sqlite_db, bays=2) as site:
        add_staff(sqlite_db)  # after the site's card is enrolled (a fresh site needs no login)
        server = SiteServer(sqlite_db, site.engine, Listen("127.0.0.1", 0, False))
        try:
            yield Api(site, sqlite_db, server.start())
        finally:
            server.stop()


@pytest.fixture
def owner(api: Api) -> Iterator[RemoteClient]:
    client = api.signed_in(Role.OWNER)
    yield client
    client.close()


def one_session(api: Api) -> int:
    """Plug, tap, charge a little, unplug: one stored, priced session; its id."""
    site = api.site
    p1 = site.bay_ids["P1"]
    conn = site.devices["P1"].connectors[0]
    conn.plug(EV(soc=0.3), site.engine.clock.now())
    site.engine.present_card(CARD, p1).result(10)
    wait_until(lambda: (site.engine.snapshot(p1).energy_wh or 0) > 300, 60, what="energy")
    conn.unplug(site.engine.clock.now())
    wait_until(lambda: site.engine.snapshot(p1).tx_uid is None, 30, what="the session closes")
    site.engine.drain()
    with api.db.session() as s:
        from stationmgr.store.models import ChargeSession

        return int(s.scalar(select(ChargeSession.id)))


def test_history_reads_over_http(api: Api, owner: RemoteClient) -> None:
    sid = one_session(api)
    rows = owner.sessions(m.SessionQuery(sort="energy", ascending=True, stop_reason=None))
    assert [r.id for r in rows] == [sid] and rows[0].start_kind == "card"
    totals = owner.session_totals(m.SessionQuery(bay="P1"))
    assert totals.sessions == 1 and totals.energy_wh == rows[0].energy_wh
    assert owner.session_totals(m.SessionQuery(bay="P2")).sessions == 0
    assert [b.label for b in owner.bay_labels()] == ["P1", "P2"]
    d = owner.session(sid)
    energy = [e for _at, e, _w in d.curve]
    assert d.session.id == sid and len(energy) >= 2 and energy == sorted(energy)
    assert energy[0] >= 0 and energy[-1] <= rows[0].energy_wh + 1
    assert d.authorized_at is not None and d.meter_resets == 0
    text = owner.export_sessions_csv(m.SessionQuery())
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["id"] == str(sid) and row["bay"] == "P1"
    (entry,) = audit_entries(api.db, action="sessions.export")
    assert entry.operator == USERS[Role.OWNER]


def test_bad_input_and_missing_things_are_one_line(api: Api, owner: RemoteClient) -> None:
    with pytest.raises(UserError, match="cannot sort the history by 'price'"):
        owner.sessions(m.SessionQuery(sort="price"))
    with pytest.raises(UserError, match="unknown stop reason"):
        owner.session_totals(m.SessionQuery(stop_reason="Tired"))
    with pytest.raises(NotFound, match="no session with id 999"):
        owner.session(999)
    with pytest.raises(UserError, match="expected YYYY-MM-DD"):
        owner.capacity(m.CapacityQuery("2026-3-1", "2026-03-02"))
    with pytest.raises(UserError, match="1 … 50"):
        owner.rotation(0)
    with pytest.raises(NotFound, match="no charger named 'nope'"):
        owner.charger("nope")
    with pytest.raises(NotFound, match="no card reader named 'nope'"):
        owner.edit_reader("nope", m.ReaderConfig("nope", "rdm6300", "/dev/ttyUSB9"))


def test_reports_over_http(api: Api, owner: RemoteClient) -> None:
    one_session(api)
    rot = owner.rotation(3)
    assert rot.estimates and rot.at and {r.label for r in rot.items} == {"P1", "P2"}
    today = rot.at[:10]
    rep = owner.capacity(m.CapacityQuery(today, today))
    assert rep.sessions == 1 and [b.label for b in rep.bays] == ["P1", "P2"]
    assert len(rep.heatmap) == 7 and all(len(h) == 24 for h in rep.heatmap)
    pdf = owner.capacity_pdf(m.CapacityQuery(today, today))
    assert pdf.startswith(b"%PDF")


def test_chargers_edit_over_http_is_applied_by_the_running_site(
    api: Api, owner: RemoteClient
) -> None:
    rows = owner.devices()
    assert rows.running and [len(c.bays) for c in rows.chargers] == [1, 1]
    wait_until(
        lambda: all(c.comm == "answering" for c in owner.devices().chargers), 30, what="polled"
    )
    name = rows.chargers[0].name
    form = owner.charger(name)
    assert form.bays == ["P1"]
    renamed = owner.edit_charger(name, m.ChargerConfig(**{**form.to_json(), "bays": ["Front"]}))
    assert renamed.bays == ["Front"]
    wait_until(
        lambda: "Front" in {s.label for s in api.site.engine.snapshots()}, 30, what="applied"
    )
    with api.db.session() as s:
        assert s.scalar(select(Charger.name).where(Charger.name == name)) == name
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "chargers.edit").limit(1))
        assert entry is not None and entry.operator == USERS[Role.OWNER]


def test_each_role_gets_what_it_may(api: Api) -> None:
    attendant = api.signed_in(Role.ATTENDANT)
    try:
        rows = attendant.devices()  # reading is fine
        name = rows.chargers[0].name
        form = attendant.charger(name)
        with pytest.raises(PermissionDenied, match="arne \\(attendant\\) may not"):
            attendant.edit_charger(name, form)
        with pytest.raises(PermissionDenied):
            attendant.export_sessions_csv(m.SessionQuery())
        today = attendant.rotation().at[:10]
        attendant.capacity(m.CapacityQuery(today, today))
        with pytest.raises(PermissionDenied):
            attendant.capacity_pdf(m.CapacityQuery(today, today))
    finally:
        attendant.close()
    denied = {e.action for e in audit_entries(api.db, outcome="denied", operator="arne")}
    assert {"chargers.edit", "sessions.export"} <= denied


def test_an_ocpp_charger_is_answering_while_its_bays_are_seen_else_waiting() -> None:
    """A charger that connects to the site has no poller: its state comes from its bays
    (the demo's OCPP chargers read "not running" while they charged)."""
    from types import SimpleNamespace

    from stationmgr.client.pages_wire import comm

    bay = SimpleNamespace(online=False)
    engine = SimpleNamespace(
        coordinators={},
        external_chargers={7: object()},
        bays={70: bay},
        bay_info={70: SimpleNamespace(charger_id=7)},
    )
    assert comm(engine, 7, True) == "waiting"
    bay.online = True
    assert comm(engine, 7, True) == "answering"
    assert comm(engine, 8, True) == "not running"  # neither polled nor connecting here
    assert comm(engine, 7, False) == "disabled"
