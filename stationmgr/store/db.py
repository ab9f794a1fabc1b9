"""Opening the database: the URL, connection pragmas, migrations, an instance lock.

Default: one SQLite file in the platform's user data directory, WAL, foreign keys on,
a busy timeout. Any SQLAlchemy URL works (`--db`, `STATIONMGR_DB`); nothing here or in the
queries is SQLite-only.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from stationmgr.errors import DatabaseBusy, UserError
from stationmgr.validate import printable

APP_NAME = "stationmgr"
BUSY_TIMEOUT_MS = 5000
MIGRATIONS = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    """The user's data directory for stationmgr (created private on POSIX)."""
    path = Path(os.environ.get("STATIONMGR_HOME") or platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def default_url() -> str:
    return os.environ.get("STATIONMGR_DB") or f"sqlite:///{data_dir() / 'stationmgr.sqlite3'}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another database or an in-memory one."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


DIALECTS = ("sqlite", "postgresql")


def check_url(url: str, create: bool = True) -> None:
    """A database URL a site can use, or one UserError line naming `--db`.

    Only SQLite and PostgreSQL; a SQLite path must be a SQLite file (or an empty one), and —
    unless `create` — must exist already: a mistyped path is not silently a new empty site.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # not echoed: a URL may hold a password
        raise UserError("--db is not a database URL (e.g. sqlite:///site.db)") from None
    if parsed.get_backend_name() not in DIALECTS:
        raise UserError(
            f"--db: unsupported database {parsed.get_backend_name()!r} "
            "(use sqlite:///FILE or postgresql://…)"
        )
    if parsed.get_backend_name() == "postgresql" and "+" not in parsed.drivername:
        parsed = parsed.set(drivername="postgresql+psycopg")  # as make_engine does
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise UserError(f"--db: no database driver {parsed.drivername!r} installed") from None
    path = sqlite_path(url)
    if path is None:
        return
    shown = printable(str(path))[:200]
    if path.exists():
        if not path.is_file():
            raise UserError(f"--db {shown} is not a file")
        if path.stat().st_size and not _is_sqlite(path):
            raise UserError(f"--db {shown} is not a SQLite database")
    elif not create:
        raise UserError(
            f"no database at {shown} (check --db; `stationmgr --db URL db create` makes a new one)"
        )


def _is_sqlite(path: Path) -> bool:
    """Asked through SQLite itself, read-only: a plain open()+close() of the file would drop
    the POSIX locks this process's own connections hold on it (SQLite's documented trap)."""
    import sqlite3

    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        con.execute("PRAGMA schema_version").fetchone()
        return True
    except sqlite3.DatabaseError as e:
        return "not a database" not in str(e) and "malformed" not in str(e)
    finally:
        con.close()


def _on_sqlite_connect(dbapi_conn: Any, _record: Any, busy_timeout_ms: int | None = None) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms or BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _on_sqlite_checkin(dbapi_conn: Any, record: Any, busy_timeout_ms: int | None = None) -> None:
    """A unit of work that shortened its busy timeout (the engine's writer) gives the
    connection back with the usual one."""
    if record is not None and record.info.pop("stationmgr_busy_reset", False):
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms or BUSY_TIMEOUT_MS}")
        cur.close()


def make_engine(url: str, busy_timeout_ms: int | None = None) -> Engine:
    """The SQLAlchemy engine; `busy_timeout_ms` shortens how long a write waits for
    another program's lock (SQLite; default BUSY_TIMEOUT_MS). Reads never wait: WAL."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        if new and os.name == "posix":
            # Create it private to the user before SQLite does (with its default mode).
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    if url.startswith("postgresql") and "+" not in url.split(":", 1)[0]:
        url = url.replace("postgresql", "postgresql+psycopg", 1)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        def on_connect(dbapi_conn: Any, record: Any) -> None:
            _on_sqlite_connect(dbapi_conn, record, busy_timeout_ms)

        def on_checkin(dbapi_conn: Any, record: Any) -> None:
            _on_sqlite_checkin(dbapi_conn, record, busy_timeout_ms)

        event.listen(engine, "connect", on_connect)
        event.listen(engine, "checkin", on_checkin)
    return engine


@dataclass
class Database:
    """An engine plus a session factory; the one object handed to services and the engine."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed at the end, rolled back whole on any error."""
        with self.sessions() as s:
            try:
                yield s
                s.commit()
            except (DBAPIError, DisconnectionError) as e:
                s.rollback()
                if (busy := busy_error(e)) is None:
                    raise
                raise busy from e
            except BaseException:
                s.rollback()
                raise

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


LOCKED = "the database is locked by another instance; try again when it is free"
_SQLITE_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)
# The file cannot take writes now (read-only, I/O error, corrupt, full, cannot open, not a
# database): not the record's fault, so the engine's writer holds and retries (journaled).
_SQLITE_UNWRITABLE = {8, 10, 11, 13, 14, 15, 26}
_PG_BUSY = {
    "55P03": "a lock timeout",  # lock_not_available
    "40001": "a serialization conflict",  # serialization_failure
    "40P01": "a deadlock",  # deadlock_detected
    "57014": "a statement timeout",  # query_canceled (statement/lock timeout)
    "57P01": "the server shutting down",  # admin_shutdown
    "57P02": "the server crashing",  # crash_shutdown
    "57P03": "the server starting up",  # cannot_connect_now
}


