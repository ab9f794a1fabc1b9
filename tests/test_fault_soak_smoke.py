"""The fault soak's harness end to end, briefly: `stationmgr run` with 3 OpenEVSE, a bus of
2 Heidelberg boxes and 5 card readers, each simulator its own process, cars coming and
going, a handful of device faults over ~25 s (`bench/fault_soak.py` runs 1,000 over 15 min
and prints the figures).

Only structural invariants, no timing: the engine logs no traceback; once the faults stop
every charger answers again; once every car has left no session is open; every electrical
fault injected while its charger was online is stored exactly once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "fault_soak.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("fault_soak", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["fault_soak"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_fault_soak_structural_invariants(tmp_path: Path) -> None:
    soak = _bench()
    kinds = dict(soak.CHARGER_KINDS, electrical=0.5)  # enough electrical faults to check
    cfg = soak.SoakConfig(
        faults=10,
        minutes=0.4,
        charge_s=(3.0, 6.0),
        pause_s=(1.0, 3.0),
        electrical_s=(3.0, 5.0),
        link_s=(2.0, 4.0),
        kinds=kinds,
        reader_share=0.1,
        drain_s=45.0,
        workdir=tmp_path / "soak",
        quiet=True,
    )
    res = soak.run_soak(cfg)
    report = res.report()
    assert res.tracebacks == 0, report
    assert len(res.online_at_end) == 5 and all(res.online_at_end.values()), report
    assert res.open_at_end == [], report
    assert sum(b.plugins for b in res.bays) >= 5, report
    assert res.faults_online.injected >= 1, report  # the invariant below was exercised
    assert res.faults_online.stored_once == res.faults_online.injected, report
