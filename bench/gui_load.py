"""GUI load: 64 virtual bays polled at 1 Hz for 60 s under the real main window.

A real engine (64 in-process chargers, one poll per second each, cars arriving, charging
with a taper and leaving, cards tapped) feeds the bay board through the bridge while the
window is shown (offscreen unless a display is set). Prints, as figures (no pass/fail):

- cold start to first painted window: from this process's start (imports included) to the
  end of the main window's first paint (goal ≤ 1.5 s), with its parts;
- GUI-thread busy share: CPU time of the GUI thread ÷ wall time (goal ≤ 20 %);
- longest event-loop stall: the largest lateness of a 5 ms heartbeat timer (goal ≤ 50 ms),
  with p99;
- peak RSS of the process (goal ≤ 300 MB).

    .venv/bin/python bench/gui_load.py [--bays 64] [--duration 60] [--history-db FILE]
    .venv/bin/python bench/gui_load.py --remote [--bays 32] [--duration 60]

`--remote`: the window as a remote client of a site service (`stationmgr gui --site`): the
engine, the chargers' churn and the site API run in a process of their own (a "site PC"),
this process has only the window, a `RemoteClient` and its event stream. The same figures
are printed next to those of the in-process window (measured first, in a fresh process of
its own, on the same number of bays) and the issue's goals.

`--history-db` (e.g. from `bench/gen_site.py`) also times the history page's model: first
page and a page deep down, over that database.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()  # before the heavy imports: they are part of a cold start

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "")


def build_site(db, bays: int):  # type: ignore[no-untyped-def]
    from stationmgr.cards import CardInput, add_card
    from stationmgr.drivers import inproc
    from stationmgr.sim.device import VirtualCharger
    from stationmgr.store.models import Bay, Charger

    devices = []
    cards = []
    with db.session() as s:
        for i in range(1, bays + 1):
            name = f"bench-{i}"
            c = Charger(name=name, driver="inproc", port=f"inproc://{name}")
            s.add(c)
            s.flush()
            bay = Bay(charger_id=c.id, connector=1, label=f"P{i}")
            s.add(bay)
            s.flush()
            dev = VirtualCharger()
            dev.connectors[0].energy_total_wh = 100_000.0 * i
            inproc.VIRTUAL_CHARGERS[name] = dev
            devices.append((bay.id, dev))
            uid = f"{0x10000000 + i:08X}"
            add_card(s, CardInput(uid=uid, holder=f"Driver {i}"))
            cards.append(uid)
    return devices, cards


class Churn(threading.Thread):
    """Cars come and go: every bay gets a car, a card, a charge; some leave each second."""

    def __init__(self, engine, devices, cards) -> None:  # type: ignore[no-untyped-def]
        super().__init__(name="bench-churn", daemon=True)
        self.engine, self.devices, self.cards = engine, devices, cards
        self.stop = threading.Event()
        self.rng = random.Random(5)

    def run(self) -> None:
        from stationmgr.sim.ev import EV

        clock = self.engine.clock
        for _bay_id, dev in self.devices:
            dev.connectors[0].plug(EV(soc=self.rng.uniform(0.2, 0.9)), clock.now())
        self.stop.wait(2.5)
        for (bay_id, _dev), card in zip(self.devices, self.cards, strict=True):
            self.engine.present_card(card, bay_id)
        while not self.stop.wait(1.0):
            for (bay_id, dev), card in zip(self.devices, self.cards, strict=True):
                conn = dev.connectors[0]
                r = self.rng.random()
                if conn.plugged and r < 0.01:
                    conn.unplug(clock.now())
                elif not conn.plugged and r < 0.05:
                    conn.plug(EV(soc=self.rng.uniform(0.2, 0.9)), clock.now())
                    threading.Timer(2.0, self._tap, (card, bay_id)).start()

    def _tap(self, card: str, bay_id: int) -> None:
        if not self.stop.is_set():
            try:
                self.engine.present_card(card, bay_id)
            except Exception:
                pass


def child_cold(url: str, bays: int) -> int:
    """One cold start (a fresh process): imports, database, engine, window, first paint."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

    from stationmgr.clock import SystemClock
    from stationmgr.drivers import inproc
    from stationmgr.runtime import build_runtime
    from stationmgr.sim.device import VirtualCharger
    from stationmgr.store.db import open_database
    from ui.app import local_client, make_app
    from ui.context import AppContext
    from ui.mainwindow import MainWindow
    from ui.worker import Worker

    t_imports = time.perf_counter()
    for i in range(1, bays + 1):
        inproc.VIRTUAL_CHARGERS[f"bench-{i}"] = VirtualCharger()
    db = open_database(url)
    runtime = build_runtime(db, SystemClock()).start()
    engine = runtime.engine
    t_engine = time.perf_counter()
    QCoreApplication.setOrganizationName("stationmgr-bench")
    QCoreApplication.setApplicationName("stationmgr-bench")
    app = make_app()
    worker = Worker()
    ctx = AppContext(db, engine, worker, locale=app.locale_)
    ctx.client, ctx.site = local_client(db, runtime)
    win = MainWindow(ctx, deferred=True)
    win.resize(1600, 1000)
    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, ev):  # type: ignore[no-untyped-def]
            if ev.type() == QEvent.Type.Paint and not painted:
                # the paint event is handled after this filter returns: stamp on next turn
                QTimer.singleShot(0, lambda: painted or painted.append(time.perf_counter()))
            return False

    watcher = FirstPaint()
    win.pages["board"].grid.installEventFilter(watcher)
    win.show()
    while not painted:
        app.processEvents()
    print(
        f"painted {painted[0] - T_START:.3f} imports {t_imports - T_START:.3f} "
        f"engine {t_engine - t_imports:.3f} window {painted[0] - t_engine:.3f}",
        flush=True,
    )
    runtime.stop()
    os._exit(0)  # the parent times up to the paint; no teardown needed


