"""Finding the site service that already runs a database, so `stationmgr gui` on the same
PC attaches to it instead of failing on the instance lock.

`stationmgr run --listen` writes `$STATIONMGR_HOME/services/<hash>.json` — the API's URL,
its certificate fingerprint (TLS) and the service's pid — where `<hash>` names the database
(its URL, a SQLite file by its resolved path; the URL itself, which may carry a password, is
never written), and removes it when it stops. A file whose pid is no longer alive is stale
(the service was killed): `find` ignores and removes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    url: str
    fingerprint: str | None
    pid: int
    path: Path


def services_dir() -> Path:
    from stationmgr.store.db import data_dir

    return data_dir() / "services"


def database_key(db_url: str) -> str:
    """A stable name for a database: the same file or server gives the same key."""
    from stationmgr.store.db import sqlite_path

    path = sqlite_path(db_url)
    canonical = f"sqlite:{path.resolve()}" if path is not None else db_url.strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def announce(db_url: str, url: str, fingerprint: str | None = None) -> Path:
    """Say that this process serves `db_url` at `url` (written whole, then renamed)."""
    folder = services_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{database_key(db_url)}.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    data = {"url": url, "fingerprint": fingerprint, "pid": os.getpid()}
    tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def withdraw(path: Path) -> None:
    """Remove this process's announcement (not one a newer service wrote since)."""
    with contextlib.suppress(OSError, ValueError):
        if int(json.loads(path.read_text(encoding="utf-8")).get("pid", -1)) == os.getpid():
            path.unlink()


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def find(db_url: str) -> Announcement | None:
    """The live service announced for `db_url`, or None (a stale file is removed)."""
    path = services_dir() / f"{database_key(db_url)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(data["url"]), int(data["pid"])
        fingerprint = data.get("fingerprint") or None
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable service file %s", path)
        return None
    if not pid_alive(pid):
        log.info("removing the stale service file %s (pid %d is gone)", path, pid)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return Announcement(url, fingerprint, pid, path)
