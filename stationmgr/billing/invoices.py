"""Invoices and credit notes: a gapless number series, payments, and their own hash chain.

An invoice bills a card holder's or card group's sessions that stopped in one local month
and have neither a receipt nor a live invoice (`SessionClaim` keeps that true under
concurrent issuers). Each session is billed at the price its ledger sale entry vouches for.
Numbers are taken like receipt numbers (max + 1 in one short transaction, `number` unique:
of two racing issuers one commits, the other retries with the next number).

Credit notes take their number from the same series: a credit note is an invoice that
changes an earlier one (ML 17 kap 22 §, "ändringsfaktura"), Swedish accounting programs
number "kreditfakturor" in the invoice series, and one series means one gap check covers
every invoice document. A credit note negates the whole original, names its number and
date and the reason, and releases its sessions (they may then be invoiced again or
receipted); the original stays as it was, printed "credited by N".

Nothing is edited: the state (issued, paid, overdue, credited) is derived from payments
and credit notes. Every issue, credit and payment is appended to `invoice_events`, a hash
chain whose entries also name the sales ledger's head at the time; `verify` re-encodes it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, require
from stationmgr.billing import ledger
from stationmgr.billing.buyers import BuyerFacts, facts, monthly_buyers, resolve
from stationmgr.billing.ocr import make_ocr
from stationmgr.billing.site import month_bounds, sek_rate_e6, site_tz, site_values
from stationmgr.errors import DatabaseBusy, UserError
from stationmgr.store.billing_models import (
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoicePayment,
    LedgerEntry,
    PricedLine,
    Receipt,
    SessionClaim,
    SessionPrice,
)
from stationmgr.store.db import Database, busy_error
from stationmgr.store.models import ChargeSession, utcnow

RETRIES = 200
GENESIS = "0" * 64
T = TypeVar("T")


# ---------------------------------------------------------------- numbering and retries


def _retrying(db: Database, work: Callable[[Session], T], what: str) -> T:
    """Run `work` in a unit of work, again when another writer won a unique number."""
    for attempt in range(RETRIES):
        with db.sessions() as s:
            try:
                out = work(s)
                s.commit()
                return out
            except IntegrityError:
                s.rollback()
            except DBAPIError as e:
                s.rollback()
                if busy_error(e) is None:
                    raise
            except BaseException:
                s.rollback()
                raise
        time.sleep(min(0.002 * (attempt + 1), 0.05))
    raise DatabaseBusy(f"the database is busy; could not {what}, try again")


def _next_number(s: Session) -> int:
    return (s.scalar(select(func.max(Invoice.number))) or 0) + 1


# ---------------------------------------------------------------- the hash chain


def _canonical(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _invoice_facts(s: Session, inv: Invoice) -> dict[str, object]:
    credits = s.get(Invoice, inv.credits_id) if inv.credits_id else None
    return {
        "number": inv.number,
        "kind": inv.kind,
        "credits": credits.number if credits else None,
        "buyer": inv.buyer,
        "period": inv.period,
        "invoice_date": inv.invoice_date,
        "due_date": inv.due_date,
        "terms_days": inv.terms_days,
        "currency": inv.currency,
        "net": inv.net_minor,
        "vat": inv.vat_minor,
        "total": inv.total_minor,
        "ocr": inv.ocr,
        "reason": inv.reason,
        "issued_at": round(inv.issued_at.timestamp() * 1000),
        **({"sek_rate_e6": inv.sek_rate_e6} if inv.sek_rate_e6 is not None else {}),
        "lines": [
            [x.seq, x.session_id, x.price_id, x.ledger_seq, x.by_vat, x.net_minor, x.vat_minor]
            for x in inv.lines
        ],
    }


def _payment_facts(s: Session, p: InvoicePayment) -> dict[str, object]:
    inv = s.get(Invoice, p.invoice_id)
    return {
        "invoice": inv.number if inv else None,
        "paid_on": p.paid_on,
        "amount": p.amount_minor,
        "source": p.source,
        "bank_ref": p.bank_ref,
    }


def _payload(
    s: Session,
    kind: str,
    seq: int,
    ts: datetime,
    inv: Invoice,
    pay: InvoicePayment | None,
    ledger_head: tuple[int, str] | None,
) -> str:
    body = _payment_facts(s, pay) if pay is not None else _invoice_facts(s, inv)
    return _canonical(
        {
            "kind": kind,
            "seq": seq,
            "ts": round(ts.timestamp() * 1000),
            "ledger": list(ledger_head) if ledger_head else None,
            "doc": body,
        }
    )


def _append(
    s: Session, kind: str, inv: Invoice, ts: datetime, pay: InvoicePayment | None = None
) -> InvoiceEvent:
    last = s.scalar(select(InvoiceEvent).order_by(InvoiceEvent.seq.desc()).limit(1))
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    head = ledger.head(s)
    payload = _payload(s, kind, seq, ts, inv, pay, (head.seq, head.hash) if head else None)
    ev = InvoiceEvent(
        seq=seq,
        kind=kind,
        invoice_id=inv.id,
        payment_id=pay.id if pay else None,
        ts=ts,
        payload=payload,
        prev_hash=prev,
        hash=hashlib.sha256((prev + payload).encode("utf-8")).hexdigest(),
    )
    s.add(ev)
    s.flush()
    return ev


def document_code(s: Session, inv: Invoice) -> str:
    """What an invoice prints: the first 16 hex digits of its chain entry, in groups."""
    h = s.scalar(
        select(InvoiceEvent.hash).where(
            InvoiceEvent.invoice_id == inv.id, InvoiceEvent.payment_id.is_(None)
        )
    )
    return ledger.verification_code(h) if h else ""


# ---------------------------------------------------------------- what is billable


@dataclass(frozen=True)
class Billable:
    session_id: int
    price_id: int
    ledger_seq: int
    by_vat: dict[str, list[int]]
    net_minor: int
    vat_minor: int
    total_minor: int
    currency: str


def billable(s: Session, buyer: BuyerFacts, year: int, month: int) -> list[Billable]:
    """The buyer's sessions stopped in the local month with no receipt and no live invoice."""
    start, end = month_bounds(year, month, site_tz(s))
    latest = (
        select(SessionPrice.session_id, func.max(SessionPrice.revision).label("rev"))
        .group_by(SessionPrice.session_id)
        .subquery()
    )
    col = ChargeSession.holder_id if buyer.scope == "holder" else ChargeSession.group_id
    q = (
        select(ChargeSession.id, SessionPrice)
        .join(latest, latest.c.session_id == ChargeSession.id)
        .join(
            SessionPrice,
            (SessionPrice.session_id == ChargeSession.id) & (SessionPrice.revision == latest.c.rev),
        )
        .where(col == buyer.scope_id)
        .where(ChargeSession.stopped_at >= start, ChargeSession.stopped_at < end)
        .where(
            ~select(SessionClaim.session_id)
            .where(SessionClaim.session_id == ChargeSession.id)
            .exists()
        )
        .where(~select(Receipt.id).where(Receipt.session_id == ChargeSession.id).exists())
        .order_by(ChargeSession.stopped_at, ChargeSession.id)
    )
    pairs = s.execute(q).all()
    seqs: dict[int, int] = {}
    vats: dict[int, dict[str, list[int]]] = {}
    ids = [p.id for _, p in pairs]
    for chunk in range(0, len(ids), 500):  # the sale entries and VAT per rate, in bulk
        part = ids[chunk : chunk + 500]
        seqs.update(
            s.execute(
                select(LedgerEntry.price_id, LedgerEntry.seq).where(
                    LedgerEntry.price_id.in_(part), LedgerEntry.kind == "sale"
                )
            ).all()
        )
        for pid, bp, n, v in s.execute(
            select(
                PricedLine.price_id,
                PricedLine.vat_bp,
                func.sum(PricedLine.net_minor),
                func.sum(PricedLine.vat_minor),
            )
            .where(PricedLine.price_id.in_(part))
            .group_by(PricedLine.price_id, PricedLine.vat_bp)
        ):
            vats.setdefault(pid, {})[str(bp)] = [int(n), int(v)]
    out = []
    for sid, price in pairs:
        if price.id not in seqs:
            raise UserError(f"session {sid} is not in the ledger (run stationmgr verify)")
        out.append(
            Billable(
                sid,
                price.id,
                seqs[price.id],
                vats.get(price.id, {}),
                price.net_minor,
                price.vat_minor,
                price.total_minor,
                price.currency,
            )
        )
    return out


