"""Billing tables: the price of each session, its priced lines, receipts, the ledger, budgets.

All append-only. A session is priced once when it closes (revision 1); a correction adds a
new revision (and a reversal plus a new entry in the ledger), it never edits an old one.
Money is integers in minor units; VAT rates are basis points (2500 = 25 %).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stationmgr.store.models import Base, JSONText, UTCDateTime, utcnow


class SessionPrice(Base):
    """One pricing of a session, with the tariff snapshot(s) that priced it."""

    __tablename__ = "session_prices"
    __table_args__ = (UniqueConstraint("session_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    currency: Mapped[str] = mapped_column(String(3))
    tariffs: Mapped[Any] = mapped_column(JSONText)  # list of tariff snapshots used
    net_minor: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(Integer)
    priced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(200))  # why a correction was made

    lines: Mapped[list[PricedLine]] = relationship(
        order_by="PricedLine.seq", cascade="all, delete-orphan"
    )


class PricedLine(Base):
    """One line of a session's price: quantity (Wh, s, min or pieces) × unit price."""

    __tablename__ = "priced_lines"
    __table_args__ = (UniqueConstraint("price_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    price_id: Mapped[int] = mapped_column(ForeignKey("session_prices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # energy | time | start_fee | idle_fee
    tariff_id: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(4))  # Wh | s | min | pcs
    unit_price_minor: Mapped[int] = mapped_column(Integer)  # per kWh | h | min | piece
    net_minor: Mapped[int] = mapped_column(Integer)
    vat_bp: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(Integer)


class LedgerEntry(Base):
    """One link of the hash chain: a sale (a priced session) or the reversal of one.

    `hash = sha256(prev_hash + canonical payload)`; `seq` and `prev_hash` are unique so two
    writers can never fork the chain (the loser retries)."""

    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # sale | reversal
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    price_id: Mapped[int] = mapped_column(ForeignKey("session_prices.id"), index=True)
    reverses_seq: Mapped[int | None] = mapped_column(Integer)
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[str] = mapped_column(Text)  # the canonical encoding that was hashed
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Receipt(Base):
    """A receipt as issued: numbered without gaps, once per price revision."""

    __tablename__ = "receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    price_id: Mapped[int] = mapped_column(ForeignKey("session_prices.id"), unique=True)
    ledger_seq: Mapped[int] = mapped_column(Integer)
    verification: Mapped[str] = mapped_column(String(20))
    total_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SEK per unit of `currency` × 10^6, fixed at issue (VAT in SEK on a foreign-currency
    # receipt, ML 17:24); None for SEK.
    sek_rate_e6: Mapped[int | None] = mapped_column(Integer)


class Budget(Base):
    """A daily or monthly limit in kWh (stored as Wh) or money (minor units) for one card or
    one card group; a card over any of its budgets is refused, a session at it is stopped."""

    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("(card_id IS NULL) <> (group_id IS NULL)", name="ck_budgets_one_scope"),
        CheckConstraint("period IN ('day', 'month')", name="ck_budgets_period"),
        CheckConstraint("unit IN ('kWh', 'money')", name="ck_budgets_unit"),
        Index("ix_budgets_card", "card_id"),
        Index("ix_budgets_group", "group_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("card_groups.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(5))
    unit: Mapped[str] = mapped_column(String(5))
    limit_value: Mapped[int] = mapped_column(Integer)  # Wh or minor units
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Buyer(Base):
    """Invoice details of a card holder or a card group: who an invoice is addressed to.

    A buyer without an organisation number is a private customer (offered Swish)."""

    __tablename__ = "buyers"
    __table_args__ = (
        CheckConstraint("(holder_id IS NULL) <> (group_id IS NULL)", name="ck_buyers_one_scope"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("card_holders.id", ondelete="CASCADE"), unique=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("card_groups.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(Text, default="")  # lines separated by ';'
    org_number: Mapped[str] = mapped_column(String(20), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    invoice_monthly: Mapped[bool] = mapped_column(default=False)
    terms_days: Mapped[int] = mapped_column(Integer, default=30)


class Invoice(Base):
    """An invoice or a credit note as issued (one gapless number series for both; a credit
    note refers to the invoice it credits). Never edited: payments and credits are rows of
    their own, and the state is derived from them."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # invoice | credit
    credits_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), unique=True)
    holder_id: Mapped[int | None] = mapped_column(Integer, index=True)
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)
    buyer: Mapped[Any] = mapped_column(JSONText)  # snapshot of the buyer's details
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    invoice_date: Mapped[str] = mapped_column(String(10))  # local date, YYYY-MM-DD
    due_date: Mapped[str] = mapped_column(String(10))
    terms_days: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    net_minor: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(Integer)
    ocr: Mapped[str | None] = mapped_column(String(25), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SEK per unit of `currency` × 10^6, fixed at issue (VAT in SEK on a foreign-currency
    # invoice, ML 17:24; a credit note keeps its invoice's); None for SEK.
    sek_rate_e6: Mapped[int | None] = mapped_column(Integer)

    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.seq", cascade="all, delete-orphan"
    )


class InvoiceLine(Base):
    """One session on an invoice, at the price its ledger sale entry vouches for (negated on
    a credit note), with its net and VAT per rate."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    price_id: Mapped[int] = mapped_column(ForeignKey("session_prices.id"))
    ledger_seq: Mapped[int] = mapped_column(Integer)
    by_vat: Mapped[Any] = mapped_column(JSONText)  # {"2500": [net, vat], ...}
    net_minor: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(Integer)


class InvoicePayment(Base):
    """A payment registered against an invoice (by hand, or from a bank file: `bank_ref`
    makes importing the same file twice record nothing new)."""

    __tablename__ = "invoice_payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    paid_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    amount_minor: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # manual | bgmax
    bank_ref: Mapped[str | None] = mapped_column(String(60), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InvoiceEvent(Base):
    """The invoice register's hash chain: every issue, credit and payment, each linked to the
    previous one and naming the sales ledger's head at the time (verify re-encodes both)."""

    __tablename__ = "invoice_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # invoice | credit | payment
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_payments.id"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class SessionClaim(Base):
    """Which document a session is billed by: a receipt (invoice_id NULL) or a live invoice.
    The primary key makes "receipted or invoiced, never both" hold under concurrent issuers;
    crediting an invoice releases its sessions."""

    __tablename__ = "session_claims"
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)


class MonthClose(Base):
    """A closed month: nothing dated in it changes afterwards (a later sale or correction
    is booked in the first open period), and its exports are kept as handed out so they are
    byte-identical whenever made again. `entries_digest` covers the ledger entries booked in
    the month; `settings` is what the exports were made with (site values, version)."""

    __tablename__ = "month_closes"
    __table_args__ = (UniqueConstraint("year", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(40))
    entries: Mapped[int] = mapped_column(Integer)
    entries_digest: Mapped[str] = mapped_column(String(64))
    head_seq: Mapped[int] = mapped_column(Integer)  # the ledger's head at the close
    head_hash: Mapped[str] = mapped_column(String(64))
    total_minor: Mapped[int] = mapped_column(Integer)
    sie_vouchers: Mapped[int] = mapped_column(Integer)
    sie: Mapped[bytes] = mapped_column(LargeBinary)
    sie_sha256: Mapped[str] = mapped_column(String(64))
    csv: Mapped[bytes] = mapped_column(LargeBinary)
    csv_sha256: Mapped[str] = mapped_column(String(64))
    settings: Mapped[Any] = mapped_column(JSONText)
