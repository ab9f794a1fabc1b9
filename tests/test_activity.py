"""The activity log of a running site (what `stationmgr run` writes at INFO): one line per
session start and stop, refused card and fault, with the bay's label, the card, the energy
and the stop reason. The real runtime on an in-process virtual charger."""

from __future__ import annotations

import logging

import pytest

from stationmgr.ocpp_words import BayStatus
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from tests.helpers.wait import wait_until
from tests.site import build_site, running_site


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "stationmgr.activity" and r.levelno == logging.INFO
    ]


def test_session_refusal_and_fault_each_log_one_info_line(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stationmgr.activity")
    (dev,) = build_site(sqlite_db, chargers=1, cards=("0A1B2C3D",))
    conn = dev.connectors[0]
    with running_site(sqlite_db) as rt:
        eng = rt.engine
        (bay,) = eng.bays
        conn.plug(EV(capacity_wh=60_000, soc=0.3), eng.clock.now())
        wait_until(lambda: eng.bays[bay].status is BayStatus.PREPARING, what="preparing")
        assert not eng.present_card("DEADBEEF", bay).result(10).accepted
        assert eng.present_card("0A1B2C3D", bay).result(10).accepted
        wait_until(lambda: (eng.bays[bay].tx or 0) and eng.bays[bay].tx.energy_wh > 0)
        conn.fault = "GFI"
        wait_until(lambda: eng.bays[bay].fault == "GFI", what="the fault seen")
        conn.fault = None
        wait_until(lambda: eng.bays[bay].fault is None, what="the fault cleared")
        conn.unplug(eng.clock.now())
        wait_until(lambda: eng.bays[bay].tx is None, what="the session closed")
        tx_uid = next(line for line in lines(caplog) if "session started" in line).split()[-1]

    got = lines(caplog)
    assert got[0] == "card refused at bay P1: card DEADBEEF, Invalid (unknown card)"
    assert got[1].startswith("session started at bay P1: card 0A1B2C3D (Holder 3D), meter start")
    faults = [line for line in got if line.startswith("fault")]
    assert faults[0].startswith("fault at bay P1: GFI, during session ")
    assert faults[1] == "fault cleared at bay P1: GFI"
    (stop,) = [line for line in got if line.startswith("session stopped")]
    assert stop.startswith("session stopped at bay P1: card 0A1B2C3D (Holder 3D), ")
    # A fault stops the session (stop_on_fault): reason Other, the fault code as detail.
    assert stop.endswith(f" kWh, stop reason Other (fault GFI) (session {tx_uid[:-1]})")
    kwh = float(stop.split(" kWh")[0].rsplit(" ", 1)[1])
    assert kwh > 0
    assert len([line for line in got if line.startswith("session")]) == 2  # one line each
