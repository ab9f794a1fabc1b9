"""Shared fixtures: headless Qt, a null keyring, databases (SQLite and PostgreSQL), and a
guard that fails any test leaving a thread behind."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt or keyring: no display here, and no OS vault.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
os.environ.setdefault("STATIONMGR_HOME", str(Path(__file__).parent / ".." / "build" / "home"))

from stationmgr.store.db import Database, open_database

PG_URL = os.environ.get("STATIONMGR_TEST_PG", "")


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """A test that leaves a thread running fails (napari's rule)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        extra = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith(("asyncio_", "Dummy"))
        ]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if extra:
        pytest.fail(f"test left threads running: {[t.name for t in extra]}")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    yield db
    db.dispose()


def _pg_database() -> Iterator[Database]:
    if not PG_URL:
        pytest.skip(
            "PostgreSQL storage tests skipped: no server (STATIONMGR_TEST_PG unset; "
            "scripts/test.sh starts one when run as root)"
        )
    from sqlalchemy import create_engine, text

    name = f"stationmgr_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # pragma: no cover - depends on the machine
        admin.dispose()
        pytest.skip(f"PostgreSQL storage tests skipped: cannot create a database ({e})")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    db = open_database(url)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_db() -> Iterator[Database]:
    yield from _pg_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same storage test on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        db = open_database(f"sqlite:///{tmp_path / 'site.sqlite3'}")
        yield db
        db.dispose()
    else:
        yield from _pg_database()