def _seller_ready(values: dict[str, str]) -> None:
    """ML 17 kap 24 §: an invoice names the seller, its address and VAT number."""
    missing = [k for k in ("seller_org_number", "seller_address") if not values.get(k)]
    if missing:
        raise UserError(
            f"set the seller's details before the first invoice: stationmgr site set {missing[0]} …"
        )


# ---------------------------------------------------------------- issuing


@dataclass(frozen=True)
class Issued:
    number: int
    buyer: str
    sessions: int
    total_minor: int
    currency: str
    ocr: str
    due_date: str


def _issue_once(
    s: Session, buyer: BuyerFacts, year: int, month: int, now: datetime, actor: Actor | None
) -> Issued:
    values = site_values(s)
    _seller_ready(values)
    items = billable(s, buyer, year, month)
    if not items:
        raise UserError(
            f"nothing to invoice for {buyer.scope} {buyer.scope_name!r} in {year}-{month:02d}: "
            "no session without a receipt or an invoice"
        )
    currencies = {b.currency for b in items}
    if len(currencies) > 1:
        raise UserError(f"the month's sessions are in several currencies: {sorted(currencies)}")
    rate = sek_rate_e6(s, items[0].currency)  # refused before a number is taken
    number = _next_number(s)
    today = now.astimezone(site_tz(s, values)).date()
    inv = Invoice(
        number=number,
        kind="invoice",
        credits_id=None,
        holder_id=buyer.scope_id if buyer.scope == "holder" else None,
        group_id=buyer.scope_id if buyer.scope == "group" else None,
        buyer=buyer.snapshot(),
        period=f"{year}-{month:02d}",
        invoice_date=today.isoformat(),
        due_date=(today + timedelta(days=buyer.terms_days)).isoformat(),
        terms_days=buyer.terms_days,
        currency=items[0].currency,
        net_minor=sum(b.net_minor for b in items),
        vat_minor=sum(b.vat_minor for b in items),
        total_minor=sum(b.total_minor for b in items),
        ocr=make_ocr(number, length_digit=True),
        reason=None,
        issued_at=now,
        sek_rate_e6=rate,
    )
    for i, b in enumerate(items, 1):
        inv.lines.append(
            InvoiceLine(
                seq=i,
                session_id=b.session_id,
                price_id=b.price_id,
                ledger_seq=b.ledger_seq,
                by_vat=b.by_vat,
                net_minor=b.net_minor,
                vat_minor=b.vat_minor,
                total_minor=b.total_minor,
            )
        )
    s.add(inv)
    s.flush()
    for b in items:  # a racing receipt or invoice for the same session fails here
        s.add(SessionClaim(session_id=b.session_id, invoice_id=inv.id))
    s.flush()
    _append(s, "invoice", inv, now)
    from stationmgr.access.context import record

    after = {"buyer": buyer.name, "sessions": len(items), "total_minor": inv.total_minor}
    record(s, "invoices.issue", f"invoice {number}", after=after, actor=actor)
    return Issued(
        number, buyer.name, len(items), inv.total_minor, inv.currency, inv.ocr or "", inv.due_date
    )


