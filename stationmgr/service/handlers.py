"""The site API's HTTP endpoints (documented in docs/api.md). Each one: who is calling
(`actor_for`), what they sent (`body`/`query`, strict), then one `LocalClient` call in the
thread pool; the core checks the role and audits."""

from __future__ import annotations

import logging

from aiohttp import web

from stationmgr.access.operators import LoginFailed
from stationmgr.client import models as m
from stationmgr.client.errors import SignInNeeded
from stationmgr.client.local import iso
from stationmgr.errors import UserError
from stationmgr.service.app import actor_for, bearer, body, ok, path_int, query, service

log = logging.getLogger(__name__)
P = m.API_PREFIX


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(f"{P}/site", site)
    r.add_post(f"{P}/login", login)
    r.add_post(f"{P}/logout", logout)
    r.add_get(f"{P}/whoami", whoami)
    r.add_get(f"{P}/bays", bays)
    r.add_post(f"{P}/bays/{{bay_id}}/remote-start", remote_start)
    r.add_post(f"{P}/bays/{{bay_id}}/remote-stop", remote_stop)
    r.add_post(f"{P}/bays/{{bay_id}}/out-of-order", out_of_order)
    r.add_get(f"{P}/sessions", sessions)
    r.add_get(f"{P}/sessions/export", export_sessions)  # before the {session_id} route
    r.add_get(f"{P}/sessions/{{session_id}}", session)
    r.add_get(f"{P}/cards", cards)
    r.add_post(f"{P}/cards", add_card)
    r.add_post(f"{P}/cards/{{uid}}/block", block_card)
    r.add_get(f"{P}/chargers", chargers)
    r.add_post(f"{P}/chargers", add_charger)
    r.add_delete(f"{P}/chargers/{{name}}", remove_charger)
    r.add_get(f"{P}/readers", readers)
    r.add_post(f"{P}/readers", add_reader)
    r.add_delete(f"{P}/readers/{{name}}", remove_reader)
    r.add_get(f"{P}/audit", audit)
    r.add_get(f"{P}/audit/export", export_audit)
    r.add_post(f"{P}/billing/export", export_billing)
    r.add_get(f"{P}/alerts", alerts)
    r.add_post(f"{P}/alerts/{{ref}}/acknowledge", acknowledge_alert)
    add_pages_routes(app)
    add_board_routes(app)
    add_accounts_routes(app)
    from stationmgr.service.ocpp_routes import add_ocpp_routes

    add_ocpp_routes(app)


# ---------------------------------------------------------------- sign-in


async def site(request: web.Request) -> web.Response:
    return ok(await service(request).call(None, "site_info"))


async def login(request: web.Request) -> web.Response:
    svc = service(request)
    creds = await body(request, m.LoginRequest)
    address = request.remote or "?"
    svc.throttle.check(address)
    client = svc.client(None)
    try:
        operator = await svc.blocking(lambda: client.login(creds.username, creds.password, "api"))
    except LoginFailed:
        svc.throttle.failed(address)
        raise
    assert client.actor is not None
    token, grant = svc.tokens.issue(client.actor)
    max_at = iso(grant.max_at(svc.tokens.max_s)) or ""
    return ok(m.Token(token, iso(grant.expires_at) or "", max_at, operator))


async def logout(request: web.Request) -> web.Response:
    token = bearer(request)
    if token is None or not service(request).tokens.revoke(token):
        raise SignInNeeded("not signed in: no valid token to sign out")
    return web.Response(status=204)


async def whoami(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(service(request).client(actor).whoami())


# ---------------------------------------------------------------- bays


async def bays(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "bays"))


