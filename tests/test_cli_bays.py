"""`stationmgr --site URL bays start BAY (--card C | --guest --reason R)` and `bays stop BAY`
against a real `stationmgr run` with an OCPP charge point we did not write
(`tests/ocpp_cp/cp.js`, Node.js on npm ocpp-rpc, strict schemas) and a serial OpenEVSE (the
simulator on a pty, in its own process): on the OCPP bay RemoteStartTransaction /
RemoteStopTransaction and the sessions the charger's own messages open and close; on the
serial bay the engine's guest start, card start and stop; bad input one line (exit 2), a
charger that is not connected exit 1, a role that may not exit 3."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.client.remote import RemoteClient
from stationmgr.sim.control import send_control
from stationmgr.store.db import open_database
from stationmgr.store.models import AuditEntry, ChargeSession
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import charge_point, node_command
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site, one_line

pytestmark = pytest.mark.timeout(400)

CP_ID = "CLI-CP-1"
CARD = "04B0B0B0"


@dataclass
class Site:
    db_url: str
    svc: RunningService
    ocpp_url: str
    control: tuple[str, int]  # the OpenEVSE simulator's control port

    def site(self, *argv: str, role: Role = Role.ATTENDANT) -> Any:
        return cli("--site", self.svc.url, *argv, env=env_for(USERS[role], PASSWORDS[role]))

    def bay(self, label: str) -> Any:
        c = RemoteClient(self.svc.url)
        try:
            c.login(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
            return next(b for b in c.bays() if b.label == label)
        finally:
            c.close()

    def sessions(self, label_bay: str) -> list[ChargeSession]:
        from stationmgr.store.models import Bay

        db = open_database(self.db_url, upgrade=False)
        try:
            with db.session() as s:
                q = (
                    select(ChargeSession)
                    .join(Bay, Bay.id == ChargeSession.bay_id)
                    .where(Bay.label == label_bay)
                    .order_by(ChargeSession.id)
                )
                rows = list(s.scalars(q))
                s.expunge_all()
                return rows
        finally:
            db.dispose()

    def audit(self, action: str) -> list[AuditEntry]:
        db = open_database(self.db_url, upgrade=False)
        try:
            with db.session() as s:
                rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))
                s.expunge_all()
                return rows
        finally:
            db.dispose()


def _ok(done: Any) -> Any:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    node_command()
    tmp = tmp_path_factory.mktemp("cli-bays")
    url = _make_site(tmp)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    sim = subprocess.Popen(
        [sys.executable, "-m", "stationmgr", "simulate", "openevse", "--control", "0",
         "--link", str(tmp / "evse")],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert sim.stdout is not None
        path = sim.stdout.readline().decode().strip()
        host, port = sim.stdout.readline().decode().split()[1].rsplit(":", 1)
        _ok(cli("--db", url, "chargers", "add", "cli-1", "--driver", "ocpp",
                "--charge-point-id", CP_ID, "--bays", "K1", env=env))  # fmt: skip
        _ok(cli("--db", url, "chargers", "add", "serial-1", "--driver", "openevse",
                "--port", path, "--bays", "S1", env=env))  # fmt: skip
        _ok(cli("--db", url, "cards", "add", CARD, "--holder", "Kim Card", env=env))
        ocpp_file = tmp / "ocpp.url"
        extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(ocpp_file))
        with service(tmp, url, *extra, env=env, name="cli-bays") as svc:
            base = ocpp_file.read_text().strip().rstrip("/")
            yield Site(url, svc, f"{base}/ocpp", (host, int(port)))
    finally:
        if sim.poll() is None:
            sim.terminate()
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait(10)
        for f in (sim.stdout, sim.stderr):
            if f is not None:
                f.close()


def test_bad_input_is_one_line_and_exit_2(site: Site) -> None:
    for argv, words in (
        (("bays", "start", "NOPE", "--guest", "--reason", "x"), "no bay 'NOPE'"),
        (("bays", "start", "S1", "--guest"), "needs --reason"),
        (("bays", "start", "S1", "--card", CARD, "--reason", "x"), "--reason is for --guest"),
        (("bays", "stop", "S1"), "has no session to stop"),
    ):
        done = site.site(*argv)
        assert done.returncode == 2 and words in one_line(done.stderr), (argv, done.stderr)
    local = cli("--db", site.db_url, "bays", "stop", "S1", env=env_for())
    assert local.returncode == 2 and "--site" in one_line(local.stderr)
    both = site.site("bays", "start", "S1", "--card", CARD, "--guest")
    assert both.returncode == 2  # argparse: one or the other


def test_a_role_that_may_not_is_exit_3_and_audited(site: Site) -> None:
    done = site.site("bays", "start", "S1", "--guest", "--reason", "x", role=Role.ACCOUNTANT)
    assert done.returncode == 3 and "may not" in one_line(done.stderr)
    assert any(e.outcome == "denied" for e in site.audit("bays.remote_start"))
    assert site.bay("S1").tx_uid is None


def test_an_ocpp_charger_that_is_not_connected_is_exit_1(site: Site) -> None:
    done = site.site("bays", "start", "K1", "--guest", "--reason", "forgot the card")
    assert done.returncode == 1 and "is offline" in one_line(done.stderr), done.stderr
    assert site.sessions("K1") == []


def test_guest_and_card_starts_and_stops_on_an_ocpp_bay(site: Site) -> None:
    steps = [
        {"op": "boot"},
        {"op": "status", "connector": 1, "status": "Available"},
        {"op": "wait", "action": "ChangeConfiguration"},
        {"op": "wait", "action": "ChangeConfiguration"},
        {"op": "wait", "action": "RemoteStartTransaction", "timeout": 120},
        {"op": "meter", "connector": 1, "tx": "remote", "wh": [1_500]},
        {"op": "wait", "action": "RemoteStopTransaction", "timeout": 120},
        {"op": "wait", "action": "RemoteStartTransaction", "timeout": 120},
        {"op": "meter", "connector": 1, "tx": "remote2", "wh": [2_100]},
        {"op": "wait", "action": "RemoteStopTransaction", "timeout": 120},
    ]
    with charge_point(site.ocpp_url, CP_ID, steps) as cp:
        cp.wait_answered("ChangeConfiguration", "received", 2)
        wait_until(lambda: site.bay("K1").online, 60, "K1 online")
        guest = _ok(site.site("bays", "start", "K1", "--guest", "--reason", "forgot the card"))
        assert guest.stdout.startswith("bay K1: guest start asked (forgot the card)")
        start = cp.wait_answered("StartTransaction")
        asked = cp.result.received("RemoteStartTransaction")[0]["request"]
        assert asked["connectorId"] == 1 and asked["idTag"].startswith("GUEST-")
        assert start["request"]["idTag"] == asked["idTag"]
        assert start["response"]["idTagInfo"]["status"] == "Accepted"
        wait_until(lambda: site.bay("K1").tx_uid is not None, 60, "the guest session")
        again = site.site("bays", "start", "K1", "--card", CARD)
        assert again.returncode == 2 and "has a session already" in one_line(again.stderr)
        _ok(site.site("bays", "stop", "K1"))
        stop = cp.wait_answered("StopTransaction")
        assert stop["request"]["reason"] == "Remote"
        wait_until(lambda: site.bay("K1").tx_uid is None, 60, "the guest session ends")

        card = _ok(site.site("bays", "start", "K1", "--card", CARD))
        assert card.stdout.startswith(f"bay K1: start asked for card {CARD}")
        second = cp.wait_answered("StartTransaction", n=2)
        assert cp.result.received("RemoteStartTransaction")[1]["request"]["idTag"] == CARD
        assert second["request"]["idTag"] == CARD
        wait_until(lambda: site.bay("K1").tx_uid is not None, 60, "the card's session")
        _ok(site.site("bays", "stop", "K1", role=Role.OWNER))
        cp.wait_answered("StopTransaction", n=2)
        cp.finish(120).ok()

    rows = wait_until(
        lambda: (r := site.sessions("K1")) and len(r) == 2 and all(x.stopped_at for x in r) and r,
        60,
        "both sessions stored",
    )
    g, c = rows
    assert g.holder_name == "Guest" and g.started_by == USERS[Role.ATTENDANT]
    assert g.stop_reason == "Remote" and g.energy_wh == 1_500  # the meter starts at 0 Wh
    assert c.card_uid == CARD and c.holder_name == "Kim Card" and c.energy_wh == 600
    ok_starts = [e for e in site.audit("bays.remote_start") if e.outcome == "ok"]
    assert any(e.target == "K1" and f"card {CARD}" in (e.detail or "") for e in ok_starts)
    stops = [e for e in site.audit("bays.remote_stop") if e.target == "K1"]
    assert {e.operator for e in stops} == {USERS[Role.ATTENDANT], USERS[Role.OWNER]}


def test_card_and_guest_starts_and_stops_on_a_serial_bay(site: Site) -> None:
    wait_until(lambda: site.bay("S1").online, 60, "S1 online")
    assert send_control(site.control, "plug soc=0.4") == "ok"
    wait_until(lambda: site.bay("S1").plugged_at is not None, 60, "the car plugged in")
    card = _ok(site.site("bays", "start", "S1", "--card", CARD))
    assert card.stdout.startswith(f"bay S1: start asked for card {CARD}")
    wait_until(lambda: site.bay("S1").tx_uid is not None, 60, "the card's session")
    assert site.bay("S1").card_uid == CARD
    _ok(site.site("bays", "stop", "S1"))
    wait_until(lambda: site.bay("S1").tx_uid is None, 60, "the card's session ends")

    refused = site.site("bays", "start", "S1", "--card", "DEADBEEF")  # not enrolled
    assert refused.returncode == 2 and "card DEADBEEF" in one_line(refused.stderr)

    _ok(site.site("bays", "start", "S1", "--guest", "--reason", "visitor"))
    wait_until(lambda: site.bay("S1").tx_uid is not None, 60, "the guest session")
    assert site.bay("S1").holder_name == "Guest"
    _ok(site.site("bays", "stop", "S1", "--detail", "visitor leaves"))
    wait_until(lambda: site.bay("S1").tx_uid is None, 60, "the guest session ends")
    rows = wait_until(
        lambda: (r := site.sessions("S1")) and len(r) == 2 and all(x.stopped_at for x in r) and r,
        60,
        "both serial sessions stored",
    )
    assert rows[0].card_uid == CARD and rows[1].holder_name == "Guest"
    assert rows[1].started_by == USERS[Role.ATTENDANT]
