"""Kill run (issue 15): N random SIGKILLs of a real `stationmgr run` while OpenEVSE and
Heidelberg simulators (their own processes, energy at `--speed`) charge cars that come and
go, with swaps while the engine is down (car A leaves, car B plugs in, nobody taps).

Prints per bay: plug-ins, sessions, records of energy outside a session, the charger's
counter advance against sessions + outside, merged sessions and Wh on a wrong card; exits 1
when a plug-in is lost or misattributed. The same harness runs 7 kills in
tests/test_kill_continuity.py.

    .venv/bin/python bench/kill_continuity.py [--kills 50] [--seed 15] [--speed 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.kill_site import KillSite


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=50, help="SIGKILLs of the engine")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--speed", type=float, default=10.0, help="simulators' time warp")
    args = ap.parse_args()
    t0 = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as tmp,
        KillSite(Path(tmp), seed=args.seed, speed=args.speed) as site,
    ):
        site.run(args.kills)
        figures = site.check()
        tracebacks = site.engine_log().count("Traceback")
    took = time.monotonic() - t0
    print(f"\n{figures['kills']} kills, {figures['swaps']} swaps while down, {took:.0f} s")
    cols = [
        *("plug_ins", "sessions", "outside_records", "counter_wh", "sessions_wh"),
        *("outside_wh", "diff_wh", "merged_sessions", "wrong_card_wh", "uncovered_plug_ins"),
    ]
    print(f"{'bay':<4}" + "".join(f"{c:>19}" for c in cols))
    for label, row in figures["bays"].items():
        print(f"{label:<4}" + "".join(f"{row[c]:>19}" for c in cols))
    total = {c: sum(r[c] for r in figures["bays"].values()) for c in cols}
    print(f"{'all':<4}" + "".join(f"{round(total[c], 1):>19}" for c in cols))
    print(f"engine tracebacks: {tracebacks}")
    for p in figures["problems"]:
        print("PROBLEM:", p)
    return 1 if figures["problems"] or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
