"""The site API's OCPP endpoints (the charge points themselves connect to `ocpp.endpoint`,
not here): the pending charge points. Accepting one is `POST /chargers` (driver ocpp)."""

from __future__ import annotations

from aiohttp import web

from stationmgr.client import models as m
from stationmgr.service.app import actor_for, ok, service


def add_ocpp_routes(app: web.Application) -> None:
    app.router.add_get(f"{m.API_PREFIX}/ocpp/pending", pending)


async def pending(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "pending_charge_points"))
