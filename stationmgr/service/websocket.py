"""`GET /api/v1/events`: the live event stream (WebSocket, JSON text messages).

Sign-in: `Authorization: Bearer …` on the upgrade request, or (for clients that cannot set
headers) a first message `{"token": "…"}` within `AUTH_TIMEOUT_S`. The operator needs
`bays.view`. The server then sends `hello`, one `bay` snapshot per bay (the current state),
and from then on every event as it happens (see docs/api.md and `service.events`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref

from aiohttp import WSCloseCode, WSMsgType, web

from stationmgr.client import models as m
from stationmgr.client.errors import SignInNeeded
from stationmgr.errors import StationError
from stationmgr.service.app import Service, actor_for, bearer, service
from stationmgr.service.events import ClientQueue

log = logging.getLogger(__name__)
AUTH_TIMEOUT_S = 10.0
RECHECK_S = 30.0  # a disabled operator, a changed role or a signed-out token ends the stream


async def _first_token(ws: web.WebSocketResponse) -> str | None:
    try:
        async with asyncio.timeout(AUTH_TIMEOUT_S):
            msg = await ws.receive()
    except TimeoutError:
        return None
    if msg.type != WSMsgType.TEXT:
        return None
    try:
        data = json.loads(msg.data)
    except json.JSONDecodeError:
        return None
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


# One writer at a time per socket: the event sender and the periodic re-check both write,
# and two frames written at once (a compressed one awaits mid-frame) corrupt the stream;
# the client then sees a protocol error (1002) instead of the re-check's `error` message.
_writing: weakref.WeakKeyDictionary[web.WebSocketResponse, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _lock(ws: web.WebSocketResponse) -> asyncio.Lock:
    lock = _writing.get(ws)
    if lock is None:
        lock = _writing[ws] = asyncio.Lock()
    return lock


async def _send(ws: web.WebSocketResponse, ev: m.Event) -> None:
    async with _lock(ws):
        await ws.send_str(json.dumps(ev.to_json(), ensure_ascii=False))


async def _close(ws: web.WebSocketResponse, code: int, message: bytes) -> None:
    async with _lock(ws):
        await ws.close(code=code, message=message)


async def _refuse(ws: web.WebSocketResponse, e: StationError, who: str) -> None:
    """One `error` message with the reason, then the close. A client that is already
    leaving (it closed the socket or dropped the connection while the service waited for
    its token) gets only the close: writing to a closing socket would fail."""
    reason = str(e)
    told = False
    if not ws.closed:
        try:
            await _send(ws, m.Event("error", {"message": reason}))
            told = True
        except ConnectionResetError:  # the client went away meanwhile
            pass
    await _close(ws, WSCloseCode.POLICY_VIOLATION, reason[:120].encode())
    log.info("events stream of %s ended%s: %s", who, "" if told else " (it had left)", reason)


async def events(request: web.Request) -> web.WebSocketResponse:
    svc = service(request)
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=64 * 1024)
    await ws.prepare(request)
    svc.sockets.add(ws)
    try:
        return await _serve(request, svc, ws)
    except Exception:  # after the upgrade no HTTP error answer can be sent: close instead
        log.exception("events stream failed")
        await _close(ws, WSCloseCode.INTERNAL_ERROR, b"internal error in the site service")
        return ws
    finally:
        svc.sockets.discard(ws)


async def _serve(
    request: web.Request, svc: Service, ws: web.WebSocketResponse
) -> web.WebSocketResponse:
    who = request.remote or "?"
    try:
        # A site without operators needs no token: do not wait for one it would not check.
        asks = not request.headers.get("Authorization") and await svc.protected()
        token = await _first_token(ws) if asks else None
        token = token or bearer(request)
        actor = await actor_for(request, token)
        operator = await svc.blocking(lambda: svc.client(actor).whoami(), actor)
        await svc.call(actor, "bays")  # checks bays.view (a refusal is audited)
    except StationError as e:
        await _refuse(ws, e, who)
        return ws
    queue = ClientQueue(f"{operator.username or 'anonymous'}@{who}")
    hub = svc.hub
    await _send(ws, m.Event("hello", {"api": m.API_VERSION, "operator": operator.to_json()}))
    hub.clients.add(queue)
    writer = asyncio.create_task(_writer(ws, queue), name=f"ws-writer {queue.name}")
    guard = asyncio.create_task(
        _recheck(ws, svc, actor, token, queue.name), name=f"ws-guard {queue.name}"
    )
    try:
        try:
            bays = await svc.call(actor, "bays")
        except StationError as e:  # disabled or signed out just after the hello
            await _refuse(ws, e, queue.name)
            return ws
        for bay in bays:
            queue.put(m.Event("bay", bay.to_json()))
        async for msg in ws:  # nothing to read but pings and the close
            if msg.type == WSMsgType.ERROR:
                break
    finally:
        hub.clients.discard(queue)
        for task in (writer, guard):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    return ws


async def _writer(ws: web.WebSocketResponse, queue: ClientQueue) -> None:
    while not ws.closed:
        await queue.wake.wait()
        if queue.overflowed:
            log.warning(
                "events client %s cannot keep up (%d events unsent): disconnected",
                queue.name,
                queue.max_pending,
            )
            await _close(ws, WSCloseCode.POLICY_VIOLATION, b"too slow: reconnect")
            return
        for ev in queue.take():
            await _send(ws, ev)


async def _recheck(
    ws: web.WebSocketResponse, svc: Service, actor: object, token: str | None, who: str = "?"
) -> None:
    """Every RECHECK_S: the token still valid (renewed: a live board is in use) and the
    operator still allowed `bays.view`; else one `error` message and the close."""
    while not ws.closed:
        await asyncio.sleep(RECHECK_S)
        try:
            if token is not None and svc.tokens.check(token) is None:
                raise SignInNeeded("signed out or expired: sign in again")
            await svc.check(actor, "bays.view")  # type: ignore[arg-type]
        except StationError as e:
            await _refuse(ws, e, who)
            return
