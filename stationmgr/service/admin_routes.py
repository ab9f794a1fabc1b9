"""The site API's administration endpoints (docs/api.md, "Administration"): site settings,
alert thresholds, the database's state and failed records, the counter reconciliation.
Each is one `LocalClient` call as the token's operator (`client.admin_local`)."""

from __future__ import annotations

from aiohttp import web

from stationmgr.client import admin_models as a
from stationmgr.client.models import API_PREFIX as P
from stationmgr.service.app import actor_for, body, ok, path_int, query, service


def add_admin_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(f"{P}/site/settings", site_settings)
    r.add_put(f"{P}/site/settings/{{key}}", set_site_setting)
    r.add_get(f"{P}/alerts/config", alert_settings)
    r.add_post(f"{P}/alerts/config", set_alert_settings)
    r.add_get(f"{P}/database", database_status)
    r.add_get(f"{P}/database/failures", failed_records)
    r.add_get(f"{P}/reconcile", reconcile)
    r.add_post(f"{P}/database/compact", compact)
    r.add_post(f"{P}/verify", verify)
    r.add_post(f"{P}/months/close", close_month)
    r.add_get(f"{P}/months", closed_months)
    r.add_get(f"{P}/months/states", month_states)
    r.add_post(f"{P}/sessions/{{session_id}}/correct", correct_session)


async def site_settings(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "site_settings"))


async def set_site_setting(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, a.SettingValue)
    key = request.match_info["key"]
    return ok(await service(request).call(actor, "set_site_setting", key, req.value))


async def alert_settings(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "alert_settings"))


async def set_alert_settings(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, a.AlertSettingsRequest)
    return ok(await service(request).call(actor, "set_alert_settings", req.values))


async def database_status(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "database_status"))


async def failed_records(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, a.FailureQuery)
    return ok(await service(request).call(actor, "failed_records", q))


async def compact(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, a.CompactRequest)
    return ok(await service(request).call(actor, "compact", req))


async def verify(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    data = await request.json() if request.can_read_body else {}
    anchors = data.get("anchors") if isinstance(data, dict) else None
    if not (isinstance(anchors, list) and all(isinstance(x, str) for x in anchors)):
        anchors = None
    return ok(await service(request).call(actor, "verify", anchors))


async def correct_session(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    sid = path_int(request, "session_id", "session id")
    req = await body(request, a.CorrectionRequest)
    return ok(await service(request).call(actor, "correct_session", sid, req))


async def reconcile(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "reconcile", query(request, a.ReconcileQuery)))


async def close_month(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, a.MonthCloseRequest)
    return ok(await service(request).call(actor, "close_month", req))


async def closed_months(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "closed_months"))


async def month_states(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "month_states"))
