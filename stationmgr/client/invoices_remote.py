"""The invoice calls of `RemoteClient` (a mixin; routes in `service.invoice_routes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stationmgr.client import invoice_models as v


class RemoteInvoices:
    if TYPE_CHECKING:  # RemoteClient's own

        def _call(
            self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
        ) -> Any: ...

    def issue_invoices(self, req: v.InvoiceIssueRequest) -> v.InvoiceIssueResult:
        return v.InvoiceIssueResult.from_json(self._call("POST", "/invoices", req.to_json()))

    def invoices(self, query: v.InvoiceQuery) -> list[v.InvoiceRow]:
        from stationmgr.client.remote import _params

        answer = self._call("GET", "/invoices", params=_params(query))
        return [v.InvoiceRow.from_json(x) for x in answer["items"]]

    def invoice_pdf(self, number: int, req: v.InvoiceFileRequest) -> v.InvoiceFile:
        answer = self._call("POST", f"/invoices/{int(number)}/pdf", req.to_json())
        return v.InvoiceFile.from_json(answer)

    def pay_invoice(self, number: int, req: v.PaymentRequest) -> v.PaymentResult:
        answer = self._call("POST", f"/invoices/{int(number)}/payments", req.to_json())
        return v.PaymentResult.from_json(answer)

    def credit_invoice(self, number: int, req: v.CreditRequest) -> v.InvoiceIssued:
        answer = self._call("POST", f"/invoices/{int(number)}/credit", req.to_json())
        return v.InvoiceIssued.from_json(answer)

    def import_payments(self, req: v.PaymentsFile) -> v.PaymentsImported:
        answer = self._call("POST", "/invoices/payments/bgmax", req.to_json())
        return v.PaymentsImported.from_json(answer)

    def set_buyer(self, req: v.BuyerRequest) -> v.BuyerRow:
        return v.BuyerRow.from_json(self._call("POST", "/buyers", req.to_json()))

    def buyers(self) -> list[v.BuyerRow]:
        return [v.BuyerRow.from_json(x) for x in self._call("GET", "/buyers")["items"]]