def cold_starts(url: str, bays: int, runs: int) -> list[tuple[float, str]]:
    """Wall time from spawning a fresh interpreter to the first painted window."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(
            [sys.executable, __file__, "--child-cold", url, "--bays", str(bays)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            line = ""
            assert p.stdout is not None
            for line in p.stdout:
                if line.startswith("painted"):
                    break
            out.append((time.perf_counter() - t0, line.strip()))
        finally:
            p.wait(30)
    return out


class StallTracer(threading.Thread):
    """When the GUI thread is late by more than `limit`, note where it is (its stack)."""

    def __init__(self, last_beat: list[float], limit: float = 0.05) -> None:
        super().__init__(name="bench-stall-tracer", daemon=True)
        self.last_beat, self.limit = last_beat, limit
        self.main_id = threading.main_thread().ident
        self.stop = threading.Event()
        self.where: dict[str, int] = {}
        self.longest: dict[str, float] = {}

    def run(self) -> None:
        import traceback

        seen = 0.0
        while not self.stop.wait(0.01):
            beat = self.last_beat[0]
            if time.perf_counter() - beat > self.limit and beat != seen:
                seen = beat
                frame = sys._current_frames().get(self.main_id)
                if frame is not None:
                    stack = traceback.extract_stack(frame)[-7:]
                    key = " < ".join(
                        f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack)
                    )
                    self.where[key] = self.where.get(key, 0) + 1
                    while self.last_beat[0] == beat and not self.stop.is_set():
                        time.sleep(0.005)
                    self.longest[key] = max(self.longest.get(key, 0.0), time.perf_counter() - beat)


def child_service(url: str, bays: int, url_file: str) -> int:
    """The site PC of `--remote`: the engine on the bench's database, its 1 Hz polls, the
    cars' churn and the site API on loopback, until the parent closes our stdin."""
    from stationmgr.clock import SystemClock
    from stationmgr.drivers import inproc
    from stationmgr.engine import EngineConfig
    from stationmgr.engine.coordinator import CoordinatorConfig
    from stationmgr.runtime import build_runtime
    from stationmgr.service.server import Listen, SiteServer
    from stationmgr.sim.device import VirtualCharger
    from stationmgr.store.db import open_database

    db = open_database(url, upgrade=False)
    with db.session() as s:
        from sqlalchemy import select

        from stationmgr.store.models import Bay, Charger

        rows = s.execute(select(Bay.id, Charger.name).join(Charger, Bay.charger_id == Charger.id))
        names = {name: bay_id for bay_id, name in rows}
    devices = []
    for i in range(1, bays + 1):
        dev = VirtualCharger()
        dev.connectors[0].energy_total_wh = 100_000.0 * i
        inproc.VIRTUAL_CHARGERS[f"bench-{i}"] = dev
        devices.append((names[f"bench-{i}"], dev))
    cards = [f"{0x10000000 + i:08X}" for i in range(1, bays + 1)]
    clock = SystemClock()
    inproc.CLOCK[0] = clock
    config = EngineConfig(CoordinatorConfig(poll_interval_s=1.0))
    runtime = build_runtime(db, clock, config=config).start()
    server = SiteServer(db, runtime.engine, Listen("127.0.0.1", 0, False))
    Path(url_file).write_text(server.start() + "\n", encoding="utf-8")
    churn = Churn(runtime.engine, devices, cards)
    churn.start()
    sys.stdin.read()  # until the parent is done
    churn.stop.set()
    server.stop()
    runtime.stop()
    os._exit(0)


