"""`stationmgr simulate heidelberg|evse-din` as a process, driven over its stdin control
channel, and `stationmgr probe` against it — what an installer would type."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

CLI = [sys.executable, "-m", "stationmgr"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


@contextmanager
def simulator(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*CLI, "simulate", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url, proc.stderr.read() if proc.stderr else "no output"
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def command(proc: subprocess.Popen[str], line: str) -> str:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    while True:
        answer = proc.stdout.readline().strip()
        if answer.startswith(("ok", "error")):
            return answer


def probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "probe", *args], capture_output=True, text=True, timeout=60, env=ENV
    )


def test_simulate_heidelberg_and_probe_it() -> None:
    with simulator("heidelberg", "--tcp", "127.0.0.1:0", "--slaves", "1-3") as (sim, url):
        assert url.startswith("socket://127.0.0.1:")
        assert command(sim, "plug 2 0.5") == "ok"
        done = probe("heidelberg", url, "--address", "2")
        assert done.returncode == 0, done.stderr
        snap = json.loads(done.stdout)
        (conn,) = snap["connectors"]
        assert snap["model"] == "Heidelberg Energy Control"
        assert snap["firmware"] == "register layout 1.0.8"
        assert (conn["state"], conn["raw_state"]) == ("SuspendedEVSE", "4 (B1)")
        assert conn["voltages_v"] == [230.0, 230.0, 230.0]
        status = command(sim, "status 2")
        box = json.loads(status[3:])["boxes"][0]
        assert box["holding"]["258"] == 0 and box["writes"] == []  # a probe writes nothing
        assert command(sim, "fault 2 overtemp") == "ok"
        conn = json.loads(probe("heidelberg", url, "--address", "2").stdout)["connectors"][0]
        assert (conn["state"], conn["fault"]) == ("Faulted", "OverTemperature")
        assert command(sim, "fault 2 meteor").startswith("error unknown fault")
        assert command(sim, "plug 99").startswith("error")

        silent = probe("heidelberg", url, "--address", "7")
        assert silent.returncode == 1
        assert silent.stderr.strip().count("\n") == 0  # one clear line
        assert "slave 7" in silent.stderr and "does not answer" in silent.stderr


def test_simulate_evse_din_on_a_pty_and_probe_it() -> None:
    with simulator("evse-din", "--slaves", "4", "--plug", "4") as (_sim, path):
        assert path.startswith("/dev/pts/")
        done = probe("evse-din", path, "--address", "4")
        assert done.returncode == 0, done.stderr
        conn = json.loads(done.stdout)["connectors"][0]
        assert (conn["state"], conn["raw_state"]) == ("SuspendedEVSE", "2 (EV present)")


def test_bad_simulator_options_exit_2() -> None:
    done = subprocess.run(
        [*CLI, "simulate", "heidelberg", "--tcp", "127.0.0.1:0", "--slaves", "1", "--plug", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("stationmgr: error:")


def _probe_json(*args: str) -> dict:  # type: ignore[type-arg]
    done = probe(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_simulated_variants_by_option_probe_names_them_and_nothing_is_written() -> None:
    with simulator("heidelberg", "--tcp", "127.0.0.1:0", "--layout", "1.0.7", "--c1") as (
        sim,
        url,
    ):
        assert command(sim, "plug 1 0.3") == "ok"
        snap = _probe_json("heidelberg", url, "--address", "1")
        assert snap["firmware"] == "register layout 1.0.7"
        assert snap["connectors"][0]["raw_state"] == "6 (C1)"
        assert snap["connectors"][0]["state"] == "SuspendedEVSE"  # not "Charging"
        box = json.loads(command(sim, "status 1")[3:])["boxes"][0]
        assert box["writes"] == [] and box["variant"] == "layout 1.0.7, C1 when refused"
    with simulator("evse-din", "--tcp", "127.0.0.1:0", "--mode", "0.01", "--firmware", "18") as (
        sim,
        url,
    ):
        snap = _probe_json("evse-din", url)
        assert snap["firmware"] == "rev 18, 0.01 A mode"
        assert snap["current_range_a"] == [6.0, 32.0]
    with simulator("evse-din", "--tcp", "127.0.0.1:0", "--pp", "0") as (sim, url):
        snap = _probe_json("evse-din", url)  # a probe works where open() would refuse
        assert snap["current_range_a"] == [6.0, None]
        assert "set installation_max_a" in snap["extra"]["max_current"]
        box = json.loads(command(sim, "status 1")[3:])["boxes"][0]
        assert box["writes"] == []


def test_a_second_restore_on_tcp_keeps_the_bus_alive() -> None:
    """reliability.md note 18: the second `restore` bound the port again (EADDRINUSE) and
    the bus thread died."""
    with simulator("heidelberg", "--tcp", "127.0.0.1:0") as (sim, url):
        assert command(sim, "vanish") == "ok"
        assert command(sim, "vanish") == "ok"
        assert command(sim, "restore") == "ok"
        assert command(sim, "restore") == "ok"
        assert _probe_json("heidelberg", url)["firmware"] == "register layout 1.0.8"
