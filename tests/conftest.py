"""Shared fixtures: headless Qt, a null keyring, databases (SQLite and PostgreSQL), and a
guard that fails any test leaving a thread behind."""

from __future__ import annotations

import atexit
import faulthandler
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt or keyring: no display here, and no OS vault.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
# A data directory of this test run's own (the site keys and audit anchors every test
# database makes go there, so it must not grow from run to run); subprocesses inherit it.
if "STATIONMGR_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="stationmgr-test-home-")
    os.environ["STATIONMGR_HOME"] = _home
    atexit.register(shutil.rmtree, _home, True)

from sqlalchemy import Engine
from sqlalchemy.pool import NullPool

from stationmgr.store.db import Database, open_database
from tests.helpers.wait import wait_until

PG_URL = os.environ.get("STATIONMGR_TEST_PG", "")


# pytest-timeout (300 s) interrupts a test with SIGALRM, which Python only runs when the
# main thread is back in the interpreter: a thread stuck in C (a deadlock between the GIL and
# a library's own lock) outlasts it and the whole run hangs. This watchdog is a C thread: it
# prints every thread's stack and ends the run, so CI fails in minutes with the culprit named.
# The stacks go to a file (pytest's capture owns stderr while a test runs, and the exit
# would lose them); scripts/test.sh prints it when the run ends.
HARD_TIMEOUT_S = float(os.environ.get("STATIONMGR_TEST_HARD_TIMEOUT_S", "420"))
HANG_LOG = Path(
    os.environ.get("STATIONMGR_HANG_LOG") or Path(tempfile.gettempdir()) / "stationmgr-hang.txt"
)
_hang_file = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):  # type: ignore[no-untyped-def]
    global _hang_file
    if _hang_file is None:
        _hang_file = HANG_LOG.open("w", encoding="utf-8")
    _hang_file.seek(0)
    _hang_file.truncate()
    _hang_file.write(f"test {item.nodeid} ran over {HARD_TIMEOUT_S} s; every thread's stack:\n")
    _hang_file.flush()
    faulthandler.dump_traceback_later(HARD_TIMEOUT_S, exit=True, file=_hang_file)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def gui_thread_collector(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test collects garbage on the GUI thread only, as the app does (ui.gcguard): a
    collection on an API or worker thread that frees Qt objects can stop the process."""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    import gc

    request.getfixturevalue("qapp")
    from ui.gcguard import GuiThreadCollector

    gc.collect()  # an earlier test's garbage, here on the GUI thread
    guard = GuiThreadCollector()
    try:
        yield
    finally:
        guard.stop()  # this test's garbage, on the GUI thread, then automatic again
        guard.deleteLater()


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


_OBJECT_IN_USE = "55006"  # PostgreSQL: "database is being accessed by other users"


def _in_use(e: Exception) -> bool:
    return getattr(getattr(e, "orig", None), "sqlstate", None) == _OBJECT_IN_USE


def _create_pg_database(admin: Engine, name: str) -> None:
    """CREATE DATABASE, retried while template1 is busy (an autovacuum worker copies it)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    def attempt() -> bool:
        try:
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
        except OperationalError as e:
            if _in_use(e):
                return False
            raise
        return True

    wait_until(attempt, what=f"CREATE DATABASE {name}")


def _drop_pg_database(admin: Engine, name: str) -> None:
    """Drop a test database without needing a superuser, whatever else is in it.

    Not `WITH (FORCE)`: as a non-superuser that fails outright when an autovacuum worker
    (a superuser process) is in the database. A plain DROP DATABASE signals autovacuum
    workers itself and waits for them; backends of our own role (a leaked pool, a killed
    child's connection) we may terminate, and then try again until a deadline.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    def attempt() -> bool:
        with admin.connect() as c:
            try:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            except OperationalError as e:
                if not _in_use(e):
                    raise
                c.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid() "
                        "AND usename = current_user"
                    ),
                    {"name": name},
                )
                return False
        return True

    wait_until(attempt, what=f"DROP DATABASE {name}")


def _pg_database() -> Iterator[Database]:
    if not PG_URL:
        pytest.skip(
            "PostgreSQL storage tests skipped: no server (STATIONMGR_TEST_PG unset; "
            "scripts/test.sh starts one when run as root)"
        )
    from sqlalchemy import create_engine

    name = f"stationmgr_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        _create_pg_database(admin, name)
    except Exception as e:  # pragma: no cover - depends on the machine
        admin.dispose()
        pytest.skip(f"PostgreSQL storage tests skipped: cannot create a database ({e})")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    db = open_database(url)
    try:
        yield db
    finally:
        db.dispose()
        try:
            _drop_pg_database(admin, name)
        finally:
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


@pytest.fixture(params=["local", "remote"])
def ui_client(request: pytest.FixtureRequest) -> str:
    """Which `SiteClient` the window under test uses: "local" (the site in this process,
    `stationmgr gui`) or "remote" (a real site API on loopback, `stationmgr gui --site`).
    Pass it to `tests.ui_site.app_context(..., client=ui_client)`."""
    return str(request.param)
