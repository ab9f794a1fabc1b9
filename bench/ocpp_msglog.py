"""What the OCPP message log costs: per frame on the endpoint's loop (parse, name the
answer, keep in memory) and in the writer (the database ring, in the writer's batches of
200, pruned to the last `KEEP` per charger), on a real SQLite file.

A realistic MeterValues call (energy, power, three phase currents and voltages) and its
answer from `--chargers` charge points, `--frames` frames in all. Prints µs per frame on
the loop, rows per second stored and the rows left.

    .venv/bin/python bench/ocpp_msglog.py [--chargers 500] [--frames 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.ocpp import msglog
from stationmgr.site_setup import ChargerInput, add_charger
from stationmgr.store.db import open_database
from stationmgr.store.ocpp_models import OcppMessage


def meter_values(i: int) -> str:
    sampled = [{"value": str(10_000 + i), "measurand": "Energy.Active.Import.Register",
                "unit": "Wh", "context": "Sample.Periodic"},
               {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"}]  # fmt: skip
    for p in ("L1", "L2", "L3"):
        sampled.append({"value": "10.4", "measurand": "Current.Import", "phase": p, "unit": "A"})
        sampled.append({"value": "231.0", "measurand": "Voltage", "phase": f"{p}-N", "unit": "V"})
    value = {"timestamp": "2026-12-02T18:00:00Z", "sampledValue": sampled}
    payload = {"connectorId": 1, "transactionId": i, "meterValue": [value]}
    return json.dumps([2, f"uid-{i}", "MeterValues", payload])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chargers", type=int, default=500)
    ap.add_argument("--frames", type=int, default=20_000)
    args = ap.parse_args()

    frames = [meter_values(i) for i in range(args.frames // 2)]
    answers = [json.dumps([3, f"uid-{i}", {}]) for i in range(args.frames // 2)]
    calls: dict[int, dict[str, str]] = {c: {} for c in range(args.chargers)}
    entries: list[msglog.Traced] = []
    t0 = time.perf_counter()
    for i, (f, a) in enumerate(zip(frames, answers, strict=True)):
        c = i % args.chargers
        entries.append(msglog.parse(c + 1, float(i), "in", f, calls[c]))
        entries.append(msglog.parse(c + 1, float(i), "out", a, calls[c]))
    loop_us = (time.perf_counter() - t0) / len(entries) * 1e6

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", create=True)
        with db.session() as s:
            for c in range(args.chargers):
                add_charger(
                    s, ChargerInput(f"cp{c}", "ocpp", "", settings={"charge_point_id": f"CP{c}"})
                )
        ring = msglog._Ring()
        t0 = time.perf_counter()
        for start in range(0, len(entries), 200):  # the writer's batch size
            with db.session() as s:
                for e in entries[start : start + 200]:
                    ring.apply(s, e)
        stored_s = time.perf_counter() - t0
        with db.session() as s:
            rows = s.query(OcppMessage).count()
        db.dispose()
    print(f"frames: {len(entries)} from {args.chargers} charge points")
    print(f"on the loop: {loop_us:.1f} µs per frame (parse, name the answer, keep)")
    print(f"stored: {len(entries) / stored_s:.0f} rows/s in batches of 200 (SQLite, pruned)")
    print(f"rows left: {rows} (ring of {msglog.KEEP} per charger, pruned every "
          f"{msglog.PRUNE_EVERY})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
