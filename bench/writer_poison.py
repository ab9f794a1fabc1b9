"""The single writer with poisoned records: throughput of clean batches vs batches that each
hold one record whose handler raises (rolled back, applied again record by record in
savepoints, the bad one kept in persist_failures), on a real SQLite file.

Prints records/s for both, and how many records were dropped (must equal the poisoned ones).

    .venv/bin/python bench/writer_poison.py [--records 20000] [--poison-every 200]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from stationmgr.engine.writer import Writer
from stationmgr.events import ChargerCommLost
from stationmgr.store.db import open_database
from stationmgr.store.models import Charger, ChargerEvent, PersistFailure
from stationmgr.store.persist import Persister


@dataclass(frozen=True)
class Poison:
    n: int


def refuse(_s: Any, rec: Poison) -> None:
    raise ValueError(f"poisoned record {rec.n}")


async def run(url: str, records: int, poison_every: int) -> tuple[float, int]:
    db = open_database(url)
    with db.session() as s:
        c = Charger(name="bench", driver="inproc", port="inproc://bench")
        s.add(c)
        s.flush()
        cid = c.id
    p = Persister()
    p.register(Poison, refuse)
    w = Writer(db, p, journal=None)
    task = asyncio.create_task(w.run())
    t0 = time.perf_counter()
    try:
        for i in range(records):
            if poison_every and i % poison_every == poison_every // 2:
                w.put(Poison(i))
            else:
                w.put(ChargerCommLost(cid, "bench", float(i), f"r{i}"))
            if i % 200 == 199:
                await asyncio.sleep(0)  # let the writer cut a batch, as the engine does
        await w.drain()
        elapsed = time.perf_counter() - t0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        w.close()
    with db.sessions() as s:
        stored = s.scalar(select(func.count(ChargerEvent.id))) or 0
        failed = s.scalar(select(func.count(PersistFailure.id))) or 0
    db.dispose()
    assert stored + failed == records, (stored, failed, records)
    return elapsed, failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--poison-every", type=int, default=200)
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.CRITICAL)  # one ERROR per dropped record otherwise
    with tempfile.TemporaryDirectory() as tmp:
        clean, _ = asyncio.run(run(f"sqlite:///{tmp}/clean.sqlite3", args.records, 0))
        dirty, failed = asyncio.run(
            run(f"sqlite:///{tmp}/poison.sqlite3", args.records, args.poison_every)
        )
    print(f"clean:    {args.records} records in {clean:.2f} s = {args.records / clean:,.0f} /s")
    print(
        f"poisoned: {args.records} records (1 in {args.poison_every} raises) in {dirty:.2f} s "
        f"= {args.records / dirty:,.0f} /s; {failed} dropped and kept"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
