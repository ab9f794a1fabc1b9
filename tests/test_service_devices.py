"""Driver settings (`chargers set`, `readers set`), the capacity report PDF and the fault log
over `--site` against a real service process: they print what they print on the local
database, are refused alike (exit 3, audited by the site), and bad input is one line (exit
2) with nothing written. The commands that are local by nature say so over `--site`."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.access.context import acting
from stationmgr.access.operators import authenticate
from stationmgr.access.roles import Role
from stationmgr.store.db import open_database
from stationmgr.store.models import Bay, Fault
from tests.access_site import PASSWORDS, USERS
from tests.helpers.service import cli, service
from tests.test_capacity import build_hand_set
from tests.test_service import Site, _make_site, one_line
from tests.test_service_admin import both

pytestmark = pytest.mark.timeout(300)

PERIOD = ("report", "--from", "2026-03-02", "--to", "2026-03-03")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The capacity test's hand-computed sessions, two faults at bay P1, a charger and a
    desk reader that the service cannot reach (settings are changed, nothing is driven)."""
    tmp = tmp_path_factory.mktemp("service-devices")
    url = _make_site(tmp)
    db = open_database(url, upgrade=False)
    try:
        owner = authenticate(db, USERS[Role.OWNER], PASSWORDS[Role.OWNER])
        with acting(owner):
            build_hand_set(db)
        with db.session() as s:
            p1 = s.scalar(select(Bay).where(Bay.label == "P1"))
            assert p1 is not None
            s.add_all(
                Fault(
                    bay_id=p1.id,
                    charger_id=p1.charger_id,
                    code=code,
                    raised_at=datetime(2026, 3, 2, h, tzinfo=UTC),
                )
                for h, code in ((7, "GFCI"), (8, "OverTemperature"))
            )
    finally:
        db.dispose()
    site = Site(tmp, url, None)  # type: ignore[arg-type]
    owner = site.env(Role.OWNER)
    port = ("--port", "socket://127.0.0.1:9")  # nothing listens: the charger stays offline
    add = cli("--db", url, "chargers", "add", "north", "--driver", "openevse", *port, env=owner)
    assert add.returncode == 0, add.stderr
    add = cli(
        "--db", url, "readers", "add", "desk", "--port", "/dev/null-desk", "--desk", env=owner
    )
    assert add.returncode == 0, add.stderr
    with service(tmp, url, env=owner, name="devices") as svc:
        yield Site(tmp, url, svc)


def _settings(site: Site, kind: str, name: str) -> dict[str, object]:
    shown = cli("--db", site.db_url, kind, "list", "--json", env=site.env(Role.OWNER))
    assert shown.returncode == 0, shown.stderr
    (row,) = [r for r in json.loads(shown.stdout) if r["name"] == name]
    return dict(row.get("settings") or {})


