"""History benchmark on a five-year site (make it first with `bench/gen_site.py`).

Prints, for the database: a session-list page (100 rows) under each filter, one session's
curve, one month's totals, and bytes per stored sample. Goals (issue 2): page ≤ 50 ms,
curve ≤ 20 ms, month ≤ 300 ms. Figures, not assertions.

    .venv/bin/python bench/history_queries.py bench/out/site5y.sqlite3
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text

from stationmgr.store.db import open_database
from stationmgr.store.models import Bay, CardHolder, ChargeSession, MeterSample
from stationmgr.store.queries import (
    SessionFilter,
    list_sessions,
    month_range,
    session_samples,
    session_totals,
    totals_by_bay,
)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, max) milliseconds over `runs` calls after one warm-up."""
    fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), max(ts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    if not a.path.exists():
        sys.exit(f"no database at {a.path}: run bench/gen_site.py {a.path} first")
    db = open_database(f"sqlite:///{a.path}")
    rnd = random.Random(7)
    with db.session() as s:
        n = s.scalar(select(func.count(ChargeSession.id)))
        n_samples = s.scalar(select(func.count(MeterSample.id)))
        bays = list(s.scalars(select(Bay.id)))
        holders = list(s.scalars(select(CardHolder.id)))
        cards = list(
            s.scalars(
                select(ChargeSession.card_id).where(ChargeSession.card_id.is_not(None)).limit(2000)
            )
        )
        last = s.scalar(select(func.max(ChargeSession.plugged_at)))
        print(
            f"database: {a.path} — {n:,} sessions, {n_samples:,} samples, "
            f"{a.path.stat().st_size / 1e6:.0f} MB"
        )
        print("\nsession list page (100 rows), median / max ms:")
        month_start = datetime(last.year, last.month, 1, tzinfo=UTC) - timedelta(days=400)
        since, until = month_range(month_start.year, month_start.month)
        filters: dict[str, Callable[[], SessionFilter]] = {
            "no filter": lambda: SessionFilter(),
            "bay": lambda: SessionFilter(bay_id=rnd.choice(bays)),
            "card": lambda: SessionFilter(card_id=rnd.choice(cards)),
            "holder id": lambda: SessionFilter(holder_id=rnd.choice(holders)),
            "holder name": lambda: SessionFilter(holder_name=f"Holder {rnd.randrange(1200):04d}"),
            "date range (a month)": lambda: SessionFilter(since=since, until=until),
            "bay + month": lambda: SessionFilter(since=since, until=until, bay_id=rnd.choice(bays)),
            "stop reason (rare)": lambda: SessionFilter(stop_reason="PowerLoss"),
            "stop reason + bay": lambda: SessionFilter(
                stop_reason="Local", bay_id=rnd.choice(bays)
            ),
            "page 50 (offset 5,000)": lambda: SessionFilter(),
        }
        worst = 0.0
        for name, make in filters.items():
            offset = 5000 if name.startswith("page 50") else 0
            med, mx = timed(
                lambda make=make, offset=offset: list_sessions(s, make(), offset, 100), a.runs
            )
            worst = max(worst, mx)
            print(f"  {name:26} {med:7.2f} / {mx:7.2f}")
        print(f"  worst case: {worst:.2f} ms (goal ≤ 50 ms)")

        ids = list(s.scalars(select(ChargeSession.id).order_by(ChargeSession.id.desc()).limit(300)))
        old_ids = [rnd.randrange(1, n) for _ in range(300)]
        med, mx = timed(lambda: session_samples(s, rnd.choice(ids)), a.runs)
        print(f"\none session's curve, recent (10 s samples): {med:.2f} / {mx:.2f} ms (goal ≤ 20)")
        med, mx = timed(lambda: session_samples(s, rnd.choice(old_ids)), a.runs)
        print(f"one session's curve, history (downsampled):   {med:.2f} / {mx:.2f} ms")

        def month() -> object:
            f = SessionFilter(since=since, until=until)
            return session_totals(s, f), totals_by_bay(s, f)

        med, mx = timed(month, max(5, a.runs // 3))
        print(f"\none month's totals (site + per bay): {med:.2f} / {mx:.2f} ms (goal ≤ 300)")

        try:
            used = s.execute(
                text(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                    "('meter_samples', 'ix_samples_session_ts')"
                )
            ).scalar()
            how = "dbstat: table + index pages"
        except Exception:
            used = None
        if not used:
            page = s.execute(text("PRAGMA page_size")).scalar()
            used = a.path.stat().st_size * 0  # unknown without dbstat
            how = f"dbstat unavailable (page size {page})"
        if used:
            print(f"\nbytes per stored sample: {used / n_samples:.1f} ({how})")
        else:
            print(f"\nbytes per stored sample: n/a ({how})")
    db.dispose()


if __name__ == "__main__":
    main()
