"""Generate a five-year site database for the history benchmarks.

20 bays, ≈220,000 sessions (≈6 per bay per day), 1,500 cards. Meter samples as the app
keeps them: the last `--raw-days` at the engine's 10-second interval, older sessions
downsampled for history (`stationmgr.store.retention`, default one sample per 15 minutes
plus each session's first and last).

    .venv/bin/python bench/gen_site.py bench/out/site5y.sqlite3 [--years 5] [--bays 20]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from stationmgr.auth import match_key
from stationmgr.store.db import open_database
from stationmgr.store.models import (
    Bay,
    Card,
    CardGroup,
    CardHolder,
    Charger,
    ChargeSession,
    MeterSample,
)

REASONS = (
    ["EVDisconnected"] * 80
    + ["Local"] * 12
    + ["Remote"] * 5
    + ["Other", "PowerLoss", "DeAuthorized"]
)
HOUR_WEIGHT = [1, 1, 1, 1, 1, 2, 4, 8, 10, 9, 7, 6, 6, 6, 6, 7, 8, 9, 8, 6, 4, 3, 2, 1]


def generate(
    path: Path,
    years: float = 5.0,
    bays: int = 20,
    raw_days: int = 7,
    history_resolution_s: int = 900,
    seed: int = 1,
) -> dict[str, float]:
    rnd = random.Random(seed)
    if path.exists():
        path.unlink()
    db = open_database(f"sqlite:///{path}")
    t_start = time.perf_counter()
    end = datetime(2026, 11, 1, tzinfo=UTC)
    start = end - timedelta(days=round(365.25 * years))
    with db.session() as s:
        groups = [CardGroup(name=n) for n in ("Staff", "Tenants", "Visitors", "Fleet", "Family")]
        s.add_all(groups)
        s.flush()
        holders = [CardHolder(name=f"Holder {i:04d}") for i in range(1200)]
        s.add_all(holders)
        s.flush()
        cards = []
        for i in range(1500):
            uid = f"{rnd.getrandbits(32):08X}"
            if any(c.uid == uid for c in cards[-5:]):
                continue
            cards.append(
                Card(
                    uid=uid,
                    uid_key=match_key(uid),
                    holder_id=holders[i % 1200].id,
                    group_id=groups[i % 5].id,
                )
            )
        s.add_all(cards)
        s.flush()
        bay_rows = []
        for i in range(bays):
            c = Charger(
                name=f"charger-{i + 1:02d}",
                driver="openevse" if i < 12 else "heidelberg",
                port=f"/dev/ttyUSB{i // 8}",
                address=None if i < 12 else (i % 8) + 1,
            )
            s.add(c)
            s.flush()
            b = Bay(charger_id=c.id, connector=1, label=f"P{i + 1:02d}")
            s.add(b)
            bay_rows.append(b)
        s.flush()
        card_info = [(c.id, c.uid, c.holder_id, c.group_id) for c in cards]
        holder_names = {h.id: h.name for h in holders}
        bay_ids = [b.id for b in bay_rows]

    conn = db.engine.connect()
    counter = dict.fromkeys(bay_ids, 0.0)
    free_at = dict.fromkeys(bay_ids, start)
    raw_from = end - timedelta(days=raw_days)
    n_sessions = n_samples = 0
    sess_batch: list[dict] = []
    samples_for: list[tuple[int, list[dict]]] = []
    day = start
    next_id = 1

    def flush() -> None:
        nonlocal sess_batch, samples_for
        if not sess_batch:
            return
        with conn.begin():
            conn.execute(insert(ChargeSession), sess_batch)
            rows = [r for _, rs in samples_for for r in rs]
            for i in range(0, len(rows), 20000):
                conn.execute(insert(MeterSample), rows[i : i + 20000])
        sess_batch, samples_for = [], []

    while day < end:
        for bay_id in bay_ids:
            for _ in range(_poisson(rnd, 6.0)):
                hour = rnd.choices(range(24), HOUR_WEIGHT)[0]
                plugged = day + timedelta(hours=hour, minutes=rnd.random() * 60)
                plugged = max(plugged, free_at[bay_id] + timedelta(minutes=2))
                if plugged >= end:
                    continue
                power = rnd.choice([3700, 7400, 11000])
                energy = max(500.0, rnd.gauss(12000, 7000))
                wait_s = rnd.choice([5, 10, 30, 60])
                charge_s = energy / power * 3600 * rnd.uniform(1.0, 1.15)
                idle_s = rnd.expovariate(1 / 1800)
                total = wait_s + charge_s + idle_s
                stopped = plugged + timedelta(seconds=total)
                free_at[bay_id] = stopped
                cid, uid, hid, gid = rnd.choice(card_info)
                guest = rnd.random() < 0.03
                m0 = counter[bay_id]
                counter[bay_id] += energy
                sid = next_id
                next_id += 1
                sess_batch.append(
                    dict(
                        id=sid,
                        tx_uid=f"{bay_id}-{int(plugged.timestamp() * 1000)}",
                        bay_id=bay_id,
                        card_id=None if guest else cid,
                        card_uid=None if guest else uid,
                        holder_id=None if guest else hid,
                        holder_name="Guest" if guest else holder_names[hid],
                        group_id=None if guest else gid,
                        start_kind="guest" if guest else "card",
                        started_by="attendant" if guest else None,
                        guest_reason="card forgotten" if guest else None,
                        plugged_at=plugged,
                        authorized_at=plugged + timedelta(seconds=wait_s / 2),
                        charging_started_at=plugged + timedelta(seconds=wait_s),
                        charging_ended_at=plugged + timedelta(seconds=wait_s + charge_s),
                        stopped_at=stopped,
                        last_seen_at=stopped,
                        meter_start_wh=m0,
                        meter_last_wh=m0 + energy,
                        meter_stop_wh=m0 + energy,
                        segment_start_wh=m0,
                        energy_before_wh=0.0,
                        meter_resets=0,
                        energy_wh=round(energy, 3),
                        stop_reason=rnd.choice(REASONS),
                        stopped_by="ev",
                        plugged_s=round(total),
                        charging_s=round(charge_s),
                        idle_s=round(idle_s),
                        waiting_s=round(total) - round(charge_s) - round(idle_s),
                    )
                )
                step = 10 if plugged >= raw_from else history_resolution_s
                rows = _samples(sid, plugged, wait_s, charge_s, total, m0, energy, power, step)
                samples_for.append((sid, rows))
                n_sessions += 1
                n_samples += len(rows)
                if len(sess_batch) >= 5000:
                    flush()
        day += timedelta(days=1)
    flush()
    conn.close()
    with db.engine.connect() as c:
        c.exec_driver_sql("ANALYZE")
    db.dispose()
    return {
        "sessions": n_sessions,
        "samples": n_samples,
        "seconds": time.perf_counter() - t_start,
        "bytes": path.stat().st_size,
    }


def _poisson(rnd: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rnd.random()
        if p <= limit:
            return k
        k += 1


def _samples(
    sid: int,
    plugged: datetime,
    wait_s: float,
    charge_s: float,
    total: float,
    m0: float,
    energy: float,
    power: int,
    step: int,
) -> list[dict]:
    rows = []
    t = 0.0
    while True:
        charging = wait_s <= t <= wait_s + charge_s
        e = m0 + energy * min(1.0, max(0.0, (t - wait_s) / charge_s))
        p = power if charging else 0
        amps = round(p / 230 / (3 if power > 7400 else 1) * 1000) if p else 0
        rows.append(
            dict(
                session_id=sid,
                ts=plugged + timedelta(seconds=t),
                energy_wh=round(e),
                power_w=p,
                current_l1_ma=amps,
                current_l2_ma=amps if power > 7400 else None,
                current_l3_ma=amps if power > 7400 else None,
            )
        )
        if t >= total:
            return rows
        t = min(total, t + step)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--bays", type=int, default=20)
    ap.add_argument("--raw-days", type=int, default=7)
    ap.add_argument("--history-resolution", type=int, default=900)
    a = ap.parse_args()
    a.path.parent.mkdir(parents=True, exist_ok=True)
    r = generate(a.path, a.years, a.bays, a.raw_days, a.history_resolution)
    print(
        f"generated {r['sessions']:,} sessions and {r['samples']:,} samples in "
        f"{r['seconds']:.0f} s; file {r['bytes'] / 1e6:.0f} MB"
    )
