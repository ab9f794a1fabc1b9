"""The window's live events through a `SiteClient`, the same over both clients: bay
snapshots coalesced per bay on the GUI thread, other events in order, and — over the
network — the link going down when the site service stops, said once."""

from __future__ import annotations

from stationmgr.client import models as m
from stationmgr.sim.ev import EV
from stationmgr.store.db import Database
from tests.ui_site import CARD, app_context, live_site


def test_bays_and_sessions_arrive_on_the_gui_thread(
    qtbot, sqlite_db: Database, ui_client: str
) -> None:
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    with (
        live_site(sqlite_db, bays=2) as site,
        app_context(sqlite_db, site.runtime, client=ui_client) as ctx,
    ):
        bridge = ctx.site
        assert bridge is not None
        assert (ctx.db is None) == (ui_client == "remote")
        threads: list[object] = []
        events: list[m.Event] = []
        bridge.bays.connect(lambda _b: threads.append(QThread.currentThread()))
        bridge.events.connect(events.extend)
        qtbot.waitUntil(lambda: len(bridge.latest) == 2, timeout=15_000)
        assert bridge.connected
        p1 = site.bay_ids["P1"]
        assert bridge.latest[p1].label == "P1" and bridge.latest[p1].status == "Available"

        site.devices["P1"].connectors[0].plug(EV(soc=0.3), site.engine.clock.now())
        site.engine.present_card(CARD, p1).result(10)
        qtbot.waitUntil(lambda: bridge.latest[p1].status == "Charging", timeout=15_000)
        qtbot.waitUntil(lambda: any(e.type == "session_opened" for e in events), timeout=15_000)
        opened = next(e for e in events if e.type == "session_opened")
        assert opened.data["bay_id"] == p1 and opened.data["card_uid"] == CARD
        gui = QApplication.instance().thread()  # type: ignore[union-attr]
        assert threads and all(t is gui for t in threads)


def test_a_remote_site_that_stops_is_shown_as_lost(qtbot, sqlite_db: Database) -> None:
    from stationmgr.client.remote import RemoteClient
    from stationmgr.service.server import Listen, SiteServer
    from ui.sitebridge import SiteBridge

    with live_site(sqlite_db, bays=1) as site:
        server = SiteServer(sqlite_db, site.engine, Listen("127.0.0.1", 0, False))
        client = RemoteClient(server.start())
        bridge = SiteBridge(client).start()
        links: list[tuple[bool, str]] = []
        bridge.link.connect(lambda up, why: links.append((up, why)))
        try:
            qtbot.waitUntil(lambda: bridge.connected and bool(bridge.latest), timeout=15_000)
            server.stop()
            qtbot.waitUntil(lambda: not bridge.connected, timeout=15_000)
            assert links[-1][0] is False and links[-1][1]
            assert bridge.latest  # what it last saw stays on screen
        finally:
            bridge.close()
            client.close()
            server.stop()