def issue_invoices(
    db: Database,
    year: int,
    month: int,
    holder: str | None = None,
    group: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> tuple[list[Issued], list[str]]:
    """Invoice one holder or group for the month, or (neither given) every buyer marked
    for monthly invoicing. Returns the invoices issued and, for the second form, the
    buyers skipped with why (`invoices.issue`)."""
    with db.session() as s:
        require(actor, "invoices.issue", s, target=f"invoices {year}-{month:02d}")
        if holder or group:
            scope, sid, name = resolve(s, holder, group)
            buyers = [facts(s, scope, sid, name)]
        else:
            buyers = monthly_buyers(s)
            if not buyers:
                raise UserError(
                    "no buyer is marked for monthly invoicing "
                    "(stationmgr buyers set --holder H --monthly yes)"
                )
    at = now or utcnow()
    issued: list[Issued] = []
    skipped: list[str] = []
    for b in buyers:
        try:
            issued.append(
                _retrying(
                    db,
                    lambda s, b=b: _issue_once(s, b, year, month, at, actor),
                    "number the invoice",
                )
            )
        except UserError as e:
            if holder or group:
                raise
            skipped.append(f"{b.name}: {e}")
    return issued, skipped


# ---------------------------------------------------------------- state and payments


def _by_number(s: Session, number: int) -> Invoice:
    inv = s.scalar(select(Invoice).where(Invoice.number == number))
    if inv is None:
        raise UserError(f"no invoice number {number}")
    return inv


def paid_minor(s: Session, inv: Invoice) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(InvoicePayment.amount_minor), 0)).where(
                InvoicePayment.invoice_id == inv.id
            )
        )
        or 0
    )


