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
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from stationmgr.errors import UserError

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


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
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
        event.listen(engine, "connect", _on_sqlite_connect)
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
            except OperationalError as e:
                s.rollback()
                raise _locked_or_raise(e) from e
            except BaseException:
                s.rollback()
                raise

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def _locked_or_raise(e: OperationalError) -> Exception:
    if "locked" in str(e).lower() or "busy" in str(e).lower():
        return UserError("the database is locked by another instance; try again when it is free")
    return e


def open_database(url: str | None = None, upgrade: bool = True) -> Database:
    """Open (and by default migrate) the database at `url` (default: the user's file)."""
    url = url or default_url()
    engine = make_engine(url)
    db = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
    try:
        if upgrade:
            upgrade_database(db)
    except OperationalError as e:
        engine.dispose()
        raise _locked_or_raise(e) from e
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
    from alembic import command

    command.upgrade(alembic_config(db), revision)


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
