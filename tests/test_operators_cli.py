"""The CLI with operators: the roles × commands matrix with credentials from the
environment, the login itself (first run, wrong password, lockout, reset, passwd), and
the commands that need no login."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr.access import audit
from stationmgr.access.operators import create_operator
from stationmgr.access.roles import Role, role_may
from stationmgr.cards import CardInput, add_card
from stationmgr.cli import main
from stationmgr.store.db import Database, open_database
from stationmgr.store.models import AuditEntry, Bay, Charger
from tests.access_site import PASSWORDS, USERS, add_staff

SEED = "DEADBEEF"
NEW_PW = "fresh-Pa55word"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    d = tmp_path_factory.mktemp("climatrix")
    db = open_database(f"sqlite:///{d / 'site.sqlite3'}")
    with db.session() as s:
        add_card(s, CardInput(uid=SEED))
        for role in Role:
            c = Charger(name=f"pre-{role.value}", driver="inproc", port=f"inproc://pre-{role}")
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=f"pre-{role.value}"))
    staff = add_staff(db)
    with db.session() as s:
        for role in Role:
            create_operator(
                s, f"temp-{role.value}", Role.ATTENDANT, NEW_PW, actor=staff[Role.OWNER]
            )
    for role in Role:
        n = list(Role).index(role)
        (d / f"import-{role.value}.csv").write_text(f"uid,holder\n0C{n:02X}0001,Imported\n")
    try:
        yield db, d
    finally:
        db.dispose()


def _n(role: Role) -> int:
    return list(Role).index(role)


# case id -> (action it needs, argv for a role given the working directory)
Argv = Callable[[Role, Path], list[str]]
CASES: dict[str, tuple[str, Argv]] = {
    "cards-add": ("cards.add", lambda r, d: ["cards", "add", f"0B{_n(r):02X}0001"]),
    "cards-block": ("cards.edit", lambda r, d: ["cards", "block", SEED]),
    "cards-unblock": ("cards.edit", lambda r, d: ["cards", "unblock", SEED]),
    "cards-import": ("cards.import", lambda r, d: ["cards", "import", str(d / f"import-{r}.csv")]),
    "cards-export": ("cards.export", lambda r, d: ["cards", "export", "-o", str(d / f"c-{r}.csv")]),
    "cards-list": ("cards.read", lambda r, d: ["cards", "list"]),
    "cards-show": ("cards.read", lambda r, d: ["cards", "show", SEED]),
    "sessions-list": ("sessions.read", lambda r, d: ["sessions", "list"]),
    "sessions-csv": ("sessions.export", lambda r, d: ["sessions", "list", "--csv"]),
    "operators-add": (
        "operators.manage",
        lambda r, d: ["operators", "add", "--role", "attendant", f"cli-{r}"],
    ),
    "operators-reset": ("operators.manage", lambda r, d: ["operators", "reset", f"temp-{r}"]),
    "operators-disable": ("operators.manage", lambda r, d: ["operators", "disable", f"temp-{r}"]),
    "operators-role": (
        "operators.manage",
        lambda r, d: ["operators", "role", f"temp-{r}", "accountant"],
    ),
    "operators-list": ("operators.read", lambda r, d: ["operators", "list"]),
    "audit-list": ("audit.read", lambda r, d: ["audit", "list", "--outcome", "denied"]),
    "audit-export": ("audit.export", lambda r, d: ["audit", "export", "-o", str(d / f"a-{r}.csv")]),
    "audit-verify": ("verify", lambda r, d: ["audit", "verify"]),
    "db-info": ("db.maintain", lambda r, d: ["db", "info"]),
    "secrets-where": ("secrets.manage", lambda r, d: ["secrets", "where"]),
    "chargers-add": (
        "chargers.add",
        lambda r, d: [
            "chargers",
            "add",
            f"new-{r}",
            "--driver",
            "inproc",
            "--port",
            f"inproc://n{r}",
        ],
    ),
    "chargers-list": ("chargers.read", lambda r, d: ["chargers", "list"]),
    "chargers-remove": ("chargers.remove", lambda r, d: ["chargers", "remove", f"pre-{r}"]),
    "run": ("site.run", lambda r, d: ["run"]),
}


def _last_id(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.max(AuditEntry.id))) or 0


def _since(db: Database, last_id: int) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.id > last_id)))


def _login(monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    monkeypatch.setenv("STATIONMGR_USER", USERS[role])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[role])
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", NEW_PW)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("case", list(CASES))
def test_cli_matrix(site, role: Role, case: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    db, d = site
    action, argv = CASES[case]
    may = role_may(role, action)
    if case == "run" and may:
        pytest.skip("`run` keeps running once allowed; the engine's own tests cover it")
    _login(monkeypatch, role)
    last = _last_id(db)
    status = main(["--db", db.url, *argv(role, d)])
    err = capsys.readouterr().err
    entries = _since(db, last)
    assert (entries[0].operator, entries[0].action, entries[0].outcome) == (
        USERS[role],
        "login",
        audit.OK,
    )
    if may:
        assert status == 0, err
        assert all(e.outcome == audit.OK for e in entries)
        return
    assert status == 3, err
    assert "permission denied" in err and USERS[role] in err and f"({role.value})" in err
    assert len(err.strip().splitlines()) == 1  # one clear line
    assert [(e.operator, e.action, e.outcome) for e in entries[1:]] == [
        (USERS[role], action, audit.DENIED)
    ]


def test_boundary_audit_of_device_commands(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db, _ = site
    _login(monkeypatch, Role.OWNER)
    last = _last_id(db)
    argv = ["chargers", "add", "audited", "--driver", "inproc", "--port", "inproc://audited"]
    assert main(["--db", db.url, *argv]) == 0
    (e,) = [e for e in _since(db, last) if e.action == "chargers.add"]
    assert e.operator == "olga" and e.target == "audited" and e.after["port"] == "inproc://audited"


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    for k in ("STATIONMGR_USER", "STATIONMGR_PASSWORD", "STATIONMGR_NEW_PASSWORD"):
        monkeypatch.delenv(k, raising=False)
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0  # a named --db is never made implicitly
    return url


def test_first_run_then_every_command_needs_a_login(fresh: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", fresh, "cards", "add", "0A0B0C0D"]) == 0  # nothing to protect yet
    assert main(["--db", fresh, "operators", "whoami"]) == 0
    assert "no login needed" in capsys.readouterr().out
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", "first-owner-pw")
    assert main(["--db", fresh, "operators", "add", "--role", "attendant", "arne"]) == 2
    assert "first operator must be an owner" in capsys.readouterr().err
    assert main(["--db", fresh, "operators", "add", "--role", "owner", "olga"]) == 0
    capsys.readouterr()
    assert main(["--db", fresh, "cards", "list"]) == 3
    assert "login needed" in capsys.readouterr().err
    # Needing no login: help, version, database upgrade, simulators.
    for argv in (["db", "upgrade"],):
        assert main(["--db", fresh, *argv]) == 0
    for argv in (["--help"], ["--version"], ["simulate", "--help"], ["cards", "--help"]):
        with pytest.raises(SystemExit) as ex:
            main(["--db", fresh, *argv])
        assert ex.value.code == 0
    monkeypatch.setenv("STATIONMGR_USER", "olga")
    monkeypatch.setenv("STATIONMGR_PASSWORD", "first-owner-pw")
    assert main(["--db", fresh, "cards", "list"]) == 0
    assert "0A0B0C0D" in capsys.readouterr().out


def test_wrong_password_lockout_reset_and_passwd(fresh: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", "owner-password-1")
    main(["--db", fresh, "operators", "add", "--role", "owner", "olga"])
    monkeypatch.setenv("STATIONMGR_USER", "olga")
    monkeypatch.setenv("STATIONMGR_PASSWORD", "owner-password-1")
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", "arne-password-1")
    assert main(["--db", fresh, "operators", "add", "--role", "attendant", "arne"]) == 0
    monkeypatch.setenv("STATIONMGR_USER", "arne")
    monkeypatch.setenv("STATIONMGR_PASSWORD", "wrong-password")
    capsys.readouterr()
    for _ in range(4):
        assert main(["--db", fresh, "cards", "list"]) == 3
    assert main(["--db", fresh, "cards", "list"]) == 3
    assert "locked for 15 minutes" in capsys.readouterr().err
    monkeypatch.setenv("STATIONMGR_PASSWORD", "arne-password-1")
    assert main(["--db", fresh, "cards", "list"]) == 3
    assert "is locked" in capsys.readouterr().err
    # The owner resets: unlocked, and arne must change the password before anything else.
    monkeypatch.setenv("STATIONMGR_USER", "olga")
    monkeypatch.setenv("STATIONMGR_PASSWORD", "owner-password-1")
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", "arne-temporary-1")
    assert main(["--db", fresh, "operators", "reset", "arne"]) == 0
    monkeypatch.setenv("STATIONMGR_USER", "arne")
    monkeypatch.setenv("STATIONMGR_PASSWORD", "arne-temporary-1")
    capsys.readouterr()
    assert main(["--db", fresh, "cards", "list"]) == 3
    assert "change it first" in capsys.readouterr().err
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", "arne-own-password")
    assert main(["--db", fresh, "operators", "passwd"]) == 0
    assert main(["--db", fresh, "cards", "list"]) == 3  # the old password is gone
    monkeypatch.setenv("STATIONMGR_PASSWORD", "arne-own-password")
    assert main(["--db", fresh, "cards", "list"]) == 0


def test_passwords_are_never_arguments(fresh: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as ex:
        main(["--db", fresh, "operators", "add", "--role", "owner", "olga", "--password", "x"])
    assert ex.value.code == 2
    # Without a terminal and without the variable, it says how, and writes nothing.
    assert main(["--db", fresh, "operators", "add", "--role", "owner", "olga"]) == 2
    assert "STATIONMGR_NEW_PASSWORD" in capsys.readouterr().err
    db = open_database(fresh)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count(AuditEntry.id))) == 0
    finally:
        db.dispose()


def test_real_process_with_environment_credentials(site) -> None:  # type: ignore[no-untyped-def]
    db, _ = site
    env = {
        **os.environ,
        "STATIONMGR_USER": "astrid",
        "STATIONMGR_PASSWORD": PASSWORDS[Role.ACCOUNTANT],
    }
    denied = subprocess.run(
        [sys.executable, "-m", "stationmgr", "--db", db.url, "cards", "add", "0E0E0E0E"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert denied.returncode == 3
    assert denied.stderr.strip().splitlines() == [  # one line, as for any refusal
        "stationmgr: error: permission denied: astrid (accountant) may not enrol a card "
        "(allowed for: owner)"
    ]
    ok = subprocess.run(
        [sys.executable, "-m", "stationmgr", "--db", db.url, "cards", "export"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert ok.returncode == 0 and SEED in ok.stdout


def test_policy_command(fresh: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATIONMGR_NEW_PASSWORD", "owner-password-1")
    main(["--db", fresh, "operators", "add", "--role", "owner", "olga"])
    monkeypatch.setenv("STATIONMGR_USER", "olga")
    monkeypatch.setenv("STATIONMGR_PASSWORD", "owner-password-1")
    capsys.readouterr()
    assert (
        main(
            [
                "--db",
                fresh,
                "operators",
                "policy",
                "--max-failures",
                "4",
                "--idle-lock-minutes",
                "0",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "max_failures      4" in out and "idle_lock_minutes 0 (off)" in out
    assert main(["--db", fresh, "operators", "policy", "--min-length", "4"]) == 2
    assert "between 8 and 128" in capsys.readouterr().err


def test_exports_are_audited_once(site, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    db, d = site
    _login(monkeypatch, Role.ACCOUNTANT)
    for argv in (["sessions", "list", "--csv"], ["cards", "export", "-o", str(d / "x.csv")]):
        last = _last_id(db)
        assert main(["--db", db.url, *argv]) == 0
        exports = [e for e in _since(db, last) if e.action.endswith(".export")]
        assert len(exports) == 1 and exports[0].operator == "astrid", argv
    capsys.readouterr()
