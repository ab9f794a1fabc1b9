"""Modbus polling efficiency: 8 Heidelberg boxes on one simulated 19200-baud RS-485 bus.

The virtual bus delays every reply by what a real line takes (11 bits per character for
8E1, t3.5 silence, the box's 100 ms turnaround), so a cycle cannot beat the physical floor
of `wire-time.md`: the sum over the cycle's reads of (wire time + two t3.5 silences +
turnaround). The real driver stack (HeidelbergCharger → ModbusLink → pymodbus over
`socket://`, or a pty with `--pty`) polls every box once per cycle, all at once as the
engine's coordinators do (the link queues them). Prints the floor, the measured cycle
(median and mean) and floor ÷ cycle (goal ≥ 0.8). Figures, not assertions.

    .venv/bin/python bench/modbus_polling.py [--boxes 8] [--cycles 20] [--pty]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.drivers import DeviceConfig
from stationmgr.drivers.bus import PortPool
from stationmgr.drivers.heidelberg import POLL, HeidelbergCharger
from stationmgr.sim.modbus_boxes import HeidelbergBox
from stationmgr.sim.modbus_sim import ModbusBusSim, WireTiming

BAUD = 19200
BITS = 11  # 8E1: start + 8 data + parity + stop
TURNAROUND_S = 0.100


def floor_per_read_s(registers: int) -> float:
    """wire-time.md: (8 + 5 + 2N) bytes on the wire, two t3.5 silences, the turnaround."""
    char = BITS / BAUD
    t35 = 0.00175 if BAUD > 19200 else 3.5 * char
    return (8 + 5 + 2 * registers) * char + 2 * t35 + TURNAROUND_S


async def poll(url: str, boxes: int, cycles: int, parity: str) -> tuple[list[float], int]:
    pool = PortPool()
    drivers = [
        HeidelbergCharger(DeviceConfig(url, s, BAUD, {"parity": parity}), pool)
        for s in range(1, boxes + 1)
    ]
    for d in drivers:
        await d.open()
    try:
        await asyncio.gather(*(d.read() for d in drivers))  # warm-up cycle
        times = []
        for _ in range(cycles):
            t = time.perf_counter()
            readings = await asyncio.gather(*(d.read() for d in drivers))
            times.append(time.perf_counter() - t)
            assert len(readings) == boxes
        link = pool.owners()[0]
        return times, link.timeouts
    finally:
        for d in drivers:
            await d.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--boxes", type=int, default=8)
    p.add_argument("--cycles", type=int, default=20)
    p.add_argument("--pty", action="store_true", help="a pty (parity N) instead of socket://")
    args = p.parse_args()
    timing = WireTiming(BAUD, BITS, TURNAROUND_S, wire=True)
    bus = ModbusBusSim([HeidelbergBox(s) for s in range(1, args.boxes + 1)], timing=timing)
    url = bus.serve_pty() if args.pty else bus.serve_tcp()
    for s in range(2, args.boxes + 1, 2):
        bus.plug(s)  # half the bays have a car: the figures do not depend on it
    bus.start()
    try:
        times, timeouts = asyncio.run(poll(url, args.boxes, args.cycles, "N" if args.pty else "E"))
    finally:
        bus.stop()
    per_read = floor_per_read_s(POLL.count)
    floor = per_read * args.boxes
    median, mean = statistics.median(times), statistics.fmean(times)
    print(
        f"bus: {args.boxes} Heidelberg boxes, {BAUD} baud 8E1 ({BITS} bits/char), "
        f"turnaround {TURNAROUND_S * 1000:.0f} ms, {'pty' if args.pty else 'socket://'}"
    )
    print(
        f"one poll per box: input registers {POLL.start}..{POLL.start + POLL.count - 1} "
        f"({POLL.count} registers, {POLL.request_bytes()} bytes on the wire)"
    )
    print(f"floor per read:   {per_read * 1000:8.1f} ms")
    print(f"floor per cycle:  {floor * 1000:8.1f} ms")
    print(
        f"measured cycle:   {median * 1000:8.1f} ms median, {mean * 1000:.1f} ms mean, "
        f"{max(times) * 1000:.1f} ms max over {len(times)} cycles"
    )
    print(
        f"efficiency:       {floor / median:8.3f} (median)  {floor / mean:.3f} (mean)  goal >= 0.8"
    )
    print(f"timeouts:         {timeouts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
