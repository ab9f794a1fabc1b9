"""The invoice calls of `LocalClient` (a mixin; shapes in `invoice_models`, routes in
`service.invoice_routes`). Each checks the operator's role in the core service it calls."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import TYPE_CHECKING

from stationmgr.access.context import acting
from stationmgr.client import invoice_models as v
from stationmgr.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stationmgr.access.context import Actor
    from stationmgr.store.db import Database


def _day(text: str) -> date:
    try:
        if len(text.strip()) != 10:
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"invalid date {text[:30]!r}: expected YYYY-MM-DD") from None


def _issued(i: object) -> v.InvoiceIssued:
    return v.InvoiceIssued(
        i.number,
        i.buyer,
        i.sessions,
        i.total_minor,
        i.currency,
        i.ocr,
        i.due_date,  # type: ignore[attr-defined]
    )


def _not_found(e: UserError) -> UserError:
    from stationmgr.client.errors import NotFound

    return NotFound(str(e)) if str(e).startswith("no invoice number") else e


class LocalInvoices:
    db: Database
    actor: Actor | None

    if TYPE_CHECKING:  # LocalClient's own

        def _require(self, s: Session, action: str, target: str | None = None) -> None: ...

    def issue_invoices(self, req: v.InvoiceIssueRequest) -> v.InvoiceIssueResult:
        from stationmgr.billing.invoices import issue_invoices
        from stationmgr.billing.site import parse_month

        year, month = parse_month(req.month)
        with acting(self.actor):
            issued, skipped = issue_invoices(
                self.db, year, month, req.holder, req.group, actor=self.actor
            )
        return v.InvoiceIssueResult([_issued(i) for i in issued], skipped)

    def invoices(self, query: v.InvoiceQuery) -> list[v.InvoiceRow]:
        from stationmgr.billing.invoices import STATES, list_invoices
        from stationmgr.billing.site import parse_month

        if query.month:
            parse_month(query.month)
        if query.state and query.state not in STATES:
            raise UserError(f"unknown state {query.state[:20]!r}: one of {', '.join(STATES)}")
        with self.db.session() as s:
            self._require(s, "invoices.read")
            rows = list_invoices(s, query.month, query.state)
        return [
            v.InvoiceRow(
                r.number,
                r.kind,
                r.invoice_date,
                r.due_date,
                r.period,
                r.buyer,
                r.total_minor,
                r.paid_minor,
                r.currency,
                r.state,
                r.ocr,
                r.refers_to,
            )
            for r in rows
        ]

    def invoice_pdf(self, number: int, req: v.InvoiceFileRequest) -> v.InvoiceFile:
        from stationmgr.billing.invoice_pdf import invoice_doc, render_invoice
        from stationmgr.billing.pdf import LANGS

        if req.lang not in LANGS:
            raise UserError(f"unknown language {req.lang[:10]!r}: use sv or en")
        with self.db.session() as s:
            self._require(s, "invoices.read", target=f"invoice {number}")
            try:
                doc = invoice_doc(s, number)
            except UserError as e:
                raise _not_found(e) from None
        pdf = render_invoice(doc, req.lang)
        return v.InvoiceFile(doc.number, doc.kind, doc.code, base64.b64encode(pdf).decode())

    def pay_invoice(self, number: int, req: v.PaymentRequest) -> v.PaymentResult:
        from stationmgr.billing.invoices import pay_invoice

        day = _day(req.date)
        with acting(self.actor):
            try:
                p = pay_invoice(self.db, number, day, req.amount_minor, actor=self.actor)
            except UserError as e:
                raise _not_found(e) from None
        return v.PaymentResult(p.number, p.amount_minor, p.paid_minor, p.total_minor, p.state)

    def credit_invoice(self, number: int, req: v.CreditRequest) -> v.InvoiceIssued:
        from stationmgr.billing.invoices import credit_invoice

        with acting(self.actor):
            try:
                note = credit_invoice(self.db, number, req.reason, actor=self.actor)
            except UserError as e:
                raise _not_found(e) from None
        return _issued(note)

    def import_payments(self, req: v.PaymentsFile) -> v.PaymentsImported:
        from stationmgr.billing.invoices import import_payments

        try:
            data = base64.b64decode(req.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise UserError("the BgMax file is not valid base64") from None
        with acting(self.actor):
            r = import_payments(self.db, data, actor=self.actor)
        booked = [f"invoice {n}: {a / 100:.2f} paid on {d}" for n, a, d in r.booked]
        return v.PaymentsImported(booked, r.unmatched, r.already, r.overpaid)

    def set_buyer(self, req: v.BuyerRequest) -> v.BuyerRow:
        from stationmgr.billing.buyers import set_buyer

        changes = {
            "name": req.name,
            "address": req.address,
            "org_number": req.org_number,
            "vat_number": req.vat_number,
            "email": req.email,
            "invoice_monthly": req.invoice_monthly,
            "terms_days": req.terms_days,
        }
        with self.db.session() as s:
            b = set_buyer(s, req.holder, req.group, changes, actor=self.actor)
            return _buyer(b)

    def buyers(self) -> list[v.BuyerRow]:
        from stationmgr.billing.buyers import all_buyers

        with self.db.session() as s:
            self._require(s, "invoices.read")
            return [_buyer(b) for b in all_buyers(s)]


def _buyer(b: object) -> v.BuyerRow:
    return v.BuyerRow(
        b.scope,
        b.scope_name,
        b.name,
        list(b.address),
        b.org_number,
        b.vat_number,  # type: ignore[attr-defined]
        b.email,
        b.invoice_monthly,
        b.terms_days,  # type: ignore[attr-defined]
    )
