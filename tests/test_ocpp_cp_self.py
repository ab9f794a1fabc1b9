"""The Node.js test charge point checks itself (`node --test tests/ocpp_cp/cp.test.js`)
against a strict ocpp-rpc central system: offline replay, remote start/stop, local list,
401. The OCPP tests trust this charger, so its own behaviour is tested too."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers.ocpp_cp import CP_DIR, node_command

pytestmark = pytest.mark.timeout(300)


def test_the_test_charge_point_passes_its_own_checks() -> None:
    node = node_command()[0]
    done = subprocess.run(
        [node, "--test", str(CP_DIR / "cp.test.js")],
        cwd=CP_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout, done.stdout
