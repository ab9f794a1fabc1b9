"""Fault soak (issue 15, Must show): `stationmgr run` against simulators in separate
processes while device faults are injected; prints plug-ins vs sessions, energy delivered vs
recorded, electrical faults injected vs seen vs stored. A measurement, not a test: exit 0
unless the harness itself broke.

The site (a fresh SQLite file, made through the CLI: `chargers add`, `readers add`,
`cards add`): 3 OpenEVSE on ptys (`simulate openevse --link`), 2 Heidelberg boxes on one bus
(`simulate heidelberg --tcp … --slaves 1-2`, reached at socket://), one card reader per bay
(`simulate reader --link`); every simulator runs at `--speed` (energy flows faster), the
engine at real time. A "world" thread per bay plugs a car in, taps the bay's card (again
while the charger stays gated and the database shows no open session on the bay), charges a
few seconds, sometimes stops with the card, unplugs. One injector sends faults through the
simulators' control ports: electrical faults (OpenEVSE gfci/noground/stuckrelay/overtemp,
Heidelberg E/F/error/overtemp, each cleared after a few seconds), silences, garbage, bad
checksums/CRCs, reboots, port vanish/restore, reader garbage/bad checksums.

Ground truth comes from the simulators (status before plug-in and after unplug; OpenEVSE's
own per-plug-in counter log), results from the database (read-only SQL; the table of energy
recorded outside a session, `unattributed_energy`, when the schema has it) and from
`stationmgr reconcile`. A plug-in "has its own session" when every session overlapping it
overlaps no other plug-in; "merged" when one overlaps another plug-in too; "none" when no
session overlaps it. An electrical fault counts as "online" when the engine recorded no
comm loss and no link fault was injected on that charger around it; "seen" = at least one
fault row for it, "stored once" = exactly one.

    .venv/bin/python bench/fault_soak.py                      # 1,000 faults over 15 min
    .venv/bin/python bench/fault_soak.py --faults 100 --minutes 2
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import io
import json
import os
import random
import re
import selectors
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stationmgr.sim.control import send_control  # noqa: E402

OPENEVSE_ELECTRICAL = {
    "gfci": "GFCI",
    "noground": "NoGround",
    "stuckrelay": "StuckRelay",
    "overtemp": "OverTemperature",
}
HEIDELBERG_ELECTRICAL = {
    "E": "Error",
    "F": "Error",
    "error": "Error",
    "overtemp": "OverTemperature",
}
# Relative weights of the charger fault kinds (the reader share is separate).
CHARGER_KINDS = {
    "electrical": 0.24,
    "silence": 0.17,
    "garbage": 0.15,
    "badsum": 0.17,
    "reboot": 0.13,
    "vanish": 0.05,
}
READER_SHARE = 0.25
ELECTRICAL_COOLDOWN_S = 4.0  # between two electrical faults on one charger (rows stay apart)
MATCH_SLACK_S = 3.0  # a fault row raised up to this long after the fault ended is its row


@dataclass
class SoakConfig:
    faults: int = 1000
    minutes: float = 15.0
    speed: float = 5.0
    poll_s: float = 1.0
    openevse: int = 3
    heidelberg: int = 2
    seed: int = 15
    charge_s: tuple[float, float] = (3.0, 25.0)
    pause_s: tuple[float, float] = (2.0, 8.0)
    card_stop_p: float = 0.2
    electrical_s: tuple[float, float] = (3.0, 8.0)
    link_s: tuple[float, float] = (2.0, 8.0)
    kinds: dict[str, float] = field(default_factory=lambda: dict(CHARGER_KINDS))
    reader_share: float = READER_SHARE
    drain_s: float = 60.0  # after the faults: wait this long for chargers online, no session open
    workdir: Path | None = None
    quiet: bool = False


# ---------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    lines: list[str] = field(default_factory=list)

    def announce(self, count: int, timeout: float) -> list[str]:
        """The first `count` stdout lines (the port, then `control HOST:PORT`, …)."""
        assert self.popen.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.popen.stdout, selectors.EVENT_READ)
        buf = b""
        deadline = time.monotonic() + timeout
        try:
            while len(self.lines) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.popen.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} did not start: {self.log.read_text(errors='replace')[-800:]}"
                    )
                if sel.select(min(left, 0.2)):
                    chunk = os.read(self.popen.stdout.fileno(), 4096)
                    buf += chunk
                    while b"\n" in buf:
                        raw, buf = buf.split(b"\n", 1)
                        self.lines.append(raw.decode(errors="replace").strip())
        finally:
            sel.close()
        return self.lines

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        p = self.popen
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        if p.stdout is not None:
            p.stdout.close()


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["STATIONMGR_HOME"] = str(home)
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    env.pop("STATIONMGR_USER", None)
    env.pop("STATIONMGR_DB", None)
    return env


def _address(line: str) -> tuple[str, int]:
    host, _, port = line.split()[-1].rpartition(":")
    return host, int(port)


# ---------------------------------------------------------------- the bays


@dataclass
class BaySim:
    """One bay: its charger's simulator (OpenEVSE process or a Heidelberg slave), its reader."""

    label: str
    kind: str  # openevse | heidelberg
    charger: str  # charger name in the site
    control: tuple[str, int]
    reader: tuple[str, int]
    card: str
    slave: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, line: str) -> str:
        return send_control(self.control, line, timeout=5.0)

    def status(self) -> dict[str, Any]:
        if self.kind == "openevse":
            answer = self.send("status")
            return json.loads(answer[3:]) if answer.startswith("ok ") else {}
        answer = self.send(f"status {self.slave}")
        if not answer.startswith("ok "):
            return {}
        return json.loads(answer[3:])["boxes"][0]

    def energy_wh(self) -> float:
        """What flowed through the simulated charger so far (its physics, not a register)."""
        st = self.status()
        if self.kind != "openevse":
            return float(st.get("energy_total_wh", 0.0))
        if "delivered_wh" in st:
            return float(st["delivered_wh"])
        # An older simulator: its counters instead (lifetime Wh, plus the plug-in's Ws while
        # plugged; at unplug the firmware folds them into the lifetime counter).
        ws = float(st.get("session_ws", 0)) if st.get("plugged") else 0.0
        return float(st.get("lifetime_wh", 0)) + ws / 3600.0

    def gated(self) -> bool:
        st = self.status()
        if self.kind == "openevse":
            return st.get("mode") != "active"
        return not st.get("enabled", False)

    def plug(self, rng: random.Random) -> None:
        soc = round(rng.uniform(0.2, 0.6), 3)
        if self.kind == "openevse":
            self.send(f"plug capacity_wh=60000 soc={soc} max_power_w=7400")
        else:
            self.send(f"plug {self.slave} {soc} 60000 11000")

    def unplug(self) -> None:
        self.send("unplug" if self.kind == "openevse" else f"unplug {self.slave}")

    def tap(self) -> None:
        send_control(self.reader, f"tap {self.card} 0.3", timeout=5.0)

    def fault(self, words: str) -> str:
        """A fault command in the simulator's own words (`gfci 4`, `silence 3`, …)."""
        if self.kind == "openevse":
            return self.send(f"fault {words}")
        return self.send(f"fault {self.slave} {words}")

    def clear(self) -> str:
        return self.send("clear" if self.kind == "openevse" else f"clear {self.slave}")


