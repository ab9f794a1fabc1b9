"""The signed-in operator's own account and a refused event stream, on a real site service
process (`stationmgr run --listen` on loopback): one's own password changed through the
remote client (checked, audited, the token kept), and a WebSocket opened without a token
answered with one `error` message, or only closed when the client already left — without a
traceback in the service's log either way."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import aiohttp
import pytest
from sqlalchemy import select

from stationmgr.access import audit
from stationmgr.access.operators import LoginFailed
from stationmgr.access.roles import Role
from stationmgr.client import models as m
from stationmgr.client.remote import RemoteClient
from stationmgr.errors import UserError
from stationmgr.store.db import open_database
from stationmgr.store.models import AuditEntry
from tests.access_site import PASSWORDS, USERS, add_staff
from tests.helpers.service import RunningService, env_for, service
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, RunningService]]:
    tmp = tmp_path_factory.mktemp("session")
    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    db = open_database(url, create=True)
    try:
        add_staff(db)
    finally:
        db.dispose()
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp, url, env=owner) as svc:
        yield url, svc


def _audit(db_url: str, action: str) -> list[tuple[str | None, str]]:
    db = open_database(db_url, upgrade=False)
    try:
        with db.session() as s:
            q = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            return [(e.operator, e.outcome) for e in s.scalars(q)]
    finally:
        db.dispose()


def test_an_operator_changes_their_own_password_over_the_api(site) -> None:  # type: ignore[no-untyped-def]
    db_url, svc = site
    client = RemoteClient(svc.url)
    try:
        client.login(USERS[Role.ACCOUNTANT], PASSWORDS[Role.ACCOUNTANT])
        with pytest.raises(LoginFailed, match="current password is wrong"):
            client.change_password(m.PasswordChange("not-the-password", "astrids-new-password"))
        with pytest.raises(UserError, match="at least 10 characters"):
            client.change_password(m.PasswordChange(PASSWORDS[Role.ACCOUNTANT], "short"))
        done = client.change_password(
            m.PasswordChange(PASSWORDS[Role.ACCOUNTANT], "astrids-new-password")
        )
        assert (done.username, done.change) == ("astrid", "password changed")
        assert client.whoami().username == "astrid"  # the token still works
    finally:
        client.close()
    again = RemoteClient(svc.url)
    try:
        with pytest.raises(LoginFailed):
            again.login(USERS[Role.ACCOUNTANT], PASSWORDS[Role.ACCOUNTANT])
        assert again.login(USERS[Role.ACCOUNTANT], "astrids-new-password").role == "accountant"
    finally:
        again.close()
    assert _audit(db_url, "operators.passwd") == [("astrid", audit.FAILED), ("astrid", audit.OK)]
    assert "Traceback" not in svc.log()


def test_a_password_change_needs_a_sign_in(site) -> None:  # type: ignore[no-untyped-def]
    from stationmgr.client.errors import SignInNeeded

    _, svc = site
    client = RemoteClient(svc.url)
    try:
        with pytest.raises(SignInNeeded):
            client.change_password(m.PasswordChange("anything-at-all", "something-else-1"))
    finally:
        client.close()


def test_an_event_stream_without_a_token_is_refused_without_a_traceback(site) -> None:  # type: ignore[no-untyped-def]
    """The client that leaves while the service waits for its token (what a window did
    when it opened its events before signing in, then closed) gets only the close; one
    that sends something other than a token gets one `error` message, then the close."""
    _, svc = site
    url = f"{svc.url}/api/v1/events"

    async def leave_early() -> None:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(url)
            await asyncio.sleep(0.3)
            await ws.close()

    async def not_a_token() -> list[tuple[aiohttp.WSMsgType, str]]:
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            await ws.send_str(json.dumps({"hello": "there"}))
            got = []
            async with asyncio.timeout(30):
                async for msg in ws:
                    got.append((msg.type, msg.data))
            return got

    before = svc.log()
    for _ in range(3):
        asyncio.run(leave_early())
    got = asyncio.run(not_a_token())
    assert len(got) == 1 and got[0][0] == aiohttp.WSMsgType.TEXT
    refused = json.loads(got[0][1])
    assert refused["type"] == "error" and "sign in first" in refused["data"]["message"]

    # Each refusal is one INFO line, written after its close (a failing write would come
    # before it): wait for all four, then look for tracebacks.
    def refusals() -> str:
        return svc.log()[len(before) :]

    wait_until(lambda: refusals().count("events stream of") >= 4, 30, "the four refusals")
    new = refusals()
    assert new.count("(it had left): sign in first") == 3, new
    assert "Traceback" not in new and "events stream failed" not in new, new
