"""OCPP 1.6J end to end against a charge point we did not write: `tests/ocpp_cp/cp.js`, Node.js
on the npm library ocpp-rpc in strict mode (every message both ways checked against the
official 1.6 schemas), driving the real `stationmgr run --ocpp-listen` process set up through
the CLI. What the site books is read back through the CLI (`sessions list --csv`).

Node missing is a failure with a clear message (tests/helpers/ocpp_cp.py), never a skip."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.ocpp.records import UNKNOWN_STOP
from stationmgr.store.db import open_database
from stationmgr.store.models import ChargerEvent
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import EXIT_UNAUTHORIZED, CpResult, node_command, run_cp
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site

pytestmark = pytest.mark.timeout(300)

CP_ID = "NODECP-1"  # two connectors: bays O1, O2
CP_LOCKED = "NODECP-PW"  # one connector, a password (security profile 1): bay O3
PASSWORD = "cp-Secret-123"
CARD = "04A1B2C3"  # enrolled
UNKNOWN = "DEADBEEF"  # never enrolled
BLOCKED = "0A0B0C0D"  # enrolled, blocked


@dataclass
class OcppSite:
    db_url: str
    svc: RunningService
    ocpp_url: str

    def env(self) -> dict[str, str]:
        return env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])

    def sessions(self) -> list[dict[str, str]]:
        out = cli("--db", self.db_url, "sessions", "list", "--csv", env=self.env())
        assert out.returncode == 0, out.stderr
        return list(csv.DictReader(io.StringIO(out.stdout)))

    def unknown_stops(self) -> list[ChargerEvent]:
        db = open_database(self.db_url, upgrade=False)
        try:
            with db.session() as s:
                q = select(ChargerEvent).where(ChargerEvent.kind == UNKNOWN_STOP)
                rows = list(s.scalars(q))
                s.expunge_all()
                return rows
        finally:
            db.dispose()

    def session(self, tx_id: int) -> dict[str, str]:
        # the site's transaction uid for an OCPP transactionId (e.g. `ocpp-17`)
        rows = [r for r in self.sessions() if r["tx_uid"] in (str(tx_id), f"ocpp-{tx_id}")]
        assert len(rows) == 1, (tx_id, self.sessions())
        return rows[0]


def _ok(done: object) -> None:
    assert getattr(done, "returncode", 1) == 0, getattr(done, "stderr", done)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OcppSite]:
    node_command()  # fail first, clearly, when Node or its packages are missing
    tmp = tmp_path_factory.mktemp("ocpp-nodecp")
    url = _make_site(tmp)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    db = ("--db", url)
    _ok(cli(*db, "cards", "add", CARD, "--holder", "Nora Node", env=env))
    _ok(cli(*db, "cards", "add", BLOCKED, "--holder", "Bo Blocked", "--blocked", env=env))
    _ok(
        cli(*db, "chargers", "add", "node-1", "--driver", "ocpp", "--charge-point-id", CP_ID,
            "--bays", "O1,O2", env=env)
    )  # fmt: skip
    _ok(
        cli(*db, "chargers", "add", "node-pw", "--driver", "ocpp", "--charge-point-id",
            CP_LOCKED, "--bays", "O3", env=env)
    )  # fmt: skip
    _ok(cli(*db, "secrets", "set", f"ocpp:{CP_LOCKED}", env={**env, "STATIONMGR_SECRET": PASSWORD}))
    ocpp_file = tmp / "ocpp-endpoint.url"  # port 0: the endpoint writes where it listens
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(ocpp_file))
    with service(tmp, url, *extra, env=env, name="ocpp") as svc:
        base = ocpp_file.read_text().strip().rstrip("/")  # ws://HOST:PORT
        yield OcppSite(url, svc, base if base.endswith("/ocpp") else f"{base}/ocpp")


def _cp(site: OcppSite, steps: list[dict[str, object]], **kw: object) -> CpResult:
    kw.setdefault("connectors", 2)
    return run_cp(site.ocpp_url, CP_ID, steps, **kw)  # type: ignore[arg-type]


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_boot_and_status_are_accepted_with_a_heartbeat_interval(site: OcppSite) -> None:
    r = _cp(site, [
        {"op": "boot"},
        {"op": "status", "connector": 1, "status": "Available"},
        {"op": "status", "connector": 2, "status": "Available"},
        {"op": "heartbeat"},
        {"op": "wait", "action": "ChangeConfiguration"},
        {"op": "wait", "action": "ChangeConfiguration"},
    ]).ok()  # fmt: skip
    # after the boot the site asks for its samples; the charger's strict schemas accept them
    configured = {c["request"]["key"]: c["response"] for c in r.received("ChangeConfiguration")}
    assert configured == {
        "MeterValueSampleInterval": {"status": "Accepted"},
        "MeterValuesSampledData": {"status": "Accepted"},
    }, r.describe()
    (boot,) = r.calls("BootNotification")
    assert boot["response"]["status"] == "Accepted", r.describe()
    assert boot["response"]["interval"] > 0
    assert all("response" in c for c in r.calls()), r.describe()


def test_authorize_answers_an_enrolled_card_accepted_and_an_unknown_one_refused(
    site: OcppSite,
) -> None:
    r = _cp(site, [
        {"op": "boot"},
        {"op": "authorize", "idTag": CARD},
        {"op": "authorize", "idTag": UNKNOWN},
        {"op": "authorize", "idTag": BLOCKED},
    ]).ok()  # fmt: skip
    good, bad, blocked = r.calls("Authorize")
    assert good["response"]["idTagInfo"]["status"] == "Accepted", r.describe()
    assert blocked["response"]["idTagInfo"]["status"] == "Blocked", r.describe()
    assert bad["response"]["idTagInfo"]["status"] in ("Invalid", "Blocked", "Expired"), r.describe()


def test_a_transaction_with_meter_values_is_booked_with_the_chargers_energy(
    site: OcppSite,
) -> None:
    r = _cp(site, [
        {"op": "boot"},
        {"op": "status", "connector": 1, "status": "Preparing"},
        {"op": "authorize", "idTag": CARD},
        {"op": "start", "connector": 1, "idTag": CARD, "meterStart": 10_000, "as": "t"},
        {"op": "meter", "connector": 1, "tx": "t", "wh": [10_500, 11_400], "power": 7200},
        {"op": "stop", "tx": "t", "meterStop": 12_345, "reason": "EVDisconnected"},
        {"op": "status", "connector": 1, "status": "Available"},
    ]).ok()  # fmt: skip
    (start,) = r.calls("StartTransaction")
    assert start["response"]["idTagInfo"]["status"] == "Accepted", r.describe()
    tx = start["response"]["transactionId"]
    assert isinstance(tx, int) and tx > 0
    assert all("response" in c for c in r.calls("MeterValues") + r.calls("StopTransaction"))
    row = site.session(tx)
    assert row["bay"] == "O1"
    assert row["energy_kwh"] == "2.345"
    assert row["stopped_at"], row
    assert row["stop_reason"] == "EVDisconnected"


def test_an_offline_transaction_is_booked_at_its_own_past_timestamps(site: OcppSite) -> None:
    started, stopped = "2026-11-30T08:00:00Z", "2026-11-30T09:30:00Z"
    r = _cp(site, [
        {"op": "boot"},
        {"op": "offline", "steps": [
            {"op": "start", "connector": 2, "idTag": CARD, "meterStart": 50_000,
             "timestamp": started, "as": "off"},
            {"op": "meter", "connector": 2, "tx": "off", "wh": [51_000, 52_000],
             "timestamp": "2026-11-30T08:30:00Z", "interval": 1800},
            {"op": "stop", "tx": "off", "meterStop": 53_000, "reason": "Local",
             "timestamp": stopped},
        ]},
    ]).ok()  # fmt: skip
    replayed = [c for c in r.calls() if c.get("replayed")]
    assert [c["action"] for c in replayed if c["action"] != "StatusNotification"] == [
        "StartTransaction", "MeterValues", "MeterValues", "StopTransaction",
    ], r.describe()  # fmt: skip
    assert all("response" in c for c in replayed), r.describe()
    tx = r.calls("StartTransaction")[0]["response"]["transactionId"]
    row = site.session(tx)
    assert row["bay"] == "O2"
    assert row["energy_kwh"] == "3.000"
    assert _ts(row["plugged_at"]) == _ts(started), row
    assert _ts(row["stopped_at"]) == _ts(stopped), row


def test_a_stop_for_an_unknown_transaction_is_answered_not_refused(site: OcppSite) -> None:
    r = _cp(site, [
        {"op": "boot"},
        {"op": "stop", "transactionId": 987_654, "meterStop": 1_000, "reason": "Other"},
        {"op": "stop", "transactionId": -1, "meterStop": 1_000, "reason": "PowerLoss"},
    ]).ok()  # fmt: skip
    stops = r.calls("StopTransaction")
    assert len(stops) == 2 and all("response" in s for s in stops), r.describe()
    assert not any(s["tx_uid"].endswith("987654") for s in site.sessions())
    # both kept for reconciliation, each with the charger's own meterStop
    kept = wait_until(lambda: len(notes := site.unknown_stops()) >= 2 and notes, 30, "records")
    assert {"987654", "-1"} <= {n.code for n in kept}, kept


def test_a_wrong_or_missing_password_is_refused_with_401_and_the_right_one_connects(
    site: OcppSite,
) -> None:
    for password in ("wrong-password", None):
        r = run_cp(site.ocpp_url, CP_LOCKED, [{"op": "boot"}], password=password)
        assert r.returncode == EXIT_UNAUTHORIZED, r.describe()
        assert "401" in r.stderr and not r.calls()
    ok = run_cp(site.ocpp_url, CP_LOCKED, [{"op": "boot"}], password=PASSWORD).ok()
    assert ok.calls("BootNotification")[0]["response"]["status"] == "Accepted"
    assert "401" in site.svc.log() or "password" in site.svc.log().lower()


def test_a_faulted_status_is_in_the_fault_log_and_cleared_by_the_next_status(
    site: OcppSite,
) -> None:
    r = _cp(site, [
        {"op": "boot"},
        {"op": "status", "connector": 2, "status": "Faulted", "errorCode": "GroundFailure",
         "vendorErrorCode": "E-17", "info": "RCD tripped"},
    ]).ok()  # fmt: skip
    assert all("response" in c for c in r.calls("StatusNotification")), r.describe()

    def listed(*flags: str) -> str:
        out = cli("--db", site.db_url, "faults", "list", "--bay", "O2", *flags, env=site.env())
        assert out.returncode == 0, out.stderr
        return out.stdout

    wait_until(lambda: "GroundFailure" in listed("--open"), 30, "the open fault listed")
    _cp(site, [{"op": "boot"}, {"op": "status", "connector": 2, "status": "Available"}]).ok()
    wait_until(lambda: "GroundFailure" not in listed("--open"), 30, "the fault cleared")
    assert "GroundFailure" in listed()


def test_a_dropped_connection_leaves_the_session_open_and_a_retried_stop_changes_nothing(
    site: OcppSite,
) -> None:
    first = _cp(site, [
        {"op": "boot"},
        {"op": "start", "connector": 1, "idTag": CARD, "meterStart": 70_000, "as": "t"},
        {"op": "meter", "connector": 1, "tx": "t", "wh": [70_800]},
    ]).ok()  # the process ends: the connection drops mid-session  # fmt: skip
    tx = first.calls("StartTransaction")[0]["response"]["transactionId"]
    assert site.session(tx)["stopped_at"] == "", site.session(tx)
    at = datetime.now(UTC).isoformat()  # a retry is the same message: the same timestamp
    stop = {
        "op": "stop",
        "transactionId": tx,
        "meterStop": 71_500,
        "reason": "Local",
        "timestamp": at,
    }
    again = _cp(site, [{"op": "boot"}, stop, stop]).ok()
    stops = again.calls("StopTransaction")
    assert len(stops) == 2 and all("response" in s for s in stops), again.describe()
    row = site.session(tx)
    assert row["stopped_at"] and row["energy_kwh"] == "1.500", row
    assert row["stop_reason"] == "Local"


def test_an_unregistered_charge_point_is_refused_at_the_upgrade(site: OcppSite) -> None:
    r = run_cp(site.ocpp_url, "NOT-REGISTERED", [{"op": "boot"}])
    assert r.returncode == 1 and "refused: HTTP 404" in r.stderr, r.describe()
    assert not r.calls()
