"""The site API's OCPP endpoints (docs/api.md; the charge points themselves connect to
`ocpp.endpoint`, not here): the pending charge points, accepting one (bound to a charger
name and bays) or refusing it, and per charger a maintenance command, the charger's
configuration (read and change) and its message log. Each one: who is calling, what they
sent (strict), then one `LocalClient` call in the thread pool, which checks the role,
talks to the charger on the engine's loop and audits. A charger that is offline, does not
answer or refuses is HTTP 502 (`device`)."""

from __future__ import annotations

from aiohttp import web

from stationmgr.client import models as m
from stationmgr.client import ocpp_models as o
from stationmgr.service.app import actor_for, body, ok, query, service

P = m.API_PREFIX


def add_ocpp_routes(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{P}/chargers/{{name}}/ocpp", command)
    r.add_get(f"{P}/chargers/{{name}}/ocpp/configuration", configuration)
    r.add_post(f"{P}/chargers/{{name}}/ocpp/configuration", change_configuration)
    r.add_get(f"{P}/chargers/{{name}}/ocpp/log", message_log)
    r.add_get(f"{P}/ocpp/pending", pending)
    r.add_post(f"{P}/ocpp/pending/{{cpid}}/accept", accept_pending)
    r.add_post(f"{P}/ocpp/pending/{{cpid}}/refuse", refuse_pending)


async def pending(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "pending_charge_points"))


async def accept_pending(request: web.Request) -> web.Response:
    from stationmgr.client.ocpp_calls import AcceptChargePoint

    actor = await actor_for(request)
    accept = await body(request, AcceptChargePoint)
    cpid = request.match_info["cpid"]
    return ok(await service(request).call(actor, "accept_charge_point", cpid, accept))


async def refuse_pending(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    cpid = request.match_info["cpid"]
    return ok(await service(request).call(actor, "refuse_charge_point", cpid))


async def command(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    cmd = await body(request, o.OcppCommand)
    name = request.match_info["name"]
    return ok(await service(request).call(actor, "ocpp_command", name, cmd))


async def configuration(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, o.OcppConfigQuery)
    keys = [k for k in q.key.split(",") if k.strip()]
    name = request.match_info["name"]
    return ok(await service(request).call(actor, "ocpp_configuration", name, keys))


async def change_configuration(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    change = await body(request, o.OcppConfigChange)
    name = request.match_info["name"]
    return ok(await service(request).call(actor, "change_ocpp_configuration", name, change))


async def message_log(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, o.OcppLogQuery)
    name = request.match_info["name"]
    return ok(await service(request).call(actor, "ocpp_log", name, q.limit))
