"""The accounts area's endpoints (cards page and dialog, billing, the audit
view and the operators dialog; docs/api.md): like `handlers`,
each is who is calling, what they sent, then one `LocalClient` call in the pool."""

from __future__ import annotations

import json

from aiohttp import web

from stationmgr import validate
from stationmgr.client import models as m
from stationmgr.client.errors import NotJSON, TooLarge
from stationmgr.errors import UserError
from stationmgr.service.app import actor_for, body, ok, path_int, query, service

P = m.API_PREFIX
MAX_FILE = 16 * 1024 * 1024  # a card file's text: 10,000 cards are about 1 MiB


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(f"{P}/cards/rows", card_rows)
    r.add_get(f"{P}/cards/choices", card_choices)
    r.add_get(f"{P}/cards/known", known_cards)
    r.add_get(f"{P}/cards/export", export_cards)
    r.add_get(f"{P}/cards/forms/{{card_id}}", card_form)
    r.add_post(f"{P}/cards/save", save_card)
    r.add_post(f"{P}/cards/import/check", check_card_import)
    r.add_post(f"{P}/cards/import", import_cards)
    r.add_get(f"{P}/tariffs", tariffs)
    r.add_post(f"{P}/tariffs", add_tariff)
    r.add_get(f"{P}/billing/scopes", statement_scopes)
    r.add_post(f"{P}/billing/statement", statement)
    r.add_post(f"{P}/billing/receipt", receipt)
    r.add_get(f"{P}/audit/entries", audit_entries)
    r.add_get(f"{P}/audit/chain", check_audit_chain)
    r.add_get(f"{P}/operators", operators)
    r.add_post(f"{P}/operators", add_operator)
    r.add_post(f"{P}/operators/{{username}}/password", reset_operator_password)
    r.add_post(f"{P}/operators/{{username}}/role", set_operator_role)
    r.add_post(f"{P}/operators/{{username}}/active", set_operator_active)
    r.add_get(f"{P}/cards/one", card)
    r.add_post(f"{P}/me/password", change_password)
    r.add_get(f"{P}/login-policy", login_policy)
    r.add_post(f"{P}/login-policy", set_login_policy)
    r.add_get(f"{P}/budgets", budgets)
    r.add_post(f"{P}/budgets", add_budget)


def _only(request: web.Request, *names: str) -> None:
    extra = sorted(set(request.query) - set(names))
    if extra:
        raise UserError(f"unknown query parameter {extra[0][:40]!r}")


async def file_body(request: web.Request) -> m.CardsFile:
    """A `CardsFile` body up to MAX_FILE (larger than the API's usual body limit: read
    from the stream, which that limit does not cover)."""
    if request.content_type != "application/json":
        raise NotJSON("the body must be JSON (Content-Type: application/json)")
    if request.content_length is not None and request.content_length > MAX_FILE:
        raise TooLarge(f"the file is larger than {MAX_FILE // (1024 * 1024)} MiB")
    raw = await request.content.read(MAX_FILE + 1)
    if len(raw) > MAX_FILE:
        raise TooLarge(f"the file is larger than {MAX_FILE // (1024 * 1024)} MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"the body is not valid JSON: {str(e)[:80]}") from None
    return m.CardsFile.from_json(data)


async def card_rows(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request, "search")
    return ok(await service(request).call(actor, "card_rows", request.query.get("search")))


async def card_choices(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "card_choices"))


async def card_form(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    card_id = path_int(request, "card_id", "card id")
    return ok(await service(request).call(actor, "card_form", card_id))


async def known_cards(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request, "text", "except_id")
    text = request.query.get("text", "")
    raw = request.query.get("except_id")
    except_id = validate.parse_id(raw, "except_id") if raw else None
    return ok(await service(request).call(actor, "known_cards", text, except_id))


async def save_card(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    card = await body(request, m.CardSave)
    return ok(await service(request).call(actor, "save_card", card))


async def export_cards(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    text = await service(request).call(actor, "export_cards")
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="cards.csv"'},
    )


async def check_card_import(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    f = await file_body(request)
    return ok(await service(request).call(actor, "check_card_import", f.text))


async def import_cards(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    f = await file_body(request)
    return ok(await service(request).call(actor, "import_cards", f.text), 201)


# ---------------------------------------------------------------- billing


async def tariffs(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    return ok(await service(request).call(actor, "tariffs"))


async def add_tariff(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    t = await body(request, m.NewTariff)
    return ok(await service(request).call(actor, "add_tariff", t), 201)


async def statement_scopes(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    return ok(await service(request).call(actor, "statement_scopes"))


async def statement(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.StatementRequest)
    return ok(await service(request).call(actor, "statement", req))


async def receipt(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.ReceiptRequest)
    return ok(await service(request).call(actor, "receipt", req))


# ---------------------------------------------------------------- access


async def audit_entries(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    q = query(request, m.AuditQuery)
    return ok(await service(request).call(actor, "audit_entries", q))


async def check_audit_chain(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    return ok(await service(request).call(actor, "check_audit_chain"))


async def operators(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    return ok(await service(request).call(actor, "operators"))


async def add_operator(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    op = await body(request, m.NewOperator)
    return ok(await service(request).call(actor, "add_operator", op), 201)


async def reset_operator_password(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.PasswordReset)
    name = request.match_info["username"]
    return ok(await service(request).call(actor, "reset_operator_password", name, req.password))


async def set_operator_role(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.RoleChange)
    name = request.match_info["username"]
    return ok(await service(request).call(actor, "set_operator_role", name, req.role))


async def set_operator_active(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, m.ActiveChange)
    name = request.match_info["username"]
    return ok(await service(request).call(actor, "set_operator_active", name, req.active))


# ---------------------------------------------------------------- cli accounts


async def card(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request, "uid")
    uid = request.query.get("uid", "")
    if not uid.strip():
        raise UserError("give the card's number (uid)")
    return ok(await service(request).call(actor, "card", uid))


async def change_password(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    change = await body(request, m.PasswordChange)
    return ok(await service(request).call(actor, "change_password", change))


async def login_policy(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    return ok(await service(request).call(actor, "login_policy"))


async def set_login_policy(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    change = await body(request, m.PolicyChange)
    return ok(await service(request).call(actor, "set_login_policy", change))


async def budgets(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    _only(request)
    return ok(await service(request).call(actor, "budgets"))


async def add_budget(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    b = await body(request, m.NewBudget)
    return ok(await service(request).call(actor, "add_budget", b), 201)
