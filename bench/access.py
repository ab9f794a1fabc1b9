"""Access benchmark: what a login, a permission check and the audit chain cost.

Prints: argon2id hash and verify (the login's cost, and so the brute-force cost per guess),
a `require()` check (run before every changing service call), audit appends per second
(one unit of work each, as services do), and `verify_chain` over the whole log. Figures,
not assertions.

    .venv/bin/python bench/access.py [--entries 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.access import audit
from stationmgr.access.context import require
from stationmgr.access.operators import HASHER, authenticate, create_operator
from stationmgr.access.roles import Role
from stationmgr.store.db import open_database


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, max) milliseconds over `runs` calls after one warm-up."""
    fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), max(ts)


def show(what: str, figures: tuple[float, float]) -> None:
    print(f"{what:26} median {figures[0]:7.2f} ms  max {figures[1]:7.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=20_000, help="audit entries to append")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.sqlite3")
        try:
            h = HASHER.hash("benchmark-password")
            show("argon2id hash", timed(lambda: HASHER.hash("benchmark-password"), 10))
            show("argon2id verify", timed(lambda: HASHER.verify(h, "benchmark-password"), 10))
            with db.session() as s:
                create_operator(s, "olga", Role.OWNER, "benchmark-password")
            actor = authenticate(db, "olga", "benchmark-password")
            show(
                "login (authenticate)",
                timed(lambda: authenticate(db, "olga", "benchmark-password"), 10),
            )

            def check() -> None:
                with db.session() as s:
                    require(actor, "cards.add", s)

            show("require() in a session", timed(check, 500))

            n = args.entries
            t = time.perf_counter()
            for i in range(n):
                with db.session() as s:
                    audit.append(
                        s, "olga", "cards.block", f"card-{i}", {"blocked": False}, {"blocked": True}
                    )
            dt = time.perf_counter() - t
            print(f"audit append (1 per unit of work)  {n / dt:,.0f} entries/s ({n} entries)")
            t = time.perf_counter()
            with db.session() as s:
                result = audit.verify_chain(s)
            dt = time.perf_counter() - t
            print(
                f"verify_chain             {dt * 1000:,.0f} ms for {result.checked:,} entries "
                f"({result.checked / dt:,.0f} entries/s), {result}"
            )
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
