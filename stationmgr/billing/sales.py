"""The month's sales as the bookkeeping sees them: read from the ledger, not recomputed.

A sale is booked when its ledger entry was written (at the session's stop); a correction
made later is booked in the month it was made, as the reversal of the old sale plus the new
one. So a closed month's figures never change, and every export adds up to the ledger.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.csv_safe import csv_writer
from stationmgr.store.billing_models import LedgerEntry, Receipt
from stationmgr.store.models import Bay

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Sale:
    """One ledger entry in money terms (a reversal has negative amounts)."""

    seq: int
    kind: str
    ts: datetime
    session_id: int
    tx_uid: str
    bay: str
    card_uid: str | None
    holder_name: str | None
    group_id: int | None
    guest: bool
    energy_wh: float
    currency: str
    receipt: int | None
    tariffs: tuple[str, ...]
    by_vat: dict[int, tuple[int, int]]  # vat_bp → (net, vat)
    lines: tuple[dict, ...]  # type: ignore[type-arg]
    holder_id: int | None = None
    stopped_at: datetime | None = None  # the session's stop (a late sale: before `ts`'s month)

    @property
    def net_minor(self) -> int:
        return sum(n for n, _ in self.by_vat.values())

    @property
    def vat_minor(self) -> int:
        return sum(v for _, v in self.by_vat.values())

    @property
    def total_minor(self) -> int:
        return self.net_minor + self.vat_minor


def sales(
    s: Session, start: datetime, end: datetime, progress: Progress | None = None
) -> Iterator[Sale]:
    """Ledger entries written in [start, end), in chain order."""
    bays = dict(s.execute(select(Bay.id, Bay.label)).all())
    receipts = dict(
        s.execute(
            select(Receipt.price_id, Receipt.number)
            .join(LedgerEntry, LedgerEntry.price_id == Receipt.price_id)
            .where(LedgerEntry.ts >= start, LedgerEntry.ts < end)
        ).all()
    )
    q = (
        select(
            LedgerEntry.seq,
            LedgerEntry.kind,
            LedgerEntry.ts,
            LedgerEntry.price_id,
            LedgerEntry.payload,
        )
        .where(LedgerEntry.ts >= start, LedgerEntry.ts < end)
        .order_by(LedgerEntry.seq)
    )
    rows = s.execute(q).all()
    for n, (seq, kind, ts, price_id, payload) in enumerate(rows, 1):
        d = json.loads(payload)
        tx, price = d["session"], d["price"]
        by_vat: dict[int, tuple[int, int]] = {}
        for line in price["lines"]:
            net, vat = by_vat.get(line["vat_bp"], (0, 0))
            by_vat[line["vat_bp"]] = (net + line["net_minor"], vat + line["vat_minor"])
        yield Sale(
            seq=seq,
            kind=kind,
            ts=ts,
            session_id=tx["id"],
            tx_uid=tx["tx_uid"],
            bay=bays.get(tx["bay_id"], str(tx["bay_id"])),
            card_uid=tx["card_uid"],
            holder_name=tx["holder_name"],
            group_id=tx["group_id"],
            guest=tx["start_kind"] == "guest",
            energy_wh=float(tx["energy_wh"]) * (-1 if kind == "reversal" else 1),
            currency=price["currency"],
            receipt=receipts.get(price_id) if kind == "sale" else None,
            tariffs=tuple(dict.fromkeys(t["name"] for t in price["tariffs"])),
            by_vat=by_vat,
            lines=tuple(price["lines"]),
            holder_id=tx.get("holder_id"),
            stopped_at=_epoch_ms(tx.get("stopped_at")),
        )
        if progress is not None and (n % 200 == 0 or n == len(rows)):
            progress(n, len(rows))


def _epoch_ms(ms: int | None) -> datetime | None:
    from datetime import UTC

    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


SALES_CSV = [
    "entry",
    "kind",
    "date",
    "tx_uid",
    "bay",
    "card",
    "holder",
    "receipt",
    "energy_kwh",
    "vat_rate",
    "net",
    "vat",
    "total",
    "currency",
    "tariff",
]


def sales_csv(
    s: Session,
    start: datetime,
    end: datetime,
    tz: object,
    progress: Progress | None = None,
    dialect: str = "plain",
) -> str:
    """The month's ledger entries as CSV, one row per entry and VAT rate (amounts with a
    decimal point; a reversal is negative), and a total row per VAT rate."""
    from stationmgr.auth import mask_uid

    out = io.StringIO()
    w = csv_writer(out, dialect)
    w.writerow(SALES_CSV)
    totals: dict[int, list[int]] = {}
    cur = ""
    for x in sales(s, start, end, progress):
        cur = x.currency
        for bp, (net, vat) in sorted(x.by_vat.items()):
            t = totals.setdefault(bp, [0, 0])
            t[0] += net
            t[1] += vat
            w.writerow(
                [
                    x.seq,
                    x.kind,
                    x.ts.astimezone(tz).date().isoformat(),  # type: ignore[arg-type]
                    x.tx_uid,
                    x.bay,
                    mask_uid(x.card_uid) if x.card_uid else "guest",
                    x.holder_name or "",
                    x.receipt or "",
                    f"{x.energy_wh / 1000:.3f}",
                    f"{bp / 100:g}",
                    _dec(net),
                    _dec(vat),
                    _dec(net + vat),
                    x.currency,
                    " / ".join(x.tariffs),
                ]
            )
    for bp, (net, vat) in sorted(totals.items()):
        w.writerow(
            [
                "total",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                f"{bp / 100:g}",
                _dec(net),
                _dec(vat),
                _dec(net + vat),
                cur,
                "",
            ]
        )
    return out.getvalue()


def _dec(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"