def test_driver_settings_change_over_site_as_locally_and_audited(site: Site) -> None:
    argv = ("chargers", "set", "north", "attempts=4", "reply_timeout_s=0.5")
    remote, local = both(site, Role.OWNER, *argv)
    assert remote.returncode == 0, remote.stderr
    assert (
        remote.stdout == local.stdout == "charger north settings: attempts=4 reply_timeout_s=0.5\n"
    )
    done = cli(
        "--site",
        site.svc.url,
        "chargers",
        "set",
        "north",
        "reply_timeout_s=",
        env=site.env(Role.OWNER),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "charger north settings: attempts=4\n"  # KEY= removes one
    assert _settings(site, "chargers", "north") == {"attempts": 4}
    edits = site.audit(action="chargers.edit", outcome="ok")
    assert edits and edits[-1].operator == USERS[Role.OWNER]
    remote, local = both(site, Role.OWNER, "readers", "set", "desk", "release_s=0.8")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout == "card reader desk settings: release_s=0.8\n"
    gone = cli(
        "--site", site.svc.url, "readers", "set", "desk", "release_s=", env=site.env(Role.OWNER)
    )
    assert gone.stdout == "card reader desk settings: (defaults)\n"
    assert _settings(site, "readers", "desk") == {}


def test_an_attendant_may_not_change_driver_settings_and_bad_values_write_nothing(
    site: Site,
) -> None:
    before = _settings(site, "chargers", "north")
    denied_before = len(site.audit(action="chargers.edit", outcome="denied"))
    env = site.env(Role.ATTENDANT)
    refused = cli("--site", site.svc.url, "chargers", "set", "north", "attempts=9", env=env)
    assert refused.returncode == 3
    assert "may not" in one_line(refused.stderr)
    denied = site.audit(action="chargers.edit", outcome="denied")
    assert len(denied) == denied_before + 1 and denied[-1].operator == USERS[Role.ATTENDANT]
    owner = site.env(Role.OWNER)
    for argv in (
        ("chargers", "set", "north", "attempts=many"),
        ("chargers", "set", "north", "no-equals-sign"),
        ("chargers", "set", "ghost", "attempts=2"),
        ("readers", "set", "desk", "release_s=99"),
    ):
        bad = cli("--site", site.svc.url, *argv, env=owner)
        assert bad.returncode == 2, (argv, bad.stderr)
        one_line(bad.stderr)
    assert _settings(site, "chargers", "north") == before
    assert _settings(site, "readers", "desk") == {}


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return " ".join(out.stdout.split())


def test_the_capacity_report_is_made_by_the_site_and_written_here(
    site: Site, tmp_path: Path
) -> None:
    env = site.env(Role.ACCOUNTANT)
    exports = len(site.audit(action="sessions.export", outcome="ok"))
    there, here = tmp_path / "remote.pdf", tmp_path / "local.pdf"
    remote = cli("--site", site.svc.url, *PERIOD, "-o", str(there), env=env)
    local = cli("--db", site.db_url, *PERIOD, "-o", str(here), env=env)
    assert remote.returncode == 0, remote.stderr
    assert local.returncode == 0, local.stderr
    assert remote.stdout == f"wrote {there} (5 sessions, 33.0 kWh)\n"
    assert local.stdout == f"wrote {here} (5 sessions, 33.0 kWh)\n"
    assert there.read_bytes().startswith(b"%PDF")
    assert "5 sessions, 33.0 kWh, 3 bays" in _pdf_text(there)  # P1, P2 and north
    done = site.audit(action="sessions.export", outcome="ok")
    assert len(done) == exports + 2  # once each, by the service that made the PDF
    assert done[-2].operator == USERS[Role.ACCOUNTANT]


def test_an_attendant_may_not_export_the_report_and_bad_dates_write_nothing(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "r.pdf"
    denied_before = len(site.audit(action="sessions.export", outcome="denied"))
    refused = cli("--site", site.svc.url, *PERIOD, "-o", str(out), env=site.env(Role.ATTENDANT))
    assert refused.returncode == 3
    assert "may not export" in one_line(refused.stderr)
    denied = site.audit(action="sessions.export", outcome="denied")
    assert len(denied) == denied_before + 1 and denied[-1].operator == USERS[Role.ATTENDANT]
    env = site.env(Role.ACCOUNTANT)
    backwards = ("report", "--from", "2026-03-05", "--to", "2026-03-03", "-o", str(out))
    bad = cli("--site", site.svc.url, *backwards, env=env)
    assert bad.returncode == 2 and "--to is before --from" in one_line(bad.stderr)
    nowhere = str(tmp_path / "nowhere" / "r.pdf")
    bad = cli("--site", site.svc.url, *PERIOD, "-o", nowhere, env=env)
    assert bad.returncode == 2 and "no folder" in one_line(bad.stderr)
    assert not out.exists() and not (tmp_path / "nowhere").exists()


def _acknowledged(site: Site) -> dict[str, str | None]:
    db = open_database(site.db_url, upgrade=False)
    try:
        with db.session() as s:
            return {f.code: f.acknowledged_by for f in s.scalars(select(Fault))}
    finally:
        db.dispose()


def test_faults_list_alike_and_an_attendant_acknowledges_one_over_site(site: Site) -> None:
    remote, local = both(site, Role.ACCOUNTANT, "faults", "list", "--bay", "P1")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    lines = remote.stdout.splitlines()
    assert lines[0].split() == ["id", "bay", "fault", "raised", "cleared", "acknowledged"]
    assert "OverTemperature" in lines[1] and "GFCI" in lines[2]  # newest first
    assert "2026-03-02T07:00:00+00:00" in lines[2] and "open" in lines[2]
    gfci = lines[2].split()[0]
    # The accountant may read the log, not acknowledge: refused and audited by the site.
    denied_before = len(site.audit(action="faults.acknowledge", outcome="denied"))
    acc = site.env(Role.ACCOUNTANT)
    refused = cli("--site", site.svc.url, "faults", "ack", "--bay", "P1", env=acc)
    assert refused.returncode == 3
    assert "may not" in one_line(refused.stderr)
    denied = site.audit(action="faults.acknowledge", outcome="denied")
    assert len(denied) == denied_before + 1 and denied[-1].operator == USERS[Role.ACCOUNTANT]
    env = site.env(Role.ATTENDANT)
    for argv in (("--id", gfci, "999999"), ("--bay", "nowhere")):
        bad = cli("--site", site.svc.url, "faults", "ack", *argv, env=env)
        assert bad.returncode == 2, bad.stderr
        one_line(bad.stderr)
    assert _acknowledged(site) == {"GFCI": None, "OverTemperature": None}
    done = cli("--site", site.svc.url, "faults", "ack", "--id", gfci, "--note", "reset", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"1 fault(s) acknowledged: {gfci}\n"
    assert _acknowledged(site) == {"GFCI": USERS[Role.ATTENDANT], "OverTemperature": None}
    seen = cli("--site", site.svc.url, "faults", "list", "--unacknowledged", env=env)
    assert "OverTemperature" in seen.stdout and "GFCI" not in seen.stdout
    bad = cli("--site", site.svc.url, "faults", "list", "--bay", "nowhere", env=env)
    assert bad.returncode == 2 and "no bay labelled 'nowhere'" in one_line(bad.stderr)


@pytest.mark.parametrize(
    ("argv", "instead"),
    [
        (("db", "create"), "database file on this PC"),
        (("db", "upgrade"), "upgrades its database at every start"),
        (("ports",), "this PC's serial ports"),
        (("probe", "openevse", "/dev/ttyUSB0"), "wired to"),
        (("simulate", "openevse"), "virtual device"),
        (("demo",), "demo site"),
        (("run",), "stationmgr run --listen"),
        (("secrets", "check", "charger:north:password"), "never sent over the network"),
        (("site", "certificate"), "--site-fingerprint"),
    ],
)
def test_local_commands_over_site_say_so_and_do_nothing(
    site: Site, argv: tuple[str, ...], instead: str
) -> None:
    out = cli("--site", site.svc.url, *argv, env=site.env(Role.OWNER))
    assert out.returncode == 2, out.stderr
    line = one_line(out.stderr)
    assert "is local by nature" in line and instead in line, line
    assert out.stdout == ""


def test_a_site_in_the_environment_leaves_the_local_tools_local(site: Site) -> None:
    """STATIONMGR_SITE names the site for site commands; `ports` still lists this PC's."""
    out = cli("ports", "--json", env=site.env(STATIONMGR_SITE=site.svc.url))
    assert out.returncode == 0, out.stderr
    assert isinstance(json.loads(out.stdout), list)


def test_a_running_session_counts_to_now_in_a_report_made_without_an_engine_here(
    sqlite_db,  # type: ignore[no-untyped-def]
) -> None:
    """`stationmgr report` on the site's PC while `run` holds the engine in another process:
    the session still running (S6, plugged Tuesday 10:00) fills Tuesday's hours up to now,
    as the CLI did before it went through the client (it was left out of the heat-map)."""
    from stationmgr.client import models as m
    from stationmgr.client.local import LocalClient

    build_hand_set(sqlite_db)
    rep = LocalClient(sqlite_db).capacity(m.CapacityQuery("2026-03-02", "2026-03-03"))
    tuesday = rep.heatmap[1]
    assert tuesday[9] == 0 and tuesday[10] == pytest.approx(0.5)  # 1 of 2 bays
    assert tuesday[23] == pytest.approx(1.0)  # S6 and S4 (the guest, from 23:00)
