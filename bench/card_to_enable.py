"""Card to enable: from the card frame written by a virtual RDM6300 reader to the `$FE`
received by the virtual OpenEVSE, through a real `stationmgr run` process, on ptys.

Each start is a new placement of the bay's card on a plugged-in bay (the engine answers with
`$FE`); the card is tapped again to stop (`$FS`) before the next start, 0.4 s apart (a
person does not tap faster; the reader's debounce is set to 0.1 s). Prints p50, p90,
p99 and max over `--taps` starts (goal: p99 ≤ 50 ms).

    .venv/bin/python bench/card_to_enable.py [--taps 200] [--poll 1.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.sim.ev import EV
from stationmgr.sim.site import FAST_SESSIONS, SerialSite


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taps", type=int, default=200, help="session starts to measure")
    ap.add_argument("--poll", type=float, default=1.0, help="engine poll interval (s)")
    args = ap.parse_args()

    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        session = dict(FAST_SESSIONS, idle_after_s=300.0)
        with SerialSite(
            Path(tmp), bays=1, sim_speed=1.0, poll_s=args.poll, session=session, release_s=0.1
        ) as site:
            bay = site.bays[0]
            frame_at: list[float] = []
            enable_at: list[float] = []
            got = threading.Event()
            stopped = threading.Event()

            def on_frame(stamp: float, _card: str) -> None:
                if not frame_at or frame_at[-1] < 0:
                    frame_at.append(stamp)

            def on_command(stamp: float, cmd: str) -> None:
                if cmd == "FE" and frame_at and frame_at[-1] > 0 and not got.is_set():
                    enable_at.append(stamp)
                    got.set()
                elif cmd == "FS":
                    stopped.set()

            bay.reader.on_frame.append(on_frame)
            bay.charger.on_command.append(on_command)
            site.start_engine()
            site.wait_gated(bay)
            site.plug(bay, EV(capacity_wh=500_000, soc=0.1, max_power_w=7000))
            time.sleep(1.0)
            misses = 0
            when: list[float] = []
            t_start = time.monotonic()
            while len(latencies) < args.taps:
                if bay.charger.st.mode == "active":  # a session runs: tap again to stop it
                    stopped.clear()
                    bay.reader.tap(bay.card, 0.06)
                    stopped.wait(5.0)
                    time.sleep(0.4)  # the card is gone well over release_s
                    continue
                frame_at.clear()
                got.clear()
                bay.reader.tap(bay.card, 0.06)
                if not got.wait(5.0):
                    misses += 1
                    print(f"  no $FE for start {len(latencies) + 1}", file=sys.stderr)
                else:
                    latencies.append((enable_at[-1] - frame_at[0]) * 1000)
                    when.append(frame_at[0] - t_start)
                    frame_at.append(-1.0)  # ignore the repeats of this placement
                time.sleep(0.4)
            sessions = len(site.sessions())
    print(
        f"card frame → $FE over {len(latencies)} starts ({sessions} sessions stored, "
        f"{misses} missed), engine poll {args.poll:g} s, ptys:"
    )
    print(f"  p50 {statistics.median(latencies):6.1f} ms")
    print(f"  p90 {percentile(latencies, 90):6.1f} ms")
    print(f"  p99 {percentile(latencies, 99):6.1f} ms   (goal ≤ 50 ms)")
    print(f"  max {max(latencies):6.1f} ms")
    slow = sorted(zip(latencies, when, strict=True), reverse=True)[:5]
    print("  slowest: " + ", ".join(f"{ms:.0f} ms at {t:.0f} s" for ms, t in slow))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  (load average {load} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
