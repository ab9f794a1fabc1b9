"""Billing work as whole jobs: a database in, finished file bytes out, progress reported.

The GUI runs these on a worker thread (they open their own unit of work and never touch Qt)
and the CLI calls them directly, so both produce the very same files. Nothing is written
here: the caller writes the bytes (atomically) once the job has succeeded.

Each job checks the signed-in operator's role (`actor`, else the process's) and audits
what it hands out, as the CLI does: an attendant cannot take a statement, the month
summary or an SIE export from the window either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from stationmgr.access.context import Actor, record, require
from stationmgr.billing import statements as stm
from stationmgr.billing.pdf import decimal
from stationmgr.billing.pdf import money as pdf_money
from stationmgr.billing.reconcile import ChargerReconciliation, reconcile
from stationmgr.billing.sales import sales_csv
from stationmgr.billing.sie import export_sie
from stationmgr.billing.site import csv_dialect, month_bounds, parse_month, site_tz
from stationmgr.store.db import Database
from stationmgr.store.models import CardGroup, CardHolder, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stationmgr.verify import CheckResult

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Files:
    pdf: bytes
    csv: bytes
    summary: str  # one line for a status bar or the terminal


def statement_files(
    db: Database,
    month: str,
    holder: str | None = None,
    group: str | None = None,
    lang: str = "sv",
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> Files:
    """A holder's or group's statement, or (neither) the accountant's month summary
    (`statements.create`, audited)."""
    year, mon = parse_month(month)
    with db.session() as s:
        _checked(s, actor, "statements.create", month, {"holder": holder, "group": group})
        if holder or group:
            who, addr, holder_id, group_id = stm.resolve_scope(s, holder, group)
            st = stm.statement(s, year, mon, holder_id, group_id, who, addr, progress)
            return Files(
                stm.render_statement(st, lang),
                stm.statement_csv(st, csv_dialect(s)).encode("utf-8"),
                f"{who}: {len(st.rows)} session(s), total {st.total_minor / 100:.2f} {st.currency}",
            )
        m = stm.month_summary(s, year, mon, progress)
        total = sum(n + v for n, v in m.by_vat.values())
        return Files(
            stm.render_summary(m, lang),
            stm.summary_csv(m, csv_dialect(s)).encode("utf-8"),
            f"month summary {year}-{mon:02d}: total {total / 100:.2f} {m.currency}",
        )


def export_file(
    db: Database,
    month: str,
    fmt: str,
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> bytes:
    """The month's sales as SIE 4 (`sie`) or CSV (`csv`) (`billing.export`, audited)."""
    from stationmgr.errors import UserError

    year, mon = parse_month(month)
    if fmt not in ("sie", "csv"):
        raise UserError(f"unknown export format {fmt!r}: use csv or sie")
    from stationmgr.billing.months import closed, export_bytes

    with db.session() as s:
        _checked(s, actor, "billing.export", month, {"format": fmt})
        if closed(s, year, mon) is not None:  # as handed out at the close, byte for byte
            return export_bytes(s, year, mon, fmt, utcnow())
        if fmt == "sie":
            return export_sie(s, year, mon, utcnow(), progress)
        tz = site_tz(s)
        start, end = month_bounds(year, mon, tz)
        return sales_csv(s, start, end, tz, progress, csv_dialect(s)).encode("utf-8")


def month_reconciliation(
    db: Database, month: str, progress: Progress | None = None, actor: Actor | None = None
) -> list[ChargerReconciliation]:
    """The month's charger counters against its sessions (`billing.export`, as the CLI)."""
    year, mon = parse_month(month)
    with db.session() as s:
        _checked(s, actor, "billing.export", month, {"reconcile": True})
        start, end = month_bounds(year, mon, site_tz(s))
        return reconcile(s, start, end, progress=progress)


def _checked(
    s: Session, actor: Actor | None, action: str, month: str, what: dict[str, object]
) -> None:
    """Refuse (audited) unless the operator may; else audit what is handed out. The entry
    goes in the job's own unit of work, so a job that fails leaves no entry."""
    actor = require(actor, action, s, target=month)
    record(s, action, month, None, {"month": month, **what}, actor=actor)


def verify_all(db: Database, actor: Actor | None = None) -> list[CheckResult]:
    """Every integrity check (`verify`: the owner's and the accountant's)."""
    from stationmgr.verify import run_checks

    with db.session() as s:
        require(actor, "verify", s)
    return run_checks(db)


