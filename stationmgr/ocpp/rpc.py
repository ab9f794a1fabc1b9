"""OCPP-J frames on one aiohttp WebSocket: calls in, answers and CallErrors out.

We handle the frames ourselves, with the `ocpp` package's parser (`unpack`), its 1.6 JSON
schemas (`validate_payload`) and its message dataclasses, rather than run its
`ChargePoint.start()` loop over an adapted socket, because that loop logs a malformed frame
with a traceback and answers nothing, and answers a handler's exception with a traceback
too: a charger that sends bad frames must get the right CallError (FormationViolation,
NotImplemented, PropertyConstraintViolation …), cost one log line, and keep its connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import is_dataclass
from typing import Any

from aiohttp import WSMsgType, web
from ocpp.charge_point import remove_nones, serialize_as_dict
from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.exceptions import OCPPError
from ocpp.messages import Call, CallError, CallResult, unpack, validate_payload

log = logging.getLogger(__name__)

VERSION = "1.6"
# The `ocpp` package names some errors by their OCPP 2.0 spelling; a 1.6 charger expects
# its own standard's words.
_CODES_16 = {
    "FormatViolation": "FormationViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
}
CALL_TIMEOUT_S = 30.0

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


def _code(e: OCPPError) -> str:
    return _CODES_16.get(e.code, e.code)


def _unique_id(text: str) -> str:
    """The unique id of a frame we could not take apart, when one can be read."""
    try:
        frame = json.loads(text)
        if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str):
            return frame[1][:36]
    except (ValueError, TypeError):
        pass
    return "-1"


def to_payload(result: Any) -> dict[str, Any]:
    """A handler's answer (an `ocpp.v16.call_result` dataclass or a dict) as OCPP JSON."""
    from ocpp.charge_point import snake_to_camel_case

    if is_dataclass(result):
        return snake_to_camel_case(remove_nones(serialize_as_dict(result)))
    return dict(result or {})


class Rpc:
    """The calls of one connected charge point, answered in order (OCPP allows one
    outstanding call per direction); `call()` sends our own, one at a time."""

    def __init__(self, ws: web.WebSocketResponse, cpid: str, handlers: dict[str, Handler]):
        self.ws = ws
        self.cpid = cpid
        self.handlers = handlers
        self._after: list[Callable[[], Awaitable[None]]] = []
        self._waiting: dict[str, asyncio.Future[Any]] = {}
        self._call_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.trace: Callable[[str, str], None] | None = None  # (in|out, frame): msglog

    def after(self, fn: Callable[[], Awaitable[None]]) -> None:
        """Run `fn` once the answer being prepared has been sent (e.g. configure after
        BootNotification)."""
        self._after.append(fn)

    async def serve(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type == WSMsgType.TEXT:
                    if self.trace is not None:
                        self.trace("in", msg.data)
                    await self._frame(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    log.warning("charge point %s sent a binary frame; ignored", self.cpid)
        finally:
            for fut in self._waiting.values():
                fut.cancel()
            for t in list(self._tasks):
                t.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _frame(self, text: str) -> None:
        try:
            msg = unpack(text)
        except OCPPError as e:
            log.warning("charge point %s: bad frame (%s): %.120s", self.cpid, _code(e), text)
            await self._send_error(_unique_id(text), _code(e), e.description, {})
            return
        if isinstance(msg, Call):
            await self._call_in(msg)
        elif isinstance(msg, CallResult | CallError):
            fut = self._waiting.pop(msg.unique_id, None)
            if fut is not None and not fut.done():
                fut.set_result(msg)

    async def _call_in(self, msg: Call) -> None:
        handler = self.handlers.get(msg.action)
        try:
            if handler is None:
                raise OcppNotImplemented(details={"cause": f"{msg.action} is not supported"})
            await validate_payload(msg, VERSION)
        except OCPPError as e:
            log.warning(
                "charge point %s: %s refused (%s): %s",
                self.cpid,
                msg.action,
                _code(e),
                (e.details or {}).get("cause", e.description),
            )
            await self._send_error(msg.unique_id, _code(e), e.description, {})
            return
        try:
            result = await handler(msg.payload)
        except Exception as e:
            log.error("charge point %s: %s failed: %r", self.cpid, msg.action, e)
            log.debug("handler traceback", exc_info=True)
            await self._send_error(msg.unique_id, "InternalError", "handling failed", {})
            return
        await self._send(CallResult(msg.unique_id, to_payload(result)).to_json())
        after, self._after = self._after, []
        for fn in after:
            task = asyncio.create_task(self._run_after(fn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run_after(self, fn: Callable[[], Awaitable[None]]) -> None:
        try:
            await fn()
        except Exception as e:
            log.info("charge point %s: follow-up failed: %r", self.cpid, e)

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Our own call to the charge point; its answer's payload. OCPPError for a
        CallError, TimeoutError when it does not answer."""
        async with self._call_lock:
            uid = str(uuid.uuid4())
            fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiting[uid] = fut
            try:
                await self._send(Call(uid, action, payload).to_json())
                async with asyncio.timeout(CALL_TIMEOUT_S):
                    answer = await fut
            finally:
                self._waiting.pop(uid, None)
        if isinstance(answer, CallError):
            raise OCPPError(f"{answer.error_code}: {answer.error_description}")
        return dict(answer.payload or {})

    async def _send_error(self, uid: str, code: str, description: str, details: Any) -> None:
        frame = [4, uid, code, description or "", details if isinstance(details, dict) else {}]
        try:
            text = json.dumps(frame, separators=(",", ":"), default=str)
        except (TypeError, ValueError):
            text = json.dumps([4, uid, code, description or "", {}])
        await self._send(text)

    async def _send(self, text: str) -> None:
        if not self.ws.closed:
            if self.trace is not None:
                self.trace("out", text)
            await self.ws.send_str(text)
