"""`stationmgr run`: headless engine, clean stop on SIGINT/SIGTERM, one instance per database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stationmgr.cli import main


def start(url: str) -> subprocess.Popen[str]:
    env = dict(os.environ, STATIONMGR_DB=url)
    return subprocess.Popen(
        [sys.executable, "-m", "stationmgr", "run"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def wait_line(proc: subprocess.Popen[str], needle: str, timeout: float = 30) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"no {needle!r} in {lines}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_run_stops_cleanly_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0
    proc = start(url)
    try:
        wait_line(proc, "running 0 charger(s)")
        second = subprocess.run(
            [sys.executable, "-m", "stationmgr", "--db", url, "run"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert "in use by another running stationmgr" in second.stderr
        proc.send_signal(sig)
        rest = proc.communicate(timeout=30)[1]
        assert proc.returncode == 0
        assert "stopped cleanly" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_run_with_a_misconfigured_charger_keeps_the_site_running(tmp_path: Path) -> None:
    """A stored `turnaround_s=abc` made `stationmgr run` exit with a traceback (every bay
    down). Now that charger is reported misconfigured in one line and the rest runs."""
    from stationmgr.store.db import open_database
    from stationmgr.store.models import Bay, Charger

    url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0
    db = open_database(url, create=False)
    with db.session() as s:
        rows = (
            ("good", "inproc", "inproc://good", {}),
            ("bad", "openevse", "/dev/nonexistent-bad", {"turnaround_s": "abc"}),
        )
        for name, driver, port, settings in rows:
            c = Charger(name=name, driver=driver, port=port, settings=settings)
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=name.upper()))
    db.dispose()
    proc = start(url)
    try:
        lines = wait_line(proc, "running 1 charger(s), 2 bay(s)")
        bad = [line for line in lines if "is misconfigured" in line]  # (alerts quote it too)
        assert len(bad) == 1 and "charger bad" in bad[0] and "turnaround_s" in bad[0], lines
        assert proc.poll() is None  # still running
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=30)[1]
        assert proc.returncode == 0, rest
        assert "Traceback" not in "".join(lines) + rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
