"""Current limits on OCPP chargers (issue 12, item 7): SetChargingProfile never above the
charger's installation maximum.

The property runs `stationmgr.ocpp.profiles` — the one place every profile the site sends is
built — over installation maxima (fractional ones too), offline settings and card limits,
and checks each limit against a value computed here. The end-to-end test runs the real
`stationmgr run --ocpp-listen` against the Node.js charge point (npm ocpp-rpc, strict
schemas) and reads the limits the charger took: ChargePointMaxProfile and TxDefaultProfile
after boot, a TxProfile for a card with a current cap at StartTransaction, and both sent
again, lower, when the owner changes the charger's settings over the site API.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationmgr.access.roles import Role
from stationmgr.ocpp import profiles
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import charge_point, node_command
from tests.helpers.service import cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site

CP_ID = "PROF-1"
CAPPED = "04C0FFEE"  # max_current_a 10
FREE = "04F2EE00"  # no cap

AMPS = st.one_of(st.integers(6, 80).map(float), st.floats(6, 80, allow_nan=False))


def _limit(request: dict) -> float:
    periods = request["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"]
    return max(p["limit"] for p in periods)


@settings(max_examples=500, deadline=None)
@given(
    inst=st.one_of(st.none(), AMPS),
    offline=st.sampled_from(["stop", "safe_current"]),
    offline_a=AMPS,
    cards=st.lists(st.one_of(st.none(), AMPS), min_size=1, max_size=4),
    connector=st.integers(1, 4),
)
def test_no_profile_above_the_installation_maximum(
    inst: float | None,
    offline: str,
    offline_a: float,
    cards: list[float | None],
    connector: int,
) -> None:
    row: dict[str, object] = {"offline": offline, "offline_current_a": offline_a}
    if inst is not None:
        row["installation_max_a"] = inst
    p = profiles.plan(row)
    sent = profiles.charger_profiles(p, 0.0)
    tx = [profiles.tx_profile(p, connector, 7, card, 0.0) for card in cards]
    if inst is None:  # nothing known of the circuit: the charger keeps its own limits
        assert sent == []
    else:
        top = math.floor(inst)
        purposes = {r["csChargingProfiles"]["chargingProfilePurpose"]: _limit(r) for r in sent}
        assert purposes[profiles.CHARGE_POINT_MAX] == top
        default = min(top, math.floor(offline_a)) if offline == "safe_current" else top
        assert purposes[profiles.TX_DEFAULT] == default
        assert all(_limit(r) <= inst for r in sent + [r for r in tx if r])
    for card, request in zip(cards, tx, strict=True):
        if request is None:
            continue  # the default says it already
        limit = _limit(request)
        assert limit == int(limit) > 0  # whole amps, rounded down
        if card is not None:
            assert limit <= card
        prof = request["csChargingProfiles"]
        assert prof["chargingProfilePurpose"] == profiles.TX and prof["transactionId"] == 7
        assert request["connectorId"] == connector


def test_a_profile_above_its_ceiling_is_refused_not_sent() -> None:
    with pytest.raises(ValueError, match="above the installation maximum"):
        profiles.profile(profiles.TX, 1, 17, 16, 0.0, 3)


def _ok(done: object) -> None:
    assert getattr(done, "returncode", 1) == 0, getattr(done, "stderr", done)


@pytest.mark.timeout(300)
def test_the_charger_takes_limits_never_above_its_installation_maximum(tmp_path: Path) -> None:
    node_command()
    url = _make_site(tmp_path)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    db = ("--db", url)
    cards = tmp_path / "cards.csv"
    cards.write_text(f"uid,holder,max_current_a\n{CAPPED},Cap,10\n{FREE},Free,\n")
    _ok(cli(*db, "cards", "import", str(cards), env=env))
    _ok(
        cli(*db, "chargers", "add", "prof-1", "--driver", "ocpp", "--charge-point-id", CP_ID,
            "--bays", "P1,P2", "--set", "installation_max_a=16", env=env)
    )  # fmt: skip
    url_file = tmp_path / "ocpp.url"
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(url_file))
    steps = [
        {"op": "boot"},
        {"op": "wait", "action": "SetChargingProfile"},
        {"op": "wait", "action": "SetChargingProfile"},
        {"op": "start", "connector": 1, "idTag": CAPPED, "meterStart": 0, "as": "capped"},
        {"op": "wait", "action": "SetChargingProfile"},
        {"op": "start", "connector": 2, "idTag": FREE, "meterStart": 0, "as": "free"},
        {"op": "stop", "tx": "capped", "meterStop": 500},
        {"op": "stop", "tx": "free", "meterStop": 500},
        {"op": "wait", "action": "SetChargingProfile"},  # after the owner's change
        {"op": "wait", "action": "SetChargingProfile"},
        {"op": "start", "connector": 2, "idTag": FREE, "meterStart": 500, "as": "later"},
        {"op": "wait", "action": "SetChargingProfile"},
        {"op": "stop", "tx": "later", "meterStop": 900},
    ]
    with service(tmp_path, url, *extra, env=env, name="prof") as svc:
        ocpp = url_file.read_text().strip().rstrip("/") + "/ocpp"
        with charge_point(ocpp, CP_ID, steps, connectors=2) as cp:

            def taken(n: int) -> list[dict]:
                rows = cp.result.of_type("charging_profile")
                return rows if len(rows) >= n else []

            first = wait_until(lambda: taken(3), 90, "the boot's profiles and the TxProfile")
            cp.wait_answered("StopTransaction", n=2)
            _ok(
                cli("--site", svc.url, "chargers", "set", "prof-1", "installation_max_a=13",
                    "offline=safe_current", "offline_current_a=8", env=env)
            )  # fmt: skip
            r = cp.finish().ok()
    got = [(x["purpose"], x["connectorId"], x["limit"]) for x in r.of_type("charging_profile")]
    assert got[:3] == [
        ("ChargePointMaxProfile", 0, 16),
        ("TxDefaultProfile", 0, 16),
        ("TxProfile", 1, 10),  # the capped card's session; the free one has the default
    ], r.describe()
    assert got[3:] == [
        ("ChargePointMaxProfile", 0, 13),
        ("TxDefaultProfile", 0, 8),  # the safe current the charger keeps to on its own
        ("TxProfile", 2, 13),  # online, a session gets the full (new) maximum
    ], r.describe()
    assert first[2]["transactionId"] == r.calls("StartTransaction")[0]["response"]["transactionId"]
    assert all(x["unit"] == "A" for x in r.of_type("charging_profile"))
    assert all(x["response"] == {"status": "Accepted"} for x in r.received("SetChargingProfile"))
    assert max(limit for _p, _c, limit in got) <= 16
    assert "ChargePointMaxProfile 13 A" in svc.log()
