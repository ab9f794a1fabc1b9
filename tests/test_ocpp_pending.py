"""Pending OCPP charge points, end to end: the real `stationmgr run --ocpp-listen` process,
the Node.js charge point (`tests/ocpp_cp/cp.js`, npm `ocpp-rpc`, strict 1.6 schemas), and
the CLI over `--site` (the site API) for everything the owner does.

- a charger registered while `run` runs is known to the endpoint at once (no restart);
- off by default: an unregistered id is refused (404);
- with `site set ocpp_pending yes`: answered Pending, listed by `chargers pending`; after
  `chargers accept CPID NAME --bays …` (audited) the same connection is asked to boot again,
  its boot is Accepted and its transaction is booked on the bay it was bound to.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stationmgr.access.roles import Role
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import charge_point, node_command, run_cp
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site

pytestmark = pytest.mark.timeout(300)

CARD = "04A1B2C3"
NEW_CP = "WAITING-CP-1"


@dataclass
class Site:
    tmp: Path
    db_url: str
    svc: RunningService
    ocpp_url: str

    def env(self) -> dict[str, str]:
        return env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])

    def site(self, *argv: str) -> tuple[int, str, str]:
        """A CLI command over the site API (`--site`)."""
        out = cli("--site", self.svc.url, *argv, env=self.env())
        return out.returncode, out.stdout, out.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    node_command()
    tmp = tmp_path_factory.mktemp("ocpp-pending")
    url = _make_site(tmp)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    added = cli("--db", url, "cards", "add", CARD, "--holder", "Pia Pending", env=env)
    assert added.returncode == 0, added.stderr
    ocpp_file = tmp / "ocpp.url"
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(ocpp_file))
    with service(tmp, url, *extra, env=env, name="ocpp-pending") as svc:
        yield Site(tmp, url, svc, ocpp_file.read_text().strip().rstrip("/") + "/ocpp")


def test_a_charger_added_while_run_runs_is_accepted_without_a_restart(site: Site) -> None:
    code, _out, err = site.site(
        "chargers", "add", "late", "--driver", "ocpp", "--charge-point-id", "LATE-CP",
        "--bays", "L1",
    )  # fmt: skip
    assert code == 0, err
    r = run_cp(site.ocpp_url, "LATE-CP", [{"op": "boot"}]).ok()
    assert r.calls("BootNotification")[0]["response"]["status"] == "Accepted", r.describe()


def test_pending_is_off_by_default_and_the_setting_takes_yes_or_no_only(site: Site) -> None:
    r = run_cp(site.ocpp_url, "NOBODY-CP", [{"op": "boot"}])
    assert r.returncode == 1 and "refused: HTTP 404" in r.stderr, r.describe()
    code, _out, err = site.site("site", "set", "ocpp_pending", "maybe")
    assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_a_pending_charge_point_is_listed_accepted_and_runs_on_its_bay(site: Site) -> None:
    code, _out, err = site.site("site", "set", "ocpp_pending", "yes")
    assert code == 0, err
    steps = [
        {"op": "boot", "vendor": "KEBA", "model": "KC-P30"},
        {"op": "wait", "action": "TriggerMessage", "timeout": 120},
        {"op": "wait", "action": "ChangeConfiguration", "timeout": 60},
        {"op": "status", "connector": 1, "status": "Preparing"},
        {"op": "start", "connector": 1, "idTag": CARD, "meterStart": 2_000, "as": "t"},
        {"op": "meter", "connector": 1, "tx": "t", "wh": [2_600]},
        {"op": "stop", "tx": "t", "meterStop": 3_250, "reason": "EVDisconnected"},
    ]
    with charge_point(site.ocpp_url, NEW_CP, steps) as cp:
        boot = cp.wait_answered("BootNotification")
        assert boot["response"]["status"] == "Pending", cp.result.describe()

        def listed() -> str | None:
            code, out, err = site.site("chargers", "pending")
            assert code == 0, err
            return out if NEW_CP in out else None

        table = wait_until(listed, 60, "the pending charge point listed")
        assert "KEBA" in table and "KC-P30" in table, table
        code, out, err = site.site("chargers", "accept", NEW_CP, "waiting", "--bays", "W1")
        assert code == 0, err
        result = cp.finish(120)
    result.ok()
    boots = result.calls("BootNotification")
    assert [b["response"]["status"] for b in boots] == ["Pending", "Accepted"], result.describe()
    start = result.calls("StartTransaction")[0]["response"]
    assert start["idTagInfo"]["status"] == "Accepted", result.describe()
    out = cli("--db", site.db_url, "sessions", "list", "--csv", env=site.env())
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if r["bay"] == "W1"]
    assert len(rows) == 1 and rows[0]["energy_kwh"] == "1.250", rows
    code, out, _err = site.site("chargers", "pending")
    assert NEW_CP not in out  # registered: no longer pending
    code, out, err = site.site("audit", "list")
    assert code == 0 and "chargers.add" in out and "waiting" in out, out + err
    assert "ocpp_pending" in out  # the setting's change is audited too


def test_accepting_an_id_that_is_not_pending_is_refused_on_one_line(site: Site) -> None:
    code, _out, err = site.site("chargers", "accept", "NEVER-SEEN", "x", "--bays", "X1")
    assert code == 2 and "no pending charge point" in err and len(err.strip().splitlines()) == 1
