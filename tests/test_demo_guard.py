"""`demo` never touches a real site (reliability review, defect 2).

`stationmgr --db SITE demo --headless` used to run a second engine on a live site for any
role, unaudited and past the instance lock: it added demo chargers and, with `--virtual
inproc`, disabled every card reader of the site.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.access import audit
from stationmgr.access.roles import Role
from stationmgr.access.secrets import SecretStore
from stationmgr.cli import main
from stationmgr.store.db import Database, InstanceLock, open_database
from stationmgr.store.models import Bay, CardReaderDevice, Charger
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries

DEMO = ["demo", "--headless", "--duration", "0.3", "--speed", "60", "--virtual", "inproc"]


def _real_site(db: Database) -> None:
    with db.session() as s:
        c = Charger(name="north-1", driver="openevse", port="/dev/ttyUSB0", settings={})
        s.add(c)
        s.flush()
        bay = Bay(charger_id=c.id, connector=1, label="N1")
        s.add(bay)
        s.flush()
        s.add(
            CardReaderDevice(name="reader-n1", driver="rdm6300", port="/dev/ttyUSB1", bay_id=bay.id)
        )


def _devices(db: Database) -> list[tuple]:  # type: ignore[type-arg]
    with db.session() as s:
        chargers = [(c.name, c.driver, c.port, c.enabled) for c in s.scalars(select(Charger))]
        bays = [(b.label, b.charger_id) for b in s.scalars(select(Bay))]
        readers = [
            (r.name, r.port, r.enabled, r.bay_id) for r in s.scalars(select(CardReaderDevice))
        ]
    return [chargers, bays, readers]


@pytest.fixture
def live_site(tmp_path: Path) -> tuple[str, Database]:
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    db = open_database(url)
    add_staff(db)
    _real_site(db)
    yield url, db  # type: ignore[misc]
    db.dispose()


@pytest.mark.parametrize("role", list(Role))
def test_demo_on_a_site_database_is_refused_for_every_role(
    live_site: tuple[str, Database],
    role: Role,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, db = live_site
    before = _devices(db)
    monkeypatch.setenv("STATIONMGR_USER", USERS[role])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[role])
    assert main(["--db", url, *DEMO]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "demo runs only on a database of its own" in err[0]
    assert _devices(db) == before  # no demo charger added, no reader disabled
    (refusal,) = audit_entries(db, action="demo.run")
    assert refusal.outcome == audit.DENIED and refusal.operator == USERS[role]
    with db.session() as s:
        assert audit.verify_chain(s).ok


def test_demo_on_a_site_without_operators_is_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    db = open_database(url)
    try:
        _real_site(db)
        before = _devices(db)
        assert main(["--db", url, *DEMO]) == 2
        assert "holds a site (1 chargers, 1 card readers)" in capsys.readouterr().err
        assert _devices(db) == before
        assert [e.outcome for e in audit_entries(db, action="demo.run")] == [audit.DENIED]
    finally:
        db.dispose()


def test_demo_without_db_runs_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATIONMGR_HOME", str(tmp_path))
    assert main(DEMO) == 0
    assert capsys.readouterr().out.strip()
    # The throwaway site's audit key and anchors went with its database.
    assert SecretStore(tmp_path).names_in_file() == []


def test_demo_on_its_own_database_runs_again_but_not_beside_a_running_engine(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["--db", url, *DEMO]) == 0  # an empty database becomes the demo's
    assert main(["--db", url, *DEMO]) == 0  # and stays usable by the demo
    db = open_database(url)
    try:
        runs = audit_entries(db, action="demo.run")
        assert [e.outcome for e in runs] == [audit.OK, audit.OK]
        with InstanceLock(db):  # an engine runs on it: the demo does not start a second
            assert main(["--db", url, *DEMO]) == 2
    finally:
        db.dispose()
