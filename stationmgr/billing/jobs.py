"""Billing work as whole jobs: a database in, finished file bytes out, progress reported.

The GUI runs these on a worker thread (they open their own unit of work and never touch Qt)
and the CLI calls them directly, so both produce the very same files. Nothing is written
here: the caller writes the bytes (atomically) once the job has succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stationmgr.billing import statements as stm
from stationmgr.billing.reconcile import ChargerReconciliation, reconcile
from stationmgr.billing.sales import sales_csv
from stationmgr.billing.sie import export_sie
from stationmgr.billing.site import month_bounds, parse_month, site_tz
from stationmgr.store.db import Database
from stationmgr.store.models import utcnow

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
) -> Files:
    """A holder's or group's statement, or (neither) the accountant's month summary."""
    year, mon = parse_month(month)
    with db.session() as s:
        if holder or group:
            who, addr, holder_id, group_id = stm.resolve_scope(s, holder, group)
            st = stm.statement(s, year, mon, holder_id, group_id, who, addr, progress)
            return Files(
                stm.render_statement(st, lang),
                stm.statement_csv(st).encode("utf-8"),
                f"{who}: {len(st.rows)} session(s), total {st.total_minor / 100:.2f} {st.currency}",
            )
        m = stm.month_summary(s, year, mon, progress)
        total = sum(n + v for n, v in m.by_vat.values())
        return Files(
            stm.render_summary(m, lang),
            stm.summary_csv(m).encode("utf-8"),
            f"month summary {year}-{mon:02d}: total {total / 100:.2f} {m.currency}",
        )


def export_file(db: Database, month: str, fmt: str, progress: Progress | None = None) -> bytes:
    """The month's sales as SIE 4 (`sie`) or CSV (`csv`)."""
    from stationmgr.errors import UserError

    year, mon = parse_month(month)
    if fmt not in ("sie", "csv"):
        raise UserError(f"unknown export format {fmt!r}: use csv or sie")
    with db.session() as s:
        if fmt == "sie":
            return export_sie(s, year, mon, utcnow(), progress)
        tz = site_tz(s)
        start, end = month_bounds(year, mon, tz)
        return sales_csv(s, start, end, tz, progress).encode("utf-8")


def month_reconciliation(
    db: Database, month: str, progress: Progress | None = None
) -> list[ChargerReconciliation]:
    year, mon = parse_month(month)
    with db.session() as s:
        start, end = month_bounds(year, mon, site_tz(s))
        return reconcile(s, start, end, progress=progress)
