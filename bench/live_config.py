"""Live configuration on a busy site: how long `SiteRuntime.changed({"chargers"})` takes to
add, edit and remove a charger while N others poll, and whether the others notice.

    PYTHONPATH=. .venv/bin/python bench/live_config.py [--chargers 63] [--rounds 5]

Prints, per kind of change: the time until `changed()` returns (median / max over the
rounds), the time until a new charger's first poll, and the longest gap between two polls
of any untouched charger during the changes, next to the longest gap before them (the
poll interval and the machine's noise). The real runtime, in-process virtual chargers,
a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from stationmgr.cli import main as cli_main
from stationmgr.clock import SystemClock
from stationmgr.drivers import inproc
from stationmgr.engine import EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.runtime import build_runtime
from stationmgr.sim.device import VirtualCharger
from stationmgr.site_setup import ChargerInput, add_charger, remove_charger, update_charger
from stationmgr.store.db import open_database

POLL_S = 0.2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chargers", type=int, default=63)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="stationmgr-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'site.sqlite3'}"
        assert cli_main(["--db", url, "db", "create"]) == 0
        db = open_database(url)
        with db.session() as s:
            for i in range(a.chargers):
                name = f"bench-{i}"
                inproc.VIRTUAL_CHARGERS[name] = VirtualCharger()
                add_charger(s, ChargerInput(name, "inproc", f"inproc://{name}", (f"B{i}",)))
        inproc.CLOCK[0] = SystemClock()
        config = EngineConfig(CoordinatorConfig(poll_interval_s=POLL_S))
        with build_runtime(db, SystemClock(), config=config) as rt:
            eng = rt.engine
            untouched = dict(eng.coordinators)
            last = {cid: (c.polls, time.monotonic()) for cid, c in untouched.items()}
            gaps: list[float] = []

            def watch(seconds: float) -> float:
                """Sample the untouched chargers' poll counters; the longest gap seen."""
                worst = 0.0
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    now = time.monotonic()
                    for cid, c in untouched.items():
                        polls, _since = last[cid]
                        if c.polls != polls:
                            last[cid] = (c.polls, now)
                        worst = max(worst, now - last[cid][1])
                    time.sleep(0.005)
                return worst

            before = watch(3.0)
            add_s, first_poll_s, edit_s, remove_s = [], [], [], []
            for r in range(a.rounds):
                name = f"live-{r}"
                inproc.VIRTUAL_CHARGERS[name] = VirtualCharger()
                with db.session() as s:
                    cid = add_charger(
                        s, ChargerInput(name, "inproc", f"inproc://{name}", (f"L{r}",))
                    ).id
                t0 = time.monotonic()
                rt.changed({"chargers"}).result(30)
                add_s.append(time.monotonic() - t0)
                while eng.coordinators[cid].polls < 1:
                    time.sleep(0.001)
                first_poll_s.append(time.monotonic() - t0)
                gaps.append(watch(0.5))
                with db.session() as s:
                    edited = ChargerInput(name, "inproc", f"inproc://{name}", (f"L{r}",))
                    edited.settings = {"installation_max_a": 10}
                    update_charger(s, cid, edited)
                t0 = time.monotonic()
                rt.changed({"chargers"}).result(30)
                edit_s.append(time.monotonic() - t0)
                gaps.append(watch(0.5))
                with db.session() as s:
                    remove_charger(s, cid)
                t0 = time.monotonic()
                rt.changed({"chargers"}).result(30)
                remove_s.append(time.monotonic() - t0)
                gaps.append(watch(0.5))
        db.dispose()

    def ms(xs: list[float]) -> str:
        return f"median {statistics.median(xs) * 1000:6.1f} ms, max {max(xs) * 1000:6.1f} ms"

    print(f"{a.chargers} chargers polling every {POLL_S:g} s, {a.rounds} rounds")
    print(f"add:    changed() returns   {ms(add_s)}")
    print(f"        first poll of it    {ms(first_poll_s)}")
    print(f"edit:   changed() returns   {ms(edit_s)}")
    print(f"remove: changed() returns   {ms(remove_s)}")
    print(f"longest poll gap of an untouched charger: {before * 1000:.0f} ms before the changes,")
    print(f"                                          {max(gaps) * 1000:.0f} ms during them")


if __name__ == "__main__":
    main()