async def remote_start(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    bay_id = path_int(request, "bay_id", "bay id")
    req = await body(request, m.RemoteStartRequest)
    return ok(await service(request).call(actor, "remote_start", bay_id, req.reason, req.card))


async def remote_stop(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    bay_id = path_int(request, "bay_id", "bay id")
    req = await body(request, m.RemoteStopRequest)
    return ok(await service(request).call(actor, "remote_stop", bay_id, req.detail))


async def out_of_order(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    bay_id = path_int(request, "bay_id", "bay id")
    req = await body(request, m.OutOfOrderRequest)
    return ok(await service(request).call(actor, "set_out_of_order", bay_id, req.out_of_order))


# ---------------------------------------------------------------- sessions


async def sessions(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "sessions", query(request, m.SessionQuery)))


async def export_sessions(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.SessionQuery)
    return ok(await service(request).call(actor, "export_sessions", q))


async def session(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    sid = path_int(request, "session_id", "session id")
    return ok(await service(request).call(actor, "session", sid))


# ---------------------------------------------------------------- cards


async def cards(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    search = request.query.get("search")
    if set(request.query) - {"search"}:
        raise UserError("the only query parameter here is 'search'")
    return ok(await service(request).call(actor, "cards", search))


async def add_card(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    card = await body(request, m.NewCard)
    return ok(await service(request).call(actor, "add_card", card), 201)


async def block_card(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.BlockRequest)
    uid = request.match_info["uid"]
    return ok(await service(request).call(actor, "set_blocked", uid, req.blocked))


# ---------------------------------------------------------------- chargers and readers


async def chargers(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "chargers"))


async def add_charger(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    ch = await body(request, m.ChargerConfig)
    return ok(await service(request).call(actor, "add_charger", ch), 201)


async def remove_charger(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "remove_charger", request.match_info["name"]))


async def readers(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "readers"))


async def add_reader(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    r = await body(request, m.ReaderConfig)
    return ok(await service(request).call(actor, "add_reader", r), 201)


async def remove_reader(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "remove_reader", request.match_info["name"]))


# ---------------------------------------------------------------- audit and billing


async def audit(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "audit", query(request, m.AuditQuery)))


async def export_audit(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.AuditQuery)
    text = await service(request).call(actor, "export_audit", q, "api")
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


async def export_billing(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.ExportRequest)
    data = await service(request).call(actor, "export_billing", req.month, req.format)
    name = f"sales-{req.month}.{'se' if req.format == 'sie' else 'csv'}"
    kind = "text/csv" if req.format == "csv" else "application/octet-stream"
    return web.Response(
        body=data,
        content_type=kind,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---------------------------------------------------------------- alerts


async def alerts(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "alerts", query(request, m.AlertQuery)))


async def acknowledge_alert(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.AcknowledgeRequest)
    ref = request.match_info["ref"]
    return ok(await service(request).call(actor, "acknowledge_alert", ref, req.note))


# ---------------------------------------------------------------- pages


def add_pages_routes(app: web.Application) -> None:
    """What the history, reports and chargers pages of the window read and change."""
    r = app.router
    r.add_get(f"{P}/history/totals", session_totals)
    r.add_get(f"{P}/history/bays", history_bays)
    r.add_get(f"{P}/history/export", export_sessions_csv)
    r.add_get(f"{P}/reports/rotation", rotation)
    r.add_get(f"{P}/reports/capacity", capacity)
    r.add_post(f"{P}/reports/capacity/pdf", capacity_pdf)
    r.add_get(f"{P}/devices", devices)
    r.add_get(f"{P}/chargers/{{name}}", charger)
    r.add_put(f"{P}/chargers/{{name}}", edit_charger)
    r.add_get(f"{P}/readers/{{name}}", reader)
    r.add_put(f"{P}/readers/{{name}}", edit_reader)


async def session_totals(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.SessionQuery)
    return ok(await service(request).call(actor, "session_totals", q))


async def history_bays(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "bay_labels"))


async def export_sessions_csv(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.SessionQuery)
    text = await service(request).call(actor, "export_sessions_csv", q)
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="sessions.csv"'},
    )


async def rotation(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.RotationQuery)
    return ok(await service(request).call(actor, "rotation", q.limit))


async def capacity(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.CapacityQuery)
    return ok(await service(request).call(actor, "capacity", q))


async def capacity_pdf(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = await body(request, m.CapacityQuery)
    data = await service(request).call(actor, "capacity_pdf", q)
    name = f"capacity-{q.first_day}-{q.last_day}.pdf"
    return web.Response(
        body=data,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def devices(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "devices"))


async def charger(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "charger", request.match_info["name"]))


async def edit_charger(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    ch = await body(request, m.ChargerConfig)
    name = request.match_info["name"]
    return ok(await service(request).call(actor, "edit_charger", name, ch))


async def reader(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "reader", request.match_info["name"]))


async def edit_reader(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    r = await body(request, m.ReaderConfig)
    name = request.match_info["name"]
    return ok(await service(request).call(actor, "edit_reader", name, r))


# ---------------------------------------------------------------- board


def add_board_routes(app: web.Application) -> None:
    """The bay board's reads beyond the live bays: day curves and the fault log."""
    r = app.router
    r.add_get(f"{P}/bays/{{bay_id}}/day", bay_day)
    r.add_get(f"{P}/site/power", site_power)
    r.add_get(f"{P}/faults", faults)
    r.add_post(f"{P}/faults/acknowledge", acknowledge_faults)


async def bay_day(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    bay_id = path_int(request, "bay_id", "bay id")
    q = query(request, m.DayQuery)
    return ok(await service(request).call(actor, "bay_day", bay_id, q.since))


async def site_power(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.DayQuery)
    return ok(await service(request).call(actor, "site_power", q.since))


async def faults(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    params = dict(request.query)
    bay = params.pop("bay_id", None)
    unknown = sorted(set(params) - {"unacknowledged", "open", "limit"})
    if unknown:
        raise UserError(f"unknown query parameter {unknown[0][:40]!r}")
    from stationmgr import validate

    q = m.FaultQuery(
        bay_id=validate.parse_id(bay, "bay id") if bay is not None else None,
        unacknowledged=validate.parse_bool(params.get("unacknowledged", "false"), "unacknowledged"),
        open=validate.parse_bool(params.get("open", "false"), "open"),
        limit=validate.parse_int(params.get("limit", "100"), "limit"),
    )
    return ok(await service(request).call(actor, "faults", q))


async def acknowledge_faults(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.FaultAcknowledge)
    return ok(await service(request).call(actor, "acknowledge_faults", req))


# ---------------------------------------------------------------- accounts


def add_accounts_routes(app: web.Application) -> None:
    """Cards page and dialog, billing, audit view and operators (`service/accounts.py`)."""
    from stationmgr.service import accounts

    accounts.add_routes(app)