def busy_error(e: BaseException) -> DatabaseBusy | None:
    """`e` as a `DatabaseBusy` when the same write may succeed later (a lock held by
    another program, a lock timeout, a serialization conflict, a lost connection), else
    None: then the error is the write's own (a constraint, a bug) and retrying it is futile."""
    if isinstance(e, DatabaseBusy):
        return e
    if isinstance(e, DisconnectionError):
        return DatabaseBusy("the database is unreachable; try again when it is back")
    if not isinstance(e, DBAPIError):
        return None
    orig = e.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        if code & 0xFF in _SQLITE_BUSY:
            return DatabaseBusy(LOCKED)
        if code & 0xFF in _SQLITE_UNWRITABLE:
            return DatabaseBusy(f"the database cannot be written now ({orig}); try again")
        return None
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        if state in _PG_BUSY:
            return DatabaseBusy(f"the database is busy ({_PG_BUSY[state]}); try again")
        if state.startswith("08"):  # connection_exception
            return DatabaseBusy("the database is unreachable; try again when it is back")
        if state[:2] in ("53", "58") or state in ("25006", "XX001", "XX002"):
            # insufficient resources (disk full), system/I-O error, a read-only standby,
            # damaged data: the server cannot take writes now
            return DatabaseBusy(f"the database cannot be written now (SQLSTATE {state})")
        return None
    if e.connection_invalidated:
        return DatabaseBusy("the database is unreachable; try again when it is back")
    if isinstance(e, OperationalError):
        text_ = str(orig).lower()
        if "database is locked" in text_ or "database table is locked" in text_:
            return DatabaseBusy(LOCKED)  # a SQLite without error codes
        if "could not connect" in text_ or ("connection" in text_ and "closed" in text_):
            return DatabaseBusy("the database is unreachable; try again when it is back")
    return None


def open_database(
    url: str | None = None,
    upgrade: bool = True,
    busy_timeout_ms: int | None = None,
    create: bool = True,
) -> Database:
    """Open (and by default migrate) the database at `url` (default: the user's file).

    `create=False`: a SQLite file that does not exist is refused (UserError), not made.
    """
    url = url or default_url()
    check_url(url, create)
    engine = make_engine(url, busy_timeout_ms)
    db = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
    try:
        if upgrade:
            upgrade_database(db)
    except (DBAPIError, DisconnectionError) as e:
        engine.dispose()
        if (busy := busy_error(e)) is None:
            raise
        raise busy from e
    return db


def alembic_config(db: Database) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["engine"] = db.engine
    return cfg


def script_head() -> str | None:
    """The newest migration's id, read from the files without importing Alembic (a start-up
    that finds the database current then costs one query, not Alembic's ~0.2 s)."""
    revs: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text_ = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text_, re.M)
        down = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", text_, re.M)
        if rev:
            revs[rev.group(1)] = down.group(1) if down else None
    heads = set(revs) - {d for d in revs.values() if d}
    return heads.pop() if len(heads) == 1 else None


def upgrade_database(db: Database, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision` (idempotent)."""
    if revision == "head" and (head := script_head()) and current_revision(db) == head:
        return
    import logging

    # Alembic's INFO lines ("setup plugin …" at its import, "Running upgrade …") are noise
    # to a site owner creating a database; its warnings and errors still show.
    quiet = logging.getLogger("alembic")
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))
    try:
        from alembic import command

        command.upgrade(alembic_config(db), revision)
    finally:
        quiet.setLevel(level)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def integrity_ok(db: Database) -> bool:
    """SQLite's own integrity check (always true for other databases)."""
    if not db.is_sqlite:
        return True
    with db.engine.connect() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


class InstanceLock:
    """Only one engine may drive a site's chargers: an OS file lock next to a SQLite file,
    an advisory lock on PostgreSQL. Released automatically if the process dies."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._fh: Any = None
        self._conn: Any = None

    def acquire(self) -> None:
        path = sqlite_path(self.db.url)
        if path is not None:
            self._fh = open(path.with_suffix(path.suffix + ".lock"), "a+")  # noqa: SIM115
            try:
                if sys.platform == "win32":
                    import msvcrt

                    msvcrt.locking(self._fh.fileno(), msvcrt.LK_NBLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                self._fh.close()
                self._fh = None
                raise UserError(
                    f"the database {path} is in use by another running stationmgr"
                ) from e
        elif self.db.engine.dialect.name == "postgresql":
            self._conn = self.db.engine.connect()
            got = self._conn.execute(text("SELECT pg_try_advisory_lock(7310001)")).scalar()
            if not got:
                self._conn.close()
                self._conn = None
                raise UserError("the database is in use by another running stationmgr")

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