@dataclass
class PlugIn:
    bay: str
    plugged_at: float
    energy_before_wh: float
    unplugged_at: float | None = None
    energy_after_wh: float | None = None
    counter_wh: float | None = None  # what the charger's own counter shows for it
    taps: int = 0
    card_stop: bool = False

    @property
    def delivered_wh(self) -> float:
        if self.energy_after_wh is None:
            return 0.0
        return self.energy_after_wh - self.energy_before_wh


@dataclass
class Injection:
    at: float
    target: str  # bay label, "bus" (the Heidelberg port) or "reader:LABEL"
    kind: str  # electrical | silence | garbage | badsum | reboot | vanish | reader-garbage | …
    words: str
    end: float | None = None
    code: str | None = None  # the driver's fault word, for electrical faults
    answer: str = ""


# ---------------------------------------------------------------- the database (read-only)


def _db(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
    con.row_factory = sqlite3.Row
    return con


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    row = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
    return row.fetchone() is not None


def _ms(v: int | None) -> float | None:
    return None if v is None else v / 1000.0


# ---------------------------------------------------------------- the harness


class FaultSoak:
    """Start everything, run the world and the injector, collect the figures; `close()`
    reaps every process (also after an exception or Ctrl-C)."""

    def __init__(self, cfg: SoakConfig) -> None:
        self.cfg = cfg
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if cfg.workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="fault-soak-")
            self.dir = Path(self._tmp.name)
        else:
            self.dir = cfg.workdir
            self.dir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.dir / "site.sqlite3"
        self.url = f"sqlite:///{self.db_path}"
        self.env = _env(self.dir / "home")
        self.procs: list[Proc] = []
        self.engine: Proc | None = None
        self.bays: list[BaySim] = []
        self.plugins: list[PlugIn] = []
        self.injections: list[Injection] = []
        self.link_windows: dict[str, list[tuple[float, float]]] = {}
        self.errors: list[str] = []
        self.rng = random.Random(cfg.seed)
        self.stop_plugging = threading.Event()
        self.abort = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.t_start = 0.0
        self.t_faults_end = 0.0
        self.online_at_end: dict[str, bool] = {}
        self.open_at_end: list[int] = []
        self.drain_s = 0.0

    def say(self, text: str) -> None:
        if not self.cfg.quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    # ------------------------------------------------------------ start

    def spawn(self, name: str, *argv: str) -> Proc:
        log = self.dir / f"{name}.log"
        with open(log, "wb") as f:
            popen = subprocess.Popen(
                [sys.executable, "-m", "stationmgr", *argv],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=f,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """A `stationmgr --db SITE …` command, in this process (the same code path as the
        command line, without a second or two of start-up per call)."""
        from stationmgr.cli import main as cli_main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli_main(["--db", self.url, *argv])
            except SystemExit as e:  # argparse: an unknown command on an older CLI
                code = e.code if isinstance(e.code, int) else 2
        return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())

    def start(self) -> None:
        cfg = self.cfg
        speed = ["--speed", str(cfg.speed)]
        evse = [
            self.spawn(
                f"evse{i}",
                "simulate",
                "openevse",
                "--link",
                str(self.dir / f"evse{i}"),
                "--control",
                "127.0.0.1:0",
                "--seed",
                str(cfg.seed + i),
                *speed,
            )
            for i in range(1, cfg.openevse + 1)
        ]
        hec = None
        if cfg.heidelberg:
            hec = self.spawn(
                "hec-bus",
                "simulate",
                "heidelberg",
                "--tcp",
                "127.0.0.1:0",
                "--slaves",
                f"1-{cfg.heidelberg}",
                "--control",
                "127.0.0.1:0",
                "--seed",
                str(cfg.seed),
                *speed,
            )
        labels = [f"E{i}" for i in range(1, cfg.openevse + 1)]
        labels += [f"H{i}" for i in range(1, cfg.heidelberg + 1)]
        readers = {
            label: self.spawn(
                f"reader-{label}",
                "simulate",
                "reader",
                "--link",
                str(self.dir / f"reader-{label}"),
                "--control",
                "127.0.0.1:0",
                "--repeat",
                "0.05",
            )
            for label in labels
        }
        for i, p in enumerate(evse, 1):
            port, control = p.announce(2, 60)[:2]
            label = f"E{i}"
            rport, rcontrol = readers[label].announce(2, 60)[:2]
            self.bays.append(
                BaySim(
                    label,
                    "openevse",
                    f"evse{i}",
                    _address(control),
                    _address(rcontrol),
                    f"1A2B3C{i:02X}",
                )
            )
            self._site_bay(self.bays[-1], port, rport)
        if hec is not None:
            port, control = hec.announce(2, 60)[:2]
            for slave in range(1, cfg.heidelberg + 1):
                label = f"H{slave}"
                rport, rcontrol = readers[label].announce(2, 60)[:2]
                self.bays.append(
                    BaySim(
                        label,
                        "heidelberg",
                        f"hec{slave}",
                        _address(control),
                        _address(rcontrol),
                        f"1A2B3D{slave:02X}",
                        slave,
                    )
                )
                self._site_bay(self.bays[-1], port, rport)
        for b in self.bays:
            self.link_windows[b.label] = []
        self.say(f"site ready in {self.dir}: {', '.join(b.label for b in self.bays)}")
        self.engine = self.spawn("engine", "--db", self.url, "run", "--poll", str(cfg.poll_s))
        if not self._wait(lambda: "stationmgr.run: running" in self.engine_log(), 60, "engine"):
            raise RuntimeError(f"the engine did not start: {self.engine_log()[-800:]}")
        self._wait(self._all_read_once, 60, "a first reading of every charger")
        self.say("engine running, every charger read")

    def _site_bay(self, bay: BaySim, port: str, reader_port: str) -> None:
        if not self.db_path.exists():
            self._ok(self.cli("db", "create"), "db create")  # never made implicitly
        add = ["chargers", "add", bay.charger, "--port", port, "--bays", bay.label]
        if bay.kind == "openevse":
            add += ["--driver", "openevse"]
        else:
            add += ["--driver", "heidelberg", "--address", str(bay.slave)]
        self._ok(self.cli(*add), f"chargers add {bay.charger}")
        self._ok(
            self.cli(
                "readers", "add", f"reader-{bay.label}", "--port", reader_port, "--bay", bay.label
            ),
            f"readers add reader-{bay.label}",
        )
        self._ok(self.cli("cards", "add", bay.card, "--holder", f"Driver {bay.label}"), "cards add")

    @staticmethod
    def _ok(done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            raise RuntimeError(f"{what}: exit {done.returncode}: {done.stderr.strip()[-400:]}")

    def _wait(self, cond: Callable[[], bool], timeout: float, what: str) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end and not self.abort.is_set():
            try:
                if cond():
                    return True
            except sqlite3.Error:
                pass
            time.sleep(0.2)
        self.say(f"gave up waiting for {what} after {timeout:g} s")
        return False

    def engine_log(self) -> str:
        path = self.dir / "engine.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ------------------------------------------------------------ what the engine says

    def _comm(self) -> dict[str, list[tuple[str, float]]]:
        """charger name → [(comm_lost|comm_restored, epoch s)] in order."""
        con = _db(self.db_path)
        try:
            rows = con.execute(
                "SELECT c.name, e.kind, e.ts FROM charger_events e JOIN chargers c "
                "ON c.id = e.charger_id WHERE e.kind IN ('comm_lost', 'comm_restored') "
                "ORDER BY e.ts, e.id"
            ).fetchall()
        finally:
            con.close()
        out: dict[str, list[tuple[str, float]]] = {}
        for name, kind, ts in rows:
            out.setdefault(name, []).append((kind, ts / 1000.0))
        return out

    def _all_read_once(self) -> bool:
        comm = self._comm()
        return all(any(k == "comm_restored" for k, _ in comm.get(b.charger, [])) for b in self.bays)

    def _online_now(self) -> dict[str, bool]:
        comm = self._comm()
        return {
            b.charger: bool(comm.get(b.charger)) and comm[b.charger][-1][0] == "comm_restored"
            for b in self.bays
        }

    def _open_sessions(self, bay: str | None = None) -> list[int]:
        con = _db(self.db_path)
        try:
            q = (
                "SELECT s.id FROM sessions s JOIN bays b ON b.id = s.bay_id "
                "WHERE s.stopped_at IS NULL"
            )
            args: tuple[Any, ...] = ()
            if bay is not None:
                q += " AND b.label = ?"
                args = (bay,)
            return [r[0] for r in con.execute(q, args)]
        finally:
            con.close()

    # ------------------------------------------------------------ the world

    def _sleep(self, seconds: float) -> bool:
        """False when the run is aborted meanwhile."""
        return not self.abort.wait(max(0.0, seconds))

    def world(self, bay: BaySim, seed: int) -> None:
        rng = random.Random(seed)
        cfg = self.cfg
        while not self.stop_plugging.is_set() and not self.abort.is_set():
            if not self._sleep(rng.uniform(*cfg.pause_s)) or self.stop_plugging.is_set():
                return
            try:
                self._one_plugin(bay, rng)
            except (OSError, ValueError, sqlite3.Error) as e:
                self.errors.append(f"{bay.label} world: {e}")
                self._sleep(1.0)

    def _one_plugin(self, bay: BaySim, rng: random.Random) -> None:
        cfg = self.cfg
        before = bay.energy_wh()
        bay.plug(rng)
        p = PlugIn(bay.label, time.time(), before)
        with self._lock:
            self.plugins.append(p)
        try:
            self._sleep(rng.uniform(0.3, 1.5))
            bay.tap()
            p.taps += 1
            last_tap = time.monotonic()
            end = time.monotonic() + rng.uniform(*cfg.charge_s)
            card_stop = rng.random() < cfg.card_stop_p
            while time.monotonic() < end and not self.abort.is_set():
                self._sleep(1.0)
                if time.monotonic() - last_tap < 3.0 or end - time.monotonic() < 2.0:
                    continue  # nobody taps and drives off in the same second
                with contextlib.suppress(OSError, ValueError, sqlite3.Error):
                    if bay.gated() and not self._open_sessions(bay.label):
                        bay.tap()
                        p.taps += 1
                        last_tap = time.monotonic()
            if card_stop and self._open_sessions(bay.label):
                if time.monotonic() - last_tap < 1.0:
                    self._sleep(1.0)
                bay.tap()
                p.taps += 1
                p.card_stop = True
                self._sleep(rng.uniform(1.0, 3.0))
        finally:
            bay.unplug()
            p.unplugged_at = time.time()
            with contextlib.suppress(OSError, ValueError):
                p.energy_after_wh = bay.energy_wh()

    # ------------------------------------------------------------ the injector

    def inject_all(self) -> None:
        cfg = self.cfg
        rng = random.Random(cfg.seed * 7919)
        period = cfg.minutes * 60.0
        interval = period / max(1, cfg.faults)
        start = time.monotonic()
        pending: list[tuple[float, int, Callable[[], None]]] = []
        seq = 0
        elec_until: dict[str, float] = {b.label: 0.0 for b in self.bays}
        link_until: dict[str, float] = {b.label: 0.0 for b in self.bays}
        silence_until: dict[str, float] = {b.label: 0.0 for b in self.bays}
        active_elec: dict[str, Injection] = {}
        by_label = {b.label: b for b in self.bays}
        hec = [b for b in self.bays if b.kind == "heidelberg"]

        def later(delay: float, fn: Callable[[], None]) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(pending, (time.monotonic() + delay, seq, fn))

        def clear_electrical(bay: BaySim) -> None:
            inj = active_elec.pop(bay.label, None)
            if inj is None:
                return
            bay.clear()
            inj.end = time.time()
            left = silence_until[bay.label] - time.monotonic()
            if left > 0.2:  # `clear` also ends a silence: let it run its course
                bay.fault(f"silence {left:.1f}")

        def restore(bays: list[BaySim], command: str, inj: Injection) -> None:
            bays[0].send(command)
            inj.end = time.time()
            for b in bays:
                self.link_windows[b.label].append((inj.at, inj.end))

        def record(inj: Injection) -> None:
            with self._lock:
                self.injections.append(inj)

        n = 0
        while n < cfg.faults and not self.abort.is_set():
            now = time.monotonic()
            while pending and pending[0][0] <= now:
                _, _, fn = heapq.heappop(pending)
                self._guard(fn)
            due = start + (n + 0.5) * interval + rng.uniform(-0.4, 0.4) * interval
            if now < due:
                time.sleep(min(0.05, due - now))
                continue
            if rng.random() < cfg.reader_share:
                bay = rng.choice(self.bays)
                kind = rng.choice(("garbage", "badsum"))
                count = rng.randint(1, 3)
                inj = Injection(time.time(), f"reader:{bay.label}", f"reader-{kind}", f"{count}")
                inj.answer = self._guard(
                    lambda b=bay, k=kind, c=count: send_control(b.reader, f"fault {k} {c}")
                )
                record(inj)
                n += 1
                continue
            kinds = list(cfg.kinds)
            kind = rng.choices(kinds, weights=[cfg.kinds[k] for k in kinds])[0]
            bay = rng.choice(self.bays)
            mono = time.monotonic()
            if kind == "electrical":
                if mono < elec_until[bay.label] + ELECTRICAL_COOLDOWN_S:
                    time.sleep(0.02)  # busy: draw again
                    continue
                table = OPENEVSE_ELECTRICAL if bay.kind == "openevse" else HEIDELBERG_ELECTRICAL
                word = rng.choice(sorted(table))
                dur = rng.uniform(*cfg.electrical_s)
                inj = Injection(time.time(), bay.label, "electrical", word, code=table[word])
                inj.answer = self._guard(lambda b=bay, w=word: b.fault(w))
                elec_until[bay.label] = mono + dur
                active_elec[bay.label] = inj
                later(dur, lambda b=bay: clear_electrical(b))
            elif kind in ("silence", "reboot", "vanish"):
                group = hec if (kind == "vanish" and bay.kind == "heidelberg") else [bay]
                busy = any(mono < link_until[b.label] + 1.0 for b in group)
                # An OpenEVSE reboot clears an electrical fault: its window would be wrong.
                if busy or (
                    kind == "reboot" and bay.kind == "openevse" and bay.label in active_elec
                ):
                    time.sleep(0.02)
                    continue
                dur = rng.uniform(*cfg.link_s) if kind != "reboot" else 1.0
                target = "bus" if len(group) > 1 else bay.label
                inj = Injection(time.time(), target, kind, f"{dur:.1f}")
                if kind == "silence":
                    inj.answer = self._guard(lambda b=bay, d=dur: b.fault(f"silence {d:.1f}"))
                    silence_until[bay.label] = mono + dur
                    inj.end = inj.at + dur
                    self.link_windows[bay.label].append((inj.at, inj.end))
                elif kind == "reboot":
                    words = "reboot" if bay.kind == "openevse" else "reboot 1"
                    inj.answer = self._guard(lambda b=bay, w=words: b.fault(w))
                    inj.end = inj.at + dur
                    self.link_windows[bay.label].append((inj.at, inj.end))
                elif bay.kind == "openevse":
                    inj.answer = self._guard(lambda b=bay: b.send("port off"))
                    later(dur, lambda b=bay, i=inj: restore([b], "port on", i))
                else:
                    inj.answer = self._guard(lambda b=bay: b.send("vanish"))
                    later(dur, lambda g=group, i=inj: restore(g, "restore", i))
                for b in group:
                    link_until[b.label] = mono + dur
            else:  # garbage, badsum: the next few replies
                count = rng.randint(1, 3)
                words = {"garbage": "garbage", "badsum": "badsum"}[kind]
                if bay.kind == "heidelberg" and kind == "badsum":
                    words = "bad_crc"
                inj = Injection(time.time(), bay.label, kind, f"{words} {count}")
                inj.answer = self._guard(lambda b=bay, w=f"{words} {count}": b.fault(w))
            record(inj)
            n += 1
        # The faults are over: clear what is still active, bring every port back.
        while pending:
            _, _, fn = heapq.heappop(pending)
            self._guard(fn)
        for label in list(active_elec):
            self._guard(lambda b=by_label[label]: clear_electrical(b))
        self.t_faults_end = time.time()

    def _guard(self, fn: Callable[[], Any]) -> str:
        try:
            out = fn()
            return out if isinstance(out, str) else "ok"
        except (OSError, ValueError) as e:
            self.errors.append(f"control: {e}")
            return f"error {e}"

    # ------------------------------------------------------------ run

    def run(self) -> SoakResult:
        cfg = self.cfg
        self.start()
        self.t_start = time.time()
        self.energy_start = {b.label: b.energy_wh() for b in self.bays}
        for i, b in enumerate(self.bays):
            t = threading.Thread(
                target=self.world, args=(b, cfg.seed * 100 + i), name=f"soak-world-{b.label}"
            )
            t.start()
            self._threads.append(t)
        self.say(f"injecting {cfg.faults} faults over {cfg.minutes:g} min")
        injector = threading.Thread(target=self.inject_all, name="soak-injector")
        injector.start()
        self._threads.append(injector)
        while injector.is_alive():
            injector.join(0.5)
        self.say("faults over; the last cars leave")
        self.stop_plugging.set()
        for t in self._threads:
            t.join()
        t0 = time.monotonic()
        # The engine sees the last unplugs a poll or so later (or after a backoff): give it
        # a few polls, then wait until every charger answers and no session is open, twice
        # in a row.
        self._sleep(max(3.0, 3 * cfg.poll_s))
        settled = lambda: all(self._online_now().values()) and not self._open_sessions()  # noqa: E731
        self._wait(lambda: settled() and self._sleep(1.0) and settled(), cfg.drain_s, "settling")
        self.drain_s = time.monotonic() - t0
        self.online_at_end = self._online_now()
        self.open_at_end = self._open_sessions()
        assert self.engine is not None
        self.engine.stop(signal.SIGINT, 30)
        return self.collect()

    def close(self) -> None:
        self.abort.set()
        self.stop_plugging.set()
        for t in self._threads:
            t.join(30)
        for p in reversed(self.procs):
            with contextlib.suppress(Exception):
                p.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> FaultSoak:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ figures

    def collect(self) -> SoakResult:
        res = SoakResult(cfg=self.cfg, dir=self.dir)
        res.seconds = time.time() - self.t_start
        res.drain_s = self.drain_s
        res.online_at_end = dict(self.online_at_end)
        res.open_at_end = list(self.open_at_end)
        res.errors = list(self.errors)
        log = self.engine_log()
        res.tracebacks = log.count("Traceback (most recent call last)")
        res.error_lines = sum(1 for line in log.splitlines() if " ERROR " in line)
        # OpenEVSE's own counter per plug-in (the simulator's log, in plug-in order).
        for b in self.bays:
            mine = [p for p in self.plugins if p.bay == b.label]
            if b.kind == "openevse":
                with contextlib.suppress(OSError, ValueError):
                    answer = b.send("sessions")
                    logs = json.loads(answer[3:]) if answer.startswith("ok ") else []
                    for p, s in zip(mine, logs, strict=False):
                        p.counter_wh = s.get("counter_delta_wh")
            else:
                for p in mine:
                    if p.energy_after_wh is not None:
                        p.counter_wh = int(p.energy_after_wh) - int(p.energy_before_wh)
        from dataclasses import asdict

        (self.dir / "truth.json").write_text(  # for a closer look afterwards (--keep)
            json.dumps(
                {
                    "plugins": [asdict(p) for p in self.plugins],
                    "injections": [asdict(i) for i in self.injections],
                    "link_windows": self.link_windows,
                },
                indent=1,
            )
        )
        con = _db(self.db_path)
        try:
            self._collect_db(con, res)
        finally:
            con.close()
        res.reconcile = self._reconcile()
        return res

    def _collect_db(self, con: sqlite3.Connection, res: SoakResult) -> None:
        bays = {r["id"]: r["label"] for r in con.execute("SELECT id, label FROM bays")}
        charger_of = {
            r["label"]: r["name"]
            for r in con.execute(
                "SELECT b.label, c.name FROM bays b JOIN chargers c ON c.id = b.charger_id"
            )
        }
        sessions = [
            dict(r)
            for r in con.execute(
                "SELECT id, bay_id, authorized_at, plugged_at, stopped_at, energy_wh, stop_reason "
                "FROM sessions ORDER BY id"
            )
        ]
        outside: dict[str, float] = {}
        res.outside_table = _has_table(con, "unattributed_energy")
        if res.outside_table:
            for r in con.execute("SELECT bay_id, energy_wh FROM unattributed_energy"):
                label = bays.get(r["bay_id"], "?")
                outside[label] = outside.get(label, 0.0) + float(r["energy_wh"] or 0.0)
        faults = [
            dict(r)
            for r in con.execute("SELECT id, bay_id, code, raised_at, cleared_at FROM faults")
        ]
        comm: dict[str, list[tuple[float, float]]] = {}
        for name, events in self._comm_rows(con).items():
            windows, lost = [], None
            for kind, ts in events:
                if kind == "comm_lost" and lost is None:
                    lost = ts
                elif kind == "comm_restored" and lost is not None:
                    windows.append((lost, ts))
                    lost = None
            if lost is not None:
                windows.append((lost, float("inf")))
            comm[name] = windows
        res.comm_losses = sum(len(w) for w in comm.values())
        res.stop_reasons = Counter(s["stop_reason"] or "open" for s in sessions)
        # Plug-ins against sessions.
        for b in self.bays:
            row = BayFigures(b.label)
            mine = [p for p in self.plugins if p.bay == b.label]
            mine_sessions = [s for s in sessions if bays.get(s["bay_id"]) == b.label]
            covers: dict[int, list[int]] = {}
            for s in mine_sessions:
                start = _ms(s["authorized_at"]) or _ms(s["plugged_at"]) or 0.0
                stop = _ms(s["stopped_at"]) or float("inf")
                # The engine stamps what it saw up to a poll after it happened: a session
                # authorised just as the car left is still that plug-in's.
                late = self.cfg.poll_s + 0.5
                covers[s["id"]] = [
                    i
                    for i, p in enumerate(mine)
                    if start < (p.unplugged_at or float("inf")) + late and stop > p.plugged_at + 0.5
                ]
            row.plugins = len(mine)
            row.charged = sum(1 for p in mine if p.delivered_wh > 1.0)
            for i, p in enumerate(mine):
                mine_s = [sid for sid, ps in covers.items() if i in ps]
                if not mine_s:
                    row.none += 1
                    row.none_charged += p.delivered_wh > 1.0
                    row.none_wh += p.delivered_wh
                elif any(len(covers[sid]) > 1 for sid in mine_s):
                    row.merged += 1
                    row.merged_wh += p.delivered_wh
                else:
                    row.own += 1
                    got = sum(
                        float(x["energy_wh"] or 0.0) for x in mine_sessions if x["id"] in mine_s
                    )
                    if p.counter_wh is not None and abs(got - p.counter_wh) > 1.0 * len(mine_s) + 1:
                        row.mismatched += 1  # its own session(s) do not add up to its energy
            row.orphans = sum(1 for ps in covers.values() if not ps)
            row.sessions = len(mine_sessions)
            row.sessions_wh = sum(float(s["energy_wh"] or 0.0) for s in mine_sessions)
            row.outside_wh = outside.get(b.label, 0.0)
            row.delivered_wh = sum(p.delivered_wh for p in mine)
            row.counter_wh = float(sum(p.counter_wh or 0 for p in mine))
            row.open = sum(1 for s in mine_sessions if s["stopped_at"] is None)
            row.card_stops = sum(1 for p in mine if p.card_stop)
            res.bays.append(row)
        # Electrical faults: online or during comm loss; seen / stored once.
        fault_rows = [
            (bays.get(f["bay_id"], "?"), f["code"], _ms(f["raised_at"]) or 0.0) for f in faults
        ]
        used: set[int] = set()
        poll = self.cfg.poll_s
        for inj in self.injections:
            if inj.kind != "electrical" or not inj.answer.startswith("ok"):
                continue
            end = inj.end or inj.at
            lo, hi = inj.at - 0.2, end + MATCH_SLACK_S
            rows = [
                k
                for k, (label, code, at) in enumerate(fault_rows)
                if label == inj.target and code == inj.code and lo <= at <= hi
            ]
            used.update(rows)
            name = charger_of.get(inj.target, "")
            around = (inj.at - poll - 1.0, end + 1.0)
            lossy = any(a < around[1] and b > around[0] for a, b in comm.get(name, [])) or any(
                a < around[1] and b > around[0] for a, b in self.link_windows.get(inj.target, [])
            )
            f = res.faults_comm_loss if lossy else res.faults_online
            f.injected += 1
            f.seen += bool(rows)
            f.stored_once += len(rows) == 1
            f.duplicated += len(rows) > 1
            if not lossy and len(rows) != 1:
                res.online_misses.append(
                    f"{inj.target} {inj.words} at {inj.at:.1f}: {len(rows)} rows"
                )
        res.spurious_faults = len(fault_rows) - len(used)
        res.injected = Counter(i.kind for i in self.injections if i.answer.startswith("ok"))
        res.injection_errors = sum(1 for i in self.injections if not i.answer.startswith("ok"))

    def _comm_rows(self, con: sqlite3.Connection) -> dict[str, list[tuple[str, float]]]:
        out: dict[str, list[tuple[str, float]]] = {}
        for name, kind, ts in con.execute(
            "SELECT c.name, e.kind, e.ts FROM charger_events e JOIN chargers c "
            "ON c.id = e.charger_id WHERE e.kind IN ('comm_lost', 'comm_restored') "
            "ORDER BY e.ts, e.id"
        ):
            out.setdefault(name, []).append((kind, ts / 1000.0))
        return out

    def _reconcile(self) -> str:
        day = datetime.now(UTC).date()
        done = self.cli(
            "reconcile",
            "--from",
            (day - timedelta(days=1)).isoformat(),
            "--to",
            (day + timedelta(days=1)).isoformat(),
        )
        return (done.stdout + done.stderr).strip()


# ---------------------------------------------------------------- results


@dataclass
class FaultFigures:
    injected: int = 0
    seen: int = 0
    stored_once: int = 0
    duplicated: int = 0


@dataclass
class BayFigures:
    bay: str
    plugins: int = 0
    charged: int = 0
    own: int = 0
    merged: int = 0
    none: int = 0
    merged_wh: float = 0.0
    none_wh: float = 0.0
    none_charged: int = 0
    mismatched: int = 0
    sessions: int = 0
    orphans: int = 0
    open: int = 0
    card_stops: int = 0
    delivered_wh: float = 0.0
    counter_wh: float = 0.0
    sessions_wh: float = 0.0
    outside_wh: float = 0.0

    @property
    def unrecorded_wh(self) -> float:
        return self.counter_wh - self.sessions_wh - self.outside_wh


@dataclass
class SoakResult:
    cfg: SoakConfig
    dir: Path
    seconds: float = 0.0
    drain_s: float = 0.0
    bays: list[BayFigures] = field(default_factory=list)
    faults_online: FaultFigures = field(default_factory=FaultFigures)
    faults_comm_loss: FaultFigures = field(default_factory=FaultFigures)
    online_misses: list[str] = field(default_factory=list)
    spurious_faults: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    injection_errors: int = 0
    comm_losses: int = 0
    stop_reasons: Counter[str] = field(default_factory=Counter)
    online_at_end: dict[str, bool] = field(default_factory=dict)
    open_at_end: list[int] = field(default_factory=list)
    tracebacks: int = 0
    error_lines: int = 0
    outside_table: bool = False
    reconcile: str = ""
    errors: list[str] = field(default_factory=list)

    def report(self) -> str:
        c = self.cfg
        out = [
            f"fault soak: {c.openevse} OpenEVSE + {c.heidelberg} Heidelberg bays, "
            f"{sum(self.injected.values())} faults injected over {c.minutes:g} min "
            f"(run {self.seconds / 60:.1f} min, sims at --speed {c.speed:g}, "
            f"engine --poll {c.poll_s:g})",
            "",
        ]
        head = (
            "bay",
            "plug-ins",
            "charged",
            "own",
            "merged",
            "none",
            "sessions",
            "orphan",
            "open",
            "delivered_wh",
            "counter_wh",
            "sessions_wh",
            "outside_wh",
            "unrecorded_wh",
        )
        rows = []
        tot = BayFigures("total")
        for b in self.bays:
            rows.append(_bay_row(b))
            for k in (
                "plugins",
                "charged",
                "own",
                "merged",
                "none",
                "sessions",
                "orphans",
                "open",
                "delivered_wh",
                "counter_wh",
                "sessions_wh",
                "outside_wh",
                "merged_wh",
                "none_wh",
                "none_charged",
                "mismatched",
                "card_stops",
            ):
                setattr(tot, k, getattr(tot, k) + getattr(b, k))
        rows.append(_bay_row(tot))
        out += _table(head, rows)
        out.append(
            f"plug-ins without a session of their own: {tot.merged} merged "
            f"({tot.merged_wh:.0f} Wh delivered), {tot.none} with none ({tot.none_charged} of them "
            f"charged, {tot.none_wh:.0f} Wh); {tot.mismatched} own with energy off by > 1 Wh "
            "per session; "
            f"{tot.card_stops} stopped by card"
        )
        out.append(
            "energy outside a session: "
            + (
                "from table unattributed_energy"
                if self.outside_table
                else "no such table (old schema)"
            )
        )
        out.append("")
        fh = ("electrical faults", "injected", "seen", "stored once", "duplicated", "missed")
        frows = []
        for name, f in (
            ("charger online", self.faults_online),
            ("during comm loss", self.faults_comm_loss),
        ):
            frows.append(
                (name, f.injected, f.seen, f.stored_once, f.duplicated, f.injected - f.seen)
            )
        out += _table(fh, frows)
        out.append(f"fault rows matching no injected fault: {self.spurious_faults}")
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.injected.items()))
        out.append(f"injected by kind: {kinds}; control errors {self.injection_errors}")
        out.append(f"comm-loss windows recorded by the engine: {self.comm_losses}")
        out.append(
            "stop reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(self.stop_reasons.items()))
        )
        offline = [n for n, ok in self.online_at_end.items() if not ok]
        out.append(
            f"at the end (after {self.drain_s:.0f} s): chargers offline {offline or 'none'}, "
            f"sessions left open {len(self.open_at_end)} {self.open_at_end or ''}".rstrip()
        )
        out.append(f"engine log: {self.tracebacks} tracebacks, {self.error_lines} ERROR lines")
        if self.errors:
            out.append(f"harness notes ({len(self.errors)}): " + "; ".join(self.errors[:5]))
        if self.online_misses:
            out.append(
                "online faults not stored exactly once: " + "; ".join(self.online_misses[:10])
            )
        out += ["", "stationmgr reconcile:", self.reconcile]
        return "\n".join(out)


