"""The OCPP central system under load: N simulated charge points on loopback against a real
`stationmgr run --ocpp-listen` process, with the desktop app attached to the same service
as a client meanwhile. Prints figures (no pass/fail):

- message handling time p50/p99/max, measured at the charge points (call sent → its
  CallResult received), overall and per action;
- the service process's CPU share (of one core) and RSS over the steady part of the run;
- memory per charge point: the service's RSS with all connected minus its RSS before the
  first connected, divided by N;
- the client's CPU share and RSS (`--client gui`: `stationmgr --site URL gui` offscreen on a
  real window; `--client events`: the SiteClient event stream in a process of its own;
  `none`).

Each charge point is a lightweight client (asyncio + aiohttp, OCPP-J frames written by
hand: the load generator must cost less than what it measures): BootNotification,
StatusNotification, then MeterValues every `--interval` s (10) for `--minutes` (5), with now
and then a transaction (Authorize, StartTransaction, MeterValues with its transactionId,
StopTransaction) and the status changes around it. Everything on 127.0.0.1.

    .venv/bin/python bench/ocpp_load.py [--cps 500] [--minutes 5] [--client gui|events|none]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

USER, PASSWORD = "bench-owner", "bench-Owner-pass-1"
CARDS = [f"BE{n:06X}" for n in range(64)]
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# ---------------------------------------------------------------- the service process


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_site(tmp: Path, n: int) -> str:
    from stationmgr.access.operators import authenticate, create_operator
    from stationmgr.access.roles import Role
    from stationmgr.cards import CardInput, add_card
    from stationmgr.drivers.ocpp import port_for
    from stationmgr.store.db import open_database
    from stationmgr.store.models import Bay, Charger

    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    db = open_database(url, create=True)
    try:
        with db.session() as s:
            create_operator(s, USER, Role.OWNER, PASSWORD, "Bench Owner")
        with db.session() as s:
            for i in range(1, n + 1):
                cpid = cp_id(i)
                c = Charger(
                    name=f"cp{i}", driver="ocpp", port=port_for(cpid),
                    settings={"charge_point_id": cpid},
                )  # fmt: skip
                s.add(c)
                s.flush()
                s.add(Bay(charger_id=c.id, connector=1, label=f"B{i}"))
        owner = authenticate(db, USER, PASSWORD)
        with db.session() as s:
            for uid in CARDS:
                add_card(s, CardInput(uid=uid, holder=f"Holder {uid}"), actor=owner)
    finally:
        db.dispose()
    return url


def cp_id(i: int) -> str:
    return f"BENCH-{i:04d}"


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("STATIONMGR_")}
    e.update(
        PYTHONPATH=str(ROOT),
        STATIONMGR_HOME=os.environ["STATIONMGR_HOME"],
        STATIONMGR_USER=USER,
        STATIONMGR_PASSWORD=PASSWORD,
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        QT_QPA_PLATFORM="offscreen",
    )
    return e


def wait_file(path: Path, proc: subprocess.Popen[bytes], what: str, timeout: float) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    raise SystemExit(f"{what}: no {path.name} after {timeout:g} s")


# ---------------------------------------------------------------- the charge points


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Stats:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.connected = 0
        self.refused = 0
        self.dropped = 0
        self.recording = False


class LoadCp:
    """One charge point: hand-written OCPP-J frames, one call outstanding at a time."""

    def __init__(self, i: int, base: str, stats: Stats, rng: random.Random, interval: float):
        self.i = i
        self.url = f"{base}/{cp_id(i)}"
        self.stats = stats
        self.rng = rng
        self.interval = interval
        self.wh = 1_000_000.0 + i * 1000
        self.tx: int | None = None
        self.card: str | None = None
        self.pending: dict[str, asyncio.Future[Any]] = {}
        self.ws: Any = None

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        uid = uuid.uuid4().hex[:16]
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[uid] = fut
        t0 = time.perf_counter()
        await self.ws.send_str(json.dumps([2, uid, action, payload]))
        try:
            async with asyncio.timeout(60):
                frame = await fut
        except TimeoutError:
            self.stats.errors[f"{action} timeout"] += 1
            return None
        finally:
            self.pending.pop(uid, None)
        ms = (time.perf_counter() - t0) * 1000
        if frame[0] == 4:
            self.stats.errors[f"{action} {frame[2]}"] += 1
            return None
        if self.stats.recording:
            self.stats.ms[action].append(ms)
        return frame[2]

    async def _read(self) -> None:
        import aiohttp

        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame[0] in (3, 4):
                fut = self.pending.get(frame[1])
                if fut is not None and not fut.done():
                    fut.set_result(frame)
            elif frame[0] == 2:  # the site's own calls (ChangeConfiguration after boot)
                answer = {"status": "Accepted"} if frame[2] == "ChangeConfiguration" else {}
                await self.ws.send_str(json.dumps([3, frame[1], answer]))

    async def status(self, word: str) -> None:
        await self.call(
            "StatusNotification",
            {"connectorId": 1, "errorCode": "NoError", "status": word, "timestamp": now_text()},
        )

    async def meter(self) -> None:
        power = 0.0
        if self.tx is not None:
            power = self.rng.choice([3700.0, 7400.0, 11000.0])
            self.wh += power * self.interval / 3600
        mv: dict[str, Any] = {
            "connectorId": 1,
            "meterValue": [{"timestamp": now_text(), "sampledValue": [
                {"value": f"{self.wh:.0f}", "measurand": "Energy.Active.Import.Register",
                 "unit": "Wh"},
                {"value": f"{power:.0f}", "measurand": "Power.Active.Import", "unit": "W"},
            ]}],
        }  # fmt: skip
        if self.tx is not None:
            mv["transactionId"] = self.tx
        await self.call("MeterValues", mv)

    async def start_tx(self) -> None:
        self.card = self.rng.choice(CARDS)
        await self.status("Preparing")
        await self.call("Authorize", {"idTag": self.card})
        r = await self.call(
            "StartTransaction",
            {"connectorId": 1, "idTag": self.card, "meterStart": round(self.wh),
             "timestamp": now_text()},
        )  # fmt: skip
        if r is not None and r.get("idTagInfo", {}).get("status") == "Accepted":
            self.tx = int(r["transactionId"])
            await self.status("Charging")
        else:
            await self.status("Available")

    async def stop_tx(self) -> None:
        assert self.tx is not None
        tx, self.tx = self.tx, None
        await self.call(
            "StopTransaction",
            {"transactionId": tx, "meterStop": round(self.wh), "timestamp": now_text(),
             "reason": "EVDisconnected"},
        )  # fmt: skip
        await self.status("Available")

    async def run(self, session: Any, until: float) -> None:
        import aiohttp

        try:
            self.ws = await session.ws_connect(self.url, protocols=("ocpp1.6",), heartbeat=None)
        except aiohttp.ClientError:
            self.stats.refused += 1
            return
        reader = asyncio.create_task(self._read())
        try:
            await self.call(
                "BootNotification", {"chargePointVendor": "bench", "chargePointModel": "load"}
            )
            await self.status("Available")
            self.stats.connected += 1
            await asyncio.sleep(self.rng.uniform(0, self.interval))  # spread the ticks
            while time.monotonic() < until and not self.ws.closed:
                t0 = time.monotonic()
                roll = self.rng.random()
                if self.tx is None and roll < 0.03:
                    await self.start_tx()
                elif self.tx is not None and roll < 0.04:
                    await self.stop_tx()
                elif roll > 0.995:  # the odd suspended/resumed car
                    await self.status("SuspendedEV" if self.tx is not None else "Available")
                await self.meter()
                await asyncio.sleep(max(0.0, self.interval - (time.monotonic() - t0)))
            if self.ws.closed:
                self.stats.dropped += 1
        finally:
            reader.cancel()
            await self.ws.close()


async def load(base: str, n: int, seconds: float, interval: float, stats: Stats) -> None:
    import aiohttp

    rng = random.Random(12)
    until = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        for i in range(1, n + 1):
            cp = LoadCp(i, base, stats, random.Random(rng.random()), interval)
            tasks.append(asyncio.create_task(cp.run(session, until)))
            if i % 25 == 0:
                await asyncio.sleep(0.05)  # a site powering up, not a SYN flood
        await asyncio.gather(*tasks)


# ---------------------------------------------------------------- run and print


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * q))] if s else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cps", type=int, default=500)
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--interval", type=float, default=10.0, help="s between MeterValues")
    ap.add_argument("--client", choices=("gui", "events", "none"), default="gui")
    a = ap.parse_args()
    if a.cps < 1 or a.minutes <= 0 or a.interval <= 0:
        raise SystemExit("--cps, --minutes and --interval must be positive")
    tmp = Path(tempfile.mkdtemp(prefix="ocpp-bench-"))
    os.environ["STATIONMGR_HOME"] = str(tmp)
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    print(f"setting up {a.cps} OCPP chargers in {tmp} …", flush=True)
    url = make_site(tmp, a.cps)
    cli = [sys.executable, "-m", "stationmgr"]
    log = open(tmp / "service.log", "wb")  # noqa: SIM115 (closed in finally)
    svc = subprocess.Popen(
        [*cli, "--db", url, "run", "--listen", "127.0.0.1:0", "--url-file", str(tmp / "api.url"),
         "--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(tmp / "ocpp.url")],
        cwd=ROOT, env=env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )  # fmt: skip
    client: subprocess.Popen[bytes] | None = None
    stats = Stats()
    seconds = a.minutes * 60
    try:
        api = wait_file(tmp / "api.url", svc, "the service", 120)
        base = wait_file(tmp / "ocpp.url", svc, "the service", 30).rstrip("/") + "/ocpp"
        time.sleep(2)  # settled
        rss_idle = proc_rss_mb(svc.pid)
        if a.client != "none":
            client = start_client(a.client, cli, api, tmp, seconds + 120)
        samples: list[tuple[float, float, float]] = []  # (monotonic, service cpu s, rss)

        async def measure() -> None:
            stats_task = asyncio.create_task(load(base, a.cps, seconds, a.interval, stats))
            while stats.connected < a.cps and not stats_task.done():
                await asyncio.sleep(0.5)
                if stats.connected + stats.refused >= a.cps:
                    break
            print(f"{stats.connected} charge points connected ({stats.refused} refused)")
            stats.recording = True
            while not stats_task.done():
                samples.append((time.monotonic(), proc_cpu_s(svc.pid), proc_rss_mb(svc.pid)))
                await asyncio.sleep(5)
            await stats_task

        asyncio.run(measure())
        client_fig = client_figures(client)
    finally:
        for p in (client, svc):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        log.close()
    report(a, stats, samples, rss_idle, client_fig, tmp)


def start_client(kind: str, cli: list[str], api: str, tmp: Path, lifetime: float) -> Any:
    if kind == "gui":
        argv = [*cli, "--site", api, "gui", "--screenshot", str(tmp / "gui.png"),
                "--screenshot-after", f"{lifetime:g}"]  # fmt: skip
    else:
        argv = [sys.executable, __file__, "--events-client", api]
    out = open(tmp / f"client-{kind}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(argv, cwd=ROOT, env=env(), stdin=subprocess.DEVNULL,
                            stdout=out, stderr=out)  # fmt: skip


def client_figures(client: subprocess.Popen[bytes] | None) -> str:
    if client is None:
        return "no client attached"
    if client.poll() is not None:
        return f"the client exited early ({client.returncode})"
    return f"RSS {proc_rss_mb(client.pid):.0f} MB, CPU {proc_cpu_s(client.pid):.1f} s in all"


def events_client(api: str) -> None:
    """A SiteClient on the service's event stream until terminated (`--client events`)."""
    import signal

    from stationmgr.client.remote import RemoteClient

    n = [0]

    def done(_signum: int, _frame: object) -> None:
        print(f"{n[0]} events received", flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, done)
    with RemoteClient(api) as c:
        c.login(USER, PASSWORD)
        stream = c.events()
        while True:
            try:
                stream.get(1.0)
                n[0] += 1
            except Exception:
                continue


