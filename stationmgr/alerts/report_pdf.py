"""The capacity report as a PDF: tables plus simple charts drawn with reportlab graphics.

``write_capacity_pdf(report, path, site_name)`` writes atomically (a temporary file in the
same directory, renamed at the end), so a failure never leaves half a PDF behind. The font is
the embedded DejaVu Sans the receipts use.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from stationmgr.alerts.capacity import WEEKDAYS, CapacityReport
from stationmgr.billing.pdf import BOLD, FONT, register_fonts

PAGE = landscape(A4)
BLUE = colors.HexColor("#2b6cb0")
GREEN = colors.HexColor("#38a169")
ORANGE = colors.HexColor("#dd6b20")


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5),
    }


def _table(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    t = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5f9")]),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return t


def heatmap_drawing(rep: CapacityReport, width: float = 250 * mm) -> Drawing:
    """Weekday rows × 24 hour columns, darker = more of the site's bays occupied."""
    cell_w = (width - 16 * mm) / 24
    cell_h = 6 * mm
    left, top = 14 * mm, 7 * cell_h + 5 * mm
    d = Drawing(width, top + 10 * mm)
    peak = max((v for row in rep.heatmap for v in row), default=0.0)
    for w, name in enumerate(WEEKDAYS):
        y = top - (w + 1) * cell_h
        d.add(String(0, y + cell_h / 3, name, fontName=FONT, fontSize=7))
        for h in range(24):
            v = rep.heatmap[w][h] if rep.heatmap else 0.0
            shade = colors.linearlyInterpolatedColor(
                colors.HexColor("#f7fbff"), colors.HexColor("#08306b"), 0, 1, min(1.0, v)
            )
            d.add(Rect(left + h * cell_w, y, cell_w, cell_h, fillColor=shade, strokeColor=None))
            if v >= 0.005:
                d.add(
                    String(
                        left + h * cell_w + cell_w / 2,
                        y + cell_h / 3,
                        f"{v * 100:.0f}",
                        fontName=FONT,
                        fontSize=5.5,
                        textAnchor="middle",
                        fillColor=colors.white if v > 0.5 else colors.black,
                    )
                )
    for h in range(0, 24, 2):
        d.add(
            String(
                left + h * cell_w + cell_w / 2,
                top + 1.5 * mm,
                f"{h:02d}",
                fontName=FONT,
                fontSize=6.5,
                textAnchor="middle",
            )
        )
    d.add(
        String(
            left,
            top + 6 * mm,
            f"Occupancy by weekday and hour (% of bay time plugged; peak {peak * 100:.0f} %)",
            fontName=BOLD,
            fontSize=8,
        )
    )
    return d


