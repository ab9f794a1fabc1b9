"""`RemoteClient`: the site's calls made on a site service, over HTTP/JSON and a WebSocket,
with aiohttp's client — the same asyncio stack the service runs. The CLI is synchronous,
so the client runs its own event loop on a daemon thread and every method blocks until its
answer (`_run`); events arrive on that thread and are handed over through an `EventStream`.

TLS: an `https://` site is trusted by its pinned SHA-256 fingerprint only (the site
certificate is self-signed); a different certificate is refused before any byte of the
request, password included, is sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import aiohttp

from stationmgr.client import models as m
from stationmgr.client.admin_remote import RemoteAdmin
from stationmgr.client.errors import ServiceFailed, SiteUnreachable, from_status
from stationmgr.client.events import EventStream
from stationmgr.client.invoices_remote import RemoteInvoices
from stationmgr.client.ocpp_calls import RemoteOcpp as RemotePending
from stationmgr.client.ocpp_remote import RemoteOcpp
from stationmgr.errors import UserError

T = TypeVar("T")
W = TypeVar("W", bound=m.Wire)
DEFAULT_TIMEOUT_S = 60.0


def _params(obj: m.Wire) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in obj.to_json().items():
        if value is None or value is False or value == "":
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


class RemoteClient(RemoteAdmin, RemoteInvoices, RemotePending, RemoteOcpp):
    def __init__(
        self, url: str, fingerprint: str | None = None, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UserError(f"--site wants http://HOST:PORT or https://HOST:PORT, not {url[:80]!r}")
        self.url = f"{parts.scheme}://{parts.netloc}"
        self.ssl: Any = None
        if parts.scheme == "https":
            if not fingerprint:
                raise UserError(
                    f"{self.url} uses TLS: give its fingerprint with --site-fingerprint or "
                    "STATIONMGR_SITE_FINGERPRINT (`stationmgr site certificate` on the site)"
                )
            from stationmgr.service.tls import parse_fingerprint

            self.ssl = aiohttp.Fingerprint(parse_fingerprint(fingerprint))
        self.timeout = timeout
        self.token: str | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="stationmgr-client", daemon=True
        )
        self._thread.start()
        self._session: aiohttp.ClientSession | None = None
        self._streams: list[EventStream] = []

    # ------------------------------------------------------------ plumbing

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(ssl=self.ssl if self.ssl is not None else True),
            )
        return self._session

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _unreachable(self, e: BaseException) -> SiteUnreachable:
        if isinstance(e, aiohttp.ServerFingerprintMismatch):
            return SiteUnreachable(
                f"{self.url}: the site's certificate does not match the fingerprint given "
                "(not the site you pinned, or its certificate was replaced)"
            )
        reason = str(e) or type(e).__name__
        if isinstance(e, TimeoutError | asyncio.TimeoutError):
            reason = f"no answer within {self.timeout:g} s"
        elif isinstance(e, aiohttp.ClientConnectorError):
            reason = e.os_error.strerror or str(e.os_error) if e.os_error else reason
        return SiteUnreachable(f"cannot reach the site service at {self.url}: {reason}")

    async def _request(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> tuple[int, bytes, str]:
        try:
            async with self._http().request(
                method,
                f"{self.url}{m.API_PREFIX}{path}",
                json=body,
                params=params,
                headers=self._headers(),
            ) as resp:
                return resp.status, await resp.read(), resp.content_type
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            raise self._unreachable(e) from None

    def _call(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        """The JSON answer, or the core error the status stands for."""
        status, data, kind = self._run(self._request(method, path, body, params))
        return self._decode(status, data, kind)

    def _decode(self, status: int, data: bytes, kind: str) -> Any:
        if status >= 400:
            try:
                err = m.ErrorBody.from_json(json.loads(data))
            except (ValueError, UserError):
                raise ServiceFailed(f"{self.url} answered HTTP {status}") from None
            raise from_status(status, err.error, err.message)
        if kind != "application/json":
            return data
        return json.loads(data) if data else None

    def _items(self, cls: type[W], answer: Any) -> list[W]:
        return [cls.from_json(x) for x in answer["items"]]

    # ------------------------------------------------------------ sign-in

    def site_info(self) -> m.SiteInfo:
        return m.SiteInfo.from_json(self._call("GET", "/site"))

    def login(self, username: str, password: str) -> m.Operator:
        answer = self._call("POST", "/login", {"username": username, "password": password})
        token = m.Token.from_json(answer)
        self.token = token.token
        return token.operator

    def logout(self) -> None:
        if self.token:
            try:
                self._call("POST", "/logout")
            finally:
                self.token = None

    def whoami(self) -> m.Operator:
        return m.Operator.from_json(self._call("GET", "/whoami"))

    # ------------------------------------------------------------ bays

    def bays(self) -> list[m.Bay]:
        return self._items(m.Bay, self._call("GET", "/bays"))

    def remote_start(self, bay_id: int, reason: str, card: str | None = None) -> m.Bay:
        body = m.RemoteStartRequest(reason, card).to_json()
        answer = self._call("POST", f"/bays/{int(bay_id)}/remote-start", body)
        return m.Bay.from_json(answer)

    def remote_stop(self, bay_id: int, detail: str | None = None) -> m.Bay:
        answer = self._call("POST", f"/bays/{int(bay_id)}/remote-stop", {"detail": detail})
        return m.Bay.from_json(answer)

    def set_out_of_order(self, bay_id: int, out_of_order: bool) -> m.Bay:
        body = {"out_of_order": out_of_order}
        return m.Bay.from_json(self._call("POST", f"/bays/{int(bay_id)}/out-of-order", body))

    # ------------------------------------------------------------ sessions

    def sessions(self, query: m.SessionQuery) -> list[m.SessionRow]:
        return self._items(m.SessionRow, self._call("GET", "/sessions", params=_params(query)))

    def export_sessions(self, query: m.SessionQuery) -> list[m.SessionRow]:
        answer = self._call("GET", "/sessions/export", params=_params(query))
        return self._items(m.SessionRow, answer)

    def session(self, session_id: int) -> m.SessionDetail:
        return m.SessionDetail.from_json(self._call("GET", f"/sessions/{int(session_id)}"))

    # ------------------------------------------------------------ cards

    def cards(self, search: str | None = None) -> list[m.Card]:
        params = {"search": search} if search else None
        return self._items(m.Card, self._call("GET", "/cards", params=params))

    def add_card(self, card: m.NewCard) -> m.Card:
        return m.Card.from_json(self._call("POST", "/cards", card.to_json()))

    def set_blocked(self, uid: str, blocked: bool) -> m.Card:
        path = f"/cards/{quote(uid, safe='')}/block"
        return m.Card.from_json(self._call("POST", path, {"blocked": blocked}))

    # ------------------------------------------------------------ chargers and readers

    def chargers(self) -> list[m.ChargerConfig]:
        return self._items(m.ChargerConfig, self._call("GET", "/chargers"))

    def add_charger(self, ch: m.ChargerConfig) -> m.ChargerConfig:
        return m.ChargerConfig.from_json(self._call("POST", "/chargers", ch.to_json()))

    def remove_charger(self, name: str) -> m.Removed:
        return m.Removed.from_json(self._call("DELETE", f"/chargers/{quote(name, safe='')}"))

    def readers(self) -> list[m.ReaderConfig]:
        return self._items(m.ReaderConfig, self._call("GET", "/readers"))

    def add_reader(self, r: m.ReaderConfig) -> m.ReaderConfig:
        return m.ReaderConfig.from_json(self._call("POST", "/readers", r.to_json()))

    def remove_reader(self, name: str) -> m.Removed:
        return m.Removed.from_json(self._call("DELETE", f"/readers/{quote(name, safe='')}"))

    # ------------------------------------------------------------ audit and billing

    def audit(self, query: m.AuditQuery) -> list[m.AuditRow]:
        return self._items(m.AuditRow, self._call("GET", "/audit", params=_params(query)))

    def export_audit(self, query: m.AuditQuery) -> str:
        data = self._call("GET", "/audit/export", params=_params(query))
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def export_billing(self, month: str, fmt: str = "sie") -> bytes:
        data = self._call("POST", "/billing/export", {"month": month, "format": fmt})
        return data if isinstance(data, bytes) else json.dumps(data).encode()

    # ------------------------------------------------------------ alerts

    def alerts(self, query: m.AlertQuery) -> list[m.AlertRow]:
        return self._items(m.AlertRow, self._call("GET", "/alerts", params=_params(query)))

    def acknowledge_alert(self, ref: str, note: str | None = None) -> m.AlertRow:
        path = f"/alerts/{quote(str(ref), safe='')}/acknowledge"
        return m.AlertRow.from_json(self._call("POST", path, {"note": note}))

    # ------------------------------------------------------------ live events

    def events(self, on_event: Callable[[m.Event], None] | None = None) -> EventStream:
        """Connect to `/api/v1/events`; returns once signed in there (the `hello` came)."""
        stream = EventStream(on_event)
        ready: asyncio.Future[None] = self._loop.create_future()
        task = asyncio.run_coroutine_threadsafe(self._listen(stream, ready), self._loop)

        async def wait_ready() -> None:
            async with asyncio.timeout(self.timeout):
                await asyncio.shield(ready)

        try:
            self._run(wait_ready())
        except BaseException:
            task.cancel()
            raise
        stream._close = lambda: self._loop.call_soon_threadsafe(task.cancel)
        self._streams.append(stream)
        return stream

    async def _listen(self, stream: EventStream, ready: asyncio.Future[None]) -> None:
        url = f"{self.url}{m.API_PREFIX}/events"
        try:
            async with self._http().ws_connect(url, headers=self._headers(), heartbeat=30) as ws:
                async for msg in ws:
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        break
                    ev = m.Event.from_json(json.loads(msg.data))
                    if ev.type == "error" and not ready.done():
                        message = str(ev.data.get("message", "refused"))
                        ready.set_exception(from_status(403, "forbidden", message))
                        return
                    if ev.type == "hello" and not ready.done():
                        ready.set_result(None)
                        continue
                    stream.push(ev)
                reason = f"closed by the site (code {ws.close_code})"
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            if not ready.done():
                ready.set_exception(self._unreachable(e))
                return
            reason = str(self._unreachable(e))
        if not ready.done():
            ready.set_exception(SiteUnreachable(f"{self.url}: the event stream {reason}"))
        stream.push(m.Event("closed", {"reason": reason}))

    # ---------------------------------------------------------------- pages

    def session_totals(self, query: m.SessionQuery) -> m.SessionTotals:
        return m.SessionTotals.from_json(
            self._call("GET", "/history/totals", params=_params(query))
        )

    def bay_labels(self) -> list[m.BayLabel]:
        return self._items(m.BayLabel, self._call("GET", "/history/bays"))

    def export_sessions_csv(self, query: m.SessionQuery) -> str:
        data = self._call("GET", "/history/export", params=_params(query))
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def rotation(self, limit: int = 3) -> m.Rotation:
        answer = self._call("GET", "/reports/rotation", params={"limit": str(int(limit))})
        return m.Rotation.from_json(answer)

    def capacity(self, query: m.CapacityQuery) -> m.CapacityReport:
        answer = self._call("GET", "/reports/capacity", params=_params(query))
        return m.CapacityReport.from_json(answer)

    def capacity_pdf(self, query: m.CapacityQuery) -> bytes:
        data = self._call("POST", "/reports/capacity/pdf", query.to_json())
        if not isinstance(data, bytes):
            raise UserError("the site did not answer with a PDF")
        return data

    def devices(self) -> m.DeviceRows:
        return m.DeviceRows.from_json(self._call("GET", "/devices"))

    def charger(self, name: str) -> m.ChargerConfig:
        return m.ChargerConfig.from_json(self._call("GET", f"/chargers/{quote(name, safe='')}"))

    def reader(self, name: str) -> m.ReaderConfig:
        return m.ReaderConfig.from_json(self._call("GET", f"/readers/{quote(name, safe='')}"))

    def edit_charger(self, name: str, ch: m.ChargerConfig) -> m.ChargerConfig:
        path = f"/chargers/{quote(name, safe='')}"
        return m.ChargerConfig.from_json(self._call("PUT", path, ch.to_json()))

    def edit_reader(self, name: str, r: m.ReaderConfig) -> m.ReaderConfig:
        path = f"/readers/{quote(name, safe='')}"
        return m.ReaderConfig.from_json(self._call("PUT", path, r.to_json()))

    # ------------------------------------------------------------ the end

    def close(self) -> None:
        for stream in self._streams:
            stream.close()
        if self._session is not None:
            self._run(self._session.close())
            self._session = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> RemoteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- board

    def bay_day(self, bay_id: int, since: str) -> m.BayDay:
        answer = self._call("GET", f"/bays/{int(bay_id)}/day", params={"since": since})
        return m.BayDay.from_json(answer)

    def site_power(self, since: str) -> m.SitePower:
        return m.SitePower.from_json(self._call("GET", "/site/power", params={"since": since}))

    def faults(self, query: m.FaultQuery) -> list[m.FaultRow]:
        return self._items(m.FaultRow, self._call("GET", "/faults", params=_params(query)))

    def acknowledge_faults(self, req: m.FaultAcknowledge) -> m.FaultsAcknowledged:
        answer = self._call("POST", "/faults/acknowledge", req.to_json())
        return m.FaultsAcknowledged.from_json(answer)

    # ---------------------------------------------------------------- accounts

    def _text(self, data: Any) -> str:
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def card_rows(self, search: str | None = None) -> list[m.CardListRow]:
        params = {"search": search} if search else None
        return self._items(m.CardListRow, self._call("GET", "/cards/rows", params=params))

    def card_choices(self) -> m.CardChoices:
        return m.CardChoices.from_json(self._call("GET", "/cards/choices"))

    def card_form(self, card_id: int) -> m.CardForm:
        return m.CardForm.from_json(self._call("GET", f"/cards/forms/{int(card_id)}"))

    def known_cards(self, text: str, except_id: int | None = None) -> list[m.KnownCard]:
        params = {"text": text}
        if except_id is not None:
            params["except_id"] = str(int(except_id))
        return self._items(m.KnownCard, self._call("GET", "/cards/known", params=params))

    def save_card(self, card: m.CardSave) -> m.SavedCard:
        return m.SavedCard.from_json(self._call("POST", "/cards/save", card.to_json()))

    def export_cards(self) -> str:
        return self._text(self._call("GET", "/cards/export"))

    def check_card_import(self, text: str) -> m.ImportPreview:
        answer = self._call("POST", "/cards/import/check", {"text": text})
        return m.ImportPreview.from_json(answer)

    def import_cards(self, text: str) -> m.Imported:
        return m.Imported.from_json(self._call("POST", "/cards/import", {"text": text}))

    def tariffs(self) -> m.Tariffs:
        return m.Tariffs.from_json(self._call("GET", "/tariffs"))

    def add_tariff(self, t: m.NewTariff) -> m.TariffAdded:
        return m.TariffAdded.from_json(self._call("POST", "/tariffs", t.to_json()))

    def statement_scopes(self) -> list[m.StatementScope]:
        return self._items(m.StatementScope, self._call("GET", "/billing/scopes"))

    def statement(self, req: m.StatementRequest) -> m.StatementPreview:
        answer = self._call("POST", "/billing/statement", req.to_json())
        return m.StatementPreview.from_json(answer)

    def receipt(self, req: m.ReceiptRequest) -> m.ReceiptFile:
        return m.ReceiptFile.from_json(self._call("POST", "/billing/receipt", req.to_json()))

    def audit_entries(self, query: m.AuditQuery) -> list[m.AuditEntry]:
        answer = self._call("GET", "/audit/entries", params=_params(query))
        return self._items(m.AuditEntry, answer)

    def check_audit_chain(self) -> m.ChainResult:
        return m.ChainResult.from_json(self._call("GET", "/audit/chain"))

    def operators(self) -> list[m.OperatorRow]:
        return self._items(m.OperatorRow, self._call("GET", "/operators"))

    def add_operator(self, op: m.NewOperator) -> m.OperatorChanged:
        return m.OperatorChanged.from_json(self._call("POST", "/operators", op.to_json()))

    def _operator_call(self, username: str, what: str, body: dict[str, Any]) -> m.OperatorChanged:
        path = f"/operators/{quote(username, safe='')}/{what}"
        return m.OperatorChanged.from_json(self._call("POST", path, body))

    def reset_operator_password(self, username: str, password: str) -> m.OperatorChanged:
        return self._operator_call(username, "password", {"password": password})

    def set_operator_role(self, username: str, role: str) -> m.OperatorChanged:
        return self._operator_call(username, "role", {"role": role})

    def set_operator_active(self, username: str, active: bool) -> m.OperatorChanged:
        return self._operator_call(username, "active", {"active": active})

    # ---------------------------------------------------------------- cli accounts

    def card(self, uid: str) -> m.Card:
        return m.Card.from_json(self._call("GET", "/cards/one", params={"uid": uid}))

    def change_password(self, change: m.PasswordChange) -> m.OperatorChanged:
        answer = self._call("POST", "/me/password", change.to_json())
        return m.OperatorChanged.from_json(answer)

    def login_policy(self) -> m.LoginPolicy:
        return m.LoginPolicy.from_json(self._call("GET", "/login-policy"))

    def set_login_policy(self, change: m.PolicyChange) -> m.LoginPolicy:
        return m.LoginPolicy.from_json(self._call("POST", "/login-policy", change.to_json()))

    def budgets(self) -> list[m.BudgetRow]:
        return self._items(m.BudgetRow, self._call("GET", "/budgets"))

    def add_budget(self, b: m.NewBudget) -> m.BudgetRow:
        return m.BudgetRow.from_json(self._call("POST", "/budgets", b.to_json()))
