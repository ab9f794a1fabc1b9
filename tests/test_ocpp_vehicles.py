"""Vehicles as credentials (issue 12, item 8): the id tag a charger reports for a car it
recognises itself (Autocharge: `VID:` and the car's MAC) is enrolled as a holder's vehicle
credential — a card row of kind "vehicle", so sessions, budgets, receipts, allow-lists and
the charger's local list treat it like any card.

Core rules on real SQLite; then end to end: `cards add … --kind vehicle` through the CLI, and
the Node.js charge point (npm ocpp-rpc, strict schemas) authorising and starting a
transaction with the vehicle's tag against `stationmgr run --ocpp-listen`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from stationmgr.access.roles import Role
from stationmgr.cards import CardInput, add_card, find_card_facts, get_card, update_card
from stationmgr.errors import UserError
from stationmgr.store.db import Database
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import charge_point, node_command
from tests.helpers.service import cli, env_for, service
from tests.test_service import _make_site

VID = "VID:0A1B2C3D4E5F"
OTHER_VID = "VID:AABBCCDDEEFF"  # enrolled, blocked


def test_a_vehicle_tag_matches_itself_only_and_never_as_a_card_number(sqlite_db: Database) -> None:
    db = sqlite_db
    with db.session() as s:
        add_card(s, CardInput(uid="vid:0a1b2c3d4e5f", holder="Vera", kind="vehicle"))
        add_card(s, CardInput(uid="0A1B2C3D", holder="Carl"))
        # a car whose tag reads like a card number is still that car, not Carl's card
        add_card(s, CardInput(uid="0A1B2C3E", holder="Van", kind="vehicle"))
    with db.session() as s:
        facts = find_card_facts(s, VID, exact=True)
        assert facts is not None and facts.holder_name == "Vera" and facts.uid == VID
        assert find_card_facts(s, VID.lower()) is not None  # a charger's spelling
        assert find_card_facts(s, "VID:0A1B2C3D4E50") is None
        assert find_card_facts(s, "0A1B2C3E").holder_name == "Van"  # type: ignore[union-attr]
        assert find_card_facts(s, "0A1B2C3D").holder_name == "Carl"  # type: ignore[union-attr]
        assert get_card(s, VID).kind == "vehicle"
        for bad, kind in (("VID 0A1B", "vehicle"), ("x" * 21, "vehicle"), (VID, "car")):
            with pytest.raises(UserError):
                add_card(s, CardInput(uid=bad, kind=kind))
        with pytest.raises(UserError, match="already enrolled"):
            add_card(s, CardInput(uid="0A1B2C3E"))  # the car's tag, as a card
        # an edit that does not name the kind (the card dialog) keeps the car a car
        car = get_card(s, VID)
        update_card(s, car.id, CardInput(uid=VID, holder="Vera", label="Van", blocked=True))
    with db.session() as s:
        car = get_card(s, VID)
        assert (car.kind, car.uid, car.label, car.blocked) == ("vehicle", VID, "Van", True)


def _ok(done: object) -> None:
    assert getattr(done, "returncode", 1) == 0, getattr(done, "stderr", done)


@pytest.mark.timeout(300)
def test_a_vehicle_credential_starts_a_transaction(tmp_path: Path) -> None:
    node_command()
    url = _make_site(tmp_path)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    db = ("--db", url)
    r = cli(*db, "cards", "add", VID, "--kind", "vehicle", "--holder", "Vera Volt", env=env)
    assert r.returncode == 0 and r.stdout.startswith(f"enrolled vehicle {VID}"), r.stderr
    _ok(cli(*db, "cards", "add", OTHER_VID, "--kind", "vehicle", "--blocked", env=env))
    bad = cli(*db, "cards", "add", "VID:has space", "--kind", "vehicle", env=env)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    listed = cli(*db, "cards", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    (row,) = [ln for ln in listed.stdout.splitlines() if VID in ln]
    assert "vehicle" in row.split() and "Vera Volt" in row
    _ok(
        cli(*db, "chargers", "add", "auto-1", "--driver", "ocpp", "--charge-point-id", "AUTO-1",
            "--bays", "V1", env=env)
    )  # fmt: skip
    url_file = tmp_path / "ocpp.url"
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(url_file))
    steps = [
        {"op": "boot"},
        {"op": "wait", "action": "SendLocalList"},  # the car is on the charger's list too
        {"op": "status", "connector": 1, "status": "Preparing"},
        {"op": "authorize", "idTag": VID},
        {"op": "authorize", "idTag": OTHER_VID},
        {"op": "start", "connector": 1, "idTag": VID, "meterStart": 1_000, "as": "car"},
        {"op": "meter", "connector": 1, "tx": "car", "wh": [2_000]},
        {"op": "stop", "tx": "car", "meterStop": 3_500, "reason": "EVDisconnected"},
    ]
    with service(tmp_path, url, *extra, env=env, name="vid"):
        ocpp = url_file.read_text().strip().rstrip("/") + "/ocpp"
        with charge_point(ocpp, "AUTO-1", steps) as cp:
            result = cp.finish().ok()
        out = cli(*db, "sessions", "list", "--csv", env=env)
    assert out.returncode == 0, out.stderr
    good, blocked = result.calls("Authorize")
    assert good["response"]["idTagInfo"]["status"] == "Accepted", result.describe()
    assert blocked["response"]["idTagInfo"]["status"] == "Blocked", result.describe()
    (start,) = result.calls("StartTransaction")
    assert start["response"]["idTagInfo"]["status"] == "Accepted", result.describe()
    local = [x for x in result.lines if x.get("type") == "local_list"]
    assert local and local[-1]["idTags"] == [VID], result.describe()
    txid = start["response"]["transactionId"]
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if r["tx_uid"] == f"ocpp-{txid}"]
    assert len(rows) == 1, out.stdout
    assert rows[0]["holder"] == "Vera Volt" and rows[0]["energy_kwh"] == "2.500", rows[0]
