"""The write-ahead journal: records made durable on local disk before the database has them.

A charger is told to start or stop only once the session's record is safe, but the database
may be busy (another program holds its write lock) for seconds. So the record goes first to
an append-only file next to the database, one fsync'd JSON line per batch of records, each
record serialised with its type; the single writer copies the lines into the database, in
order, when it accepts writes again, and at the next start-up after a crash. Every batch
has a sequence number; the database stores the last one it applied (site setting
`journal_applied`, written in the batch's own transaction), so a line is applied once.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stationmgr.store.db import data_dir, sqlite_path

log = logging.getLogger(__name__)
APPLIED_KEY = "journal_applied"  # site setting: {"seq": last applied batch}
_ALLOWED_PREFIX = "stationmgr."  # the journal only ever names the program's own record types


class JournalError(Exception):
    """A journal line that cannot be read back (damaged, or a record type that is gone)."""


def journal_path(url: str) -> Path:
    """`<db file>.journal` for SQLite; for a server database, a file in the data
    directory named after the database (user, host, database; never the password)."""
    path = sqlite_path(url)
    if path is not None:
        return path.with_name(path.name + ".journal")
    from sqlalchemy.engine import make_url

    try:
        safe = make_url(url).render_as_string(hide_password=True)
    except Exception:
        safe = url.split("@")[-1]
    digest = hashlib.sha256(safe.encode()).hexdigest()[:16]
    return data_dir() / f"db-{digest}.journal"


# ---------------------------------------------------------------- records as JSON


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def encode(obj: Any) -> Any:
    """A record (dataclasses, enums, tuples, numbers, text) as JSON with its types named."""
    if isinstance(obj, enum.Enum):  # before str and int: StrEnum and IntEnum are both
        return {"$enum": _name(type(obj)), "v": obj.value}
    if obj is None or isinstance(obj, bool | str | int | float):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return {"$type": _name(type(obj)), "f": fields}
    if isinstance(obj, tuple):
        return {"$tuple": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, dict) and all(isinstance(k, str) for k in obj):
        return {"$dict": {k: encode(v) for k, v in obj.items()}}
    raise TypeError(f"cannot journal a {type(obj).__name__}")


def _lookup(name: str) -> Any:
    module, _, qual = name.partition(":")
    if not module.startswith(_ALLOWED_PREFIX):
        raise JournalError(f"record type {name!r} is not one of stationmgr's")
    try:
        obj: Any = importlib.import_module(module)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise JournalError(f"record type {name!r} no longer exists") from e
    return obj


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$enum" in data:
        return _lookup(data["$enum"])(data["v"])
    if "$tuple" in data:
        return tuple(decode(v) for v in data["$tuple"])
    if "$dict" in data:
        return {k: decode(v) for k, v in data["$dict"].items()}
    if "$type" in data:
        cls = _lookup(data["$type"])
        if not dataclasses.is_dataclass(cls):
            raise JournalError(f"{data['$type']!r} is not a record type")
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        return cls(**{k: decode(v) for k, v in data["f"].items() if k in known})
    raise JournalError(f"unreadable value {data!r:.80}")


# ---------------------------------------------------------------- the file


class Journal:
    """One append-only file of numbered record batches (used by the writer only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def append(self, seq: int, records: Iterable[object]) -> int:
        """Write one batch as one line and fsync it; returns how many records it holds
        (a record that cannot be serialised is left out and logged: it still reaches the
        database from memory, it is only not crash-safe)."""
        encoded = []
        for rec in records:
            try:
                encoded.append(encode(rec))
            except TypeError as e:
                log.error("journal: %s; record kept in memory only", e)
        line = json.dumps({"seq": seq, "records": encoded}, separators=(",", ":")) + "\n"
        data = line.encode()
        while data:
            n = os.write(self._fd, data)
            data = data[n:]
        os.fsync(self._fd)
        return len(encoded)

    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def reset(self) -> None:
        """Empty the file: every line in it is in the database."""
        os.ftruncate(self._fd, 0)
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def read_lines(path: Path) -> list[tuple[int, list[Any]]]:
    """The journal's batches in sequence order, as raw JSON records (not decoded yet).

    A last line without its newline was being written when the process died: it was never
    acknowledged (no charger acted on it), so it is ignored. Any other damage is an error.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = raw.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    if tail:
        log.warning("journal %s: ignoring an unfinished last line (%d bytes)", path, len(tail))
    batches: dict[int, list[Any]] = {}
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            seq, records = int(obj["seq"]), list(obj["records"])
        except (ValueError, KeyError, TypeError) as e:
            raise JournalError(f"journal {path}: line {no} is damaged ({e})") from e
        batches.setdefault(seq, records)
    return sorted(batches.items())


def set_aside_journals(path: Path) -> list[Path]:
    """The journals `set_aside` kept next to `path` (records NOT in the database)."""
    return sorted(path.parent.glob(f"{path.name}.unreplayed-*"))


def set_aside(path: Path, why: str) -> Path:
    """Keep a journal that cannot be replayed under a new name, for the owner."""
    n = 1
    while (dest := path.with_name(f"{path.name}.unreplayed-{n}")).exists():
        n += 1
    os.replace(path, dest)
    log.error(
        "journal %s could not be replayed (%s); kept as %s — its records are NOT in the "
        "database (see docs/reliability.md, 'Database stalls and the journal')",
        path,
        why,
        dest,
    )
    return dest
