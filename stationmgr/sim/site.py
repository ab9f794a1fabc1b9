"""A site of virtual OpenEVSE chargers and RDM6300 readers on real ptys, configured through
the CLI in a real SQLite file and driven by a real `stationmgr run` process.

Used by the end-to-end, fault and soak tests and by `bench/card_to_enable.py`. Every
simulator and engine process is reaped in `close()` (use it as a context manager).
The simulators run in this process (threads), the engine in its own, so it can be killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from stationmgr.cli import main as cli_main
from stationmgr.clock import WarpClock
from stationmgr.settings import set_setting
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import Database, open_database
from stationmgr.store.models import ChargeSession

ROOT = Path(__file__).resolve().parents[2]  # the checkout (for `python -m stationmgr`)
ENGINE_CMD = [sys.executable, "-m", "stationmgr"]

FAST_SESSIONS = {
    "idle_after_s": 2.0,
    "sample_interval_s": 1.0,
    "idle_sample_interval_s": 2.0,
    "gate_resend_s": 2.0,
}


def wait_for(cond: Callable[[], Any], timeout: float, what: str, step: float = 0.02) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@dataclass
class SiteBay:
    label: str
    charger: OpenEVSESim
    reader: ReaderSim
    card: str  # 10 hex characters as the reader sends them (version 00 + card number)


class SerialSite:
    def __init__(
        self,
        tmp: Path,
        bays: int = 1,
        sim_speed: float = 20.0,
        poll_s: float = 0.2,
        session: dict[str, Any] | None = None,
        charger_settings: dict[str, Any] | None = None,
        release_s: float = 0.3,
        seed: int = 1,
    ) -> None:
        self.tmp = tmp
        self.url = f"sqlite:///{tmp / 'site.sqlite3'}"
        self.poll_s = poll_s
        self.engine: subprocess.Popen[bytes] | None = None
        self.engine_starts = 0
        # (who, what, when): taps and engine starts/kills, to tell a failing test's story
        self.happened: list[tuple[str, str, datetime]] = []
        self.bays: list[SiteBay] = []
        self.log_path = tmp / "engine.log"
        try:
            for i in range(1, bays + 1):
                charger = OpenEVSESim(
                    PtyEndpoint(tmp / f"evse{i}"), WarpClock(sim_speed), seed=seed + i
                ).start()
                reader = ReaderSim(PtyEndpoint(tmp / f"reader{i}"), repeat_s=0.05).start()
                self.bays.append(SiteBay(f"B{i}", charger, reader, f"00{0x1A2B3C00 + i:08X}"))
            self._configure(session or FAST_SESSIONS, charger_settings or {}, release_s)
        except BaseException:
            self.close()
            raise

    def cli(self, *argv: str) -> int:
        return cli_main(["--db", self.url, *argv])

    def _configure(self, session: dict[str, Any], settings: dict[str, Any], release: float) -> None:
        assert self.cli("db", "create") == 0  # a named --db is never made implicitly
        for i, bay in enumerate(self.bays, 1):
            sets = [a for k, v in settings.items() for a in ("--set", f"{k}={v}")]
            assert (
                self.cli(
                    "chargers",
                    "add",
                    f"evse{i}",
                    "--driver",
                    "openevse",
                    "--port",
                    str(self.tmp / f"evse{i}"),
                    "--bays",
                    bay.label,
                    *sets,
                )
                == 0
            )
            assert (
                self.cli(
                    "readers",
                    "add",
                    f"reader{i}",
                    "--driver",
                    "rdm6300",
                    "--port",
                    str(self.tmp / f"reader{i}"),
                    "--bay",
                    bay.label,
                    "--set",
                    f"release_s={release}",
                )
                == 0
            )
            assert self.cli("cards", "add", bay.card[2:], "--holder", f"Driver {i}") == 0
        db = self.db()
        try:
            with db.session() as s:
                set_setting(s, "session", session)
        finally:
            db.dispose()

    def db(self) -> Database:
        """A fresh handle on the site's database (already migrated; the caller disposes)."""
        return open_database(self.url, upgrade=False)

    # ------------------------------------------------------------ the engine process

    def start_engine(self) -> None:
        env = dict(os.environ)
        env.pop("STATIONMGR_USER", None)
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.engine = subprocess.Popen(
            [*ENGINE_CMD, "--db", self.url, "run", "--poll", str(self.poll_s)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        self.engine_starts += 1
        self.happened.append(("engine", "start", datetime.now(UTC)))

    def wait_engine_ready(self, timeout: float = 30.0) -> None:
        """Until the engine started last has loaded its chargers (its log says "running")."""
        wait_for(
            lambda: self.engine_log().count("stationmgr.run: running ") >= self.engine_starts,
            timeout,
            "the engine to start",
            step=0.05,
        )

    def kill_engine(self, sig: int = signal.SIGKILL) -> None:
        if self.engine is not None and self.engine.poll() is None:
            self.happened.append(("engine", f"signal {sig}", datetime.now(UTC)))
            self.engine.send_signal(sig)
            try:
                self.engine.wait(10)
            except subprocess.TimeoutExpired:
                self.engine.kill()
                self.engine.wait(10)
        self.engine = None

    def engine_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # ------------------------------------------------------------ what the charger sees

    def wait_gated(self, bay: SiteBay, timeout: float = 20.0) -> None:
        """The engine has put the idle charger to sleep (it gates the bay)."""
        wait_for(lambda: bay.charger.st.mode == "sleeping", timeout, f"{bay.label} asleep")

    def plug(self, bay: SiteBay, ev: EV) -> None:
        bay.charger.plug(ev)

    def start_session(
        self, bay: SiteBay, timeout: float = 20.0, started: Callable[[], bool] | None = None
    ) -> None:
        """Tap the bay's card until the charger is enabled (a driver taps again when a tap
        is missed, e.g. while the program restarts). `started`: what the driver sees on the
        bay's display, that a session is under way — then a slow charger is waited for, not
        tapped again (a tap then would stop it)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if started is None or not started():
                self.happened.append((bay.label, "tap", datetime.now(UTC)))
                bay.reader.tap(bay.card, 0.15)
            try:
                wait_for(lambda: bay.charger.st.mode == "active", 2.0, "enable")
                return
            except AssertionError:
                time.sleep(0.4)  # the card must be gone a while before a new tap counts
        raise AssertionError(f"{bay.label}: the charger was never enabled")

    def sessions(self) -> list[ChargeSession]:
        db = self.db()
        try:
            with db.session() as s:
                rows = list(s.scalars(select(ChargeSession).order_by(ChargeSession.id)))
                s.expunge_all()
                return rows
        finally:
            db.dispose()

    def close(self) -> None:
        try:
            self.kill_engine(signal.SIGTERM)
        finally:
            for bay in self.bays:
                bay.reader.stop()
                bay.charger.stop()

    def __enter__(self) -> SerialSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
