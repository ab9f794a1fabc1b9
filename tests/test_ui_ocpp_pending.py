"""Pending OCPP charge points in the Chargers page under pytest-qt (offscreen), with a real
charge point we did not write (`tests/ocpp_cp/cp.js`, Node.js on npm ocpp-rpc, strict 1.6
schemas) connected to the site's OCPP endpoint while pending (site setting `ocpp_pending`):
listed with its vendor, model and first visit, accepted in the page's dialog bound to a
charger name and two bays — its next BootNotification is Accepted on the same connection
and its transaction on connector 2 lands on the second bay; another one refused in the page
is disconnected and kept out. For both site clients (in this process, and over the site
API). A role other than the owner's sees both buttons disabled, saying who may."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from stationmgr.billing.site import set_site_value
from stationmgr.cards import CardInput, add_card
from stationmgr.clock import SystemClock
from stationmgr.ocpp.endpoint import OcppServer
from stationmgr.ocpp.pending import PENDING
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.service.server import Listen
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargerEvent, ChargeSession
from tests.helpers.ocpp_cp import charge_point, node_command, run_cp
from tests.ui_site import app_context
from ui.chargers.page import ChargersPage
from ui.chargers.pending import AcceptDialog
from ui.context import AppContext

pytestmark = pytest.mark.timeout(300)
WAIT_MS = 60_000
NEW_CP = "ALFEN-UI-7"
STRANGER = "STRANGER-UI"
CARD = "04C0FFEE"


@pytest.fixture
def ocpp_site(sqlite_db: Database) -> Iterator[tuple[SiteRuntime, str]]:
    node_command()
    with sqlite_db.session() as s:
        set_site_value(s, "ocpp_pending", "yes")
        add_card(s, CardInput(uid=CARD, holder="Greta Garage"))
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
def ctx(
    sqlite_db: Database, ocpp_site: tuple[SiteRuntime, str], ui_client: str
) -> Iterator[AppContext]:
    with app_context(sqlite_db, ocpp_site[0], client=ui_client) as c:
        yield c  # type: ignore[misc]


def test_a_pending_charge_point_is_accepted_in_the_page_and_charges_on_its_bay(
    qtbot: QtBot,
    ctx: AppContext,
    sqlite_db: Database,
    ocpp_site: tuple[SiteRuntime, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = ocpp_site[1]
    steps = [
        {"op": "boot", "vendor": "Alfen BV", "model": "Eve Double"},
        {"op": "wait", "action": "TriggerMessage", "timeout": 120},
        {"op": "wait", "action": "ChangeConfiguration", "timeout": 60},
        {"op": "status", "connector": 2, "status": "Preparing"},
        {"op": "start", "connector": 2, "idTag": CARD, "meterStart": 1_000, "as": "t"},
        {"op": "meter", "connector": 2, "tx": "t", "wh": [1_400]},
        {"op": "stop", "tx": "t", "meterStop": 1_750, "reason": "EVDisconnected"},
    ]
    stranger_steps = [{"op": "boot"}, {"op": "wait_offline", "timeout": 120}]
    with (
        charge_point(url, NEW_CP, steps, connectors=2) as cp,
        charge_point(url, STRANGER, stranger_steps) as stranger,
    ):
        boot = cp.wait_answered("BootNotification")
        assert boot["response"]["status"] == "Pending", cp.result.describe()
        stranger.wait_answered("BootNotification")
        page = ChargersPage(ctx)
        qtbot.addWidget(page)
        page.show()
        box = page.pending
        qtbot.waitUntil(
            lambda: {p.charge_point_id for p in box.points} == {NEW_CP, STRANGER},
            timeout=WAIT_MS,
        )
        assert box.isVisible() and box.list.topLevelItemCount() == 2
        rows = {
            box.list.topLevelItem(i).text(0): box.list.topLevelItem(i)
            for i in range(box.list.topLevelItemCount())
        }
        row = rows[NEW_CP]
        assert (row.text(1), row.text(2)) == ("Alfen BV", "Eve Double")
        assert row.text(3)  # first seen, in the window's words

        # Refuse the stranger: off the list, its connection closed, kept out afterwards.
        box.list.setCurrentItem(rows[STRANGER])
        assert box.refuse_button.isEnabled()
        monkeypatch.setattr(
            QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes
        )
        box.refuse_selected()
        qtbot.waitUntil(
            lambda: [p.charge_point_id for p in box.points] == [NEW_CP], timeout=WAIT_MS
        )
        stranger.finish(120).ok()  # it saw the site close its connection
        again = run_cp(url, STRANGER, [{"op": "boot"}])
        assert again.returncode == 1 and "HTTP 404" in again.stderr, again.describe()

        # Accept the other one as "garage" with bays G1 (connector 1) and G2 (connector 2).
        box.list.setCurrentItem(box.list.topLevelItem(0))
        assert box.selected() is not None and box.selected().charge_point_id == NEW_CP
        dlg = box.open_accept()
        assert isinstance(dlg, AcceptDialog)
        dlg.name.setText("garage")
        dlg.bays.setText("G1, G2")
        assert dlg.binding.text() == "connector 1 → bay G1; connector 2 → bay G2"
        dlg.save()
        qtbot.waitUntil(lambda: dlg.saved is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not box.points and not box.isVisible(), timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: "accepted as charger garage" in page.message.text(), timeout=WAIT_MS
        )
        qtbot.waitUntil(
            lambda: any(c.name == "garage" for c in (page.rows.chargers if page.rows else [])),
            timeout=WAIT_MS,
        )
        result = cp.finish(180)
    result.ok()
    boots = [b["response"]["status"] for b in result.calls("BootNotification")]
    assert boots == ["Pending", "Accepted"], result.describe()
    start = result.calls("StartTransaction")[0]["response"]
    assert start["idTagInfo"]["status"] == "Accepted", result.describe()
    txid = start["transactionId"]

    def booked() -> tuple[str, float, str | None] | None:
        with sqlite_db.session() as s:
            q = (
                select(Bay.label, ChargeSession.energy_wh, ChargeSession.card_uid)
                .join(Bay, Bay.id == ChargeSession.bay_id)
                .where(
                    ChargeSession.tx_uid == f"ocpp-{txid}",
                    ChargeSession.stopped_at.is_not(None),
                )
            )
            hit = s.execute(q).first()
            return (hit[0], hit[1], hit[2]) if hit else None

    qtbot.waitUntil(lambda: booked() is not None, timeout=WAIT_MS)
    assert booked() == ("G2", 750, CARD)
    with sqlite_db.session() as s:
        garage = s.scalar(select(Charger).where(Charger.name == "garage"))
        assert garage is not None and garage.settings["charge_point_id"] == NEW_CP
        bays = s.scalars(select(Bay).where(Bay.charger_id == garage.id).order_by(Bay.connector))
        assert [(b.connector, b.label) for b in bays] == [(1, "G1"), (2, "G2")]


def test_only_the_owner_may_accept_or_refuse(
    qtbot: QtBot, sqlite_db: Database, ui_client: str
) -> None:
    from tests.ui_staff import staffed_context

    detail = json.dumps({"chargePointVendor": "KEBA", "chargePointModel": "KC-P30"})
    with sqlite_db.session() as s:
        s.add(ChargerEvent(ts=datetime.now(UTC), kind=PENDING, code="KEBA-1", detail=detail))
    with staffed_context(sqlite_db, ui_client, "attendant") as ctx:
        page = ChargersPage(ctx)
        qtbot.addWidget(page)
        page.show()
        box = page.pending
        qtbot.waitUntil(lambda: box.loads >= 1 and box.isVisible(), timeout=WAIT_MS)
        assert box.selected() is not None  # the only one is selected
        for button in (box.accept_button, box.refuse_button):
            assert not button.isEnabled()
            assert "allowed for: owner" in button.toolTip()
        assert box.open_accept() is None
        box.refuse_selected(confirm=False)  # the page offers nothing; the site is not asked
        with sqlite_db.session() as s:
            assert s.scalar(select(ChargerEvent).where(ChargerEvent.kind != PENDING)) is None
