"""Start and stop the site API on the engine's own asyncio loop.

`SiteServer(db, engine, listen).start()` runs the aiohttp runner's set-up as a task on the
engine's loop (`engine.submit`), so requests, WebSocket pushes and the engine's work share
one loop; handlers send every blocking call to a thread pool. Listening beyond loopback
requires TLS with the site certificate (`service.tls`); loopback may be plain HTTP.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from stationmgr.clock import SystemClock
from stationmgr.errors import UserError
from stationmgr.service.app import Service, build_app
from stationmgr.service.tokens import TokenStore
from stationmgr.store.db import Database

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8742


@dataclass(frozen=True)
class Listen:
    host: str
    port: int
    tls: bool  # forced on for anything but loopback


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(
                ipaddress.ip_address(info[4][0]).is_loopback
                for info in socket.getaddrinfo(host, None)
            )
        except (OSError, ValueError):
            return False


def parse_listen(text: str, force_tls: bool = False) -> Listen:
    """`HOST:PORT`, `:PORT`, `PORT` or `HOST` (port 8742); `[v6]:PORT` for IPv6."""
    text = (text or "").strip()
    host, port_text = DEFAULT_HOST, str(DEFAULT_PORT)
    if text.startswith("["):
        inner, _, rest = text[1:].partition("]")
        host = inner
        port_text = rest.lstrip(":") or port_text
    elif text.isdigit():
        port_text = text
    elif ":" in text:
        h, _, port_text = text.rpartition(":")
        host = h or DEFAULT_HOST
    elif text:
        host = text
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise UserError(f"--listen wants HOST:PORT with a port 0..65535, not {text[:60]!r}")
    return Listen(host, port, force_tls or not is_loopback(host))


class SiteServer:
    """The site API for one running engine."""

    def __init__(self, db: Database, engine: Any, listen: Listen) -> None:
        self.db = db
        self.engine = engine
        self.listen = listen
        # Tokens live in wall-clock time, whatever clock (a simulation's warp) the engine has.
        self.service = Service(db, engine, TokenStore(SystemClock()))
        self.url: str | None = None
        self.fingerprint: str | None = None
        self._runner: web.AppRunner | None = None

    def start(self, timeout: float = 30.0) -> str:
        """Serve; returns the URL (with the port chosen when 0 was asked for)."""
        self._refuse_open_site()
        ssl_ctx = None
        if self.listen.tls:
            from stationmgr.service import tls

            cert = tls.ensure(hosts=(self.listen.host,))
            ssl_ctx = cert.server_context()
            self.fingerprint = cert.fingerprint
        self.url = self.engine.submit(self._start(ssl_ctx)).result(timeout)
        log.info("serving the site API on %s", self.url)
        if self.fingerprint:
            log.info("site certificate fingerprint (SHA-256): %s", self.fingerprint)
        return self.url

    def _refuse_open_site(self) -> None:
        """A site without operators answers anyone: only on this computer."""
        if is_loopback(self.listen.host):
            return
        from stationmgr.access.context import protected

        with self.db.session() as s:
            if not protected(s):
                raise UserError(
                    "this site has no operators: add an owner (`stationmgr operators add`) "
                    "before listening beyond this computer"
                )

    async def _start(self, ssl_ctx: Any) -> str:
        import asyncio

        from stationmgr.service.events import EventHub

        self.service.hub = EventHub(self.engine.bus, asyncio.get_running_loop())
        app = build_app(self.service)
        app.on_shutdown.append(self._close_sockets)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self.listen.host, self.listen.port, ssl_context=ssl_ctx)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"{'https' if ssl_ctx else 'http'}://{shown}:{port}"

    async def _close_sockets(self, _app: web.Application) -> None:
        """Event streams end with "going away" at shutdown (clients reconnect later)."""
        from aiohttp import WSCloseCode

        for ws in list(self.service.sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"the site service stops")

    def stop(self, timeout: float = 15.0) -> None:
        """Close connections and stop listening (before the engine stops)."""
        runner, self._runner = self._runner, None
        if runner is not None and self.engine.running:
            try:
                self.engine.submit(self._stop(runner)).result(timeout)
            except Exception:
                log.exception("the site API did not stop cleanly")
        self.service.close()

    async def _stop(self, runner: web.AppRunner) -> None:
        if self.service.hub is not None:
            self.service.hub.close()
        await runner.cleanup()
