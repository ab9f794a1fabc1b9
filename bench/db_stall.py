"""Start-to-gate latency with and without a foreign write lock on the database.

A real `stationmgr run` process drives a virtual OpenEVSE and an RDM6300 reader on ptys.
Each round taps the bay's card (start: card frame → `$FE` seen by the charger) and taps it
again (stop: card frame → `$FS`). First with the database free, then while a second
connection holds `BEGIN IMMEDIATE` for the whole phase (what a backup tool or a stuck
program does). Prints p50/p90/max per phase, the locked/free ratios, and the sessions the
database holds once the lock is gone (one per start: nothing lost, no phantom pairs).

    .venv/bin/python bench/db_stall.py [--taps 20] [--poll 1.0]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.sim.ev import EV
from stationmgr.sim.site import FAST_SESSIONS, SerialSite, SiteBay


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Gate:
    """Card frames and gate commands as the simulators saw them, with their times."""

    def __init__(self, bay: SiteBay) -> None:
        self.frame_at = 0.0
        self.want = ""
        self.seen = threading.Event()
        self.at = 0.0
        bay.reader.on_frame.append(self._frame)
        bay.charger.on_command.append(self._command)

    def _frame(self, stamp: float, _card: str) -> None:
        if not self.frame_at:
            self.frame_at = stamp

    def _command(self, stamp: float, cmd: str) -> None:
        if cmd == self.want and self.frame_at and not self.seen.is_set():
            self.at = stamp
            self.seen.set()

    def tap(self, bay: SiteBay, want: str, timeout: float = 60.0) -> float | None:
        self.frame_at, self.want, self.at = 0.0, want, 0.0
        self.seen.clear()
        bay.reader.tap(bay.card, 0.06)
        if not self.seen.wait(timeout):
            return None
        return (self.at - self.frame_at) * 1000


def phase(site: SerialSite, bay: SiteBay, gate: Gate, taps: int) -> tuple[list, list, int]:
    starts: list[float] = []
    stops: list[float] = []
    missed = 0
    for _ in range(taps):
        for want, into in (("FE", starts), ("FS", stops)):
            ms = gate.tap(bay, want)
            if ms is None:
                missed += 1
                print(f"  no ${want} seen", file=sys.stderr)
            else:
                into.append(ms)
            time.sleep(0.4)  # a person does not tap faster; the reader's release is 0.1 s
    return starts, stops, missed


def line(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name}: none"
    return (
        f"  {name}: p50 {statistics.median(values):7.1f} ms  p90 {percentile(values, 90):7.1f} ms"
        f"  max {max(values):7.1f} ms  (n={len(values)})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taps", type=int, default=20, help="start/stop pairs per phase")
    ap.add_argument("--poll", type=float, default=1.0, help="engine poll interval (s)")
    args = ap.parse_args()
    results: dict[str, tuple[list, list, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        session = dict(FAST_SESSIONS, idle_after_s=300.0)
        with SerialSite(
            Path(tmp), bays=1, sim_speed=1.0, poll_s=args.poll, session=session, release_s=0.1
        ) as site:
            bay = site.bays[0]
            gate = Gate(bay)
            site.start_engine()
            site.wait_gated(bay)
            site.plug(bay, EV(capacity_wh=500_000, soc=0.1, max_power_w=7000))
            time.sleep(1.0)
            results["free"] = phase(site, bay, gate, args.taps)
            db_file = Path(tmp) / "site.sqlite3"
            holder = sqlite3.connect(db_file, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            t0 = time.monotonic()
            try:
                results["locked"] = phase(site, bay, gate, args.taps)
                held_s = time.monotonic() - t0
                during = len(site.sessions())  # a reader while the lock is held
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            deadline = time.monotonic() + 60
            while len(site.sessions()) < 2 * args.taps and time.monotonic() < deadline:
                time.sleep(0.1)
            rows = site.sessions()
            journal = db_file.with_name(db_file.name + ".journal")
            journal_bytes = journal.stat().st_size if journal.exists() else 0
    print(f"card frame → gate command, `stationmgr run` on ptys, poll {args.poll:g} s:")
    for name, (starts, stops, missed) in results.items():
        print(f" {name} database ({missed} missed):")
        print(line("start → $FE", starts))
        print(line("stop  → $FS", stops))
    (fs, fp, _), (ls, lp, _) = results["free"], results["locked"]
    if fs and ls and fp and lp:
        print(
            f" ratio locked/free p50: start {statistics.median(ls) / statistics.median(fs):.2f}×, "
            f"stop {statistics.median(lp) / statistics.median(fp):.2f}×"
        )
    print(
        f" lock held {held_s:.1f} s; sessions readable during it: {during}; after release: "
        f"{len(rows)} sessions for {2 * args.taps} starts; "
        f"{len({r.tx_uid for r in rows})} distinct; journal {journal_bytes} bytes left"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f" (load average {load} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
