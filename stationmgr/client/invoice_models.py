"""Wire models of the invoice calls (docs/api.md, "Invoices"): issuing a month's invoices,
the list, a PDF, payments by hand or from a BgMax file, credit notes, buyers' details."""

from __future__ import annotations

from dataclasses import dataclass, field

from stationmgr.client.models import Wire


@dataclass(frozen=True)
class InvoiceIssueRequest(Wire):
    """`POST /invoices`: a month (YYYY-MM) for one holder or group, or every monthly buyer."""

    month: str
    holder: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class InvoiceIssued(Wire):
    number: int
    buyer: str
    sessions: int
    total_minor: int
    currency: str
    ocr: str
    due_date: str


@dataclass(frozen=True)
class InvoiceIssueResult(Wire):
    issued: list[InvoiceIssued] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InvoiceQuery(Wire):
    """`GET /invoices`: optionally one month invoiced and one state."""

    month: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class InvoiceRow(Wire):
    number: int
    kind: str  # invoice | credit
    invoice_date: str
    due_date: str
    period: str
    buyer: str
    total_minor: int
    paid_minor: int
    currency: str
    state: str  # issued | paid | overdue | credited | credit
    ocr: str
    refers_to: int | None = None


@dataclass(frozen=True)
class InvoiceFileRequest(Wire):
    lang: str = "sv"


@dataclass(frozen=True)
class InvoiceFile(Wire):
    number: int
    kind: str
    code: str
    pdf_base64: str


@dataclass(frozen=True)
class PaymentRequest(Wire):
    """`POST /invoices/{n}/payments`: the date paid (YYYY-MM-DD) and the amount in minor
    units (none: the rest of the invoice)."""

    date: str
    amount_minor: int | None = None


@dataclass(frozen=True)
class PaymentResult(Wire):
    number: int
    amount_minor: int
    paid_minor: int
    total_minor: int
    state: str


@dataclass(frozen=True)
class CreditRequest(Wire):
    reason: str


@dataclass(frozen=True)
class PaymentsFile(Wire):
    """`POST /invoices/payments/bgmax`: a Bankgirot BgMax file, base64."""

    data_base64: str


@dataclass(frozen=True)
class PaymentsImported(Wire):
    booked: list[str] = field(default_factory=list)  # "invoice N: amount paid on D"
    unmatched: list[str] = field(default_factory=list)
    already: int = 0
    overpaid: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class BuyerRequest(Wire):
    """`POST /buyers`: one holder or group and the fields to change (None: unchanged)."""

    holder: str | None = None
    group: str | None = None
    name: str | None = None
    address: str | None = None
    org_number: str | None = None
    vat_number: str | None = None
    email: str | None = None
    invoice_monthly: bool | None = None
    terms_days: int | None = None


@dataclass(frozen=True)
class BuyerRow(Wire):
    scope: str
    scope_name: str
    name: str
    address: list[str]
    org_number: str
    vat_number: str
    email: str
    invoice_monthly: bool
    terms_days: int
