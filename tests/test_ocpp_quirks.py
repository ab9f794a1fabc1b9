"""Vendor quirks as data (`stationmgr.ocpp.quirks`): the table's matching and each fix on the
model's own kind of message (pure), then end to end through `stationmgr run --ocpp-listen`
with the Node.js charge point (`tests/ocpp_cp/cp.js`, npm `ocpp-rpc`, strict 1.6 schemas)
booting as a KEBA and as an ABB Terra AC."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.ocpp import quirks
from stationmgr.store.db import open_database
from stationmgr.store.models import ChargeSession, MeterSample
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import node_command, run_cp
from tests.helpers.service import cli, env_for, service
from tests.helpers.wait import wait_until
from tests.test_service import _make_site

CARD = "04A1B2C3"
PADDED = CARD + "00000000"  # as a KEBA sends it


def _sv(value: str, measurand: str, unit: str, phase: str | None = None) -> dict[str, str]:
    out = {"value": value, "measurand": measurand, "unit": unit}
    return out | ({"phase": phase} if phase else {})


# ---------------------------------------------------------------- the table (pure)


def test_the_table_matches_on_vendor_and_model_and_falls_back_to_the_standard() -> None:
    assert quirks.match("KEBA AG", "KC-P30-ES240022-E0R").name == "KEBA KeContact P30"
    assert quirks.match("ABB", "Terra AC").name == "ABB Terra AC"
    assert quirks.match("Easee", "Home").name.startswith("Easee")
    assert quirks.match("Zaptec", "ZAPTEC GO").name.startswith("Zaptec")
    assert quirks.match("Alfen BV", "NG910") is quirks.NONE
    assert quirks.match(None, None) is quirks.NONE
    assert all(q.setup for q in quirks.TABLE)  # each row says how to set the charger up


def test_keba_padded_id_tags_are_also_looked_up_as_the_cards_uid() -> None:
    keba = quirks.match("KEBA AG", "KC-P30")
    assert keba.id_tags(PADDED) == [PADDED, CARD + "000000", CARD]  # 7-byte, then 4-byte
    assert keba.id_tags("04A1B2C3D4E5F600") == ["04A1B2C3D4E5F600", "04A1B2C3D4E5F6"]
    assert keba.id_tags(CARD) == [CARD]  # not padded: as it is
    assert quirks.NONE.id_tags(PADDED) == [PADDED]


def test_abb_per_phase_power_is_summed_and_a_zero_energy_dropout_left_out() -> None:
    abb = quirks.match("ABB", "Terra AC")
    raw = [
        {"timestamp": "2026-03-02T10:00:00Z", "sampledValue": [
            _sv("2000", "Energy.Active.Import.Register", "Wh"),
            _sv("230.1", "Voltage", "V", "L1-N"),
            _sv("2300", "Power.Active.Import", "W", "L1"),
            _sv("2.3", "Power.Active.Import", "kW", "L2"),
            _sv("2300", "Power.Active.Import", "W", "L3"),
        ]},
        {"timestamp": "2026-03-02T10:01:00Z", "sampledValue": [
            _sv("0", "Energy.Active.Import.Register", "Wh"),
        ]},
        {"timestamp": "2026-03-02T10:02:00Z", "sampledValue": [
            _sv("7000", "Power.Active.Import", "W"), _sv("10", "Power.Active.Import", "W", "L1"),
        ]},
    ]  # fmt: skip
    before = copy.deepcopy(raw)
    from stationmgr.ocpp.mapping import parse_samples

    got = parse_samples(abb.meter_values(raw))
    assert raw == before  # the charger's message is not changed
    assert (got[0].energy_wh, got[0].power_w) == (2000, 6900)
    assert got[1].energy_wh is None  # the dropout is not a reading
    assert got[2].power_w == 7000  # a total the charger sent is kept
    plain = parse_samples(quirks.NONE.meter_values(raw))
    assert plain[0].power_w is None and plain[1].energy_wh == 0  # what the quirk fixes


# ---------------------------------------------------------------- end to end


@dataclass
class Site:
    db_url: str
    ocpp_url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    node_command()
    tmp = tmp_path_factory.mktemp("ocpp-quirks")
    url = _make_site(tmp)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    assert cli("--db", url, "cards", "add", CARD, "--holder", "Kai Keba", env=env).returncode == 0
    chargers = (("keba", "KEBA-1", "K1"), ("abb", "ABB-1", "A1"), ("alfen", "ALF-1", "F1"))
    for name, cpid, bay in chargers:
        done = cli("--db", url, "chargers", "add", name, "--driver", "ocpp",
                   "--charge-point-id", cpid, "--bays", bay, env=env)  # fmt: skip
        assert done.returncode == 0, done.stderr
    ocpp_file = tmp / "ocpp.url"
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(ocpp_file))
    with service(tmp, url, *extra, env=env, name="ocpp-quirks") as _svc:
        yield Site(url, ocpp_file.read_text().strip().rstrip("/") + "/ocpp")


@pytest.mark.timeout(300)
def test_a_keba_padded_id_tag_is_accepted_as_the_enrolled_card(site: Site) -> None:
    keba = run_cp(site.ocpp_url, "KEBA-1", [
        {"op": "boot", "vendor": "KEBA AG", "model": "KC-P30-EC240422-E0R"},
        {"op": "authorize", "idTag": PADDED},
    ]).ok()  # fmt: skip
    assert keba.calls("Authorize")[0]["response"]["idTagInfo"]["status"] == "Accepted"
    other = run_cp(site.ocpp_url, "ALF-1", [
        {"op": "boot", "vendor": "Alfen BV", "model": "NG910"},
        {"op": "authorize", "idTag": PADDED},
    ]).ok()  # fmt: skip
    assert other.calls("Authorize")[0]["response"]["idTagInfo"]["status"] != "Accepted"


@pytest.mark.timeout(300)
def test_an_abb_transaction_gets_its_phase_power_and_no_zero_energy_sample(site: Site) -> None:
    now = datetime.now(UTC)

    def at(s: float) -> str:
        return (now + timedelta(seconds=s)).isoformat().replace("+00:00", "Z")

    data = [
        {"timestamp": at(2), "sampledValue": [
            _sv("2000", "Energy.Active.Import.Register", "Wh"),
            *[_sv("2300", "Power.Active.Import", "W", p) for p in ("L1", "L2", "L3")],
        ]},
        {"timestamp": at(3), "sampledValue": [_sv("0", "Energy.Active.Import.Register", "Wh")]},
    ]  # fmt: skip
    r = run_cp(site.ocpp_url, "ABB-1", [
        {"op": "boot", "vendor": "ABB", "model": "Terra AC"},
        {"op": "start", "connector": 1, "idTag": CARD, "meterStart": 1000, "timestamp": at(1),
         "as": "t"},
        {"op": "stop", "tx": "t", "meterStop": 4000, "reason": "EVDisconnected",
         "timestamp": at(5), "transactionData": data},
    ]).ok()  # fmt: skip
    tx = r.calls("StartTransaction")[0]["response"]["transactionId"]
    assert all("response" in c for c in r.calls("StopTransaction")), r.describe()

    def stored() -> list[tuple[float, float | None]] | None:
        db = open_database(site.db_url, upgrade=False)
        try:
            with db.session() as s:
                row = s.scalar(select(ChargeSession).where(ChargeSession.tx_uid == f"ocpp-{tx}"))
                if row is None or row.stopped_at is None:
                    return None
                q = select(MeterSample.energy_wh, MeterSample.power_w).where(
                    MeterSample.session_id == row.id
                )
                return [(float(e), p) for e, p in s.execute(q)] or None
        finally:
            db.dispose()

    samples = wait_until(stored, 60, "the ABB session and its samples stored")
    assert (2000.0, 6900) in [(e, round(p) if p else p) for e, p in samples], samples
    assert all(e > 0 for e, _p in samples), samples