@dataclass(frozen=True)
class Scope:
    """Whom a statement can be for: `key` is "holder:ID" or "group:ID"."""

    kind: str  # holder | group
    key: str
    name: str


def statement_scopes(db: Database) -> list[Scope]:
    """Card groups, then holders, by name (a read)."""
    with db.session() as s:
        groups = [
            Scope("group", f"group:{i}", n)
            for i, n in s.execute(select(CardGroup.id, CardGroup.name).order_by(CardGroup.name))
        ]
        holders = [
            Scope("holder", f"holder:{i}", n)
            for i, n in s.execute(select(CardHolder.id, CardHolder.name).order_by(CardHolder.name))
        ]
    return groups + holders


@dataclass(frozen=True)
class Preview:
    """A statement or month summary as table rows, with its finished files."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    files: Files


# The preview table in the document's language (what the PDF and CSV beside it say).
PREVIEW_HEADERS = {
    "summary": {
        "sv": ["Dag", "Laddningar", "kWh", "Netto", "Moms", "Summa"],
        "en": ["Day", "Sessions", "kWh", "Net", "VAT", "Total"],
    },
    "statement": {
        "sv": ["Avslutad", "Plats", "Kort", "kWh", "Netto", "Moms", "Summa", "Kvitto"],
        "en": ["Stopped", "Bay", "Card", "kWh", "Net", "VAT", "Total", "Receipt"],
    },
}
TOTAL_WORD = {"sv": "Summa", "en": "Total"}
SESSIONS_WORDS = {"sv": ("1 laddning", "{0} laddningar"), "en": ("1 session", "{0} sessions")}


def _money(minor: float, lang: str) -> str:
    return pdf_money(round(minor), lang)


def _kwh(wh: float, lang: str) -> str:
    return decimal(wh / 1000, 3, lang)


def _sessions(n: int, lang: str) -> str:
    one, many = SESSIONS_WORDS.get(lang, SESSIONS_WORDS["en"])
    return one if n == 1 else many.format(n)


def statement_preview(
    db: Database,
    month: str,
    scope: str | None,
    lang: str = "sv",
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> Preview:
    """The statement for `scope` ("holder:ID"/"group:ID"), or (None) the month summary, as
    rows plus files (`statements.create`, audited: the files are handed out with it)."""
    year, mon = parse_month(month)
    with db.session() as s:
        _checked(s, actor, "statements.create", month, {"scope": scope})
        if scope is None:
            m = stm.month_summary(s, year, mon, progress)
            rows = [
                [
                    day,
                    str(int(n)),
                    _kwh(wh, lang),
                    _money(net, lang),
                    _money(v, lang),
                    _money(net + v, lang),
                ]
                for day, (n, wh, net, v) in m.by_day.items()
            ]
            total = sum(n + v for n, v in m.by_vat.values())
            files = Files(
                stm.render_summary(m, lang),
                stm.summary_csv(m, csv_dialect(s)).encode("utf-8"),
                f"{year}-{mon:02d}: {_money(total, lang)} {m.currency}",
            )
            return Preview(
                f"summary-{year}-{mon:02d}",
                PREVIEW_HEADERS["summary"][lang],
                rows,
                files,
            )
        kind, _, key = scope.partition(":")
        who, addr, holder_id, group_id = stm.resolve_scope(
            s, key if kind == "holder" else None, key if kind == "group" else None
        )
        st = stm.statement(s, year, mon, holder_id, group_id, who, addr, progress)
        tz = st.tz
        rows = [
            [
                r.stopped_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                r.bay,
                r.card or "",
                _kwh(r.energy_wh, lang),
                _money(r.net_minor, lang),
                _money(r.vat_minor, lang),
                _money(r.total_minor, lang),
                str(r.receipt or ""),
            ]
            for r in st.rows
        ]
        rows.append(
            [
                TOTAL_WORD[lang],
                "",
                "",
                _kwh(st.energy_wh, lang),
                _money(st.net_minor, lang),
                _money(st.vat_minor, lang),
                _money(st.total_minor, lang),
                st.currency,
            ]
        )
        files = Files(
            stm.render_statement(st, lang),
            stm.statement_csv(st, csv_dialect(s)).encode("utf-8"),
            f"{who}: {_sessions(len(st.rows), lang)}, {_money(st.total_minor, lang)} {st.currency}",
        )
        safe = "".join(ch if ch.isalnum() else "-" for ch in who).strip("-") or "statement"
        return Preview(
            f"{safe}-{year}-{mon:02d}",
            PREVIEW_HEADERS["statement"][lang],
            rows,
            files,
        )
