"""Cards page benchmark: what the GUI thread pays to list and search cards, and what the
worker pays to check and import a large CSV file.

Prints, for a site with N cards (default 10,000): the list read (`SiteClient.card_rows`
in this process, done on the worker at every refresh) unfiltered and with a search by name
and by card number in another spelling, the table model reset, and the CSV preview check
and the import (both on the worker). Figures, not assertions.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/cards_page.py [--cards 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from stationmgr.cards import import_csv
from stationmgr.client.local import LocalClient
from stationmgr.store.db import open_database
from ui.cards.model import CardTableModel


def timed(fn: Callable[[], object], runs: int = 5) -> float:
    """Median wall time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=10_000)
    args = ap.parse_args()
    _app = QApplication(sys.argv[:1])
    n = args.cards
    rows = ["uid,label,holder,group,valid_to,max_concurrent"]
    for i in range(n):
        rows.append(f"{0x10000000 + i * 7:08X},tag {i},Holder {i % 700},G{i % 9},2030-01-01,1")
    text = "\n".join(rows) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'cards.sqlite3'}")
        client = LocalClient(db)
        try:
            check_ms = timed(lambda: client.check_card_import(text), 1)
            t0 = time.perf_counter()
            with db.session() as s:
                import_csv(s, text)
            import_ms = (time.perf_counter() - t0) * 1000

            def read(search: str | None) -> Callable[[], object]:
                def run() -> object:
                    return client.card_rows(search)

                return run

            model = CardTableModel()
            all_rows = client.card_rows()
            print(f"cards: {n}")
            print(f"CSV preview check (worker):      {check_ms:8.0f} ms")
            print(f"CSV import, one unit of work:    {import_ms:8.0f} ms")
            print(f"list read, all cards (worker):    {timed(read(None)):8.1f} ms")
            print(f"list read, search 'Holder 42':   {timed(read('Holder 42')):8.1f} ms")
            reversed_uid = "".join(
                reversed([f"{0x10000000 + 70:08X}"[i : i + 2] for i in (0, 2, 4, 6)])
            )
            print(f"list read, search {reversed_uid} (rev):{timed(read(reversed_uid)):7.1f} ms")
            reset_ms = timed(lambda: model.set_rows(all_rows))
            print(f"table model reset, all cards:    {reset_ms:8.1f} ms")
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
