"""The aiohttp application: routes, error answers, request limits, and who is calling.

Every error is JSON `{"error": word, "message": one line}` with the status from
`client.errors.STATUSES` (401 sign-in, 403 refused, 400 bad input, 404, 409, 413, 415,
503 busy); anything unexpected is 500 with no detail (the traceback goes to the log).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import typing
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiohttp import web

from stationmgr import validate
from stationmgr.access.context import Actor, acting, protected
from stationmgr.client import models as m
from stationmgr.client.errors import NotJSON, SignInNeeded, TooLarge, classify
from stationmgr.client.local import LocalClient
from stationmgr.errors import UserError
from stationmgr.service.changes import notify
from stationmgr.service.throttle import LoginThrottle
from stationmgr.service.tokens import TokenStore
from stationmgr.store.db import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
W = TypeVar("W", bound=m.Wire)

MAX_PAGE = 10_000  # rows per answer; page on with offset
MAX_BODY = 64 * 1024  # bytes; a card, a charger or a filter is far smaller
SERVICE_KEY: web.AppKey[Service] = web.AppKey("stationmgr_service")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Service:
    """What every handler needs: the database, the engine, the tokens and the pool that
    runs blocking calls off the engine's loop."""

    def __init__(self, db: Database, engine: Any, tokens: TokenStore, workers: int = 8) -> None:
        self.db = db
        self.engine = engine
        self.tokens = tokens
        self.throttle = LoginThrottle()
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="stationmgr-api")
        self.hub: Any = None  # the EventHub, set by the server on the loop
        self.sockets: set[web.WebSocketResponse] = set()  # open event streams

    def client(self, actor: Actor | None) -> LocalClient:
        return LocalClient(self.db, self.engine, actor, on_change=self._changed)

    def _changed(self, kinds: frozenset[str]) -> None:
        notify(self.engine, kinds)

    async def blocking(self, fn: Callable[[], T], actor: Actor | None = None) -> T:
        """Run `fn` in the pool as `actor` (database calls never run on the loop)."""

        def run() -> T:
            with acting(actor):
                return fn()

        return await asyncio.get_running_loop().run_in_executor(self.pool, run)

    async def call(self, actor: Actor | None, method: str, *args: Any) -> Any:
        """`LocalClient(actor).method(*args)` in the pool: the one path to the core."""
        return await self.blocking(lambda: getattr(self.client(actor), method)(*args), actor)

    async def check(self, actor: Actor | None, action: str) -> None:
        """The core's permission check (re-reads the role; a refusal is audited)."""

        def run() -> None:
            from stationmgr.access.context import require

            with self.db.session() as s:
                require(actor, action, s)

        await self.blocking(run, actor)

    async def protected(self) -> bool:
        def check() -> bool:
            with self.db.session() as s:
                return protected(s)

        return await self.blocking(check)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def service(request: web.Request) -> Service:
    return request.app[SERVICE_KEY]


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def actor_for(request: web.Request, token: str | None = None) -> Actor | None:
    """The calling operator (from the bearer token); None only on a site without
    operators. SignInNeeded (401) when the token is missing, expired or unknown."""
    svc = service(request)
    token = token or bearer(request)
    if token is not None:
        grant = svc.tokens.check(token)
        if grant is None:
            raise SignInNeeded("sign in again: the token has expired or is not valid")
        return grant.actor
    if await svc.protected():
        raise SignInNeeded("sign in first: this site has operators (POST /api/v1/login)")
    return None


# ---------------------------------------------------------------- input


async def body(request: web.Request, cls: type[W]) -> W:
    """The JSON body as `cls` (415 not JSON, 413 too large, 400 malformed or wrong types)."""
    if request.content_type != "application/json":
        raise NotJSON("the body must be JSON (Content-Type: application/json)")
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise TooLarge(f"the body is larger than {MAX_BODY // 1024} KiB")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise TooLarge(f"the body is larger than {MAX_BODY // 1024} KiB") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"the body is not valid JSON: {str(e)[:80]}") from None
    return cls.from_json(data)


def query(request: web.Request, cls: type[W]) -> W:
    """Query parameters as `cls`: text as is, numbers and true/false parsed strictly."""
    hints = typing.get_type_hints(cls)
    data: dict[str, Any] = {}
    for key, text in request.query.items():
        hint = hints.get(key)
        if hint is None:
            raise UserError(f"unknown query parameter {key[:40]!r}")
        if hint is bool:
            data[key] = validate.parse_bool(text, key)
        elif hint is int:
            data[key] = validate.parse_int(text, key)
        else:
            data[key] = text
    if data.get("limit", 0) > MAX_PAGE:
        raise UserError(f"limit: at most {MAX_PAGE} rows per page (use offset for more)")
    return cls.from_json(data)


def path_int(request: web.Request, name: str, what: str) -> int:
    return validate.parse_id(request.match_info[name], what)


# ---------------------------------------------------------------- output


def ok(obj: Any, status: int = 200) -> web.Response:
    if isinstance(obj, m.Wire):
        obj = obj.to_json()
    elif isinstance(obj, list):
        obj = {"items": [o.to_json() if isinstance(o, m.Wire) else o for o in obj]}
    return web.json_response(
        obj, status=status, dumps=functools.partial(json.dumps, ensure_ascii=False)
    )


def error(status: int, word: str, message: str) -> web.Response:
    text = validate.printable(message.splitlines()[0] if message else word)[:500]
    return ok(m.ErrorBody(word, text), status)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        if e.status == 413:
            return error(413, "too_large", f"the body is larger than {MAX_BODY // 1024} KiB")
        word = {404: "not_found", 405: "method_not_allowed"}.get(e.status, "http")
        return error(e.status, word, f"{e.reason or 'error'}: {request.method} {request.path}")
    except Exception as e:
        status, word = classify(e)
        if status == 500:
            log.exception("%s %s failed", request.method, request.path)
            return error(500, "internal", "internal error in the site service (see its log)")
        if status in (401, 403, 429):
            log.info("%s %s: %s", request.method, request.path, e)
        answer = error(status, word, str(e))
        retry = getattr(e, "retry_after_s", None)
        if retry:
            answer.headers["Retry-After"] = str(retry)
        return answer


def build_app(svc: Service) -> web.Application:
    from stationmgr.service import handlers, websocket
    from stationmgr.service.admin_routes import add_admin_routes
    from stationmgr.service.ocpp_routes import add_ocpp_routes

    app = web.Application(middlewares=[errors], client_max_size=MAX_BODY)
    app[SERVICE_KEY] = svc
    handlers.add_routes(app)
    add_admin_routes(app)
    from stationmgr.service.invoice_routes import add_invoice_routes

    add_invoice_routes(app)
    add_ocpp_routes(app)
    app.router.add_get(f"{m.API_PREFIX}/events", websocket.events)
    return app