def measure(app, board, site, duration: float, trace: bool, profile: bool) -> dict:  # type: ignore[no-untyped-def]
    """Run the event loop for `duration` s under a 5 ms heartbeat: the GUI thread's CPU
    share, the event loop's lateness, and where it stalled (`trace`)."""
    from PySide6.QtCore import QTimer

    gaps: list[float] = []
    last = [time.perf_counter()]
    tracer = StallTracer(last)
    beat = QTimer()
    beat.setInterval(5)
    cpu_gaps: list[float] = []
    last_cpu = [time.thread_time()]

    at: list[float] = []

    def heartbeat() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gaps.append(now - last[0] - 0.005)
        cpu_gaps.append(cpu - last_cpu[0])  # the GUI thread's own work between two beats
        at.append(now - wall0)
        last[0], last_cpu[0] = now, cpu

    beat.timeout.connect(heartbeat)
    done = QTimer()
    done.setSingleShot(True)
    done.timeout.connect(app.quit)
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    load0 = os.getloadavg()[0]
    paints0 = board.grid.paint_count
    received0, flushes0 = site.received, site.flushes
    last[0], last_cpu[0] = time.perf_counter(), time.thread_time()
    beat.start()
    if trace:
        tracer.start()
    done.start(int(duration * 1000))
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    app.exec()
    if prof is not None:
        import pstats

        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    cpu1, wall1 = time.thread_time(), time.perf_counter()
    beat.stop()
    tracer.stop.set()
    worst = sorted(zip(gaps[1:], cpu_gaps[1:], at[1:], strict=True), reverse=True)[:5]
    stalls = sorted(max(0.0, g) for g in gaps[1:])
    busiest = sorted(cpu_gaps[1:])
    return {
        "wall": wall1 - wall0,
        "busy": (cpu1 - cpu0) / (wall1 - wall0),
        "stall": stalls[-1],
        "stall_p99": stalls[int(len(stalls) * 0.99)],
        "stall_median": statistics.median(stalls),
        "work": busiest[-1],
        "work_p99": busiest[int(len(busiest) * 0.99)],
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load0": load0,
        "load1": os.getloadavg()[0],
        "paints": board.grid.paint_count - paints0,
        "received": site.received - received0,
        "flushes": site.flushes - flushes0,
        "charging": sum(1 for v in board.views.values() if v.snap.tx_uid),
        "worst": worst,
        "where": tracer.where,
        "longest": tracer.longest,
    }


def report(f: dict, bays: int, mode: str) -> None:  # type: ignore[type-arg]
    print(
        f"[{mode}] bays: {bays} polled at 1 Hz for {f['wall']:.0f} s ({f['charging']} with a "
        f"session at the end); site events received {f['received']}, deliveries "
        f"{f['flushes']}, board repaints {f['paints']}"
    )
    print(
        f"[{mode}] machine: {os.cpu_count()} CPUs, load average {f['load0']:.1f} at the start, "
        f"{f['load1']:.1f} at the end (other processes compete for the CPUs)"
    )
    print(f"[{mode}] GUI-thread busy share: {f['busy'] * 100:.1f} %   goal ≤ 20 %")
    print(
        f"[{mode}] longest event-loop stall: {f['stall'] * 1000:.1f} ms "
        f"(p99 {f['stall_p99'] * 1000:.1f} ms, median {f['stall_median'] * 1000:.1f} ms)"
        "   goal ≤ 50 ms"
    )
    print(
        f"[{mode}] longest GUI-thread work between two heartbeats (its own CPU time, whatever "
        f"the machine's load): {f['work'] * 1000:.1f} ms (p99 {f['work_p99'] * 1000:.1f} ms)"
    )
    print(f"[{mode}] peak RSS: {f['rss']:.0f} MB   goal ≤ 300 MB")
    print(
        f"[{mode}] longest stalls (wall ms / the GUI thread's CPU ms / s into the run): "
        + ", ".join(f"{g * 1000:.0f}/{c * 1000:.0f}/{t:.1f}" for g, c, t in f["worst"])
    )
    for where, n in sorted(f["where"].items(), key=lambda kv: -kv[1])[:8]:
        print(f"  stall x{n} (longest {f['longest'].get(where, 0) * 1000:.0f} ms): {where}")


