"""Cards on the charger (issue 12, item 6): SendLocalList keeps an OCPP charger's local
authorisation list in step with the site's cards, against the Node.js charge point
(`tests/ocpp_cp/cp.js`, npm ocpp-rpc in strict mode) and the real `stationmgr run
--ocpp-listen` process; cards are changed through the CLI over the site API (`--site`), as an
owner's desk does, so the running site hears of it.

- a Full list at the charger's first boot, with each card's expiryDate and group;
- Differentials with increasing versions after `cards block` and `cards add`;
- the charger authorises a listed card from its list while the site is down, and refuses
  a card that is not listed;
- the list version is kept: after the site restarts, a charger whose list is in step is
  sent nothing, and one that lost its list gets a Full one again;
- `LocalAuthListMaxLength`: the most recently used cards are listed, the rest left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from stationmgr.access.roles import Role
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import Line, charge_point, node_command, run_cp
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site

pytestmark = pytest.mark.timeout(300)

CP_ID = "LIST-1"  # bays L1, L2
NORA = "04A1B2C3"  # staff, valid to the end of 2030
OLLE = "04D5E6F7"
BLOCKED = "0A0B0C0D"
ELSEWHERE = "0B0B0B0B"  # allowed only at bay X1 of another charger: not on LIST-1's list
NEW = "04112233"
UNKNOWN = "DEADBEEF"


def _ok(done: object) -> None:
    assert getattr(done, "returncode", 1) == 0, getattr(done, "stderr", done)


@dataclass
class ListSite:
    tmp: Path
    db_url: str

    def env(self) -> dict[str, str]:
        return env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])

    def db(self, *argv: str) -> None:
        _ok(cli("--db", self.db_url, *argv, env=self.env()))

    @contextmanager
    def running(self, name: str = "svc") -> Iterator[tuple[RunningService, str]]:
        url_file = self.tmp / f"{name}-ocpp.url"
        url_file.unlink(missing_ok=True)
        extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(url_file))
        with service(self.tmp, self.db_url, *extra, env=self.env(), name=name) as svc:
            yield svc, url_file.read_text().strip().rstrip("/") + "/ocpp"


def _site(tmp: Path) -> ListSite:
    node_command()  # fail first, clearly, when Node or its packages are missing
    site = ListSite(tmp, _make_site(tmp))
    site.db("cards", "add", NORA, "--holder", "Nora", "--group", "Staff",
            "--valid-to", "2030-12-31")  # fmt: skip
    site.db("cards", "add", OLLE, "--holder", "Olle")
    site.db("cards", "add", BLOCKED, "--holder", "Bo", "--blocked")
    site.db("chargers", "add", "list-1", "--driver", "ocpp", "--charge-point-id", CP_ID,
            "--bays", "L1,L2")  # fmt: skip
    site.db("chargers", "add", "other", "--driver", "ocpp", "--charge-point-id", "OTHER-1",
            "--bays", "X1")  # fmt: skip
    site.db("cards", "add", ELSEWHERE, "--holder", "Eve", "--bays", "X1")
    return site


@pytest.fixture
def site(tmp_path: Path) -> ListSite:
    return _site(tmp_path)


def _lists(lines: list[Line]) -> list[Line]:
    return [x for x in lines if x.get("type") == "local_list"]


def test_full_at_first_boot_then_a_differential_after_cards_block_and_cards_add(
    site: ListSite,
) -> None:
    state = site.tmp / "cp-state.json"
    steps = [
        {"op": "boot"},
        {"op": "wait", "action": "SendLocalList"},
        {"op": "wait", "action": "SendLocalList"},
        {"op": "wait", "action": "SendLocalList"},
    ]
    with (
        site.running() as (svc, url),
        charge_point(url, CP_ID, steps, connectors=2, state=state) as cp,
    ):
        full = cp.wait_line(lambda x: x.get("type") == "local_list", "the Full list")
        assert full["updateType"] == "Full" and full["version"] >= 1, cp.result.describe()
        assert full["idTags"] == sorted([NORA, OLLE]), cp.result.describe()
        assert full["entries"][NORA] == {
            "status": "Accepted",
            "expiryDate": "2030-12-31T23:59:59Z",
            "parentIdTag": "Staff",
        }
        assert full["entries"][OLLE] == {"status": "Accepted"}

        _ok(cli("--site", svc.url, "cards", "block", OLLE, env=site.env()))
        blocked = cp.wait_line(
            lambda x: x.get("type") == "local_list" and x["version"] > full["version"],
            "the Differential after cards block",
        )
        _ok(cli("--site", svc.url, "cards", "add", NEW, "--holder", "Nils", env=site.env()))
        added = cp.wait_line(
            lambda x: x.get("type") == "local_list" and x["version"] > blocked["version"],
            "the Differential after cards add",
        )
        r = cp.finish().ok()
    assert blocked["updateType"] == "Differential" and blocked["idTags"] == [NORA]
    assert added["updateType"] == "Differential" and added["idTags"] == sorted([NORA, NEW])
    sent = [x["request"] for x in r.received("SendLocalList")]
    assert [s["updateType"] for s in sent] == ["Full", "Differential", "Differential"]
    assert [s["listVersion"] for s in sent] == sorted({s["listVersion"] for s in sent})
    # a Differential carries only the change: Olle removed (no idTagInfo), Nils added
    assert sent[1]["localAuthorizationList"] == [{"idTag": OLLE}]
    assert sent[2]["localAuthorizationList"] == [
        {"idTag": NEW, "idTagInfo": {"status": "Accepted"}}
    ]
    assert all(x["response"] == {"status": "Accepted"} for x in r.received("SendLocalList"))
    assert "local list version" in svc.log()


def test_the_charger_authorises_a_listed_card_while_the_site_is_down_and_a_restart_resends_nothing(
    site: ListSite,
) -> None:
    state = site.tmp / "cp-state.json"
    offline = [
        {"op": "boot"},
        {"op": "wait", "action": "SendLocalList"},
        {"op": "wait_offline", "timeout": 120},
        {"op": "authorize", "idTag": NORA},
        {"op": "authorize", "idTag": BLOCKED},
        {"op": "authorize", "idTag": UNKNOWN},
        {"op": "authorize", "idTag": ELSEWHERE},
    ]
    with (
        site.running("first") as (svc, url),
        charge_point(url, CP_ID, offline, connectors=2, state=state) as cp,
    ):
        cp.wait_line(lambda x: x.get("type") == "local_list", "the Full list")
        # the site stored the version the charger took (else it sends Full again, see below)
        wait_until(lambda: "local list version" in svc.log(), 60, "the list's version stored")
        svc.proc.terminate()  # the site goes down; the charger carries on alone
        svc.proc.wait(60)
        r = cp.finish().ok()
    local = {x["idTag"]: x for x in r.of_type("local_authorize")}
    assert local[NORA]["accepted"] is True, r.describe()
    assert local[NORA]["idTagInfo"]["parentIdTag"] == "Staff"
    assert not any(local[t]["accepted"] for t in (BLOCKED, UNKNOWN, ELSEWHERE)), r.describe()
    version = r.received("SendLocalList")[0]["request"]["listVersion"]

    # The site starts again: the charger's list is in step with what was stored, so the
    # boot gets no SendLocalList; a charger that lost its list (no state) gets it whole.
    with site.running("second") as (svc, url):
        linger = [{"op": "boot"}, {"op": "wait_offline", "timeout": 120}]
        with charge_point(url, CP_ID, linger, connectors=2, state=state) as again:
            wait_until(lambda: "in step" in svc.log(), 60, "the list found in step")
            assert not again.result.received("SendLocalList"), again.result.describe()
        waits = [{"op": "boot"}, {"op": "wait", "action": "SendLocalList"}]
        blank = run_cp(url, CP_ID, waits, connectors=2).ok()
    (sent,) = blank.received("SendLocalList")
    assert sent["request"]["updateType"] == "Full"
    assert sent["request"]["listVersion"] > version  # versions only ever increase
    assert sent["response"] == {"status": "Accepted"}


def test_a_list_longer_than_the_charger_holds_keeps_the_most_recently_used_cards(
    site: ListSite,
) -> None:
    # this charge point holds 2 entries and takes 1 per message
    small = [
        {"op": "config", "key": "LocalAuthListMaxLength", "value": "2"},
        {"op": "config", "key": "SendLocalListMaxLength", "value": "1"},
        {"op": "boot"},
    ]
    site.db("cards", "add", NEW, "--holder", "Nils")  # the newest card
    with site.running() as (svc, url):
        # Nora's is the oldest card, but she charged last
        used = [
            {"op": "start", "connector": 1, "idTag": NORA, "meterStart": 0, "as": "t"},
            {"op": "stop", "tx": "t", "meterStop": 100},
        ]
        run_cp(url, CP_ID, small + used, connectors=2).ok()
        wait_until(lambda: _stopped(site, NORA), 60, "Nora's session stored")
        waits = [{"op": "wait", "action": "SendLocalList"}] * 2
        r = run_cp(url, CP_ID, small + waits, connectors=2).ok()
        log = svc.log()
    sent = [x["request"] for x in r.received("SendLocalList")]
    assert [s["updateType"] for s in sent] == ["Full", "Differential"], r.describe()
    assert all(len(s.get("localAuthorizationList", [])) == 1 for s in sent)
    assert sent[1]["listVersion"] == sent[0]["listVersion"] + 1
    assert _lists(r.lines)[-1]["idTags"] == sorted([NEW, NORA]), r.describe()
    assert "do not fit" in log


def _stopped(site: ListSite, card: str) -> bool:
    out = cli("--db", site.db_url, "sessions", "list", "--csv", env=site.env())
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    return any(r.get("stopped_at") for r in rows)


def test_version_mismatch_falls_back_to_full_failed_is_retried_and_not_supported_stops(
    site: ListSite,
) -> None:
    state = site.tmp / "cp-state.json"
    boot_and_list = [{"op": "boot"}, {"op": "wait", "action": "SendLocalList"}]
    with site.running() as (svc, url):
        run_cp(url, CP_ID, boot_and_list, connectors=2, state=state).ok()
        wait_until(lambda: "local list version" in svc.log(), 60, "the first list stored")
        site.db("cards", "add", NEW, "--holder", "Nils")  # while the charger is away

        # Its list is the one stored, so it is sent the difference; it answers
        # VersionMismatch, and the site sends the list whole.
        mismatch = [{"op": "list_answers", "statuses": ["VersionMismatch"]}, *boot_and_list,
                    {"op": "wait", "action": "SendLocalList"}]  # fmt: skip
        r = run_cp(url, CP_ID, mismatch, connectors=2, state=state).ok()
        sent = r.received("SendLocalList")
        assert [x["request"]["updateType"] for x in sent] == ["Differential", "Full"]
        assert [x["response"]["status"] for x in sent] == ["VersionMismatch", "Accepted"]
        assert _lists(r.lines)[-1]["idTags"] == sorted([NORA, OLLE, NEW])

        # Failed: kept as it was, and the next change sends both changes.
        failing = [
            {"op": "list_answers", "statuses": ["Failed"]},
            {"op": "boot"},
            {"op": "wait", "action": "SendLocalList"},
            {"op": "wait", "action": "SendLocalList"},
        ]
        with charge_point(url, CP_ID, failing, connectors=2, state=state) as cp:
            wait_until(lambda: svc.log().count("in step") >= 1, 60, "the list in step")
            _ok(cli("--site", svc.url, "cards", "block", NORA, env=site.env()))
            cp.wait_answered("SendLocalList", kind="received")
            _ok(cli("--site", svc.url, "cards", "add", "04445566", env=site.env()))
            r = cp.finish().ok()
        failed, retried = r.received("SendLocalList")
        assert failed["response"] == {"status": "Failed"}
        assert retried["response"] == {"status": "Accepted"}
        assert retried["request"]["listVersion"] == failed["request"]["listVersion"]
        changes = retried["request"]["localAuthorizationList"]
        assert {"idTag": NORA} in changes and any(c["idTag"] == "04445566" for c in changes)
        assert "answered Failed" in svc.log()

        # NotSupported: the site stops sending lists on that connection, says so once.
        refusing = [{"op": "list_answers", "statuses": ["NotSupported"]}, *boot_and_list]
        r = run_cp(url, CP_ID, refusing, connectors=2).ok()
        assert [x["response"]["status"] for x in r.received("SendLocalList")] == ["NotSupported"]
        wait_until(lambda: "no local list kept" in svc.log(), 60, "NotSupported logged")