def report(
    a: argparse.Namespace,
    stats: Stats,
    samples: list[tuple[float, float, float]],
    rss_idle: float,
    client_fig: str,
    tmp: Path,
) -> None:
    every = [x for xs in stats.ms.values() for x in xs]
    print(f"\n{a.cps} charge points, {a.minutes:g} min, MeterValues every {a.interval:g} s, "
          f"client: {a.client}")  # fmt: skip
    print(f"connected {stats.connected}, refused {stats.refused}, dropped {stats.dropped}")
    print(f"calls answered: {len(every)}; errors: {dict(stats.errors) or 'none'}")
    if every:
        print(f"handling time (call → result, at the charge point): p50 "
              f"{statistics.median(every):.1f} ms, p99 {pct(every, 0.99):.1f} ms, "
              f"max {max(every):.1f} ms")  # fmt: skip
        for action, xs in sorted(stats.ms.items()):
            print(f"  {action:<20} n={len(xs):<7} p50 {statistics.median(xs):7.1f} ms  "
                  f"p99 {pct(xs, 0.99):7.1f} ms")  # fmt: skip
    if len(samples) >= 2:
        (t0, c0, _r0), (t1, c1, _r1) = samples[0], samples[-1]
        rss = [r for _t, _c, r in samples]
        print(f"service CPU share: {100 * (c1 - c0) / (t1 - t0):.1f} % of one core "
              f"(over {t1 - t0:.0f} s)")  # fmt: skip
        print(f"service RSS: idle {rss_idle:.0f} MB, loaded median {statistics.median(rss):.0f}"
              f" MB, peak {max(rss):.0f} MB")  # fmt: skip
        per_cp = (statistics.median(rss) - rss_idle) * 1024 / max(1, stats.connected)
        print(f"memory per charge point: {per_cp:.0f} KiB (RSS delta / charge points)")
    events = tmp / "client-events.log"
    if events.exists():
        client_fig += "; " + (events.read_text().strip().splitlines() or ["no output"])[-1]
    print(f"client ({a.client}): {client_fig}")
    print(f"logs: {tmp}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--events-client":
        events_client(sys.argv[2])
    else:
        main()
