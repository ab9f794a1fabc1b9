"""`stationmgr ports`, `probe`, `chargers`, `readers` on a real SQLite file and real ptys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.access.roles import Role
from stationmgr.cli import main
from stationmgr.clock import WarpClock
from stationmgr.ocpp_words import AuthStatus
from stationmgr.sessions import Authorization, Transaction
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import Database, open_database
from stationmgr.store.models import Bay, CardReaderDevice, Charger, ChargeSession
from stationmgr.store.persist import new_session_row
from tests.access_site import PASSWORDS, USERS, add_staff, audit_entries


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    assert main(["--db", u, "db", "create"]) == 0  # a named --db is never made implicitly
    return u


def _session_at(db: Database, label: str, tx_uid: str) -> None:
    """A charging session on record at bay `label` (history that must be kept)."""
    with db.session() as s:
        bay = s.scalar(select(Bay).where(Bay.label == label))
        auth = Authorization(AuthStatus.ACCEPTED)
        s.add(new_session_row(Transaction(tx_uid, bay.id, auth, 1.0, 1.0, 0.0, 0.0, 0.0)))


def _login(monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    monkeypatch.setenv("STATIONMGR_USER", USERS[role])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[role])


@pytest.fixture
def evse() -> Iterator[OpenEVSESim]:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(30.0), lifetime_wh=1234).start()
    try:
        yield sim
    finally:
        sim.stop()


def test_ports_lists_serial_ports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ports", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    assert all({"port", "description", "vid_pid"} <= set(r) for r in rows)


def test_probe_prints_one_snapshot(evse: OpenEVSESim, capsys: pytest.CaptureFixture[str]) -> None:
    evse.plug(EV(soc=0.5))
    assert main(["probe", "openevse", evse.endpoint.name]) == 0
    snap = json.loads(capsys.readouterr().out)
    assert (snap["model"], snap["firmware"]) == ("OpenEVSE", "8.2.1")
    (c,) = snap["connectors"]
    assert c["state"] == "Charging" and c["raw_state"] == "03"
    assert c["power_w"] > 1000 and c["total_energy_wh"] == 1234
    assert c["session_energy_wh"] >= 0 and c["voltages_v"] == [240.0]
    assert c["currents_a"][0] > 1


def test_probe_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    reader = ReaderSim(PtyEndpoint()).start()  # something that does not speak RAPI
    try:
        reader.place("0A1B2C3D4E")
        assert main(["probe", "openevse", reader.endpoint.name]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no reply to $GV" in err[0]
        assert "something answers, but not in RAPI" in err[0]
    finally:
        reader.stop()
    assert main(["probe", "openevse", "/dev/no-such-port"]) == 1
    assert "cannot open" in capsys.readouterr().err
    assert main(["probe", "nosuch", "/dev/ttyUSB0"]) == 2
    assert "unknown driver 'nosuch'" in capsys.readouterr().err


def test_probe_a_card_reader(capsys: pytest.CaptureFixture[str]) -> None:
    reader = ReaderSim(PtyEndpoint(), id12=True).start()
    try:
        assert main(["probe", "id12", reader.endpoint.name, "--timeout", "1"]) == 1
        assert "no card read" in capsys.readouterr().err
        reader.place("0A1B2C3D4E")
        assert main(["probe", "id12", reader.endpoint.name]) == 0
        snap = json.loads(capsys.readouterr().out)
        assert (snap["uid"], snap["match_key"]) == ("0A1B2C3D4E", "1B2C3D4E")
    finally:
        reader.stop()


def test_chargers_and_readers(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--db",
                url,
                "chargers",
                "add",
                "north",
                "--driver",
                "openevse",
                "--port",
                "/dev/ttyUSB0",
                "--set",
                "reply_timeout_s=0.5",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "--db",
                url,
                "chargers",
                "add",
                "twin",
                "--driver",
                "openevse",
                "--port",
                "socket://10.0.0.5:4001",
                "--connectors",
                "2",
                "--bays",
                "T1",
                "T2",
            ]
        )
        == 0
    )
    capsys.readouterr()
    # Bad input: one line, exit 2, nothing written.
    bad = [
        ["chargers", "add", "north", "--driver", "openevse", "--port", "/dev/ttyUSB9"],
        ["chargers", "add", "x", "--driver", "nosuch", "--port", "/dev/ttyUSB9"],
        ["chargers", "add", "y", "--driver", "openevse", "--port", "/dev/ttyUSB0"],
        [
            "chargers",
            "add",
            "z",
            "--driver",
            "openevse",
            "--port",
            "/dev/ttyUSB9",
            "--connectors",
            "2",
            "--bays",
            "only-one",
        ],
        ["chargers", "add", "w", "--driver", "openevse", "--port", "/dev/ttyUSB9", "--bays", "T1"],
        ["readers", "add", "r0", "--port", "/dev/ttyUSB3", "--bay", "nowhere"],
        ["chargers", "remove", "ghost"],
    ]
    for argv in bad:
        assert main(["--db", url, *argv]) == 2, argv
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main(["--db", url, "readers", "add", "r1", "--port", "/dev/ttyUSB1", "--bay", "T2"]) == 0
    assert (
        main(
            [
                "--db",
                url,
                "readers",
                "add",
                "desk",
                "--driver",
                "id12",
                "--port",
                "/dev/ttyUSB2",
                "--desk",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["--db", url, "chargers", "list", "--json"]) == 0
    chargers = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["bays"]) for c in chargers] == [
        ("north", ["north"]),
        ("twin", ["T1", "T2"]),
    ]
    assert chargers[0]["settings"] == {"reply_timeout_s": 0.5}
    assert main(["--db", url, "readers", "list", "--json"]) == 0
    readers = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["bay"]) for r in readers] == [("desk", None), ("r1", "T2")]

    db = open_database(url)
    try:
        _session_at(db, "north", "x-1")  # a charger with history is disabled, not deleted
        assert main(["--db", url, "chargers", "remove", "north"]) == 0
        assert "disabled, not deleted" in capsys.readouterr().out
        assert main(["--db", url, "chargers", "remove", "twin"]) == 0
        assert main(["--db", url, "readers", "remove", "desk"]) == 0
        with db.session() as s:
            names = {c.name: c.enabled for c in s.scalars(select(Charger))}
            assert names == {"north": False}
            assert s.scalar(select(ChargeSession).where(ChargeSession.tx_uid == "x-1"))
            r1 = s.scalar(select(CardReaderDevice).where(CardReaderDevice.name == "r1"))
            assert r1 is not None and r1.bay_id is None  # its bay went with the charger
            assert s.scalar(select(CardReaderDevice).where(CardReaderDevice.name == "desk")) is None
    finally:
        db.dispose()


def test_probe_over_a_serial_to_tcp_gateway(capsys: pytest.CaptureFixture[str]) -> None:
    from stationmgr.sim.transport import TcpEndpoint

    sim = OpenEVSESim(TcpEndpoint(), WarpClock(1.0)).start()
    try:
        assert sim.endpoint.name.startswith("socket://127.0.0.1:")
        assert main(["probe", "openevse", sim.endpoint.name]) == 0
        snap = json.loads(capsys.readouterr().out)
        assert snap["connectors"][0]["state"] == "Available"
    finally:
        sim.stop()


def test_only_the_owner_configures_devices_and_it_is_audited(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(url)
    try:
        add_staff(db)
        argv = [
            "--db",
            url,
            "chargers",
            "add",
            "south",
            "--driver",
            "openevse",
            "--port",
            "/dev/ttyUSB4",
        ]
        _login(monkeypatch, Role.ATTENDANT)
        assert main(argv) == 3
        assert "permission denied" in capsys.readouterr().err
        _login(monkeypatch, Role.OWNER)
        assert main(argv) == 0
        (entry,) = audit_entries(db, action="chargers.add", target="south", outcome="ok")
        assert entry.after["port"] == "/dev/ttyUSB4" and entry.operator == USERS[Role.OWNER]
    finally:
        db.dispose()


def test_device_commands_use_the_site_setup_rules_and_audit_once(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(url)
    try:
        add_staff(db)
        _login(monkeypatch, Role.OWNER)
        add = ["chargers", "add", "west", "--driver", "openevse", "--port", "/dev/ttyUSB5"]
        assert main(["--db", url, *add, "--set", "reply_timeout_s=0.5"]) == 0
        (added,) = audit_entries(db, target="west")
        assert added.action == "chargers.add"
        assert added.after["settings"] == {"reply_timeout_s": 0.5}
        capsys.readouterr()
        # Rules the CLI once lacked: a reader cannot share a charger's port; baud in range.
        for argv in (
            ["readers", "add", "r5", "--port", "/dev/ttyUSB5", "--desk"],
            [*add[:2], "east", *add[3:6], "/dev/ttyUSB6", "--baud", "5"],
        ):
            assert main(["--db", url, *argv]) == 2, argv
            assert len(capsys.readouterr().err.strip().splitlines()) == 1
        assert main(["--db", url, "readers", "add", "r6", "--port", "/dev/ttyUSB6", "--desk"]) == 0
        _session_at(db, "west", "w-1")
        assert main(["--db", url, "chargers", "remove", "west"]) == 0
        assert "disabled, not deleted" in capsys.readouterr().out
        assert main(["--db", url, "readers", "remove", "r6"]) == 0
        # One entry per change: the service's, none added again at the CLI boundary.
        assert [(e.action, e.outcome) for e in audit_entries(db, target="west")] == [
            ("chargers.add", "ok"),
            ("chargers.edit", "ok"),
        ]
        assert audit_entries(db, target="west")[-1].after["enabled"] is False
        assert [e.action for e in audit_entries(db, target="r6")] == [
            "chargers.add",
            "chargers.remove",
        ]
    finally:
        db.dispose()
