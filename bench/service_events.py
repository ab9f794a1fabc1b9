"""The site service under load: N virtual bays polled at 1 Hz, their snapshots pushed over
the WebSocket to K remote clients (separate processes) for D seconds. Prints figures (no
pass/fail): event latency engine → client (p50/p99/max, from the snapshot's own time to its
arrival, same machine), the service process's CPU share and peak RSS, events per client.

    .venv/bin/python bench/service_events.py [--bays 64] [--clients 3] [--duration 60]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def client_main(url: str, duration: float) -> None:
    from stationmgr.client.remote import RemoteClient

    lat: list[float] = []
    with RemoteClient(url) as c:
        stream = c.events()
        end = time.monotonic() + duration
        while time.monotonic() < end:
            try:
                ev = stream.get(0.5)
            except Exception:
                continue
            if ev.type == "bay":
                lat.append(time.time() - datetime.fromisoformat(ev.data["at"]).timestamp())
        stream.close()
    print(json.dumps(lat))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bays", type=int, default=64)
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.client:
        client_main(a.client, a.duration)
        return
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    tmp = Path(tempfile.mkdtemp(prefix="svc-bench-"))
    os.environ["STATIONMGR_HOME"] = str(tmp)
    from stationmgr.clock import SystemClock
    from stationmgr.drivers import inproc
    from stationmgr.engine import Engine, EngineConfig
    from stationmgr.engine.coordinator import CoordinatorConfig
    from stationmgr.service.server import SiteServer, parse_listen
    from stationmgr.sim.device import VirtualCharger
    from stationmgr.sim.ev import EV
    from stationmgr.store.db import open_database
    from stationmgr.store.models import Bay, Charger

    db = open_database(f"sqlite:///{tmp / 'site.sqlite3'}", create=True)
    with db.session() as s:
        for i in range(1, a.bays + 1):
            c = Charger(name=f"b{i}", driver="inproc", port=f"inproc://b{i}")
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=f"P{i}"))
            dev = VirtualCharger()
            dev.connectors[0].plug(EV(capacity_wh=60000, soc=0.2, max_power_w=7000), time.time())
            inproc.VIRTUAL_CHARGERS[f"b{i}"] = dev
    inproc.CLOCK[0] = SystemClock()
    engine = Engine(db, SystemClock(), EngineConfig(CoordinatorConfig(poll_interval_s=1.0)))
    engine.start()
    server = SiteServer(db, engine, parse_listen("127.0.0.1:0"))
    url = server.start()
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--client", url, "--duration", str(a.duration)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(a.clients)
    ]
    try:
        r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        outs = [json.loads(p.communicate(timeout=a.duration + 120)[0] or "[]") for p in procs]
        r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        server.stop()
        engine.stop()
        db.dispose()
    lat = sorted(x * 1000 for out in outs for x in out)
    cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / (t1 - t0)
    print(f"{a.bays} bays, {a.clients} clients, {a.duration:g} s")
    print(f"events per client: {[len(o) for o in outs]}")
    if lat:
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print(
            f"latency engine → client: p50 {statistics.median(lat):.1f} ms, "
            f"p99 {p99:.1f} ms, max {lat[-1]:.1f} ms"
        )
    print(
        f"service CPU share: {100 * cpu:.1f} % of one core; peak RSS {r1.ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
