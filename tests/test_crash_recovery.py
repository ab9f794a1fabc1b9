"""Kill the engine process mid-session (SIGKILL) and restart it: nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.cards import CardInput, add_card
from stationmgr.store.db import integrity_ok, open_database
from stationmgr.store.models import Bay, Charger, ChargeSession
from tests.helpers.wait import wait_until as until

ROOT = Path(__file__).resolve().parents[1]


def spawn(url: str, state: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.engine_child", url, str(state), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def sessions(url: str) -> list[ChargeSession]:
    db = open_database(url)
    with db.session() as s:
        rows = list(s.scalars(select(ChargeSession).order_by(ChargeSession.id)))
    db.dispose()
    return rows


@pytest.fixture
def site(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    db = open_database(url)
    with db.session() as s:
        c = Charger(name="vc1", driver="inproc", port="inproc://vc1")
        s.add(c)
        s.flush()
        s.add(Bay(charger_id=c.id, connector=1, label="P1"))
        add_card(s, CardInput(uid="0A1B2C3D", holder="Anna"))
    db.dispose()
    state = tmp_path / "device.json"
    state.write_text(json.dumps({"plugged": True, "energy_wh": 1000.0}))
    return url, state


def kill_mid_session(url: str, state: Path) -> ChargeSession:
    proc = spawn(url, state, "--card", "0A1B2C3D")
    try:
        until(
            lambda: any(r.meter_last_wh > r.meter_start_wh + 50 for r in sessions(url)),
            what="session progress persisted",
        )
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
    (row,) = sessions(url)
    assert row.stopped_at is None and row.meter_start_wh == 1000
    db = open_database(url)
    assert integrity_ok(db)
    db.dispose()
    return row


def test_killed_engine_resumes_open_session_when_car_still_plugged(site) -> None:  # type: ignore[no-untyped-def]
    url, state = site
    before = kill_mid_session(url, state)
    proc = spawn(url, state, "--unplug-after", "1.0")
    try:
        until(lambda: sessions(url)[0].stopped_at is not None, what="session closed at unplug")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
        proc.stdout.close()  # type: ignore[union-attr]
    (row,) = sessions(url)  # the same transaction, resumed, not a new one
    assert row.tx_uid == before.tx_uid
    assert row.stop_reason == "EVDisconnected"
    device = json.loads(state.read_text())
    assert row.meter_stop_wh == pytest.approx(device["energy_wh"], abs=1.0)
    assert row.energy_wh == pytest.approx(device["energy_wh"] - 1000.0, abs=1.0)
    assert row.energy_wh > before.energy_wh
    db = open_database(url)
    assert integrity_ok(db)
    db.dispose()


def test_killed_engine_closes_session_power_loss_when_car_gone(site) -> None:  # type: ignore[no-untyped-def]
    url, state = site
    before = kill_mid_session(url, state)
    device = json.loads(state.read_text())
    device["plugged"] = False  # the car left while the PC was down
    state.write_text(json.dumps(device))
    proc = spawn(url, state)
    try:
        until(lambda: sessions(url)[0].stopped_at is not None, what="session closed")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
        proc.stdout.close()  # type: ignore[union-attr]
    (row,) = sessions(url)
    assert row.tx_uid == before.tx_uid
    assert row.stop_reason == "PowerLoss"
    assert row.meter_stop_wh == pytest.approx(device["energy_wh"], abs=0.01)
    assert row.energy_wh == pytest.approx(device["energy_wh"] - 1000.0, abs=0.01)
    assert row.stopped_at is not None and row.stopped_at <= row.last_seen_at
    db = open_database(url)
    assert integrity_ok(db)
    db.dispose()
