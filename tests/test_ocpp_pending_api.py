"""Accepting and refusing a pending OCPP charge point over the site API (real HTTP on
loopback, a `SiteServer` on a running site, `RemoteClient`s signed in per role):
`POST /ocpp/pending/{cpid}/accept` registers it bound to bays (audited as `chargers.add`),
`…/refuse` takes it off the list for good (audited as `chargers.refuse`); an id that is not
pending is 404, a charger name in use 409, a role other than the owner's 403 (audited)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.client.errors import Conflict, NotFound
from stationmgr.client.ocpp_calls import AcceptChargePoint
from stationmgr.client.remote import RemoteClient
from stationmgr.errors import PermissionDenied, UserError
from stationmgr.ocpp.pending import PENDING, REFUSED
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargerEvent
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries
from tests.ui_site import live_site


@dataclass
class Api:
    db: Database
    url: str

    def signed_in(self, role: Role) -> RemoteClient:
        client = RemoteClient(self.url)
        client.login(USERS[role], PASSWORDS[role])
        return client


def visit(db: Database, cpid: str, vendor: str = "Alfen", model: str = "Eve Single") -> None:
    """A pending charge point's visit as the endpoint keeps it (`PendingGate.note`)."""
    detail = {"chargePointVendor": vendor, "chargePointModel": model, "address": "10.0.0.9"}
    with db.session() as s:
        s.add(
            ChargerEvent(ts=datetime.now(UTC), kind=PENDING, code=cpid, detail=json.dumps(detail))
        )


@pytest.fixture
def api(sqlite_db: Database) -> Iterator[Api]:
    from stationmgr.service.server import Listen, SiteServer

    with live_site(sqlite_db, bays=1) as site:
        add_staff(sqlite_db)
        server = SiteServer(sqlite_db, site.engine, Listen("127.0.0.1", 0, False))
        try:
            yield Api(sqlite_db, server.start())
        finally:
            server.stop()


def test_the_owner_accepts_a_pending_charge_point_bound_to_bays(api: Api) -> None:
    visit(api.db, "ALFEN-0042")
    owner = api.signed_in(Role.OWNER)
    try:
        (p,) = owner.pending_charge_points()
        assert (p.charge_point_id, p.vendor, p.model) == ("ALFEN-0042", "Alfen", "Eve Single")
        ch = owner.accept_charge_point("ALFEN-0042", AcceptChargePoint("Garage", ["G1", "G2"]))
        assert (ch.name, ch.driver, ch.bays) == ("Garage", "ocpp", ["G1", "G2"])
        assert owner.pending_charge_points() == []
        with pytest.raises(NotFound, match="no pending charge point 'ALFEN-0042'"):
            owner.accept_charge_point("ALFEN-0042", AcceptChargePoint("Again", ["A1"]))
    finally:
        owner.close()
    with api.db.session() as s:
        row = s.scalar(select(Charger).where(Charger.name == "Garage"))
        assert row is not None and row.settings["charge_point_id"] == "ALFEN-0042"
        bays = s.scalars(select(Bay).where(Bay.charger_id == row.id).order_by(Bay.connector))
        assert [(b.connector, b.label) for b in bays] == [(1, "G1"), (2, "G2")]
    (entry,) = audit_entries(api.db, action="chargers.add", target="Garage")
    assert entry.operator == USERS[Role.OWNER]


def test_a_name_in_use_is_409_and_nothing_is_written(api: Api) -> None:
    visit(api.db, "CP-NAME")
    owner = api.signed_in(Role.OWNER)
    try:
        taken = owner.devices().chargers[0].name
        with pytest.raises(Conflict, match="exists already"):
            owner.accept_charge_point("CP-NAME", AcceptChargePoint(taken, ["Z1"]))
        with pytest.raises(UserError, match="name a bay"):
            owner.accept_charge_point("CP-NAME", AcceptChargePoint("Fresh", []))
        assert [p.charge_point_id for p in owner.pending_charge_points()] == ["CP-NAME"]
    finally:
        owner.close()
    with api.db.session() as s:
        assert s.scalar(select(Charger).where(Charger.name == "Fresh")) is None


def test_the_owner_refuses_one_and_it_stays_off_the_list(api: Api) -> None:
    visit(api.db, "STRANGER-1")
    visit(api.db, "FRIEND-1")
    owner = api.signed_in(Role.OWNER)
    try:
        assert owner.refuse_charge_point("STRANGER-1").charge_point_id == "STRANGER-1"
        visit(api.db, "STRANGER-1")  # it tries again: still refused, not pending
        assert [p.charge_point_id for p in owner.pending_charge_points()] == ["FRIEND-1"]
        with pytest.raises(NotFound):
            owner.refuse_charge_point("STRANGER-1")
        with pytest.raises(NotFound):
            owner.refuse_charge_point("NEVER-SEEN")
    finally:
        owner.close()
    with api.db.session() as s:
        kinds = s.scalars(select(ChargerEvent.code).where(ChargerEvent.kind == REFUSED))
        assert list(kinds) == ["STRANGER-1"]
    (entry,) = audit_entries(api.db, action="chargers.refuse")
    assert entry.target == "charge point STRANGER-1" and entry.operator == USERS[Role.OWNER]


@pytest.mark.parametrize("role", [Role.ATTENDANT, Role.ACCOUNTANT])
def test_other_roles_may_list_but_not_accept_or_refuse(api: Api, role: Role) -> None:
    visit(api.db, "CP-ROLE")
    client = api.signed_in(role)
    try:
        assert [p.charge_point_id for p in client.pending_charge_points()] == ["CP-ROLE"]
        with pytest.raises(PermissionDenied):
            client.accept_charge_point("CP-ROLE", AcceptChargePoint("Mine", ["M1"]))
        with pytest.raises(PermissionDenied):
            client.refuse_charge_point("CP-ROLE")
        with pytest.raises(PermissionDenied):  # the role first: no hint whether it is pending
            client.refuse_charge_point("NEVER-SEEN")
    finally:
        client.close()
    denied = audit_entries(api.db, outcome="denied")
    assert {e.action for e in denied} >= {"chargers.add", "chargers.refuse"}
    with api.db.session() as s:
        assert s.scalar(select(Charger).where(Charger.name == "Mine")) is None
        assert s.scalar(select(ChargerEvent).where(ChargerEvent.kind == REFUSED)) is None
