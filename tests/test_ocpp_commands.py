"""Commands from the site to an OCPP charger we did not write (`tests/ocpp_cp/cp.js`, Node.js
on the npm library ocpp-rpc, strict schemas), through a real `stationmgr run --ocpp-listen`
set up by the CLI: the attendant's guest start and stop over the site API (the desktop
app's path) open and close sessions only by the charger's own StartTransaction and
StopTransaction; an offline or refusing charger is a clear refusal with nothing closed;
maintenance commands and the charger's configuration through `stationmgr --site … chargers
ocpp`; a call the charger never answers times out and the connection stays; `chargers log`
shows the messages both ways."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.client import ocpp_models as o
from stationmgr.client.remote import RemoteClient
from stationmgr.errors import DeviceError
from stationmgr.store.db import open_database
from stationmgr.store.models import AuditEntry, ChargeSession
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import RunningCp, charge_point, node_command, run_cp
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site

pytestmark = pytest.mark.timeout(400)

CP_ID = "CMD-CP-1"  # two connectors: bays C1, C2
CHARGER = "cmd-1"


@dataclass
class CmdSite:
    db_url: str
    svc: RunningService
    ocpp_url: str

    def env(self, role: Role = Role.OWNER) -> dict[str, str]:
        return env_for(USERS[role], PASSWORDS[role])

    def site(self, *argv: str, role: Role = Role.OWNER) -> Any:
        return cli("--site", self.svc.url, *argv, env=self.env(role))

    def client(self, role: Role) -> RemoteClient:
        c = RemoteClient(self.svc.url)
        c.login(USERS[role], PASSWORDS[role])
        return c

    def rows(self, fn: Any) -> Any:
        db = open_database(self.db_url, upgrade=False)
        try:
            with db.session() as s:
                out = fn(s)
                s.expunge_all()
                return out
        finally:
            db.dispose()

    def session(self, tx_id: int) -> ChargeSession | None:
        uid = f"ocpp-{tx_id}"
        return self.rows(
            lambda s: s.scalar(select(ChargeSession).where(ChargeSession.tx_uid == uid))
        )

    def audit(self, action: str) -> list[AuditEntry]:
        return self.rows(
            lambda s: list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        )


def _ok(done: Any) -> Any:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CmdSite]:
    node_command()
    tmp = tmp_path_factory.mktemp("ocpp-commands")
    url = _make_site(tmp)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    _ok(
        cli("--db", url, "chargers", "add", CHARGER, "--driver", "ocpp", "--charge-point-id",
            CP_ID, "--bays", "C1,C2", env=env)
    )  # fmt: skip
    ocpp_file = tmp / "ocpp-endpoint.url"
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(ocpp_file))
    with service(tmp, url, *extra, env=env, name="ocpp-cmd") as svc:
        base = ocpp_file.read_text().strip().rstrip("/")
        yield CmdSite(url, svc, f"{base}/ocpp")


def _bay_id(client: RemoteClient, label: str) -> int:
    return next(b.bay_id for b in client.bays() if b.label == label)


def _online(client: RemoteClient, label: str) -> None:
    wait_until(
        lambda: any(b.label == label and b.online for b in client.bays()), 60, f"{label} online"
    )


def _booted(cp: RunningCp) -> None:
    # the site configures samples after every boot: two ChangeConfiguration calls
    cp.wait_answered("BootNotification")
    cp.wait_answered("ChangeConfiguration", "received", 2)


BOOT = [{"op": "boot"}, {"op": "status", "connector": 1, "status": "Available"},
        {"op": "status", "connector": 2, "status": "Available"},
        {"op": "wait", "action": "ChangeConfiguration"},
        {"op": "wait", "action": "ChangeConfiguration"}]  # fmt: skip


def test_guest_start_and_attendant_stop_follow_the_chargers_own_messages(site: CmdSite) -> None:
    steps = [*BOOT, {"op": "wait", "action": "ChangeConfiguration"},
             {"op": "wait", "action": "RemoteStartTransaction"},
             {"op": "meter", "connector": 1, "tx": "remote", "wh": [1_800]},
             {"op": "wait", "action": "RemoteStopTransaction"}]  # fmt: skip
    attendant = site.client(Role.ATTENDANT)
    try:
        with charge_point(site.ocpp_url, CP_ID, steps, connectors=2) as cp:
            _booted(cp)
            _online(attendant, "C1")
            bay = _bay_id(attendant, "C1")
            # the charger authorises a remote start's id tag first (as many do)
            _ok(site.site("chargers", "ocpp", CHARGER, "config", "AuthorizeRemoteTxRequests=true"))
            shown = attendant.remote_start(bay, "forgot the card")
            start = cp.wait_answered("StartTransaction")
            (asked,) = cp.result.received("RemoteStartTransaction")
            tag = asked["request"]["idTag"]
            assert (
                asked["response"] == {"status": "Accepted"} and asked["request"]["connectorId"] == 1
            )
            assert tag.startswith("GUEST-") and len(tag) <= 20
            assert start["request"]["idTag"] == tag, cp.result.describe()
            (authorized,) = cp.result.calls("Authorize")
            assert authorized["request"]["idTag"] == tag
            assert authorized["response"]["idTagInfo"]["status"] == "Accepted"
            assert start["response"]["idTagInfo"]["status"] == "Accepted"
            txid = start["response"]["transactionId"]
            assert shown.tx_uid == f"ocpp-{txid}", shown  # the answer waited for the charger
            opened = site.session(txid)
            assert opened is not None and opened.stopped_at is None
            assert (opened.start_kind, opened.started_by, opened.guest_reason) == (
                "guest", USERS[Role.ATTENDANT], "forgot the card",
            ), opened  # fmt: skip
            assert opened.card_uid is None  # a guest: the tag is no card
            cp.wait_answered("MeterValues")

            after = attendant.remote_stop(bay, "guest leaves")
            stop = cp.wait_answered("StopTransaction")
            assert (
                stop["request"]["reason"] == "Remote" and stop["request"]["transactionId"] == txid
            )
            assert after.tx_uid is None, after
            closed = site.session(txid)
            assert closed is not None and closed.stopped_at is not None
            assert closed.stop_reason == "Remote" and closed.stopped_by == USERS[Role.ATTENDANT]
            assert closed.meter_stop_wh == 1_800  # the charger's own meterStop
            cp.finish().ok()
        ok = [e for e in site.audit("bays.remote_start") if e.outcome == "ok"]
        assert ok and ok[-1].operator == USERS[Role.ATTENDANT]
    finally:
        attendant.close()


def test_an_offline_or_refusing_charger_is_a_clear_refusal_and_nothing_closes(
    site: CmdSite,
) -> None:
    # a session the charger itself starts, then it goes away: the site keeps it open
    first = run_cp(site.ocpp_url, CP_ID, [
        {"op": "boot"}, {"op": "start", "connector": 2, "idTag": "CAFE0001", "meterStart": 500},
    ], connectors=2).ok()  # fmt: skip
    txid = first.calls("StartTransaction")[0]["response"]["transactionId"]
    attendant = site.client(Role.ATTENDANT)
    try:
        bay = _bay_id(attendant, "C2")
        wait_until(lambda: not any(b.bay_id == bay and b.online for b in attendant.bays()), 60,
                   "C2 offline")  # fmt: skip
        with pytest.raises(DeviceError, match="offline"):
            attendant.remote_stop(bay)
        with pytest.raises(DeviceError, match="offline"):
            attendant.set_out_of_order(bay, True)
        s = site.session(txid)
        assert s is not None and s.stopped_at is None  # nothing closed on our side alone
        failed = [e for e in site.audit("bays.remote_stop") if e.outcome == "failed"]
        assert failed and "offline" in (failed[-1].detail or "")

        out = site.site("chargers", "ocpp", CHARGER, "reset")
        assert out.returncode == 1, out.stdout + out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "offline" in out.stderr

        # a new charger process does not know the transaction: it rejects the stop
        steps = [{"op": "boot"}, {"op": "wait", "action": "RemoteStopTransaction"}]
        with charge_point(site.ocpp_url, CP_ID, steps, connectors=2) as cp:
            _booted(cp)
            _online(attendant, "C2")
            with pytest.raises(DeviceError, match="refused"):
                attendant.remote_stop(bay)
            (asked,) = cp.result.received("RemoteStopTransaction")
            assert asked["response"] == {"status": "Rejected"}
            cp.finish().ok()
        s = site.session(txid)
        assert s is not None and s.stopped_at is None
    finally:
        attendant.close()
    # the charger reports the end itself later: then it closes
    run_cp(site.ocpp_url, CP_ID, [
        {"op": "boot"}, {"op": "stop", "transactionId": txid, "meterStop": 900},
    ], connectors=2).ok()  # fmt: skip
    s = site.session(txid)
    assert s is not None and s.stopped_at is not None and s.meter_stop_wh == 900


def test_out_of_order_changes_availability_on_the_charger(site: CmdSite) -> None:
    steps = [*BOOT, {"op": "start", "connector": 2, "idTag": "CAFE0002", "meterStart": 100,
                     "as": "busy"},
             {"op": "wait", "action": "ChangeAvailability"},
             {"op": "wait", "action": "ChangeAvailability"},
             {"op": "wait", "action": "ChangeAvailability"},
             {"op": "wait", "action": "TriggerMessage"},  # the test has looked: stop now
             {"op": "stop", "tx": "busy", "meterStop": 250},
             {"op": "wait", "action": "ChangeAvailability"}]  # fmt: skip
    attendant = site.client(Role.ATTENDANT)
    try:
        with charge_point(site.ocpp_url, CP_ID, steps, connectors=2) as cp:
            _booted(cp)
            _online(attendant, "C1")
            busy = cp.wait_answered("StartTransaction")["response"]["transactionId"]
            bay = _bay_id(attendant, "C1")
            assert attendant.set_out_of_order(bay, True).out_of_order
            cp.wait_answered("ChangeAvailability", "received", 1)

            def unavailable() -> bool:
                return any(b.bay_id == bay and b.status == "Unavailable" for b in attendant.bays())

            wait_until(unavailable, 60, "C1 Unavailable as the charger reports it")
            assert not attendant.set_out_of_order(bay, False).out_of_order

            # a bay charging: the charger will apply it once the session ends (Scheduled);
            # the session is not stopped by the site
            c2 = _bay_id(attendant, "C2")
            assert attendant.set_out_of_order(c2, True).out_of_order
            open_still = site.session(busy)
            assert open_still is not None and open_still.stopped_at is None
            owner = site.client(Role.OWNER)
            try:  # lets the script go on to the charger's own stop
                owner.ocpp_command(CHARGER, o.OcppCommand("trigger", message="Heartbeat"))
            finally:
                owner.close()
            cp.wait_answered("StopTransaction")  # the charger's own stop, later
            assert not attendant.set_out_of_order(c2, False).out_of_order
            cp.finish().ok()
        kinds = [(c["request"]["connectorId"], c["request"]["type"], c["response"]["status"])
                 for c in cp.result.received("ChangeAvailability")]  # fmt: skip
        assert kinds == [
            (1, "Inoperative", "Accepted"), (1, "Operative", "Accepted"),
            (2, "Inoperative", "Scheduled"), (2, "Operative", "Accepted"),
        ]  # fmt: skip
        noted = [e.detail or "" for e in site.audit("bays.out_of_order") if e.outcome == "ok"]
        assert any("Scheduled" in d for d in noted), noted
        closed = site.session(busy)
        assert closed is not None and closed.meter_stop_wh == 250
    finally:
        attendant.close()


def test_configuration_is_read_and_changed_through_the_cli(site: CmdSite) -> None:
    steps = [*BOOT, {"op": "wait", "action": "GetConfiguration"},
             {"op": "wait", "action": "ChangeConfiguration"},
             {"op": "wait", "action": "ChangeConfiguration"},
             {"op": "wait", "action": "GetConfiguration"}]  # fmt: skip
    with charge_point(site.ocpp_url, CP_ID, steps, connectors=2) as cp:
        _booted(cp)
        every = _ok(site.site("chargers", "ocpp", CHARGER, "config", "--json"))
        keys = {k["key"]: k for k in json.loads(every.stdout)["keys"]}
        assert keys["NumberOfConnectors"]["value"] == "2" and keys["NumberOfConnectors"]["readonly"]
        # what the site configured after the boot is what the charger now reports
        assert keys["MeterValuesSampledData"]["value"].startswith("Energy.Active.Import.Register")

        changed = _ok(site.site("chargers", "ocpp", CHARGER, "config", "HeartbeatInterval=123"))
        assert changed.stdout.strip() == f"charger {CHARGER}: HeartbeatInterval=123: Accepted"
        refused = site.site("chargers", "ocpp", CHARGER, "config", "NumberOfConnectors=9")
        assert refused.returncode == 1 and "Rejected" in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1

        one = _ok(
            site.site("chargers", "ocpp", CHARGER, "config", "HeartbeatInterval", "NoSuchKey")
        )
        assert "123" in one.stdout and "unknown to the charger: NoSuchKey" in one.stdout
        cp.finish().ok()
    bad = site.site("chargers", "ocpp", CHARGER, "config", "A=1", "B=2")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    denied = site.site("chargers", "ocpp", CHARGER, "config", "HeartbeatInterval=5",
                       role=Role.ATTENDANT)  # fmt: skip
    assert denied.returncode == 3, denied.stderr
    audited = [e for e in site.audit("chargers.configure") if e.outcome == "ok"]
    assert any("HeartbeatInterval" in (e.after or "") for e in audited), audited


def test_maintenance_commands_reach_the_charger_and_a_silent_one_times_out(
    site: CmdSite,
) -> None:
    steps = [{"op": "mute", "action": "Reset"},  # the first Reset is never answered
             *BOOT, {"op": "wait", "action": "TriggerMessage"},
             {"op": "wait", "action": "UnlockConnector"},
             {"op": "wait", "action": "ClearCache"},
             {"op": "wait", "action": "Reset"},
             {"op": "wait", "action": "Reset"}]  # fmt: skip
    with charge_point(site.ocpp_url, CP_ID, steps, connectors=2) as cp:
        _booted(cp)
        out = _ok(site.site("chargers", "ocpp", CHARGER, "trigger", "metervalues", "--bay", "C2"))
        assert "TriggerMessage MeterValues bay C2: Accepted" in out.stdout
        (trig,) = cp.result.received("TriggerMessage")
        assert trig["request"] == {"requestedMessage": "MeterValues", "connectorId": 2}
        out = _ok(site.site("chargers", "ocpp", CHARGER, "unlock", "C1", role=Role.ATTENDANT))
        assert out.stdout.strip().endswith(": Unlocked")
        _ok(site.site("chargers", "ocpp", CHARGER, "clear-cache"))
        assert cp.result.received("ClearCache")[0]["response"] == {"status": "Accepted"}

        silent = site.site("chargers", "ocpp", CHARGER, "reset")  # muted: never answered
        assert silent.returncode == 1 and "did not answer Reset" in silent.stderr, silent.stderr
        # the connection stays: the next call is answered
        out = _ok(site.site("chargers", "ocpp", CHARGER, "reset", "--hard"))
        assert out.stdout.strip() == f"charger {CHARGER}: Reset Hard: Accepted"
        resets = cp.result.received("Reset")
        assert [r["request"]["type"] for r in resets] == ["Soft", "Hard"]
        cp.finish().ok()
        assert len(cp.result.of_type("connected")) == 1
    bad = site.site("chargers", "ocpp", CHARGER, "trigger", "Coffee")
    assert bad.returncode == 2
    denied = site.site("chargers", "ocpp", CHARGER, "reset", role=Role.ATTENDANT)
    assert denied.returncode == 3
    assert site.audit("chargers.maintain")


def test_chargers_log_shows_both_directions_locally_and_over_the_site(site: CmdSite) -> None:
    run_cp(site.ocpp_url, CP_ID, [{"op": "boot"}, {"op": "heartbeat"}], connectors=2).ok()

    def logged(*where: str) -> list[dict[str, Any]]:
        out = _ok(cli(*where, "chargers", "log", CHARGER, "--limit", "500", "--json",
                      env=site.env()))  # fmt: skip
        return json.loads(out.stdout)

    def has_both(rows: list[dict[str, Any]]) -> bool:
        seen = {(r["direction"], r["kind"], r["action"]) for r in rows}
        return {("in", "Call", "Heartbeat"), ("out", "CallResult", "Heartbeat"),
                ("out", "Call", "ChangeConfiguration"),
                ("in", "CallResult", "ChangeConfiguration")} <= seen  # fmt: skip

    rows = wait_until(lambda: has_both(r := logged("--db", site.db_url)) and r, 60, "stored log")
    assert all(r["at"] and r["unique_id"] for r in rows if r["kind"] != "Invalid")
    assert has_both(logged("--site", site.svc.url))
    boot = next(r for r in rows if r["action"] == "BootNotification" and r["kind"] == "Call")
    assert json.loads(boot["payload"])["chargePointModel"] == "ocpp-rpc-cp"
    table = _ok(
        cli("--db", site.db_url, "chargers", "log", CHARGER, "--limit", "5", env=site.env())
    )
    assert "site→charger" in table.stdout or "charger→site" in table.stdout
    assert len(table.stdout.strip().splitlines()) == 6  # header and 5 rows
