"""Month close over the site API against a real service process: the month list with each
month's state, the status codes of a close that is refused (403 for a role that may not,
409 out of order or closed already, 400 for a month not ended or malformed), and the stored
export of a closed month handed out byte-identical again."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from stationmgr.access.context import acting
from stationmgr.access.roles import Role
from stationmgr.store.db import open_database
from tests.access_site import PASSWORDS, USERS, add_staff
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.helpers.service import service
from tests.test_service import Site, env_for

pytestmark = pytest.mark.timeout(300)
DAY = 86400


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("service-months")
    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    db = open_database(url, create=True)
    try:
        staff = add_staff(db)
        with acting(staff[Role.OWNER]):
            build_billing_site(db, bays=2)
            p = persister()
            finish_session(db, p, 1, T0, 60, 10)  # March 2026
            finish_session(db, p, 2, T0 + 31 * DAY, 60, 12)  # April 2026
    finally:
        db.dispose()
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp, url, env=owner, name="months") as svc:
        yield Site(tmp, url, svc)


def _call(site: Site, role: Role, method: str, path: str, body: object = None) -> tuple[int, bytes]:
    client = site.remote(role)
    try:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{site.svc.url}/api/v1{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
    finally:
        client.close()


def _json(raw: bytes) -> dict:  # type: ignore[type-arg]
    return json.loads(raw)  # type: ignore[no-any-return]


def test_month_close_over_the_api_answers_with_the_right_status(site: Site) -> None:
    status, raw = _call(site, Role.ACCOUNTANT, "GET", "/months/states")
    assert status == 200
    states = {x["month"]: x for x in _json(raw)["items"]}
    assert states["2026-03"]["state"] == "open" and states["2026-03"]["closable"]
    assert states["2026-03"]["entries"] == 1 and states["2026-03"]["closed"] is None
    assert not states["2026-04"]["closable"]
    assert "close 2026-03 first" in states["2026-04"]["why_not"]

    status, raw = _call(site, Role.ATTENDANT, "POST", "/months/close", {"month": "2026-03"})
    assert status == 403 and _json(raw)["error"] == "forbidden"
    assert "may not close a month" in _json(raw)["message"]
    status, raw = _call(site, Role.ACCOUNTANT, "POST", "/months/close", {"month": "2026-04"})
    assert status == 409 and "close 2026-03 first" in _json(raw)["message"]
    status, raw = _call(site, Role.ACCOUNTANT, "POST", "/months/close", {"month": "2026-3"})
    assert status == 400
    status, raw = _call(site, Role.ACCOUNTANT, "POST", "/months/close", {"month": "2999-01"})
    assert status == 400 and "has not ended yet" in _json(raw)["message"]

    status, raw = _call(site, Role.ACCOUNTANT, "POST", "/months/close", {"month": "2026-03"})
    assert status == 200, raw
    closed = _json(raw)
    assert closed["closed_by"] == USERS[Role.ACCOUNTANT] and closed["entries"] == 1
    status, raw = _call(site, Role.OWNER, "POST", "/months/close", {"month": "2026-03"})
    assert status == 409 and "already closed" in _json(raw)["message"]

    status, raw = _call(site, Role.ACCOUNTANT, "GET", "/months/states")
    states = {x["month"]: x for x in _json(raw)["items"]}
    march = states["2026-03"]
    assert march["state"] == "closed" and not march["closable"]
    assert march["closed"]["closed_by"] == USERS[Role.ACCOUNTANT]
    assert march["closed"]["head_code"] == closed["head_code"]
    assert states["2026-04"]["closable"] and states["2026-04"]["why_not"] == ""
    status, _raw = _call(site, Role.ATTENDANT, "GET", "/months/states")
    assert status == 403


def test_a_closed_months_export_is_the_stored_bytes_every_time(site: Site) -> None:
    import hashlib

    states = _json(_call(site, Role.ACCOUNTANT, "GET", "/months/states")[1])["items"]
    march = next(x for x in states if x["month"] == "2026-03")
    if march["state"] != "closed":
        status, raw = _call(site, Role.ACCOUNTANT, "POST", "/months/close", {"month": "2026-03"})
        assert status == 200, raw
        march = next(
            x
            for x in _json(_call(site, Role.ACCOUNTANT, "GET", "/months/states")[1])["items"]
            if x["month"] == "2026-03"
        )
    for fmt, digest in (("sie", "sie_sha256"), ("csv", "csv_sha256")):
        first = _call(
            site, Role.ACCOUNTANT, "POST", "/billing/export", {"month": "2026-03", "format": fmt}
        )
        again = _call(
            site, Role.OWNER, "POST", "/billing/export", {"month": "2026-03", "format": fmt}
        )
        assert first[0] == again[0] == 200
        assert first[1] == again[1]
        assert hashlib.sha256(first[1]).hexdigest() == march["closed"][digest]
