"""The history as a CSV file (the CLI's `sessions list --csv` columns), made from wire rows
so a site service can hand it to a window on another PC, which saves it there."""

from __future__ import annotations

import io

from stationmgr.client import models as m
from stationmgr.csv_safe import csv_writer

COLUMNS = [
    "id",
    "tx_uid",
    "bay",
    "card",
    "holder",
    "plugged_at",
    "stopped_at",
    "energy_kwh",
    "plugged_min",
    "charging_min",
    "idle_min",
    "stop_reason",
    "stopped_by",
    "total_minor",
]


def _minutes(v: int | None) -> str:
    return "" if v is None else f"{v / 60:.0f}"


def session_cells(r: m.SessionRow) -> list[object]:
    """One session as the CLI's table and CSV show it (`COLUMNS` but the price)."""
    return [
        r.id,
        r.tx_uid,
        r.bay,
        r.card_uid or "guest",
        r.holder_name or "",
        r.plugged_at,
        r.stopped_at or "",
        f"{r.energy_wh / 1000:.3f}",
        _minutes(r.plugged_s),
        _minutes(r.charging_s),
        _minutes(r.idle_s),
        r.stop_reason or ("running" if r.stopped_at is None else ""),
        r.stopped_by or "",
    ]


def sessions_csv(rows: list[m.SessionRow]) -> str:
    out = io.StringIO()
    w = csv_writer(out)
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([*session_cells(r), "" if r.total_minor is None else r.total_minor])
    return out.getvalue()
