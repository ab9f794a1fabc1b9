"""The OCPP 1.6J endpoint: `ws://HOST:PORT/ocpp/<ChargePointId>` on the engine's loop.

The upgrade is refused, with one log line each, when the charge point id is not a
registered OCPP charger (404; unless the owner lets such ones wait as pending, see
`pending`), when the charger has a password (secret `ocpp:<id>`,
security profile 1) and the request's HTTP Basic credentials are missing or wrong (401),
or when it does not offer the `ocpp1.6` subprotocol (400). A charge point that connects
again replaces its older connection.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import re
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, web

from stationmgr.drivers.ocpp import DRIVER
from stationmgr.ocpp.commands import OcppCommands
from stationmgr.ocpp.handlers import ChargePointSite, CoreHandlers, TransactionIds
from stationmgr.ocpp.msglog import MessageLog
from stationmgr.ocpp.pending import PendingGate, PendingHandlers
from stationmgr.ocpp.rpc import Rpc
from stationmgr.ocpp.upkeep import Upkeep

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.service.server import Listen

log = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp1.6"
SECRET_PREFIX = "ocpp:"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        user, sep, password = (
            base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (user, password) if sep else None


class OcppServer:
    """Serves charge points for one running engine (start after it, stop before it)."""

    def __init__(
        self, engine: Engine, listen: Listen, secrets: Any = None, tls: bool = False
    ) -> None:
        self.engine = engine
        self.listen = listen
        self.secrets = secrets
        self.tls = tls  # wss:// with the site certificate (security profile 2 with a password)
        self.fingerprint: str | None = None
        self.url: str | None = None
        self.ids = TransactionIds()
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.rpcs: dict[str, Rpc] = {}  # connected charge points, for our own calls
        self.messages = MessageLog(engine)  # fault tracing (msglog)
        self.commands = OcppCommands(self)
        self._runner: web.AppRunner | None = None
        self._refused: set[tuple[str, str]] = set()  # logged once each
        self.pending = PendingGate(engine, self._site_of)
        self.upkeep = Upkeep(engine)  # local lists and charging profiles, kept in step

    def start(self, timeout: float = 30.0) -> str:
        ssl_ctx = None
        if self.tls:
            from stationmgr.service import tls

            cert = tls.ensure(hosts=(self.listen.host,))
            ssl_ctx, self.fingerprint = cert.server_context(), cert.fingerprint
        self.url = self.engine.submit(self._start(ssl_ctx)).result(timeout)
        log.info("serving OCPP 1.6J charge points on %s/ocpp/<ChargePointId>", self.url)
        if self.fingerprint:
            log.info("OCPP over TLS with the site certificate (SHA-256 %s)", self.fingerprint)
        return self.url

    async def _start(self, ssl_ctx: Any = None) -> str:
        app = web.Application()
        app.router.add_get("/ocpp/{cpid}", self._upgrade)
        app.on_shutdown.append(self._close_sockets)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self.listen.host, self.listen.port, ssl_context=ssl_ctx)
        await site.start()
        self._runner = runner
        self.engine.external_commands[DRIVER] = self.commands
        host, port = runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"{'wss' if ssl_ctx else 'ws'}://{shown}:{port}"

    def stop(self, timeout: float = 15.0) -> None:
        self.upkeep.close()
        runner, self._runner = self._runner, None
        if self.engine.external_commands.get(DRIVER) is self.commands:
            del self.engine.external_commands[DRIVER]
        if runner is not None and self.engine.running:
            try:
                self.engine.submit(runner.cleanup()).result(timeout)
            except Exception:
                log.exception("the OCPP endpoint did not stop cleanly")

    async def _close_sockets(self, _app: web.Application) -> None:
        for ws in list(self.sockets.values()):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"the site service stops")

    def _refuse_once(self, cpid: str, why: str, text: str) -> None:
        if (cpid, why) not in self._refused:
            if len(self._refused) >= 1000:  # a peer trying many ids: forget, log again
                self._refused.clear()
            self._refused.add((cpid[:60], why))
            log.warning("charge point %s refused: %s", cpid, text)

    def _site_of(self, cpid: str) -> ChargePointSite | None:
        for row in list(self.engine.external_chargers.values()):
            if (row.settings or {}).get("charge_point_id") == cpid:
                bays = {
                    i.connector: i.bay_id
                    for i in list(self.engine.bay_info.values())
                    if i.charger_id == row.id
                }
                return ChargePointSite(row.id, row.name, cpid, bays)
        return None

    async def _password(self, cpid: str) -> str | None:
        from stationmgr.access.secrets import store

        secrets = self.secrets or store()
        return await asyncio.get_running_loop().run_in_executor(
            None, secrets.get, SECRET_PREFIX + cpid
        )

    async def _upgrade(self, request: web.Request) -> web.StreamResponse:
        cpid = request.match_info["cpid"]
        site = self._site_of(cpid)
        if site is None and (not await self.pending.allowed() or await self.pending.refused(cpid)):
            shown = re.sub(r"[^\x21-\x7e]", "?", cpid)[:60]  # a peer's text: one clean line
            self._refuse_once(shown, "unknown", "not a registered OCPP charger (HTTP 404)")
            raise web.HTTPNotFound(text="unknown charge point\n")
        password = await self._password(cpid)
        if password is not None:
            given = basic_credentials(request.headers.get("Authorization"))
            ok = (
                given is not None
                and hmac.compare_digest(given[0].encode(), cpid.encode())
                and hmac.compare_digest(given[1].encode(), password.encode())
            )
            if not ok:
                why = "no credentials" if given is None else "wrong credentials"
                log.warning("charge point %s refused: %s (HTTP 401)", cpid, why)
                raise web.HTTPUnauthorized(
                    headers={"WWW-Authenticate": 'Basic realm="stationmgr OCPP"'}
                )
        offered = [
            p.strip()
            for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        if SUBPROTOCOL not in offered:
            self._refuse_once(
                cpid, "subprotocol", f"no {SUBPROTOCOL} subprotocol offered (HTTP 400)"
            )
            raise web.HTTPBadRequest(text=f"the {SUBPROTOCOL} subprotocol is required\n")
        ws = web.WebSocketResponse(protocols=(SUBPROTOCOL,), heartbeat=None)
        await ws.prepare(request)
        old = self.sockets.get(cpid)
        if old is not None:
            log.info("charge point %s connected again; closing its older connection", cpid)
            await old.close(code=WSCloseCode.POLICY_VIOLATION, message=b"replaced")
        self.sockets[cpid] = ws
        self._refused = {r for r in self._refused if r[0] != cpid}
        rpc = Rpc(ws, cpid, {})
        cores: list[CoreHandlers] = []
        links: list[Any] = []
        self.rpcs[cpid] = rpc

        async def accept(registered: ChargePointSite) -> CoreHandlers:
            rpc.trace = self.messages.tracer(registered.charger_id)
            core = CoreHandlers(self.engine, registered, self.ids, rpc)
            rpc.handlers = core.table()
            links.append(self.upkeep.connected(registered, rpc))
            cores.append(core)
            await core.connected(True)
            return core

        log.info("charge point %s connected (%s)", cpid, request.remote)
        try:
            if site is not None:
                await accept(site)
            else:
                self.pending.waiting[cpid] = rpc
                rpc.handlers = PendingHandlers(
                    self.engine, cpid, self.pending, lambda: self._site_of(cpid), accept,
                    request.remote,
                ).table()  # fmt: skip
            await rpc.serve()
        finally:
            if self.pending.waiting.get(cpid) is rpc:
                del self.pending.waiting[cpid]
            for link in links:
                await self.upkeep.disconnected(link)
            if self.sockets.get(cpid) is ws:
                del self.sockets[cpid]
                self.rpcs.pop(cpid, None)
                try:
                    if cores:
                        await cores[-1].connected(False)
                except Exception:
                    log.debug("marking %s offline", cpid, exc_info=True)
            log.info("charge point %s disconnected", cpid)
        return ws
