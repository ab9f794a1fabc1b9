"""Rows of the core's read services → the wire models of the window's history, reports and
chargers pages (`LocalClient` uses these; kept here so `local.py` stays one page of calls)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from stationmgr.client import models as m
from stationmgr.client.local import _session_row, iso
from stationmgr.errors import UserError


def priced_rows(s: Session, rows: list[Any], labels: dict[int, str]) -> list[m.SessionRow]:
    """Wire rows with each session's latest price total and receipt number (the history's
    price and receipt columns)."""
    from dataclasses import replace

    from stationmgr.history import price_totals, receipt_numbers

    ids = [r.id for r in rows]
    prices, receipts = price_totals(s, ids), receipt_numbers(s, ids)
    return [
        replace(
            _session_row(r, labels), total_minor=prices.get(r.id), receipt_number=receipts.get(r.id)
        )
        for r in rows
    ]


def detail_wire(row: m.SessionRow, d: Any) -> m.SessionDetail:
    info = d.session
    price = None
    if d.price is not None:
        p = d.price
        lines = [
            m.PriceLine(
                ln.kind,
                ln.quantity,
                ln.unit,
                ln.unit_price_minor,
                ln.net_minor,
                ln.vat_minor,
                ln.amount_minor,
            )
            for ln in p.lines
        ]
        price = m.SessionPrice(p.currency, p.net_minor, p.vat_minor, p.total_minor, lines)
    return m.SessionDetail(
        row,
        info.meter_start_wh,
        info.meter_stop_wh,
        info.started_by,
        info.guest_reason,
        info.stop_detail,
        [[iso(c.at), c.energy_wh, c.power_w] for c in d.curve],
        authorized_at=iso(info.authorized_at),
        waiting_s=info.waiting_s,
        meter_resets=info.meter_resets or 0,
        events=[[iso(at), what, detail] for at, what, detail in d.events],
        price=price,
    )


def capacity_wire(rep: Any) -> m.CapacityReport:
    return m.CapacityReport(
        first_day=rep.first_day.isoformat(),
        last_day=rep.last_day.isoformat(),
        tz=rep.tz,
        start=iso(rep.start) or "",
        end=iso(rep.end) or "",
        sessions=rep.sessions,
        energy_wh=float(rep.energy_wh),
        bays=[
            m.CapacityBay(
                b.bay_id,
                b.label,
                b.sessions,
                float(b.energy_wh),
                int(b.plugged_s),
                int(b.charging_s),
                int(b.idle_s),
                float(b.period_s),
            )
            for b in rep.bays
        ],
        days=[m.CapacityDay(d.day.isoformat(), d.sessions, float(d.energy_wh)) for d in rep.days],
        heatmap=[[float(v) for v in row] for row in rep.heatmap],
        by_bay=[typical(t) for t in rep.by_bay],
        by_group=[typical(t) for t in rep.by_group],
        idle_bays=[m.CapacityIdle(r.name, r.sessions, int(r.idle_s)) for r in rep.idle_bays],
        idle_cards=[m.CapacityIdle(r.name, r.sessions, int(r.idle_s)) for r in rep.idle_cards],
    )


def typical(t: Any) -> m.CapacityTypical:
    return m.CapacityTypical(
        t.name, t.sessions, float(t.plugged_s), float(t.charging_s), float(t.idle_s)
    )


def day(text: str, what: str) -> Any:
    """A `YYYY-MM-DD` day (UserError otherwise)."""
    from stationmgr.cards import parse_date

    if len(text.strip()) != 10:
        raise UserError(f"invalid {what} {text[:40]!r}: expected YYYY-MM-DD")
    dt = parse_date(text, what)
    if dt is None:
        raise UserError(f"the {what} is missing")
    return dt.date()


def comm(engine: Any, charger_id: int, enabled: bool) -> str | None:
    """What the running site makes of a charger now (None: no site runs here)."""
    if engine is None:
        return None
    if not enabled:
        return "disabled"
    coord = engine.coordinators.get(charger_id)
    if coord is None and charger_id in getattr(engine, "external_chargers", {}):
        # A charger that connects to the site (OCPP): answering while its bays are seen.
        info = getattr(engine, "bay_info", {})
        bays = [b for i, b in engine.bays.items() if i in info and info[i].charger_id == charger_id]
        return "answering" if any(b.online for b in bays) else "waiting"
    if coord is None:
        return "not running"
    online = getattr(coord, "online", None)
    if online is None:
        return "connecting"
    return "answering" if online else "not answering"
