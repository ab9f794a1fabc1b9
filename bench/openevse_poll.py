"""OpenEVSE poll cost: commands and time per `read()` against the simulator on a pty.

Prints, per simulator variant, the RAPI commands one poll sends and the median / 95th
percentile time of a poll (a pty has no baud rate: add the wire time, about 87 µs per
character at 115200). With heartbeat supervision on, each poll carries a `$SY` pulse.
Figures, not assertions.

    .venv/bin/python bench/openevse_poll.py [--polls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.clock import WarpClock
from stationmgr.drivers.openevse import OpenEVSE
from stationmgr.drivers.serial_link import SerialLink
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint

VARIANTS = {
    "8.2.3": {"firmware": "8.2.3"},
    "8.2.3 heartbeat 5,6": {"firmware": "8.2.3", "heartbeat": (5, 6)},
    "D5.1.0 (RAPI 4.0.1)": {"firmware": "5.1.0"},
    "D4.4.0 (RAPI 2.0.3)": {"firmware": "4.4.0"},
    "no ammeter": {"ammeter": False},
}


async def measure(kw: dict, polls: int) -> tuple[list[str], list[float]]:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(1.0), log_commands=True, **kw).start()
    try:
        sim.plug(EV())
        d = OpenEVSE(SerialLink(sim.endpoint.name), phases=1, nominal_voltage_v=230.0)
        await d.open()
        await d.read()
        before = len(sim.st.commands)
        await d.read()
        cmds = [c for _, c in sim.st.commands[before:]]
        times = []
        for _ in range(polls):
            t = time.perf_counter()
            await d.read()
            times.append(time.perf_counter() - t)
        await d.close()
        return cmds, times
    finally:
        sim.stop()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--polls", type=int, default=200)
    args = p.parse_args()
    for name, kw in VARIANTS.items():
        cmds, times = asyncio.run(measure(kw, args.polls))
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{name:22} {len(cmds)} commands ({' '.join(cmds)}): "
            f"median {statistics.median(times) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