def credit_note_of(s: Session, inv: Invoice) -> Invoice | None:
    return s.scalar(select(Invoice).where(Invoice.credits_id == inv.id))


def state_of(s: Session, inv: Invoice, today: date) -> str:
    """issued | paid | overdue | credited (a credit note: credit)."""
    if inv.kind == "credit":
        return "credit"
    if credit_note_of(s, inv) is not None:
        return "credited"
    if paid_minor(s, inv) >= inv.total_minor:
        return "paid"
    if today > date.fromisoformat(inv.due_date):
        return "overdue"
    return "issued"


def _payable(s: Session, inv: Invoice) -> int:
    if inv.kind != "invoice":
        raise UserError(f"{inv.number} is a credit note: it is not paid")
    if credit_note_of(s, inv) is not None:
        raise UserError(f"invoice {inv.number} is credited: register no payment against it")
    return inv.total_minor - paid_minor(s, inv)


@dataclass(frozen=True)
class Paid:
    number: int
    amount_minor: int
    paid_minor: int
    total_minor: int
    state: str


def pay_invoice(
    db: Database,
    number: int,
    paid_on: date,
    amount_minor: int | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> Paid:
    """Register a payment (the rest of the invoice when no amount is given; `invoices.pay`)."""
    at = now or utcnow()

    def work(s: Session) -> Paid:
        require(actor, "invoices.pay", s, target=f"invoice {number}")
        inv = _by_number(s, number)
        left = _payable(s, inv)
        amount = left if amount_minor is None else amount_minor
        if left <= 0:
            raise UserError(f"invoice {number} is already paid")
        if amount <= 0:
            raise UserError("a payment is a positive amount")
        if amount > left:
            raise UserError(
                f"{amount / 100:.2f} is more than is left to pay on invoice {number} "
                f"({left / 100:.2f} {inv.currency})"
            )
        p = InvoicePayment(
            invoice_id=inv.id,
            paid_on=paid_on.isoformat(),
            amount_minor=amount,
            source="manual",
            bank_ref=None,
            recorded_at=at,
        )
        s.add(p)
        s.flush()
        _append(s, "payment", inv, at, p)
        from stationmgr.access.context import record

        record(
            s,
            "invoices.pay",
            f"invoice {number}",
            after={"amount_minor": amount, "paid_on": p.paid_on},
            actor=actor,
        )
        return Paid(
            number,
            amount,
            paid_minor(s, inv),
            inv.total_minor,
            state_of(s, inv, at.astimezone(site_tz(s)).date()),
        )

    return _retrying(db, work, "register the payment")


@dataclass(frozen=True)
class ImportResult:
    booked: list[tuple[int, int, str]]  # (invoice number, öre, paid on)
    unmatched: list[str]  # one line each: reference, amount, line
    already: int  # payments of this file registered before
    overpaid: list[int]  # invoice numbers now paid more than their total


def import_payments(
    db: Database, data: bytes, now: datetime | None = None, actor: Actor | None = None
) -> ImportResult:
    """Book the payments of a BgMax file against invoices by OCR reference, in one unit of
    work (a file that does not parse books nothing). A payment already booked (same
    Bankgirot serial number and date) is not booked again; one matching no invoice is
    reported, not booked."""
    from stationmgr.billing.bgmax import parse_bgmax

    parsed = parse_bgmax(data)
    at = now or utcnow()

    def work(s: Session) -> ImportResult:
        require(actor, "invoices.pay", s, target="bgmax import")
        booked: list[tuple[int, int, str]] = []
        unmatched: list[str] = []
        already = 0
        touched: dict[int, Invoice] = {}
        for p in parsed.payments:
            if s.scalar(select(InvoicePayment.id).where(InvoicePayment.bank_ref == p.bank_ref)):
                already += 1
                continue
            inv = (
                s.scalar(
                    select(Invoice).where(Invoice.ocr == p.reference, Invoice.kind == "invoice")
                )
                if p.reference
                else None
            )
            if inv is None or p.amount_minor <= 0:
                unmatched.append(
                    f"line {p.line}: reference {p.reference or '(none)'!r}, "
                    f"{p.amount_minor / 100:.2f}, paid {p.paid_on.isoformat()}"
                )
                continue
            pay = InvoicePayment(
                invoice_id=inv.id,
                paid_on=p.paid_on.isoformat(),
                amount_minor=p.amount_minor,
                source="bgmax",
                bank_ref=p.bank_ref,
                recorded_at=at,
            )
            s.add(pay)
            s.flush()
            _append(s, "payment", inv, at, pay)
            booked.append((inv.number, p.amount_minor, p.paid_on.isoformat()))
            touched[inv.id] = inv
        over = sorted(i.number for i in touched.values() if paid_minor(s, i) > i.total_minor)
        from stationmgr.access.context import record

        record(
            s,
            "invoices.pay",
            "bgmax import",
            after={"booked": len(booked), "unmatched": len(unmatched)},
            actor=actor,
        )
        return ImportResult(booked, unmatched, already, over)

    return _retrying(db, work, "import the payments")


# ---------------------------------------------------------------- credit notes


def credit_invoice(
    db: Database,
    number: int,
    reason: str,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> Issued:
    """A credit note for the whole of invoice `number`, numbered in the same series; the
    invoice's sessions are released (`invoices.issue`)."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError("a credit note needs a reason (--reason)")
    if len(reason) > 300:
        raise UserError("the reason is longer than 300 characters")
    at = now or utcnow()

    def work(s: Session) -> Issued:
        require(actor, "invoices.issue", s, target=f"invoice {number}")
        orig = _by_number(s, number)
        if orig.kind != "invoice":
            raise UserError(f"{number} is a credit note itself: it cannot be credited")
        done = credit_note_of(s, orig)
        if done is not None:
            raise UserError(f"invoice {number} is already credited by {done.number}")
        new_no = _next_number(s)
        today = at.astimezone(site_tz(s)).date().isoformat()
        note = Invoice(
            number=new_no,
            kind="credit",
            credits_id=orig.id,
            holder_id=orig.holder_id,
            group_id=orig.group_id,
            buyer=orig.buyer,
            period=orig.period,
            invoice_date=today,
            due_date=today,
            terms_days=0,
            currency=orig.currency,
            net_minor=-orig.net_minor,
            vat_minor=-orig.vat_minor,
            total_minor=-orig.total_minor,
            ocr=None,
            reason=reason,
            issued_at=at,
            sek_rate_e6=orig.sek_rate_e6,
        )
        for x in orig.lines:
            note.lines.append(
                InvoiceLine(
                    seq=x.seq,
                    session_id=x.session_id,
                    price_id=x.price_id,
                    ledger_seq=x.ledger_seq,
                    by_vat={k: [-v[0], -v[1]] for k, v in x.by_vat.items()},
                    net_minor=-x.net_minor,
                    vat_minor=-x.vat_minor,
                    total_minor=-x.total_minor,
                )
            )
        s.add(note)
        s.flush()
        s.execute(delete(SessionClaim).where(SessionClaim.invoice_id == orig.id))
        _append(s, "credit", note, at)
        from stationmgr.access.context import record

        record(
            s,
            "invoices.issue",
            f"invoice {number}",
            after={"credit_note": new_no, "reason": reason},
            actor=actor,
        )
        return Issued(
            new_no,
            str(orig.buyer.get("name", "")),
            len(note.lines),
            note.total_minor,
            note.currency,
            "",
            today,
        )

    return _retrying(db, work, "number the credit note")


# ---------------------------------------------------------------- hooks for receipts etc.


def claim_for_receipt(s: Session, session_id: int) -> None:
    """Called before a receipt is numbered: refused for a session on a live invoice; else
    the session is marked receipted (so no invoice takes it, even one racing this)."""
    claim = s.get(SessionClaim, session_id)
    if claim is None:
        s.add(SessionClaim(session_id=session_id, invoice_id=None))
        s.flush()
        return
    if claim.invoice_id is not None:
        inv = s.get(Invoice, claim.invoice_id)
        raise UserError(
            f"session {session_id} is on invoice {inv.number if inv else claim.invoice_id}: "
            "the invoice is its document, no receipt"
        )


def refuse_if_invoiced(s: Session, session_id: int) -> None:
    """A session on a live invoice is corrected only after the invoice is credited."""
    claim = s.get(SessionClaim, session_id)
    if claim is not None and claim.invoice_id is not None:
        inv = s.get(Invoice, claim.invoice_id)
        n = inv.number if inv else claim.invoice_id
        raise UserError(
            f"session {session_id} is on invoice {n}: credit it first "
            f"(stationmgr invoices credit {n} --reason …)"
        )


# ---------------------------------------------------------------- listing


@dataclass(frozen=True)
class InvoiceRow:
    number: int
    kind: str
    invoice_date: str
    due_date: str
    period: str
    buyer: str
    total_minor: int
    paid_minor: int
    currency: str
    state: str
    ocr: str
    refers_to: int | None  # the credited invoice, or the credit note of a credited one


def list_invoices(
    s: Session, period: str | None = None, state: str | None = None, today: date | None = None
) -> list[InvoiceRow]:
    day = today or utcnow().astimezone(site_tz(s)).date()
    q = select(Invoice).order_by(Invoice.number)
    if period:
        q = q.where(Invoice.period == period)
    out = []
    for inv in s.scalars(q):
        st = state_of(s, inv, day)
        if state and st != state:
            continue
        ref: int | None = None
        if inv.kind == "credit" and inv.credits_id:
            o = s.get(Invoice, inv.credits_id)
            ref = o.number if o else None
        elif st == "credited":
            n = credit_note_of(s, inv)
            ref = n.number if n else None
        out.append(
            InvoiceRow(
                inv.number,
                inv.kind,
                inv.invoice_date,
                inv.due_date,
                inv.period,
                str(inv.buyer.get("name", "")),
                inv.total_minor,
                paid_minor(s, inv),
                inv.currency,
                st,
                inv.ocr or "",
                ref,
            )
        )
    return out


STATES = ("issued", "paid", "overdue", "credited", "credit")


# ---------------------------------------------------------------- verify


def verify_invoices(s: Session) -> list[str]:
    """Invoice numbers run 1..N without a gap; the invoice chain links and re-encodes from
    the rows; each line matches its ledger sale; totals add up; a credit note negates its
    invoice; each chain entry's ledger head is still in the ledger."""
    numbers = list(s.scalars(select(Invoice.number).order_by(Invoice.number)))
    for i, n in enumerate(numbers, 1):
        if n != i:
            return [f"invoice numbering: gap at number {i} (next found: {n})"]
    prev, expected = GENESIS, 1
    seen: set[tuple[int, int | None]] = set()
    for ev in s.scalars(select(InvoiceEvent).order_by(InvoiceEvent.seq)):
        name = f"invoice chain entry #{ev.seq}"
        if ev.seq != expected:
            return [f"{name}: out of sequence (expected #{expected}): entries missing"]
        if ev.prev_hash != prev:
            return [f"{name}: does not link to entry #{ev.seq - 1} (the chain was cut)"]
        if hashlib.sha256((prev + ev.payload).encode("utf-8")).hexdigest() != ev.hash:
            return [f"{name}: its hash does not match its content (the entry was altered)"]
        inv = s.get(Invoice, ev.invoice_id)
        pay = s.get(InvoicePayment, ev.payment_id) if ev.payment_id else None
        if inv is None or (ev.payment_id and pay is None):
            return [f"{name}: the invoice or payment it records was deleted"]
        stored = json.loads(ev.payload)
        head = tuple(stored["ledger"]) if stored.get("ledger") else None
        if _payload(s, ev.kind, ev.seq, ev.ts, inv, pay, head) != ev.payload:  # type: ignore[arg-type]
            what = "payment" if pay else "invoice"
            return [f"{name}: {what} {inv.number} was altered after it was issued"]
        if head is not None:
            h = s.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == head[0]))
            if h != head[1]:
                return [f"{name}: the ledger entry #{head[0]} it names is gone or altered"]
        seen.add((inv.id, ev.payment_id))
        prev, expected = ev.hash, expected + 1
    for inv in s.scalars(select(Invoice).order_by(Invoice.number)):
        if (inv.id, None) not in seen:
            return [f"invoice {inv.number}: not in the invoice chain"]
        lines = list(inv.lines)
        for k, total in (
            ("net", inv.net_minor),
            ("vat", inv.vat_minor),
            ("total", inv.total_minor),
        ):
            if sum(getattr(x, f"{k}_minor") for x in lines) != total:
                return [f"invoice {inv.number}: its lines do not add up to its {k}"]
        if inv.kind == "invoice":
            entries = {
                e.seq: e
                for e in s.execute(
                    select(LedgerEntry.seq, LedgerEntry.kind, LedgerEntry.price_id).where(
                        LedgerEntry.seq.in_([x.ledger_seq for x in lines])
                    )
                )
            }
            prices = {
                p.id: p
                for p in s.execute(
                    select(
                        SessionPrice.id,
                        SessionPrice.net_minor,
                        SessionPrice.vat_minor,
                        SessionPrice.total_minor,
                    ).where(SessionPrice.id.in_([x.price_id for x in lines]))
                )
            }
            for x in lines:
                e = entries.get(x.ledger_seq)
                p = prices.get(x.price_id)
                if e is None or e.kind != "sale" or e.price_id != x.price_id or p is None:
                    return [
                        f"invoice {inv.number}: session {x.session_id} is not that sale "
                        "in the ledger"
                    ]
                if (p.net_minor, p.vat_minor, p.total_minor) != (
                    x.net_minor,
                    x.vat_minor,
                    x.total_minor,
                ):
                    return [
                        f"invoice {inv.number}: session {x.session_id} differs from its "
                        "price in the ledger"
                    ]
        else:
            o = s.get(Invoice, inv.credits_id) if inv.credits_id else None
            if o is None or o.total_minor != -inv.total_minor:
                return [f"credit note {inv.number}: does not negate the invoice it credits"]
    chained = {p for _, p in seen if p is not None}
    for pid in s.scalars(select(InvoicePayment.id)):
        if pid not in chained:
            return [f"invoice payment {pid}: not in the invoice chain"]
    return []