def show_window(app, ctx):  # type: ignore[no-untyped-def]
    """The main window as `stationmgr gui` builds it, every page loaded, the board shown."""
    from ui.mainwindow import MainWindow

    win = MainWindow(ctx, deferred=True)
    win.resize(1600, 1000)
    board = win.pages["board"]
    win.show()
    win.load_rest()
    ready = [False]
    win.pages_ready.connect(lambda: ready.__setitem__(0, True))
    while not ready[0] or board.curves is None:
        app.processEvents()
        time.sleep(0.005)
    win.show_page("board")
    # The load is measured from here: the window's own first paint (every page, the
    # plots' axes) is the cold start's figure, not a stall of the running board.
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)
    return win, board


def remote_main(args: argparse.Namespace) -> int:
    """`--remote`: the in-process figures (a fresh process), then the window as a client of
    a site service in another process, on the same bays."""
    from PySide6.QtCore import QCoreApplication

    from stationmgr.store.db import open_database

    local = subprocess.run(
        [
            sys.executable,
            __file__,
            "--bays",
            str(args.bays),
            "--duration",
            str(args.duration),
            "--cold-runs",
            "0",
        ],
        capture_output=True,
        text=True,
    )
    tmp = tempfile.TemporaryDirectory(prefix="stationmgr-bench-")
    url = f"sqlite:///{tmp.name}/site.sqlite3"
    db = open_database(url)
    build_site(db, args.bays)
    db.dispose()
    url_file = Path(tmp.name) / "url"
    site_pc = subprocess.Popen(
        [sys.executable, __file__, "--child-service", url, str(url_file), "--bays", str(args.bays)],
        stdin=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        while not (url_file.exists() and url_file.read_text().strip()):
            if site_pc.poll() is not None:
                print("the site service did not start", file=sys.stderr)
                return 1
            time.sleep(0.05)
        api = url_file.read_text().strip()
        QCoreApplication.setOrganizationName("stationmgr-bench")
        QCoreApplication.setApplicationName("stationmgr-bench")
        from stationmgr.client.remote import RemoteClient
        from ui.app import make_app
        from ui.context import AppContext
        from ui.sitebridge import SiteBridge
        from ui.worker import Worker

        app = make_app()
        worker = Worker()
        client = RemoteClient(api)
        ctx = AppContext(None, None, worker, actor="owner", locale=app.locale_)
        ctx.client = client
        ctx.operator = client.whoami()
        ctx.site = SiteBridge(client).start()
        win, board = show_window(app, ctx)
        while len(board.views) < args.bays:
            app.processEvents()
            time.sleep(0.005)
        f = measure(app, board, ctx.site, args.duration, args.trace_stalls, args.profile)
        print("in-process window (fresh process, same bays):")
        for line in local.stdout.splitlines():
            print("  " + line)
        if local.returncode:
            print("  (it failed: " + local.stderr.strip().splitlines()[-1:][0] + ")")
        print(
            f"remote window (a client of the site service at {api}, the site in another process):"
        )
        report(f, args.bays, "remote")
        for w in win.pages.values():
            getattr(w, "shutdown", lambda: None)()
        ctx.site.close()
        worker.shutdown()
        client.close()
    finally:
        if site_pc.poll() is None:
            assert site_pc.stdin is not None
            site_pc.stdin.close()
            try:
                site_pc.wait(30)
            except subprocess.TimeoutExpired:
                site_pc.kill()
        tmp.cleanup()
    sys.stdout.flush()
    os._exit(0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bays", type=int, default=None, help="64 (in-process), 32 (--remote)")
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--history-db", type=Path)
    ap.add_argument("--remote", action="store_true", help="the window as a site service's client")
    ap.add_argument("--trace-stalls", action="store_true", help="print where stalls happen")
    ap.add_argument("--profile", action="store_true", help="profile the GUI thread (cProfile)")
    ap.add_argument("--child-cold", metavar="URL", help=argparse.SUPPRESS)
    ap.add_argument("--child-service", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bays is None:
        args.bays = 32 if args.remote or args.child_service else 64
    if args.child_cold:
        return child_cold(args.child_cold, args.bays)
    if args.child_service:
        return child_service(args.child_service[0], args.bays, args.child_service[1])
    if args.remote:
        return remote_main(args)

    from PySide6.QtCore import QCoreApplication

    from stationmgr.clock import SystemClock
    from stationmgr.drivers import inproc
    from stationmgr.engine import EngineConfig
    from stationmgr.engine.coordinator import CoordinatorConfig
    from stationmgr.runtime import build_runtime
    from stationmgr.store.db import open_database

    tmp = tempfile.TemporaryDirectory(prefix="stationmgr-bench-")
    url = f"sqlite:///{tmp.name}/site.sqlite3"
    db = open_database(url)
    devices, cards = build_site(db, args.bays)

    colds = cold_starts(url, args.bays, args.cold_runs)

    clock = SystemClock()
    inproc.CLOCK[0] = clock
    config = EngineConfig(CoordinatorConfig(poll_interval_s=1.0))
    runtime = build_runtime(db, clock, config=config).start()
    engine = runtime.engine
    QCoreApplication.setOrganizationName("stationmgr-bench")
    QCoreApplication.setApplicationName("stationmgr-bench")
    from ui.app import close_context, local_client, make_app
    from ui.context import AppContext
    from ui.worker import Worker

    app = make_app()
    worker = Worker()
    ctx = AppContext(db, engine, worker, actor="owner", locale=app.locale_)
    ctx.client, ctx.site = local_client(db, runtime)
    win, board = show_window(app, ctx)

    # ------------------------------------------------------------ the load
    churn = Churn(engine, devices, cards)
    churn.start()
    f = measure(app, board, ctx.site, args.duration, args.trace_stalls, args.profile)
    churn.stop.set()
    churn.join()
    report(f, args.bays, "in-process")
    firsts = [c[0] for c in colds]
    if firsts:
        print(
            f"cold start to first painted window: {min(firsts):.2f} s best, "
            f"{statistics.median(firsts):.2f} s median of {len(firsts)} "
            f"(first run {firsts[0]:.2f} s; inside: {colds[-1][1]})   goal ≤ 1.5 s"
        )

    if args.history_db:
        history(app, args.history_db)

    for w in win.pages.values():
        getattr(w, "shutdown", lambda: None)()
    close_context(ctx)
    runtime.stop()
    db.dispose()
    tmp.cleanup()
    sys.stdout.flush()
    os._exit(0)  # skip Qt's teardown at interpreter exit (figures are printed)


def history(app, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The history model over a big database: first page, totals, a page deep down."""
    from PySide6.QtCore import QModelIndex

    from stationmgr.store.db import open_database
    from ui.context import AppContext
    from ui.history.model import PAGE, HistoryQuery, SessionTableModel
    from ui.worker import Worker

    db = open_database(f"sqlite:///{path}", upgrade=False)
    worker = Worker()
    ctx = AppContext(db, None, worker)
    from stationmgr.client.local import LocalClient

    ctx.client = LocalClient(db)  # the model reads through the site client
    model = SessionTableModel(ctx)

    def wait(cond) -> float:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        while not cond():
            app.processEvents()
            time.sleep(0.001)
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    model.set_query(HistoryQuery())
    gui_ms = (time.perf_counter() - t0) * 1000
    first = wait(lambda: model.rowCount() > 0)
    totals = wait(lambda: model.total is not None) + first
    deep = []
    for _ in range(50):
        n = model.rowCount()
        model.fetchMore(QModelIndex())
        deep.append(wait(lambda n=n: model.rowCount() > n or model.exhausted))
    print(
        f"history over {model.total:,} sessions: first page {first * 1000:.0f} ms, "
        f"count and totals {totals * 1000:.0f} ms, next pages of {PAGE} rows: median "
        f"{statistics.median(deep) * 1000:.0f} ms, max {max(deep) * 1000:.0f} ms "
        f"(to row {model.rowCount():,}); the GUI thread spent {gui_ms:.1f} ms in set_query "
        "(the rest runs on the worker pool)"
    )
    worker.shutdown()
    db.dispose()


if __name__ == "__main__":
    sys.exit(main())
