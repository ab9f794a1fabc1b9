"""The site API's invoice endpoints (docs/api.md, "Invoices"): each is one `LocalClient`
call as the token's operator (`client.invoices_local`)."""

from __future__ import annotations

from aiohttp import web

from stationmgr.client import invoice_models as v
from stationmgr.client.models import API_PREFIX as P
from stationmgr.service.app import actor_for, body, ok, path_int, query, service


def add_invoice_routes(app: web.Application) -> None:
    r = app.router
    r.add_post(f"{P}/invoices", issue)
    r.add_get(f"{P}/invoices", listed)
    r.add_post(f"{P}/invoices/payments/bgmax", import_payments)
    r.add_post(f"{P}/invoices/{{number}}/pdf", pdf)
    r.add_post(f"{P}/invoices/{{number}}/payments", pay)
    r.add_post(f"{P}/invoices/{{number}}/credit", credit)
    r.add_get(f"{P}/buyers", buyers)
    r.add_post(f"{P}/buyers", set_buyer)


async def issue(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, v.InvoiceIssueRequest)
    return ok(await service(request).call(actor, "issue_invoices", req))


async def listed(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "invoices", query(request, v.InvoiceQuery)))


async def pdf(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    n = path_int(request, "number", "invoice number")
    req = await body(request, v.InvoiceFileRequest)
    return ok(await service(request).call(actor, "invoice_pdf", n, req))


async def pay(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    n = path_int(request, "number", "invoice number")
    req = await body(request, v.PaymentRequest)
    return ok(await service(request).call(actor, "pay_invoice", n, req))


async def credit(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    n = path_int(request, "number", "invoice number")
    req = await body(request, v.CreditRequest)
    return ok(await service(request).call(actor, "credit_invoice", n, req))


async def import_payments(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, v.PaymentsFile)
    return ok(await service(request).call(actor, "import_payments", req))


async def buyers(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    return ok(await service(request).call(actor, "buyers"))


async def set_buyer(request: web.Request) -> web.Response:
    actor = await actor_for(request)
    req = await body(request, v.BuyerRequest)
    return ok(await service(request).call(actor, "set_buyer", req))
