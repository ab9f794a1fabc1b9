"""The Chargers page's OCPP dialog under pytest-qt (offscreen): the configuration of a real
charge point we did not write (`tests/ocpp_cp/cp.js`, Node.js on npm ocpp-rpc, strict
schemas) connected to the site's OCPP endpoint, read (GetConfiguration), one key changed in
place (ChangeConfiguration) and read back; the message log both ways; and the charger gone
shown as one line. Through the window's own `LocalClient`, as `stationmgr gui` on the site PC."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from stationmgr.clock import SystemClock
from stationmgr.ocpp.endpoint import OcppServer
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.service.server import Listen
from stationmgr.site_setup import ChargerInput, add_charger
from stationmgr.store.db import Database
from tests.helpers.ocpp_cp import charge_point, node_command
from tests.ui_site import app_context
from ui.chargers.ocpp import OcppDialog
from ui.chargers.page import ChargersPage
from ui.context import AppContext

pytestmark = pytest.mark.timeout(300)
WAIT_MS = 30_000
CP_ID = "UI-CP-1"


@pytest.fixture
def ocpp_site(sqlite_db: Database) -> Iterator[tuple[SiteRuntime, str]]:
    node_command()
    with sqlite_db.session() as s:
        add_charger(
            s,
            ChargerInput("garage", "ocpp", "", bays=("G1",), settings={"charge_point_id": CP_ID}),
        )
    runtime = build_runtime(sqlite_db, SystemClock())
    runtime.start()
    server = OcppServer(runtime.engine, Listen("127.0.0.1", 0, False))
    try:
        url = server.start()
        yield runtime, f"{url}/ocpp"
    finally:
        server.stop()
        runtime.stop()


@pytest.fixture
def ctx(sqlite_db: Database, ocpp_site: tuple[SiteRuntime, str]) -> Iterator[AppContext]:
    with app_context(sqlite_db, ocpp_site[0]) as c:
        yield c  # type: ignore[misc]


def test_the_ocpp_dialog_reads_and_changes_the_chargers_configuration_and_shows_its_messages(
    qtbot: QtBot, ctx: AppContext, ocpp_site: tuple[SiteRuntime, str]
) -> None:
    steps = [{"op": "boot"}, {"op": "wait", "action": "ChangeConfiguration"},
             {"op": "wait", "action": "ChangeConfiguration"},
             {"op": "wait", "action": "GetConfiguration"},
             {"op": "wait", "action": "ChangeConfiguration"},
             {"op": "wait", "action": "GetConfiguration"}]  # fmt: skip
    with charge_point(ocpp_site[1], CP_ID, steps) as cp:
        cp.wait_answered("ChangeConfiguration", "received", 2)  # the site's own after boot
        page = ChargersPage(ctx)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.loads >= 1, timeout=WAIT_MS)
        page.select_charger("garage")
        assert page.ocpp_button.isEnabled()
        dlg = page.open_ocpp()
        assert isinstance(dlg, OcppDialog)
        qtbot.waitUntil(lambda: dlg.config_loads >= 1, timeout=WAIT_MS)
        assert dlg.value_of("NumberOfConnectors") == "1"
        assert dlg.value_of("HeartbeatInterval") == "60"  # what the site's boot answer set

        dlg.pick("HeartbeatInterval")
        assert dlg.key.text() == "HeartbeatInterval" and dlg.change_button.isEnabled()
        dlg.value.setText("240")
        dlg.change()
        qtbot.waitUntil(lambda: dlg.config_loads >= 2, timeout=WAIT_MS)
        assert dlg.value_of("HeartbeatInterval") == "240"
        assert dlg.message.text() == "HeartbeatInterval=240: Accepted"
        changed = cp.result.received("ChangeConfiguration")[-1]
        assert changed["request"] == {"key": "HeartbeatInterval", "value": "240"}

        dlg.pick("NumberOfConnectors")  # read-only: not offered
        assert not dlg.change_button.isEnabled()
        cp.finish().ok()

    dlg.load_log()
    qtbot.waitUntil(lambda: dlg.log_loads >= 2, timeout=WAIT_MS)
    shown = set(dlg.logged())
    assert ("charger → site", "Call", "BootNotification") in shown, shown
    assert ("site → charger", "CallResult", "BootNotification") in shown
    assert ("site → charger", "Call", "GetConfiguration") in shown
    assert ("charger → site", "CallResult", "ChangeConfiguration") in shown

    dlg.load_config()  # the charger has gone: one line, the table stays
    qtbot.waitUntil(lambda: "offline" in dlg.message.text(), timeout=WAIT_MS)
    assert dlg.value_of("HeartbeatInterval") == "240"
    dlg.reject()
