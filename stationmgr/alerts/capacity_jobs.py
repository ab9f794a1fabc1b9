"""The capacity report for clients (the window, later the site API), on a `Database`: on
screen it is a read; the PDF is an export (`sessions.export`, checked and audited), as
`stationmgr report` requires."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stationmgr.access.context import Actor, record, require
from stationmgr.alerts.capacity import CapacityReport, capacity_report
from stationmgr.store.db import Database


def capacity_for(
    db: Database, first_day: date, last_day: date, now: float | None = None
) -> CapacityReport:
    with db.session() as s:
        return capacity_report(s, first_day, last_day, now=now)


def export_capacity_pdf(
    db: Database, rep: CapacityReport, path: str | Path, actor: Actor | None = None
) -> Path:
    """Write `rep` as a PDF at `path` (whole, or not at all) and audit the export."""
    from stationmgr.alerts.report_pdf import write_capacity_pdf
    from stationmgr.settings import get_setting

    with db.session() as s:
        actor = require(actor, "sessions.export", s, target=str(path))
        site = str(get_setting(s, "seller_name", "") or "")
        out = write_capacity_pdf(rep, path, site)
        what = {"report": "capacity", "from": str(rep.first_day), "to": str(rep.last_day)}
        record(s, "sessions.export", str(out), None, what, actor)
    return out


def capacity_pdf(db: Database, rep: CapacityReport, actor: Actor | None = None) -> bytes:
    """The report as PDF bytes, for a client that saves them on its own PC (the site's
    disk is not the person's): checked and audited as an export."""
    import tempfile

    from stationmgr.alerts.report_pdf import write_capacity_pdf
    from stationmgr.settings import get_setting

    target = f"capacity {rep.first_day}..{rep.last_day}"
    with db.session() as s:
        actor = require(actor, "sessions.export", s, target=target)
        site = str(get_setting(s, "seller_name", "") or "")
    with tempfile.TemporaryDirectory(prefix="stationmgr-report-") as tmp:
        data = write_capacity_pdf(rep, Path(tmp) / "capacity.pdf", site).read_bytes()
    with db.session() as s:
        what = {"report": "capacity", "from": str(rep.first_day), "to": str(rep.last_day)}
        record(s, "sessions.export", target, None, what, actor)
    return data
