"""The single database writer: one thread owns every write, in order.

Records are queued by the session manager and written in small batches, each batch one
transaction. Reads that must see those writes in order (authorising a card) run on the same
thread through `call`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session

from stationmgr.errors import UserError
from stationmgr.store.db import Database
from stationmgr.store.persist import Persister

log = logging.getLogger(__name__)
T = TypeVar("T")
BATCH = 200
RETRY_MIN_S = 0.2
RETRY_MAX_S = 5.0


class Writer:
    def __init__(self, db: Database, persister: Persister | None = None) -> None:
        self.db = db
        self.persister = persister or Persister()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stationmgr-db")
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._idle = asyncio.Event()
        self._idle.set()
        self.written = 0

    def put(self, record: object) -> None:
        self._idle.clear()
        self._queue.put_nowait(record)

    async def call(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)` on the database thread in its own unit of work."""

        def work() -> T:
            with self.db.session() as s:
                return fn(s)

        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def run(self) -> None:
        while True:
            first = await self._queue.get()
            batch = [first]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write_batch(batch)
            if self._queue.empty():
                self._idle.set()

    async def _write_batch(self, batch: list[Any]) -> None:
        """Write a batch; while the database is busy or unreachable, hold it and retry —
        a transaction is never dropped because another program held a lock."""
        loop = asyncio.get_running_loop()
        delay = RETRY_MIN_S
        while True:
            try:
                await loop.run_in_executor(self._pool, self._write, batch)
                self.written += len(batch)
                if delay > RETRY_MIN_S:
                    log.warning("database writable again; %d held records written", len(batch))
                return
            except (UserError, OperationalError, DisconnectionError) as e:
                if delay == RETRY_MIN_S:
                    log.warning("database busy (%s); holding %d records, retrying", e, len(batch))
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
            except Exception:
                # A record the database refuses (a bug, not a busy database): isolate it so
                # the others are still written.
                log.exception("could not write %d records; retrying one by one", len(batch))
                for rec in batch:
                    try:
                        await loop.run_in_executor(self._pool, self._write, [rec])
                        self.written += 1
                    except Exception:
                        log.exception("dropped record %r", rec)
                return

    def _write(self, batch: list[Any]) -> None:
        with self.db.session() as s:
            self.persister.apply(s, batch)

    async def drain(self) -> None:
        """Wait until everything queued so far is committed."""
        await self._idle.wait()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
