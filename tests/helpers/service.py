"""A real site service for tests: `stationmgr run --listen 127.0.0.1:0` in its own process,
its URL read from `--url-file` (no fixed ports), reaped in `finally`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "stationmgr"]


@dataclass
class RunningService:
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def env_for(user: str | None = None, password: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STATIONMGR_") or k in ("STATIONMGR_HOME",)
    }
    env["PYTHONPATH"] = str(ROOT)
    if user is not None:
        env["STATIONMGR_USER"] = user
    if password is not None:
        env["STATIONMGR_PASSWORD"] = password
    env.update(extra)
    return env


@contextmanager
def service(
    tmp: Path, db_url: str, *extra: str, env: dict[str, str] | None = None, name: str = "svc"
) -> Iterator[RunningService]:
    url_file = tmp / f"{name}.url"
    log_path = tmp / f"{name}.log"
    url_file.unlink(missing_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [
                *CLI,
                "--db",
                db_url,
                "run",
                "--poll",
                "0.2",
                "--listen",
                "127.0.0.1:0",
                "--url-file",
                str(url_file),
                *extra,
            ],
            cwd=ROOT,
            env=env or env_for(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        wait_until(
            lambda: proc.poll() is not None or (url_file.exists() and url_file.read_text()),
            60,
            "the service to listen",
        )
        if proc.poll() is not None:
            raise AssertionError(f"the service exited: {log_path.read_text(errors='replace')}")
        yield RunningService(url_file.read_text().strip(), proc, log_path)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def cli(*argv: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`stationmgr ARGV` as a subprocess (stdin closed: no prompt)."""
    return subprocess.run(
        [*CLI, *argv],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
