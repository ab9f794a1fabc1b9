"""Secrets: the OS vault through keyring, the private-file fallback where there is none,
and the private data directory and database file."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import pytest
from sqlalchemy import text

from stationmgr.access import secrets as secrets_mod
from stationmgr.access.secrets import SecretStore
from stationmgr.cli import main
from stationmgr.errors import UserError
from stationmgr.store.db import data_dir, open_database

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An OS vault stand-in for tests: a dict, at the edge of the unit under test."""

    priority = 10  # type: ignore[assignment]

    def __init__(self, keep: bool = True) -> None:
        super().__init__()
        self.keep = keep
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.keep:
            self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def backend() -> Iterator[None]:
    """Restore whatever keyring backend was in place (conftest: the null one)."""
    before = keyring.get_keyring()
    secrets_mod._warned.clear()
    yield
    keyring.set_keyring(before)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_vault_keeps_secrets_and_no_file_is_written(tmp_path: Path, backend: None) -> None:
    vault = MemoryKeyring()
    keyring.set_keyring(vault)
    store = SecretStore(tmp_path)
    where = store.set("charger:north-1:password", "s3cret-rapi")
    assert "MemoryKeyring" in where
    assert vault.items == {("stationmgr", "charger:north-1:password"): "s3cret-rapi"}
    assert store.get("charger:north-1:password") == "s3cret-rapi"
    assert not store.fallback_path.exists()
    assert store.delete("charger:north-1:password") and vault.items == {}
    assert store.get("charger:north-1:password") is None
    assert not store.delete("charger:north-1:password")


@posix_only
@pytest.mark.parametrize(
    "make_backend",
    [keyring.backends.null.Keyring, keyring.backends.fail.Keyring, lambda: MemoryKeyring(False)],
    ids=["null", "fail", "forgetful"],
)
def test_fallback_file_is_private_and_announced(
    tmp_path: Path, backend: None, caplog: pytest.LogCaptureFixture, make_backend
) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(make_backend())
    store = SecretStore(tmp_path)
    with caplog.at_level(logging.WARNING, logger="stationmgr.access.secrets"):
        where = store.set("mail:smtp", "mail-pa55")
        store.set("gateway:moxa-1", "gw-pa55")
    assert where == str(store.fallback_path)
    warnings = [r.getMessage() for r in caplog.records if "secrets are kept in" in r.getMessage()]
    assert len(warnings) == 1 and str(store.fallback_path) in warnings[0]  # once, naming it
    assert _mode(store.fallback_path) == 0o600
    assert store.get("mail:smtp") == "mail-pa55" and store.names_in_file() == [
        "gateway:moxa-1",
        "mail:smtp",
    ]
    assert not list(tmp_path.glob(".secrets.*"))  # no temporary file left behind
    assert store.delete("mail:smtp") and store.get("mail:smtp") is None


@posix_only
def test_a_fallback_file_opened_to_others_is_made_private(tmp_path: Path, backend: None) -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())
    store = SecretStore(tmp_path)
    store.set("reader:desk", "x-y-z")
    os.chmod(store.fallback_path, 0o644)
    assert store.get("reader:desk") == "x-y-z"
    assert _mode(store.fallback_path) == 0o600


def test_names_are_checked(tmp_path: Path) -> None:
    store = SecretStore(tmp_path)
    for bad in ("", "password", "charger:", "printer:x", "charger:a b"):
        with pytest.raises(UserError, match="invalid secret name"):
            store.set(bad, "v")
    with pytest.raises(UserError, match="empty secret"):
        store.set("charger:x", "")


@posix_only
def test_data_directory_and_database_are_private(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home" / "stationmgr"
    monkeypatch.setenv("STATIONMGR_HOME", str(home))
    monkeypatch.delenv("STATIONMGR_DB", raising=False)
    old = os.umask(0o022)
    try:
        assert data_dir() == home and _mode(home) == 0o700
        db = open_database()
        try:
            with db.session() as s:
                s.execute(text("CREATE TABLE t (x)"))
                files = {f.name: _mode(f) for f in home.glob("stationmgr.sqlite3*")}
        finally:
            db.dispose()
    finally:
        os.umask(old)
    assert "stationmgr.sqlite3-wal" in files  # the WAL too, while open
    assert set(files.values()) == {0o600}, files


def test_cli_secrets_never_print_the_value(
    tmp_path: Path, backend: None, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(MemoryKeyring())
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0
    monkeypatch.setenv("STATIONMGR_SECRET", "very-secret-value")
    assert main(["--db", url, "secrets", "set", "charger:north-1:password"]) == 0
    assert main(["--db", url, "secrets", "check", "charger:north-1:password"]) == 0
    assert main(["--db", url, "secrets", "check", "charger:south:password"]) == 1
    assert main(["--db", url, "secrets", "set", "nonsense"]) == 2
    out = capsys.readouterr()
    assert "very-secret-value" not in out.out + out.err
    assert "charger:north-1:password: stored" in out.out
    db = open_database(url)
    try:
        with db.session() as s:
            from stationmgr.access.audit import list_entries

            (e,) = list_entries(s)
        assert (e.action, e.target) == ("secrets.set", "charger:north-1:password")
        assert "very-secret-value" not in (tmp_path / "s.sqlite3").read_bytes().decode("latin-1")
    finally:
        db.dispose()


@posix_only
def test_parallel_writers_to_the_private_file_lose_nothing(tmp_path: Path) -> None:
    """The engine and a CLI command both write secrets.json (site keys, audit anchors):
    each write is a read-modify-write of the whole file, so it holds the file's lock."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    names = [f"other:parallel-{i}" for i in range(12)]
    procs = [ctx.Process(target=_store_one, args=(str(tmp_path), n)) for n in names]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join(60)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    assert [p.exitcode for p in procs] == [0] * len(procs)
    assert SecretStore(tmp_path).names_in_file() == sorted(names)


def _store_one(directory: str, name: str) -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())
    store = SecretStore(Path(directory))
    for _ in range(20):  # many turns, so the writers really overlap
        store.set(name, "value")


def test_a_key_made_without_a_vault_is_kept_when_a_vault_appears(
    tmp_path: Path, backend: None
) -> None:
    """get-or-create must find the file's value before making a new one in the vault: a
    second site key would make every audit entry look forged."""
    store = SecretStore(tmp_path)
    first = store.update("other:audit-key.x", lambda old: old or "first")
    keyring.set_keyring(MemoryKeyring())  # the desktop's vault is unlocked now
    assert store.update("other:audit-key.x", lambda old: old or "second") == first == "first"
    assert store.get("other:audit-key.x") == "first"