def per_day_chart(rep: CapacityReport, width: float = 250 * mm) -> Drawing:
    d = Drawing(width, 55 * mm)
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 12 * mm, 8 * mm, width - 20 * mm, 38 * mm
    c.data = [[day.sessions for day in rep.days] or [0]]
    c.bars[0].fillColor = BLUE
    c.valueAxis.valueMin = 0
    c.valueAxis.labels.fontName = FONT
    c.valueAxis.labels.fontSize = 6.5
    step = max(1, len(rep.days) // 16)
    c.categoryAxis.categoryNames = [
        day.day.strftime("%d/%m") if i % step == 0 else "" for i, day in enumerate(rep.days)
    ] or [""]
    c.categoryAxis.labels.fontName = FONT
    c.categoryAxis.labels.fontSize = 6
    d.add(c)
    d.add(String(12 * mm, 50 * mm, "Sessions per day", fontName=BOLD, fontSize=8))
    return d


def bay_share_chart(rep: CapacityReport, width: float = 250 * mm) -> Drawing:
    n = max(1, len(rep.bays))
    height = 12 * mm + n * 7 * mm
    d = Drawing(width, height + 8 * mm)
    c = HorizontalBarChart()
    c.x, c.y, c.width, c.height = 20 * mm, 6 * mm, width - 30 * mm, height - 6 * mm
    c.data = [
        [b.charging_share * 100 for b in rep.bays] or [0],
        [b.idle_share * 100 for b in rep.bays] or [0],
        [max(0.0, (b.plugged_s - b.charging_s - b.idle_s) / b.period_s * 100) for b in rep.bays]
        or [0],
    ]
    c.categoryAxis.style = "stacked"
    for i, col in enumerate((GREEN, ORANGE, colors.HexColor("#a0aec0"))):
        c.bars[i].fillColor = col
        c.bars[i].strokeColor = None
    c.categoryAxis.categoryNames = [b.label for b in rep.bays] or [""]
    c.categoryAxis.labels.fontName = FONT
    c.categoryAxis.labels.fontSize = 7
    c.valueAxis.valueMin = 0
    c.valueAxis.labels.fontName = FONT
    c.valueAxis.labels.fontSize = 6.5
    d.add(c)
    d.add(
        String(
            20 * mm,
            height + 3 * mm,
            "Share of the period per bay (%): charging (green), idle (orange), waiting (grey)",
            fontName=BOLD,
            fontSize=8,
        )
    )
    return d


def build_story(rep: CapacityReport, site_name: str = "") -> list[object]:
    st = _styles()
    title = f"Capacity report {rep.first_day:%Y-%m-%d} – {rep.last_day:%Y-%m-%d}"
    story: list[object] = [
        Paragraph(title + (f" · {site_name}" if site_name else ""), st["title"]),
        Paragraph(
            f"{rep.sessions} sessions, {rep.energy_wh / 1000:.1f} kWh, {len(rep.bays)} bays; "
            f"local time {rep.tz}; generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            st["body"],
        ),
        Spacer(1, 4 * mm),
        heatmap_drawing(rep),
        Paragraph("Bays", st["h2"]),
        _table(
            [
                [
                    "Bay",
                    "Sessions",
                    "kWh",
                    "Plugged",
                    "Charging",
                    "Idle",
                    "Plugged %",
                    "Charging %",
                    "Idle %",
                ]
            ]
            + [
                [
                    b.label,
                    str(b.sessions),
                    f"{b.energy_wh / 1000:.1f}",
                    hours(b.plugged_s),
                    hours(b.charging_s),
                    hours(b.idle_s),
                    pct(b.plugged_share),
                    pct(b.charging_share),
                    pct(b.idle_share),
                ]
                for b in rep.bays
            ]
        ),
        bay_share_chart(rep),
        KeepTogether(
            [
                Paragraph("Typical session (median)", st["h2"]),
                _table(
                    [["By bay", "Sessions", "Plugged", "Charging", "Idle"]]
                    + [
                        [
                            t.name,
                            str(t.sessions),
                            minutes(t.plugged_s),
                            minutes(t.charging_s),
                            minutes(t.idle_s),
                        ]
                        for t in rep.by_bay
                    ]
                ),
                Spacer(1, 3 * mm),
                _table(
                    [["By card group", "Sessions", "Plugged", "Charging", "Idle"]]
                    + [
                        [
                            t.name,
                            str(t.sessions),
                            minutes(t.plugged_s),
                            minutes(t.charging_s),
                            minutes(t.idle_s),
                        ]
                        for t in rep.by_group
                    ]
                ),
            ]
        ),
        KeepTogether(
            [
                Paragraph("Most idle time", st["h2"]),
                _table(
                    [["Bay", "Sessions", "Idle"]]
                    + [[r.name, str(r.sessions), hours(r.idle_s)] for r in rep.idle_bays]
                ),
                Spacer(1, 3 * mm),
                _table(
                    [["Card", "Sessions", "Idle"]]
                    + [[r.name, str(r.sessions), hours(r.idle_s)] for r in rep.idle_cards]
                ),
            ]
        ),
        Paragraph("Sessions and energy per day", st["h2"]),
        per_day_chart(rep),
        _table(
            [["Day", "Sessions", "kWh"]]
            + [
                [f"{d.day:%Y-%m-%d %a}", str(d.sessions), f"{d.energy_wh / 1000:.1f}"]
                for d in rep.days
            ]
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            "Sessions count on the day they were plugged in. Plugged = charging + idle + "
            "waiting for the first energy; idle runs from the last energy flow to the unplug. "
            "The heat-map shares bay time by local hour, sessions clipped to the period.",
            st["small"],
        ),
    ]
    return story


def write_capacity_pdf(rep: CapacityReport, path: str | Path, site_name: str = "") -> Path:
    register_fonts()
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        doc = SimpleDocTemplate(
            tmp,
            pagesize=PAGE,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=12 * mm,
            bottomMargin=12 * mm,
            title="Capacity report",
            author="stationmgr",
        )
        doc.build(build_story(rep, site_name))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
