"""The card-reader dialog's "Test connection", as the charger dialog's: it opens the port
with the chosen driver (the CLI's reader probe, `stationmgr devices probe rdm6300 PORT`) on
the worker — the dialog stays responsive — and shows the next card held on the reader, or
a clear failure line: no card in time, no such port, the running site's own reader port.
Against `stationmgr simulate reader` in its own process on a pty."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from stationmgr.store.db import Database
from tests.ui_site import app_context
from ui.chargers.dialogs import REMOTE_READER_PROBE, ReaderDialog, port_in_use
from ui.context import AppContext

WAIT_MS = 30_000
CARD = "0A1B2C3D4E"


class Simulator:
    """`stationmgr simulate reader`: its pty path from its first line, commands on stdin."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "stationmgr", "simulate", "reader", "--repeat", "0.05"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = self.proc.stdout.readline().strip()
        assert self.port.startswith("/dev/"), self.port

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    s = Simulator()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def local_ctx(sqlite_db: Database) -> Iterator[AppContext]:
    with app_context(sqlite_db, None) as c:
        yield c  # type: ignore[misc]


def dialog(qtbot: QtBot, ctx: AppContext, port: str) -> ReaderDialog:
    dlg = ReaderDialog(ctx)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.ready, timeout=WAIT_MS)
    dlg.name.setText("Desk")
    dlg.driver.select("rdm6300")
    dlg.port.set_port(port)
    return dlg


def test_test_connection_shows_the_next_card(
    qtbot: QtBot, local_ctx: AppContext, sim: Simulator
) -> None:
    dlg = dialog(qtbot, local_ctx, sim.port)
    dlg.test_button.click()
    # on the worker: the click returned at once, the GUI thread runs on meanwhile
    assert dlg.probing and not dlg.test_button.isEnabled()
    assert "hold a card on the reader" in dlg.result.text()
    sim.send(f"place {CARD}")  # a card held on the reader
    qtbot.waitUntil(lambda: not dlg.probing, timeout=WAIT_MS)
    text = dlg.result.text()
    assert "✓" in text and f"Card <b>{CARD}</b> read on {sim.port}" in text, text
    assert dlg.snapshot is not None and dlg.snapshot["uid"] == CARD
    assert dlg.test_button.isEnabled()
    dlg.reject()


def test_test_connection_failures_are_one_line(
    qtbot: QtBot, local_ctx: AppContext, sim: Simulator, tmp_path
) -> None:
    dlg = dialog(qtbot, local_ctx, sim.port)
    dlg.probe_timeout = 1.0  # no card is coming: say so once it is over
    dlg.test()
    qtbot.waitUntil(lambda: not dlg.probing, timeout=WAIT_MS)
    text = dlg.result.text()
    assert "✗" in text and "no card read on" in text and "hold a card" in text, text
    assert "Traceback" not in text and "<br>" not in text
    missing = str(tmp_path / "ttyNONE")
    dlg.port.set_port(missing)
    dlg.test()
    qtbot.waitUntil(lambda: not dlg.probing, timeout=WAIT_MS)
    text = dlg.result.text()
    assert "✗" in text and missing in text and "Traceback" not in text, text
    dlg.port.set_port("")
    dlg.test()
    assert "port" in dlg.result.text() and not dlg.probing  # refused before any I/O
    dlg.reject()


def test_no_test_on_a_port_the_site_reads() -> None:
    from stationmgr.client import models as m

    rows = m.DeviceRows(
        running=True,
        readers=[m.DeviceReader(1, "P1 reader", "rdm6300", "/dev/ttyUSB3", None, "P1", True)],
    )
    assert "reader P1 reader" in (port_in_use(rows, "/dev/ttyUSB3") or "")
    assert port_in_use(rows, "/dev/ttyUSB4") is None


def test_over_a_site_service_the_test_is_not_offered(qtbot: QtBot, sqlite_db: Database) -> None:
    with app_context(sqlite_db, None, client="remote") as ctx:
        dlg = ReaderDialog(ctx)  # type: ignore[arg-type]
        qtbot.addWidget(dlg)
        assert not dlg.test_button.isEnabled()
        assert dlg.result.text() == REMOTE_READER_PROBE
        dlg.reject()
