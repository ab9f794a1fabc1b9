"""A serial client we did not write, python-openevse 0.6, against `stationmgr simulate
openevse` in its own process on a pty.

Its constructor sends `$FF E 0` (which the firmware answers `$OK` and, by its bug, turns
echo on); it then skips echoed lines and `$AT` lines. Its status parser reads the state in
decimal, as RAPI ≤ 4.0.1 prints it, so charging status and `elapsed()` are checked on the
5.1.0 variant.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openevse  # PyPI python-openevse: a serial client we did not write
import pytest

from stationmgr.sim.control import send_control


@contextmanager
def _simulator(tmp_path: Path, *extra: str) -> Iterator[tuple[str, tuple[str, int]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "stationmgr", "simulate", "openevse", "--control", "0",
         "--link", str(tmp_path / "evse"), "--lifetime-wh", "4321", *extra],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        path = proc.stdout.readline().decode().strip()
        host, port = proc.stdout.readline().decode().split()[1].rsplit(":", 1)
        yield path, (host, int(port))
        proc.terminate()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def _status(control: tuple[str, int]) -> dict:
    return json.loads(send_control(control, "status")[3:])


def _until(what: str, cond: object, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_python_openevse_against_the_8_2_3_simulator(tmp_path: Path) -> None:
    with _simulator(tmp_path, "--firmware", "8.2.3") as (path, control):
        evse = openevse.SerialOpenEVSE(path)  # `$FF E 0` must be `$OK`
        try:
            assert _status(control)["echo"] is True  # the firmware's bug, reproduced
            assert evse.version() == {"firmware": "8.2.3", "protocol": "5.2.1"}
            assert evse.status() == "not connected"
            assert evse.current_capacity(16) == 16
            assert _status(control)["current_a"] == 16
            assert evse.current_capacity() == 16
            with pytest.raises(openevse.EvseError):
                evse.current_capacity(40)  # `$NK 32`: clamped
            assert evse.current_capacity_range() == (6, 32)
            assert evse.accumulated_wh() == 4321
            assert send_control(control, "plug soc=0.5") == "ok"
            _until("charging", lambda: _status(control)["power_w"] > 0)
            cv = evse.charging_current_and_voltage()
            assert cv["volts"] == 240.0 and cv["amps"] > 6
            assert evse.temperature()["mcp9808temp"] == 25.4  # `$GP`
            assert evse.ammeter_settings() == (220, 0)  # `$GA`
            assert set(evse.fault_counters()) == {"GFI self test", "Ground", "Stuck relay"}
        finally:
            evse.s.close()


def test_python_openevse_charging_status_and_elapsed_on_rapi_4(tmp_path: Path) -> None:
    with _simulator(tmp_path, "--firmware", "5.1.0", "--speed", "20") as (path, control):
        evse = openevse.SerialOpenEVSE(path)
        try:
            assert evse.version()["protocol"] == "4.0.1"
            assert send_control(control, "plug soc=0.5") == "ok"
            _until("charge time", lambda: _status(control)["charge_s"] >= 2)
            assert evse.status() == "charging"
            e = evse.elapsed()
            assert e["seconds"] >= 2 and e["Wh"] > 0
            assert evse.status("sleep") == "sleeping"
        finally:
            evse.s.close()
