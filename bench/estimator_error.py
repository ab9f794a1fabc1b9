#!/usr/bin/env python3
"""How good is the expected end? A simulated month of sessions, scored at 25 % of each.

The month: eight bays, thirty-odd regular cards with habits of their own plus walk-in guests.
Commuters arrive on weekday mornings and leave after their working day whatever the battery
says; visitors and taxis leave when the car is full (some sooner, some later); residents
plug in for the night. Every car is the simulator's EV (`stationmgr.sim.ev`: battery, state
of charge, on-board charger limit, taper near full) behind a bay's offered power, integrated
minute by minute, so energy, power now and the end of charging are what a charger would
report.

Each finished session is written to a real SQLite file as the engine's writer would; each
running session is estimated at 25 % of its plugged time (elapsed) from what the bay shows at
that moment and the history the database holds *then* (`alerts.history`), exactly as the
monitor does. Printed: the median absolute error of the expected end in minutes, for the
estimator and for the naive fallback (the bay's typical session), overall and per kind of
driver.

    .venv/bin/python bench/estimator_error.py [--days 30] [--seed 7] [--at 0.25]
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.alerts.estimator import SessionProgress, estimate_end, naive_end
from stationmgr.alerts.history import bay_history, card_history
from stationmgr.clock import to_datetime
from stationmgr.sim.ev import EV
from stationmgr.store.db import open_database
from stationmgr.store.models import Bay, Card, Charger, ChargeSession

STEP_S = 60.0
IDLE_AFTER_S = 300.0  # SessionConfig.idle_after_s
BAY_POWER_W = [11_040] * 6 + [7_360, 3_680]  # 16 A × 3, 2 or 1 phases
H = 3600.0


@dataclass
class Driver:
    card: str | None  # None: a walk-in guest
    kind: str  # commuter | visitor | taxi | resident | guest
    bay: int  # preferred bay index
    capacity_wh: float
    max_power_w: float
    soc_mean: float
    target_soc: float
    stay_h: float = 0.0  # commuters, residents: usual time plugged
    idle_min: float = 0.0  # visitors, taxis: usual minutes plugged after full


@dataclass
class Sim:
    """One simulated session: its meter curve and real end."""

    driver: Driver
    bay: int
    plugged_at: float
    stopped_at: float = 0.0
    curve: list[tuple[float, float, float]] = field(default_factory=list)  # (t, Wh, W)
    first_flow: float | None = None
    last_flow: float | None = None

    @property
    def energy_wh(self) -> float:
        return self.curve[-1][1] if self.curve else 0.0

    def at(self, t: float) -> SessionProgress:
        """What the bay shows at `t`."""
        wh = w = 0.0
        last = None
        for ct, cwh, cw in self.curve:
            if ct > t:
                break
            wh, w = cwh, cw
            if cw > 50:
                last = ct
        finished = last is not None and t - last >= IDLE_AFTER_S
        return SessionProgress(self.plugged_at, t, wh, w, last, finished)


def make_drivers(rng: random.Random) -> list[Driver]:
    out = []

    def car() -> tuple[float, float]:
        cap, pw = rng.choice(
            [(40_000, 7_400), (60_000, 11_000), (77_000, 11_000), (82_000, 11_000)]
        )
        return float(cap), float(pw)

    for i in range(14):
        cap, pw = car()
        out.append(
            Driver(
                f"C{i:02d}",
                "commuter",
                rng.randrange(4),
                cap,
                pw,
                rng.uniform(0.25, 0.6),
                0.9,
                stay_h=rng.uniform(7.5, 9.5),
            )
        )
    for i in range(10):
        cap, pw = car()
        out.append(
            Driver(
                f"V{i:02d}",
                "visitor",
                rng.randrange(len(BAY_POWER_W)),
                cap,
                pw,
                rng.uniform(0.2, 0.5),
                0.8,
                idle_min=rng.uniform(5, 40),
            )
        )
    for i in range(4):
        out.append(
            Driver(
                f"T{i:02d}",
                "taxi",
                6 + i % 2,
                60_000,
                11_000,
                rng.uniform(0.15, 0.35),
                0.8,
                idle_min=rng.uniform(2, 8),
            )
        )
    for i in range(5):
        cap, pw = car()
        out.append(
            Driver(
                f"R{i:02d}",
                "resident",
                rng.randrange(len(BAY_POWER_W)),
                cap,
                pw,
                rng.uniform(0.3, 0.6),
                1.0,
                stay_h=rng.uniform(12, 14),
            )
        )
    return out


def arrivals(drivers: list[Driver], rng: random.Random, start: datetime, days: int):  # type: ignore[no-untyped-def]
    """(time, driver) for the month, in time order."""
    out = []
    for d in range(days):
        day = start + timedelta(days=d)
        weekday = day.weekday() < 5
        t0 = day.timestamp()
        for dr in drivers:
            if dr.kind == "commuter" and weekday and rng.random() < 0.85:
                out.append((t0 + rng.gauss(8.3, 0.4) * H, dr))
            elif dr.kind == "visitor" and rng.random() < 0.3:
                out.append((t0 + rng.uniform(9, 19) * H, dr))
            elif dr.kind == "taxi":
                for _ in range(rng.choice([1, 2, 2, 3])):
                    out.append((t0 + rng.uniform(6, 22) * H, dr))
            elif dr.kind == "resident" and rng.random() < 0.6:
                out.append((t0 + rng.gauss(18.5, 0.7) * H, dr))
        for _ in range(rng.choice([1, 2, 3])):  # walk-ins with no card
            cap, pw = rng.choice([(50_000.0, 11_000.0), (64_000.0, 7_400.0), (30_000.0, 3_700.0)])
            g = Driver(
                None,
                "guest",
                rng.randrange(len(BAY_POWER_W)),
                cap,
                pw,
                rng.uniform(0.2, 0.5),
                0.8,
                stay_h=rng.uniform(0.5, 3.0),
            )
            out.append((t0 + rng.uniform(8, 20) * H, g))
    out.sort(key=lambda a: a[0])
    return out


def simulate(dr: Driver, bay: int, t0: float, rng: random.Random) -> Sim:
    ev = EV(
        capacity_wh=dr.capacity_wh,
        soc=min(0.95, max(0.05, rng.gauss(dr.soc_mean, 0.1))),
        max_power_w=dr.max_power_w,
        target_soc=dr.target_soc,
    )
    sim = Sim(dr, bay, t0)
    if dr.kind in ("commuter", "resident"):
        leave = t0 + max(1.0, rng.gauss(dr.stay_h, 0.4)) * H
    elif dr.kind == "guest":
        leave = t0 + dr.stay_h * H
    else:
        leave = None  # leaves when full, plus a habit
    t, wh, full_at = t0, 0.0, None
    offered = float(BAY_POWER_W[bay])
    while True:
        w = ev.demand_w(offered)
        sim.curve.append((t, wh, w))
        if w > 50:
            sim.first_flow = sim.first_flow or t
            sim.last_flow = t
        elif full_at is None and sim.first_flow is not None:
            full_at = t
        if leave is None and full_at is not None:
            leave = full_at + max(1.0, rng.gauss(dr.idle_min, dr.idle_min * 0.25 + 2)) * 60
        if leave is not None and t >= leave:
            break
        step = STEP_S
        ev.absorb(w * step / H)
        wh += w * step / H
        t += step
    sim.stopped_at = t
    return sim


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--at", type=float, default=0.25, help="fraction of the session (0.25)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    drivers = make_drivers(rng)
    wall = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.sqlite3")
        with db.session() as s:
            for i in range(len(BAY_POWER_W)):
                c = Charger(name=f"c{i}", driver="inproc", port=f"inproc://c{i}")
                s.add(c)
                s.flush()
                s.add(Bay(charger_id=c.id, connector=1, label=f"P{i + 1}"))
            for dr in drivers:
                s.add(Card(uid=f"04{dr.card}0000"[:8], uid_key=dr.card, label=dr.card))
        with db.session() as s:
            card_ids = {c.label: c.id for c in s.query(Card)}
            bay_ids = [b.id for b in s.query(Bay).order_by(Bay.id)]

        busy_until = [0.0] * len(BAY_POWER_W)
        events: list[tuple[float, int, str, Sim]] = []  # (time, seq, "eval"|"stop", session)
        seq = 0
        turned_away = 0
        for t0, dr in arrivals(drivers, rng, start, args.days):
            free = [b for b in range(len(BAY_POWER_W)) if busy_until[b] <= t0]
            if not free:
                turned_away += 1
                continue
            bay = dr.bay if dr.bay in free else rng.choice(free)
            sim = simulate(dr, bay, t0, rng)
            busy_until[bay] = sim.stopped_at
            t_eval = t0 + args.at * (sim.stopped_at - t0)
            heapq.heappush(events, (t_eval, seq, "eval", sim))
            heapq.heappush(events, (sim.stopped_at, seq + 1, "stop", sim))
            seq += 2

        errors: dict[str, list[tuple[float, float]]] = {}
        n_sessions = 0
        while events:
            t, _, what, sim = heapq.heappop(events)
            dr = sim.driver
            card_id = card_ids.get(dr.card) if dr.card else None
            if what == "stop":
                n_sessions += 1
                with db.session() as s:
                    s.add(_row(sim, bay_ids[sim.bay], card_id))
                continue
            with db.session() as s:
                before = to_datetime(sim.plugged_at)
                card = card_history(s, card_id, before)
                bay = bay_history(s, bay_ids[sim.bay], before)
            progress = sim.at(t)
            est = estimate_end(progress, card, bay).end_at
            naive = naive_end(progress, bay)
            errors.setdefault(dr.kind, []).append(
                (abs(est - sim.stopped_at) / 60, abs(naive - sim.stopped_at) / 60)
            )
        db.dispose()

    allerr = [e for v in errors.values() for e in v]
    med_est = statistics.median(e for e, _ in allerr)
    med_naive = statistics.median(n for _, n in allerr)
    print(
        f"simulated {args.days} days: {n_sessions} sessions on {len(BAY_POWER_W)} bays, "
        f"{len(drivers)} cards + walk-in guests ({turned_away} arrivals found no free bay)"
    )
    print(f"expected end at {args.at:.0%} of each session (elapsed time):")
    print(f"  estimator       median absolute error {med_est:7.1f} min")
    print(
        f"  naive fallback  median absolute error {med_naive:7.1f} min  (the bay's typical session)"
    )
    if med_est > 0:
        print(f"  → {med_naive / med_est:.1f}× smaller error than the fallback")
    p90 = statistics.quantiles([e for e, _ in allerr], n=10)[-1]
    print(f"  estimator 90th percentile {p90:.1f} min")
    print("by kind of driver (n, estimator, fallback — median min):")
    for kind in sorted(errors):
        v = errors[kind]
        print(
            f"  {kind:9s} {len(v):4d}  {statistics.median(e for e, _ in v):7.1f}  "
            f"{statistics.median(n for _, n in v):7.1f}"
        )
    print(f"(ran in {time.perf_counter() - wall:.1f} s)")
    return 0


def _row(sim: Sim, bay_id: int, card_id: int | None) -> ChargeSession:
    plugged = round(sim.stopped_at - sim.plugged_at)
    if sim.first_flow is None or sim.last_flow is None:
        charging = idle = 0
    else:
        charging = round(sim.last_flow - sim.first_flow)
        idle = round(sim.stopped_at - sim.last_flow)
    return ChargeSession(
        tx_uid=f"{bay_id}-{round(sim.plugged_at * 1000)}",
        bay_id=bay_id,
        card_id=card_id,
        plugged_at=to_datetime(sim.plugged_at),
        authorized_at=to_datetime(sim.plugged_at),
        charging_started_at=to_datetime(sim.first_flow) if sim.first_flow else None,
        charging_ended_at=to_datetime(sim.last_flow) if sim.last_flow else None,
        stopped_at=to_datetime(sim.stopped_at),
        meter_start_wh=0.0,
        meter_last_wh=sim.energy_wh,
        meter_stop_wh=sim.energy_wh,
        segment_start_wh=0.0,
        energy_wh=sim.energy_wh,
        stop_reason="EVDisconnected",
        plugged_s=plugged,
        charging_s=charging,
        idle_s=idle,
        waiting_s=plugged - charging - idle,
    )


if __name__ == "__main__":
    sys.exit(main())
