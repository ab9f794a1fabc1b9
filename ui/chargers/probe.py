"""'Test connection': the CLI's probe run on the worker, its snapshot shown as a person reads
it (state word, power, energy, firmware) or its failure as one line. A card reader's test
is the CLI's reader probe (`stationmgr devices probe rdm6300 PORT`): open the port with the
chosen driver and wait for the next card."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from stationmgr.cli.devices import _probe, _probe_reader
from stationmgr.drivers import DeviceConfig
from stationmgr.errors import StationError

PROBE_TIMEOUT_S = 5.0
READER_TIMEOUT_S = 15.0  # time to fetch a card and hold it on the reader


def run_probe(
    config: DeviceConfig, driver: str, timeout: float = PROBE_TIMEOUT_S
) -> dict[str, Any]:
    """Connect, identify, read once, close (blocking: call it on the worker)."""
    quiet = logging.getLogger("stationmgr.drivers")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # the failure is shown once, by the caller
    try:
        return asyncio.run(_probe(driver, config, timeout))
    finally:
        quiet.setLevel(level)


def run_reader_probe(
    config: DeviceConfig, driver: str, timeout: float = READER_TIMEOUT_S
) -> dict[str, Any]:
    """Open the reader's port, wait for one card, close (blocking: call it on the worker)."""
    quiet = logging.getLogger("stationmgr.drivers")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        return asyncio.run(_probe_reader(driver, config, timeout))
    finally:
        quiet.setLevel(level)


def tap_html(snap: dict[str, Any]) -> str:
    """The reader probe's card as one line: the number as stored, and the frame's raw text
    when it differs."""
    e = html.escape
    text = _tr("Card {0} read on {1}").format(
        f"<b>{e(str(snap.get('uid')))}</b>", e(str(snap.get("port")))
    )
    raw = snap.get("raw")
    if raw and raw != snap.get("uid"):
        text += f" <span style='color:gray'>({e(str(raw))})</span>"
    return text


def failure_text(e: BaseException, config: DeviceConfig, timeout: float = PROBE_TIMEOUT_S) -> str:
    """One line for the person at the desk, never a traceback."""
    if isinstance(e, TimeoutError):
        return _tr("Nothing answered on {0} within {1} s.").format(config.port, f"{timeout:g}")
    if isinstance(e, StationError):
        return str(e)
    if isinstance(e, OSError):
        return f"{config.port}: {e.strerror or e}"
    return _tr("Test failed: {0}").format(e)


def _tr(text: str) -> str:
    return QCoreApplication.translate("probe", text)


def _num(loc: QLocale, value: float | None, scale: float, digits: int, unit: str) -> str:
    if value is None:
        return "–"
    return f"{loc.toString(float(value) / scale, 'f', digits)} {unit}"


def snapshot_html(snap: dict[str, Any], loc: QLocale | None = None) -> str:
    """The probe's JSON snapshot as a short rich-text summary."""
    loc = loc or QLocale()
    e = html.escape
    lo, hi = (snap.get("current_range_a") or [None, None])[:2]
    head = [f"<b>{e(str(snap.get('model') or snap.get('driver')))}</b>"]
    if snap.get("firmware"):
        head.append(_tr("firmware {0}").format(e(str(snap["firmware"]))))
    if lo is not None and hi is not None:
        head.append(f"{lo:g}–{hi:g} A")
    lines = [" · ".join(head)]
    for c in snap.get("connectors", []):
        parts = [
            _tr("Connector {0}").format(c.get("connector")),
            f"<b>{e(str(c.get('state')))}</b>",
            _num(loc, c.get("power_w"), 1000.0, 1, "kW"),
        ]
        total = c.get("total_energy_wh")
        if total is None:
            total = c.get("energy_register_wh")
        parts.append(_tr("meter {0}").format(_num(loc, total, 1000.0, 3, "kWh")))
        if c.get("session_energy_wh") is not None:
            parts.append(
                _tr("session {0}").format(_num(loc, c["session_energy_wh"], 1000.0, 3, "kWh"))
            )
        if c.get("fault"):
            parts.append(f"<span style='color:#b3261e'>{e(str(c['fault']))}</span>")
        raw = c.get("raw_state")
        if raw:
            parts.append(f"<span style='color:gray'>({e(str(raw))})</span>")
        lines.append(" · ".join(parts))
    return "<br>".join(lines)
