"""A small live site for the GUI tests: the production runtime (engine, billing, alerts),
in-process virtual chargers, WarpClock, and the app context (bridge, worker) the pages get.
Everything is stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from stationmgr.cards import CardInput, add_card
from stationmgr.clock import WarpClock
from stationmgr.drivers import inproc
from stationmgr.engine import Engine, EngineConfig
from stationmgr.engine.coordinator import CoordinatorConfig
from stationmgr.runtime import SiteRuntime, build_runtime
from stationmgr.sessions import SessionConfig
from stationmgr.sim.device import VirtualCharger
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger

CARD = "0A1B2C3D"
HOLDER = "Maria Nilsson"


@dataclass
class LiveSite:
    runtime: SiteRuntime
    devices: dict[str, VirtualCharger]  # bay label -> device
    bay_ids: dict[str, int]  # bay label -> id

    @property
    def engine(self) -> Engine:
        return self.runtime.engine


def build(db: Database, bays: int) -> tuple[dict[str, VirtualCharger], dict[str, int]]:
    devices: dict[str, VirtualCharger] = {}
    ids: dict[str, int] = {}
    with db.session() as s:
        for i in range(1, bays + 1):
            name = f"ui-vc{i}-{id(db)}"
            c = Charger(name=name, driver="inproc", port=f"inproc://{name}")
            s.add(c)
            s.flush()
            bay = Bay(charger_id=c.id, connector=1, label=f"P{i}")
            s.add(bay)
            s.flush()
            dev = VirtualCharger()
            inproc.VIRTUAL_CHARGERS[name] = dev
            devices[bay.label] = dev
            ids[bay.label] = bay.id
        add_card(s, CardInput(uid=CARD, holder=HOLDER))
    return devices, ids


@contextmanager
def live_site(db: Database, bays: int = 2, speed: float = 20.0) -> Iterator[LiveSite]:
    devices, ids = build(db, bays)
    clock = WarpClock(speed)
    inproc.CLOCK[0] = clock
    cfg = EngineConfig(
        CoordinatorConfig(poll_interval_s=0.05, backoff_min_s=0.05, backoff_max_s=0.2),
        SessionConfig(idle_after_s=60.0, retap_guard_s=0.0),  # a card stops at once
    )
    with build_runtime(db, clock, config=cfg) as runtime:
        yield LiveSite(runtime, devices, ids)


@contextmanager
def app_context(
    db: Database, site: SiteRuntime | Engine | None, client: str = "local"
) -> Iterator[object]:
    """The AppContext a page gets (from the runtime, as the app builds it; an engine alone
    for a page that needs no extension); the live events and the worker pool are closed
    after.

    `client`: "local" — the window's in-process `LocalClient`, as `stationmgr gui` on the
    site's own PC; "remote" — a real site API (`SiteServer` on loopback, on this site's
    engine) and a `RemoteClient` to it, as `stationmgr gui --site URL` on a second PC.
    In the remote case `db` and `engine` are None in the context, as they are on that PC;
    the test keeps its own handles on the site. On a site with operators the remote
    window's live events start once its client is signed in (the test's
    `ctx.client.login(...)`), as `stationmgr gui --site` does: the service refuses a
    stream opened without a token."""
    from ui.app import close_context, local_client
    from ui.context import AppContext
    from ui.sitebridge import SiteBridge
    from ui.worker import Worker

    runtime = site if isinstance(site, SiteRuntime) else None
    engine = runtime.engine if runtime is not None else site
    assert engine is None or isinstance(engine, Engine)
    worker = Worker()
    server = None
    stack = ExitStack()
    if client == "remote":
        from stationmgr.client.remote import RemoteClient
        from stationmgr.service.server import Listen, SiteServer

        if engine is None:  # the service runs the site even where the test needs no bays
            own = stack.enter_context(build_runtime(db, WarpClock(1.0)))
            engine = own.engine
        server = SiteServer(db, engine, Listen("127.0.0.1", 0, False))
        remote = RemoteClient(server.start())
        ctx = AppContext(None, None, worker, actor="owner")
        ctx.client = remote
        ctx.site = SiteBridge(remote)
        if remote.token is not None or not remote.site_info().protected:
            ctx.site.start()
        else:  # as the app does: the live events once signed in (the stream needs a token)
            stack.callback(_start_once_signed_in(ctx.site, remote).stop)
    else:
        ctx = AppContext(db, engine, worker, actor="owner")
        ctx.client, ctx.site = local_client(db, runtime)
    try:
        yield ctx
    finally:
        close_context(ctx)
        if server is not None:
            server.stop()
        stack.close()


def _start_once_signed_in(bridge: object, remote: object) -> object:
    """A GUI-thread timer that starts `bridge` when `remote` has a token (a test signs
    in after the context is built); returned so the context can stop it."""
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(20)

    def check() -> None:
        if getattr(remote, "token", None) is not None:
            timer.stop()
            bridge.start()  # type: ignore[attr-defined]

    timer.timeout.connect(check)
    timer.start()
    return timer
