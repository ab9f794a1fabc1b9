"""The roles × actions matrix through the core: every check of the permission table, and
every service that exists (cards, operators, audit, the running engine's bay commands).

A forbidden action raises PermissionDenied naming who, what and who may, changes nothing,
and leaves a `denied` audit entry; an allowed one succeeds and is audited as `ok`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr.access import audit
from stationmgr.access.context import Actor, acting, allowed, demo_actor, require
from stationmgr.access.operators import (
    create_operator,
    list_operators,
    reset_password,
    set_active,
    set_role,
)
from stationmgr.access.roles import ACTIONS, PERMISSIONS, Role, role_may
from stationmgr.cards import CardInput, add_card, export_csv, get_card, import_csv, set_blocked
from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.errors import PermissionDenied
from stationmgr.sim.device import VirtualCharger
from stationmgr.store.db import Database, open_database
from stationmgr.store.models import AuditEntry, Bay, Card, Charger, Operator
from tests.access_site import add_staff

SEED_CARD = "DEADBEEF"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, dict, Engine]]:
    """A protected site with one in-process charger, a card and one operator per role."""
    path = tmp_path_factory.mktemp("matrix") / "site.sqlite3"
    db = open_database(f"sqlite:///{path}")
    name = f"matrix-{id(db)}"
    with db.session() as s:  # a fresh site: no login needed yet
        c = Charger(name=name, driver="inproc", port=f"inproc://{name}")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid=SEED_CARD, holder="Seed"))
    inproc.VIRTUAL_CHARGERS[name] = VirtualCharger()
    staff = add_staff(db)
    clock = WarpClock(60.0)
    inproc.CLOCK[0] = clock
    engine = Engine(db, clock, EngineConfig(CoordinatorConfig(poll_interval_s=0.02)))
    engine.start()
    try:
        yield db, staff.actors, engine
    finally:
        engine.stop()
        inproc.VIRTUAL_CHARGERS.pop(name, None)
        db.dispose()


def _uid(role: Role, n: int) -> str:
    return f"0A{list(Role).index(role):02X}{n:04X}"


def cards_add(db: Database, engine: Engine, a: Actor) -> None:
    with db.session() as s:
        add_card(s, CardInput(uid=_uid(a.role, 1), holder="New"), actor=a)


def cards_edit(db: Database, engine: Engine, a: Actor) -> None:
    with db.session() as s:
        set_blocked(s, SEED_CARD, True, actor=a)
    with db.session() as s:
        set_blocked(s, SEED_CARD, False, actor=a)


def cards_import(db: Database, engine: Engine, a: Actor) -> None:
    text = f"uid,holder\n{_uid(a.role, 2)},Imported\n{_uid(a.role, 3)},Imported\n"
    with db.session() as s:
        assert import_csv(s, text, actor=a) == 2


def cards_export(db: Database, engine: Engine, a: Actor) -> None:
    out = io.StringIO()
    with db.session() as s:
        export_csv(s, out, actor=a)
    assert SEED_CARD in out.getvalue()


def operators_manage(db: Database, engine: Engine, a: Actor) -> None:
    username = f"temp-{a.role.value}"
    with db.session() as s:
        create_operator(s, username, Role.ATTENDANT, "temporary-Pa55", actor=a)
    with db.session() as s:
        reset_password(s, username, "temporary-Pa56", actor=a)
    with db.session() as s:
        set_role(s, username, Role.ACCOUNTANT, actor=a)
    with db.session() as s:
        set_active(s, username, False, actor=a)


def operators_read(db: Database, engine: Engine, a: Actor) -> None:
    with db.session() as s:
        assert len(list_operators(s, actor=a)) >= 3


def bays_remote_start(db: Database, engine: Engine, a: Actor) -> None:
    engine.remote_start(1, "typed-name", "forgot the card", actor=a).result(10)


def bays_remote_stop(db: Database, engine: Engine, a: Actor) -> None:
    engine.remote_stop(1, "typed-name", "guest leaves", actor=a).result(10)


def bays_out_of_order(db: Database, engine: Engine, a: Actor) -> None:
    engine.set_out_of_order(1, True, "typed-name", actor=a).result(10)
    engine.set_out_of_order(1, False, "typed-name", actor=a).result(10)


def tariffs_edit(db: Database, engine: Engine, a: Actor) -> None:
    from datetime import UTC, datetime

    from stationmgr.billing.tariffs import TariffInput, add_tariff

    month = 1 + list(Role).index(a.role)
    t = TariffInput(f"Standard {a.role}", datetime(2030, month, 1, tzinfo=UTC), vat_bp=2500)
    with db.session() as s:
        add_tariff(s, t, actor=a)


def budgets_add(db: Database, engine: Engine, a: Actor) -> None:
    from stationmgr.billing.budgets import add_budget

    with db.session() as s:
        add_budget(s, "month", "kWh", "100", card_uid=SEED_CARD, actor=a)


SERVICES: dict[str, Callable[[Database, Engine, Actor], None]] = {
    "tariffs.edit": tariffs_edit,
    "cards.edit (budget)": budgets_add,
    "cards.add": cards_add,
    "cards.edit": cards_edit,
    "cards.import": cards_import,
    "cards.export": cards_export,
    "operators.manage": operators_manage,
    "operators.read": operators_read,
    "bays.remote_start": bays_remote_start,
    "bays.remote_stop": bays_remote_stop,
    "bays.out_of_order": bays_out_of_order,
}

READS = {"operators.read"}
AUDITED_BY_CALLER = {"tariffs.edit", "cards.edit (budget)"}  # the CLI and the GUI audit these


def _counts(db: Database) -> tuple[int, int, bool]:
    with db.session() as s:
        cards = s.scalar(select(func.count(Card.id))) or 0
        ops = s.scalar(select(func.count(Operator.id)))
        blocked = get_card(s, SEED_CARD).blocked
    return cards, ops or 0, blocked


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", sorted(SERVICES))
def test_service_matrix(site, role: Role, action: str) -> None:  # type: ignore[no-untyped-def]
    db, actors, engine = site
    actor = actors[role]
    case, action = action, action.split(" ")[0]
    with db.session() as s:
        last_id = s.scalar(select(func.max(AuditEntry.id))) or 0
    if role_may(role, action):
        SERVICES[case](db, engine, actor)
        with db.session() as s:
            new = list(s.scalars(select(AuditEntry).where(AuditEntry.id > last_id)))
        if case not in READS | AUDITED_BY_CALLER:  # reads are not audited; changes are
            assert new, f"{action} by {role} left no audit entry"
        assert all(e.outcome == audit.OK and e.operator == actor.username for e in new)
        return
    before = _counts(db)
    with pytest.raises(PermissionDenied) as err:
        SERVICES[case](db, engine, actor)
    message = str(err.value)
    assert actor.username in message and role.value in message
    assert ACTIONS[action] in message and "owner" in message  # what, and who may
    assert _counts(db) == before, "a refused action changed something"
    with db.session() as s:
        new = list(s.scalars(select(AuditEntry).where(AuditEntry.id > last_id)))
    assert [(e.operator, e.action, e.outcome) for e in new] == [
        (actor.username, action, audit.DENIED)
    ]
    assert new[0].detail and role.value in new[0].detail


def test_engine_records_the_signed_in_operator_not_the_typed_name(site) -> None:  # type: ignore[no-untyped-def]
    db, actors, engine = site
    arne = actors[Role.ATTENDANT]
    engine.remote_stop(1, "someone-else", "check", actor=arne).result(10)
    with db.session() as s:
        e = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (e.operator, e.action, e.target) == (arne.username, "bays.remote_stop", "P1")


@pytest.mark.parametrize("role", list(Role))
def test_every_declared_action_follows_the_table(site, role: Role) -> None:  # type: ignore[no-untyped-def]
    """The check itself, for every action in the table (services yet to come included)."""
    db, actors, _ = site
    actor = actors[role]
    for action in ACTIONS:
        assert allowed(actor, action) == (action in PERMISSIONS[role])
        with db.session() as s:
            last_id = s.scalar(select(func.max(AuditEntry.id))) or 0
            if action in PERMISSIONS[role]:
                assert require(actor, action, s) == actor
                continue
            with pytest.raises(PermissionDenied, match=role.value):
                require(actor, action, s, target="t")
        with db.session() as s:
            (e,) = s.scalars(select(AuditEntry).where(AuditEntry.id > last_id))
            assert (e.operator, e.action, e.outcome, e.target) == (
                actor.username,
                action,
                audit.DENIED,
                "t",
            )


def test_roles_match_the_issue(site) -> None:  # type: ignore[no-untyped-def]
    assert PERMISSIONS[Role.OWNER] == frozenset(ACTIONS)
    att, acc = PERMISSIONS[Role.ATTENDANT], PERMISSIONS[Role.ACCOUNTANT]
    assert {"bays.remote_start", "bays.remote_stop", "faults.acknowledge", "cards.read"} <= att
    assert not {"cards.add", "tariffs.edit", "operators.manage", "billing.export"} & att
    assert {"receipts.issue", "statements.create", "billing.export", "sessions.export"} <= acc
    assert not {a for a in acc if a.startswith(("bays.remote", "chargers.add", "cards.add"))}
    with pytest.raises(KeyError):
        role_may(Role.OWNER, "cards.ad")  # a typo is an error, never a silent yes or no


def test_no_actor_is_refused_once_operators_exist(site) -> None:  # type: ignore[no-untyped-def]
    db, _, engine = site
    with db.session() as s, pytest.raises(PermissionDenied, match="sign in first"):
        add_card(s, CardInput(uid="0BADC0DE"))
    with pytest.raises(PermissionDenied, match="sign in first"):
        engine.remote_start(1, "anyone", "no login")
    with db.session() as s, pytest.raises(PermissionDenied, match="demo login"):
        add_card(s, CardInput(uid="0BADC0DE"), actor=demo_actor())
    e = audit_last(db)
    assert (e.operator, e.outcome) == ("demo", audit.DENIED)


def test_disabled_operator_is_refused_at_once(site) -> None:  # type: ignore[no-untyped-def]
    db, actors, _ = site
    with db.session() as s:
        create_operator(s, "shortlived", Role.OWNER, "shortlived-Pa55", actor=actors[Role.OWNER])
    from stationmgr.access.operators import authenticate

    signed_in = authenticate(db, "shortlived", "shortlived-Pa55")
    with db.session() as s:
        set_active(s, "shortlived", False, actor=actors[Role.OWNER])
    with db.session() as s, pytest.raises(PermissionDenied, match="disabled"):
        add_card(s, CardInput(uid="0BADF00D"), actor=signed_in)


def test_the_acting_context_is_used_when_no_actor_is_passed(site) -> None:  # type: ignore[no-untyped-def]
    db, actors, _ = site
    with acting(actors[Role.ACCOUNTANT]), db.session() as s, pytest.raises(PermissionDenied):
        set_blocked(s, SEED_CARD, True)
    with acting(actors[Role.OWNER]), db.session() as s:
        set_blocked(s, SEED_CARD, False)
    assert audit_last(db).operator == actors[Role.OWNER].username


def test_fresh_site_needs_no_login(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        with db.session() as s:
            add_card(s, CardInput(uid="0A0B0C0D"))
        with db.session() as s:
            assert require(None, "operators.manage", s) is None
            assert require(demo_actor(), "tariffs.edit", s) == demo_actor()
        e = audit_last(db)
        assert (e.operator, e.action, e.outcome) == (None, "cards.add", audit.OK)
        assert demo_actor().demo and "demo" in demo_actor().label.lower()
    finally:
        db.dispose()


def audit_last(db: Database) -> AuditEntry:
    with db.session() as s:
        e = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert e is not None
    return e