def _bay_row(b: BayFigures) -> tuple[Any, ...]:
    return (
        b.bay,
        b.plugins,
        b.charged,
        b.own,
        b.merged,
        b.none,
        b.sessions,
        b.orphans,
        b.open,
        f"{b.delivered_wh:.0f}",
        f"{b.counter_wh:.0f}",
        f"{b.sessions_wh:.0f}",
        f"{b.outside_wh:.0f}",
        f"{b.unrecorded_wh:.0f}",
    )


def _table(head: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    cells = [[str(v) for v in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return lines


_RANGE = re.compile(r"^\s*([\d.]+)\s*,\s*([\d.]+)\s*$")


def _range(text: str) -> tuple[float, float]:
    m = _RANGE.match(text)
    if not m or float(m.group(1)) > float(m.group(2)):
        raise argparse.ArgumentTypeError(f"want LOW,HIGH seconds, not {text!r}")
    return float(m.group(1)), float(m.group(2))


def run_soak(cfg: SoakConfig) -> SoakResult:
    with FaultSoak(cfg) as soak:
        return soak.run()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--faults", type=int, default=1000)
    p.add_argument("--minutes", type=float, default=15.0)
    p.add_argument("--speed", type=float, default=5.0, help="simulators' time warp")
    p.add_argument("--poll", type=float, default=1.0, help="engine --poll")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--charge", type=_range, default=(3.0, 25.0), metavar="LOW,HIGH")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the site and logs here")
    args = p.parse_args(argv)
    cfg = SoakConfig(
        faults=args.faults,
        minutes=args.minutes,
        speed=args.speed,
        poll_s=args.poll,
        seed=args.seed,
        charge_s=args.charge,
        workdir=args.keep,
    )

    def on_term(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # also when started with SIGINT ignored (a `&` job)
    try:
        result = run_soak(cfg)
    except KeyboardInterrupt:
        print("interrupted; every process reaped", file=sys.stderr)
        return 130
    except (RuntimeError, OSError, sqlite3.Error) as e:
        print(f"harness broke: {e}", file=sys.stderr)
        return 1
    print(result.report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
