"""The single database writer: one thread owns every write, in order.

Records are queued by the session manager and written in small batches, each batch one
transaction. A record the chargers act on (a session's start or stop) is first made durable
in the write-ahead journal (`durable()`, see `engine.journal`), so the engine never waits
for the database: while it is busy (another program holds its write lock) the writer holds
the batches, journals them, and retries; a crash in that time loses nothing, because the
next start-up replays the journal first. Reads that must see those writes in order (a
unit of work of the engine's own) run on the writer thread through `call`; reads that must
never wait behind a write (authorising a card) run on their own connections through `read`.

Only a busy database (`DatabaseBusy`: a lock, a lock timeout, a lost connection) is retried.
A record whose handler raises anything else is the record's fault: the batch is rolled back
and applied again in savepoints, a failing run halved until the bad record stands alone;
that record is logged once, kept in `persist_failures` for the owner (`stationmgr db
failures`), published as `PersistFailed`, and dropped — the rest of the batch commits, and
nothing waits on it.

Every `put()` returns the record's `Ticket`: awaiting it gives True once the record is
committed, False once it failed and was dropped. `durable(tickets)` returns once those
records are safe from a crash — journaled (one fsync'd line) or, without a usable journal,
committed or failed — so a bay waits for its own records, never for another bay's.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from stationmgr import sessions as sm
from stationmgr.clock import Clock, SystemClock, to_datetime
from stationmgr.engine.journal import (
    APPLIED_KEY,
    Journal,
    JournalError,
    decode,
    encode,
    journal_path,
    read_lines,
    set_aside,
)
from stationmgr.errors import DatabaseBusy
from stationmgr.events import PersistFailed
from stationmgr.settings import get_setting, set_setting
from stationmgr.store.db import Database, busy_error, sqlite_path
from stationmgr.store.models import PersistFailure
from stationmgr.store.persist import Persister, new_session_row, transaction_from_row

log = logging.getLogger(__name__)
T = TypeVar("T")
BATCH = 200
RETRY_MIN_S = 0.2
RETRY_MAX_S = 5.0
WRITE_BUSY_TIMEOUT_MS = 200  # the writer retries itself; it learns of a stall quickly
COMPACT_BYTES = 1 << 20  # empty the journal at this size once everything in it is written
ERROR_CHARS = 1000  # of a failed record's error, as stored
_DEFAULT: Any = object()


@dataclass(eq=False)
class Ticket:
    """One queued record's completion: `await ticket` is True once it is committed, False
    once it failed (kept in persist_failures) and was dropped. `seq` is its batch."""

    record: object
    done: asyncio.Future[bool]
    seq: int = 0

    def __await__(self) -> Generator[Any, None, bool]:
        # Shielded: a waiter that is cancelled must not cancel the record's completion.
        return asyncio.shield(self.done).__await__()


@dataclass
class _Batch:
    seq: int
    records: list[Any]
    tickets: list[Ticket] = field(default_factory=list)  # [] for a replayed batch
    journaled: bool = False


@dataclass
class _Failure:
    """A record dropped from its batch: where it was, and why."""

    seq: int
    index: int
    record: object
    error: str
    failure_id: int | None
    exc: BaseException


class Writer:
    def __init__(
        self,
        db: Database,
        persister: Persister | None = None,
        journal: Path | None = _DEFAULT,
        clock: Clock | None = None,
        on_failed: Callable[[PersistFailed], None] | None = None,
    ) -> None:
        self.db = db
        self.persister = persister or Persister()
        self.clock: Clock = clock or SystemClock()
        self.on_failed = on_failed  # called on the loop for each dropped record
        if journal is _DEFAULT:
            journal = None if _in_memory(db) else journal_path(db.url)
        self.journal_path: Path | None = journal
        self._journal: Journal | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stationmgr-db")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stationmgr-dbr")
        self._jpool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stationmgr-journal")
        self._pending: list[Ticket] = []  # put, not yet in a batch
        self._batches: deque[_Batch] = deque()  # numbered, not yet committed
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._committed = asyncio.Condition()
        self._jlock = asyncio.Lock()
        self._journal_dirty = False
        self.seq = 0  # last batch number given out
        self.committed_seq = 0  # last batch written (committed, its failed records dropped)
        self.stalled = False  # the last write attempt found the database busy
        self._held_at_start: list[_Batch] = []  # an earlier run's batches, not yet written
        self.written = 0
        self.journaled = 0  # records made durable in the journal
        self.failed = 0  # records dropped because their handler raised

    # ------------------------------------------------------------ queueing

    def put(self, record: object) -> Ticket:
        """Queue `record` (on the engine's loop); its ticket completes at its commit.
        A record type no handler stores raises here (UnregisteredRecord): a programming
        error is loud where it is made, not a silent gap in the history."""
        self.persister.handler(type(record))
        ticket = Ticket(record, asyncio.get_running_loop().create_future())
        self._idle.clear()
        self._pending.append(ticket)
        self._wake.set()
        return ticket

    def _cut(self) -> _Batch | None:
        if not self._pending:
            return None
        self.seq += 1
        tickets = self._pending
        self._pending = []
        for t in tickets:
            t.seq = self.seq
        b = _Batch(self.seq, [t.record for t in tickets], tickets)
        self._batches.append(b)
        return b

    def _upto(self, tickets: list[Ticket] | None) -> int:
        self._cut()
        if tickets is None:
            return self.seq
        return max((t.seq for t in tickets), default=0)

    async def durable(self, tickets: Iterable[Ticket] | None = None) -> None:
        """Return once these records (default: every record put so far) survive a crash:
        journaled (one fsync'd line; the writer, or the next start-up, commits them), or —
        without a usable journal — committed or failed. Journaling also takes the unjournaled
        batches before them (cheap, in order); it never waits for a commit."""
        wanted = None if tickets is None else list(tickets)
        upto = self._upto(wanted)
        waiting = [b for b in self._batches if not b.journaled and b.seq <= upto]
        if not waiting:
            return
        if await self._journal_batches(waiting):
            return
        await self._outcome(wanted, upto, or_stalled=False)  # no journal: the commit

    async def settled(self, tickets: Iterable[Ticket] | None = None) -> None:
        """Return once these records (default: every record put so far) are committed (or
        failed) — or, while the database is busy, journaled (an answer to an operator must
        not wait for another program)."""
        wanted = None if tickets is None else list(tickets)
        upto = self._upto(wanted)
        await self._outcome(wanted, upto, or_stalled=True)
        if not _all_done(wanted, upto, self.committed_seq):
            await self.durable(wanted)

    async def _outcome(self, tickets: list[Ticket] | None, upto: int, or_stalled: bool) -> None:
        async with self._committed:
            await self._committed.wait_for(
                lambda: (
                    _all_done(tickets, upto, self.committed_seq) or (or_stalled and self.stalled)
                )
            )

    async def _journal_batches(self, batches: list[_Batch]) -> bool:
        if self._journal is None:
            return False
        loop = asyncio.get_running_loop()
        async with self._jlock:
            for b in batches:
                if b.journaled:
                    continue
                try:
                    self.journaled += await loop.run_in_executor(
                        self._jpool, self._journal.append, b.seq, b.records
                    )
                except OSError as e:
                    log.error("journal %s cannot be written (%s)", self.journal_path, e)
                    return False
                b.journaled = True
                self._journal_dirty = True
        return True

    # ------------------------------------------------------------ reads

    async def call(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)` on the database thread in its own unit of work (after the
        writes before it)."""

        def work() -> T:
            with self.db.session() as s:
                return fn(s)

        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run a read-only `fn(session)` on a reader connection: it never waits behind a
        write (SQLite WAL readers; PostgreSQL's MVCC), so it does not see the held batches."""

        def work() -> T:
            with self.db.sessions() as s:
                try:
                    return fn(s)
                finally:
                    s.rollback()

        # An in-memory SQLite database is one connection's: read it on the writer thread.
        pool = self._pool if _in_memory(self.db) else self._readers
        return await asyncio.get_running_loop().run_in_executor(pool, work)

    # ------------------------------------------------------------ start-up replay

    async def start(self) -> int:
        """Replay what an earlier run journaled but the database does not have, then open
        the journal for this run. While the database is busy the batches are held like
        this run's own (written once it accepts writes), and `overlay_open_sessions` tells
        the engine which sessions they open and close. A replayed record whose handler
        raises is kept as a failed record like any other. Returns the records replayed/held."""
        path = self.journal_path
        if path is None:
            return 0
        loop = asyncio.get_running_loop()
        todo = await loop.run_in_executor(self._pool, self._read_journal)
        n = sum(len(records) for _, records in todo)
        if todo:
            batches = [_Batch(seq, recs, journaled=True) for seq, recs in todo]
            try:
                failed = await loop.run_in_executor(self._pool, self._write, batches, True)
                self.committed_seq = self.seq
                self._report(failed)
                log.warning(
                    "journal: replayed %d record(s) in %d batch(es) the database did not have",
                    n - len(failed),
                    len(todo),
                )
            except DatabaseBusy as e:
                log.warning(
                    "database busy at start-up (%s); %d journaled record(s) held and written "
                    "when it accepts writes",
                    e,
                    n,
                )
                self.stalled = True
                self._held_at_start = batches
                self._batches.extend(self._held_at_start)
                self._journal_dirty = True
                self._idle.clear()
                self._wake.set()
            except Exception as e:  # the database refuses the batch itself: keep the file
                log.exception("journal replay failed")
                set_aside(path, f"{type(e).__name__}: {e}")
                n = 0
        if not self._held_at_start and path.exists() and path.stat().st_size:
            with open(path, "r+b") as f:  # every line in it is in the database now
                f.truncate(0)
        self._journal = Journal(path)
        log.info("write-ahead journal: %s", path)
        return n

    def _read_journal(self) -> list[tuple[int, list[Any]]]:
        """The journaled batches the database does not have, decoded, in order; numbers
        this run's batches on from the highest seen."""
        path = self.journal_path
        assert path is not None
        with self.db.sessions() as s:
            applied = int((get_setting(s, APPLIED_KEY) or {}).get("seq", 0))
        self.seq = self.committed_seq = applied
        try:
            lines = read_lines(path)
            todo = [(seq, [decode(r) for r in recs]) for seq, recs in lines if seq > applied]
        except JournalError as e:
            set_aside(path, str(e))
            return []
        self.seq = max([applied, *(seq for seq, _ in lines)])
        return todo

    def overlay_open_sessions(self, open_by_bay: dict[int, sm.Transaction]) -> None:
        """Bring the open sessions restored from the database up to date with journaled
        batches it does not have yet (a start-up while another program holds the lock)."""
        for b in self._held_at_start:
            for rec in b.records:
                if isinstance(rec, sm.TransactionStarted | sm.TransactionProgress):
                    open_by_bay[rec.tx.bay_id] = transaction_from_row(new_session_row(rec.tx))
                elif isinstance(rec, sm.TransactionStopped):
                    cur = open_by_bay.get(rec.tx.bay_id)
                    if cur is not None and cur.uid == rec.tx.uid:
                        del open_by_bay[rec.tx.bay_id]

    # ------------------------------------------------------------ the loop

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._cut()
            while self._batches:
                take: list[_Batch] = []
                count = 0
                for b in self._batches:
                    if take and count + len(b.records) > BATCH:
                        break
                    take.append(b)
                    count += len(b.records)
                failed = await self._write_batches(take)
                for _ in take:
                    self._batches.popleft()
                self._complete(take, failed)
                async with self._committed:
                    self.committed_seq = take[-1].seq
                    self._committed.notify_all()
                self._cut()
            await self._maybe_compact()
            if not self._pending and not self._batches:
                self._idle.set()

    def _complete(self, batches: list[_Batch], failed: list[_Failure]) -> None:
        """Resolve the written records' tickets; log, count and publish the failed ones."""
        dropped = {(f.seq, f.index) for f in failed}
        for b in batches:
            for i, t in enumerate(b.tickets):
                if not t.done.done():
                    t.done.set_result((b.seq, i) not in dropped)
        self._report(failed)

    def _report(self, failed: list[_Failure]) -> None:
        for f in failed:
            kind = type(f.record).__name__
            log.error(
                "could not store a record of type %s (%s); dropped from its batch and kept "
                "as failed record %s (see `stationmgr db failures`)",
                kind,
                f.error,
                "?" if f.failure_id is None else f"#{f.failure_id}",
                exc_info=(type(f.exc), f.exc, f.exc.__traceback__),
            )
            self.failed += 1
            if self.on_failed is not None:
                try:
                    self.on_failed(PersistFailed(f.failure_id, kind, f.error, self.clock.now()))
                except Exception:
                    log.exception("publishing a failed record failed")

    async def _write_batches(self, batches: list[_Batch]) -> list[_Failure]:
        """Write batches in one transaction; while the database is busy or unreachable,
        journal them, hold them and retry — a record is never dropped because another
        program held a lock. A record that fails by itself is dropped (see `_write`)."""
        loop = asyncio.get_running_loop()
        delay = RETRY_MIN_S
        records = sum(len(b.records) for b in batches)
        while True:
            try:
                failed = await loop.run_in_executor(self._pool, self._write, batches)
            except Exception as e:
                # DatabaseBusy — or the transaction itself failed with every record applied
                # alone (its commit: a full disk): not a record's fault, so never a reason to
                # drop one. Hold, journal, retry.
                if not self.stalled:
                    if isinstance(e, DatabaseBusy):
                        log.warning("database busy (%s); holding %d records, retrying", e, records)
                    else:
                        log.exception(
                            "could not commit %d records; holding them, retrying", records
                        )
                    self.stalled = True
                    async with self._committed:
                        self._committed.notify_all()
                self._cut()
                await self._journal_batches([b for b in self._batches if not b.journaled])
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            self.written += records - len(failed)
            if self.stalled:
                log.warning("database writable again; %d held records written", records)
                self.stalled = False
            return failed

    def _write(self, batches: list[_Batch], mark: bool | None = None) -> list[_Failure]:
        """On the database thread: the batches in one transaction; if a record's handler
        raises (anything but a busy database), roll back and apply them again record by
        record in savepoints (`_write_isolated`), storing the failing ones — so the good
        ones are not lost."""
        mark = self._journal is not None if mark is None else mark
        try:
            with self.db.session() as s:
                self._busy_timeout(s)
                for b in batches:
                    self.persister.apply(s, b.records)
                self._mark(s, batches, mark)
            return []
        except Exception as e:
            self.persister.forget()  # its cached row ids may name rows rolled back
            _raise_if_busy(e)
            log.debug(
                "a batch of %d record(s) failed (%s); writing them one by one",
                sum(len(b.records) for b in batches),
                _one_line(e),
            )
        return self._write_isolated(batches, mark)

    def _write_isolated(self, batches: list[_Batch], mark: bool) -> list[_Failure]:
        """One transaction; the records in savepoints, a failing run of them halved until
        the failing record stands alone (one bad record in a batch of 200 costs ~16
        savepoints, not 200). Order is kept: a record still follows the ones it needs."""
        failed: list[_Failure] = []
        items = [(b.seq, i, rec) for b in batches for i, rec in enumerate(b.records)]
        with self.db.session() as s:
            self._busy_timeout(s)
            self._begin_write(s)
            half = len(items) // 2  # the whole failed already: start with its halves
            for part in (items[:half], items[half:]) if half else (items,):
                self._isolate(s, part, failed)
            self._mark(s, batches, mark)
        return failed

    def _isolate(
        self, s: Session, items: list[tuple[int, int, object]], failed: list[_Failure]
    ) -> None:
        try:
            with s.begin_nested():
                for _, _, rec in items:
                    self.persister.apply_one(s, rec)
            return
        except Exception as e:
            self.persister.forget()  # row ids cached inside the savepoint are gone
            _raise_if_busy(e)
            if len(items) == 1:
                seq, index, rec = items[0]
                failed.append(self._store_failure(s, seq, index, rec, e))
                return
        half = len(items) // 2
        self._isolate(s, items[:half], failed)
        self._isolate(s, items[half:], failed)

    def _store_failure(
        self, s: Session, seq: int, index: int, rec: object, e: Exception
    ) -> _Failure:
        error = _one_line(e)[:ERROR_CHARS]
        row = PersistFailure(
            ts=to_datetime(self.clock.now()),
            record_type=_type_name(rec)[:120],
            record=_render(rec),
            error=error,
        )
        try:
            with s.begin_nested():
                s.add(row)
            fid: int | None = row.id
        except Exception as e2:
            _raise_if_busy(e2)
            log.error("the failed %s record could not be stored either (%s)", row.record_type, e2)
            fid = None
        return _Failure(seq, index, rec, error, fid, e)

    def _mark(self, s: Session, batches: list[_Batch], mark: bool) -> None:
        if mark:  # in the same transaction: a journal line applies once
            set_setting(s, APPLIED_KEY, {"seq": batches[-1].seq})

    def _begin_write(self, s: Session) -> None:
        """Open the write transaction before the first savepoint. (SQLite's Python driver
        begins one only before a data-changing statement; a SAVEPOINT outside a transaction
        would start its own and COMMIT at its release — the good records before a bad one
        would be committed without the rest.)"""
        if self.db.is_sqlite:
            s.connection().exec_driver_sql("UPDATE site_settings SET key = key WHERE 0")

    def _busy_timeout(self, s: Session) -> None:
        """A short busy timeout for this unit of work only (the writer retries itself):
        SQLite's busy timeout; PostgreSQL's lock timeout (SET LOCAL: this transaction only),
        so a table another client has locked is a `DatabaseBusy` to hold and retry, not
        a write thread blocked until the lock goes."""
        if self.db.is_sqlite:
            conn = s.connection()
            conn.exec_driver_sql(f"PRAGMA busy_timeout={WRITE_BUSY_TIMEOUT_MS}")
            conn.info["stationmgr_busy_reset"] = True
        elif self.db.engine.dialect.name == "postgresql":
            s.connection().exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITE_BUSY_TIMEOUT_MS}ms'")

    async def _maybe_compact(self) -> None:
        """Empty the journal once it has grown and everything in it is in the database
        (the lines it keeps until then are skipped at replay: the database has them)."""
        if self._journal is None or not self._journal_dirty or self._batches or self._pending:
            return
        if self._journal.size() < COMPACT_BYTES:
            return
        async with self._jlock:
            if self._batches or self._pending:
                return
            try:
                await asyncio.get_running_loop().run_in_executor(self._jpool, self._journal.reset)
                self._journal_dirty = False
            except OSError as e:
                log.error("journal %s cannot be emptied (%s)", self.journal_path, e)

    async def settle(self) -> None:
        """Before stopping: everything queued is committed, or — while the database is
        busy — journaled, so a stop never waits for another program's lock (the next
        start-up replays it)."""
        if self.stalled:
            await self.durable()
            if self._journal is not None and all(b.journaled for b in self._batches):
                log.warning(
                    "stopping with %d record(s) in the journal only (database busy); "
                    "the next start replays them",
                    sum(len(b.records) for b in self._batches),
                )
                return
        await self.drain()

    async def drain(self) -> None:
        """Wait until everything queued so far is written: committed, or failed and
        dropped (a record that cannot be stored never holds this up; a busy database does)."""
        upto = self._upto(None)
        await self._outcome(None, upto, or_stalled=False)

    def close(self) -> None:
        # Records still held (journaled during a stall): nobody waits for their commit in
        # this run any more (the next start-up replays them); cancel their tickets.
        for t in [*self._pending, *(t for b in self._batches for t in b.tickets)]:
            if not t.done.done():
                t.done.cancel()
        self._pool.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self._jpool.shutdown(wait=True)
        if self._journal is not None:
            self._journal.close()
            self._journal = None
            if not self._batches and not self._pending and self.journal_path is not None:
                try:  # a clean stop: everything is in the database, no journal is left
                    self.journal_path.unlink(missing_ok=True)
                except OSError as e:
                    log.error("journal %s cannot be removed (%s)", self.journal_path, e)


def _in_memory(db: Database) -> bool:
    return db.is_sqlite and sqlite_path(db.url) is None


def _all_done(tickets: list[Ticket] | None, upto: int, committed_seq: int) -> bool:
    if tickets is None:
        return committed_seq >= upto
    return all(t.done.done() for t in tickets)


def _busy(e: BaseException) -> DatabaseBusy | None:
    """A busy database anywhere in `e`'s chain (a handler may wrap the driver's error)."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if (busy := busy_error(cur)) is not None:
            return busy
        cur = cur.__cause__ or cur.__context__
    return None


def _raise_if_busy(e: BaseException) -> None:
    busy = _busy(e)
    if busy is e:
        raise e
    if busy is not None:
        raise busy from e


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or "(no message)"
    return f"{type(e).__name__}: {text}"


def _type_name(rec: object) -> str:
    return f"{type(rec).__module__}.{type(rec).__qualname__}"


def _render(rec: object) -> str:
    """The record as the journal writes it (JSON, types named), else its repr."""
    try:
        return json.dumps(encode(rec), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return repr(rec)
