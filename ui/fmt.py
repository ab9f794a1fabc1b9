"""Numbers, durations, money and times in the chosen locale (QLocale), for display only.

Times are shown in the site's time zone (its `timezone` setting, from `site_info`), the one
the receipts, statements and the CLI's dates use: a PC in another zone, or one set to UTC,
shows the site's clock. Until the window knows its site: this PC's local time.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QTimeZone

_SITE_ZONE: list[ZoneInfo] = []


def set_site_zone(name: str | None) -> None:
    """Show times in the IANA zone `name` (the site's); None or unknown: local time."""
    _SITE_ZONE.clear()
    try:
        if name:
            _SITE_ZONE.append(ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        pass


def site_zone() -> tzinfo | None:
    """The site's zone as a tzinfo (None: this PC's local time)."""
    return _SITE_ZONE[0] if _SITE_ZONE else None


def _at(ms: int) -> QDateTime:
    if _SITE_ZONE:
        return QDateTime.fromMSecsSinceEpoch(ms, QTimeZone(_SITE_ZONE[0].key.encode()))
    return QDateTime.fromMSecsSinceEpoch(ms).toLocalTime()


def kw(loc: QLocale, watts: float | None) -> str:
    return "–" if watts is None else f"{loc.toString(watts / 1000.0, 'f', 1)} kW"


def kwh(loc: QLocale, wh: float | None, digits: int = 2) -> str:
    return "–" if wh is None else f"{loc.toString(wh / 1000.0, 'f', digits)} kWh"


def duration(seconds: float | None) -> str:
    """h:mm:ss under a day, else `Nd hh:mm` (a glance reads it without units)."""
    if seconds is None:
        return "–"
    s = max(0, int(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    if d:
        return QCoreApplication.translate("fmt", "{0}d {1:02d}:{2:02d}").format(d, h, m)
    return f"{h}:{m:02d}:{s:02d}"


def hours(seconds: float | None) -> str:
    """A total time as h:mm (hours may pass 24): 0:40, not "0 h"."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d} h"


def money(loc: QLocale, minor: int | None, currency: str = "SEK") -> str:
    """Integer minor units (öre, cents) → the locale's currency format."""
    if minor is None:
        return "–"
    value = minor / 100.0
    nordic = loc.language() in (
        QLocale.Language.Swedish,
        QLocale.Language.NorwegianBokmal,
        QLocale.Language.Danish,
    )
    if currency in ("SEK", "NOK", "DKK") and not nordic:
        return f"{loc.toString(value, 'f', 2)} {currency}"  # "8.18 SEK", not "kr8.18"
    symbol = {"SEK": "kr", "EUR": "€", "USD": "$", "NOK": "kr", "DKK": "kr", "GBP": "£"}
    return loc.toCurrencyString(value, symbol.get(currency, currency))


def when(loc: QLocale, dt: datetime | float | None, seconds: bool = False) -> str:
    """A UTC datetime or epoch seconds in the site's time, in the locale's short format."""
    if dt is None:
        return "–"
    ms = int((dt.timestamp() if isinstance(dt, datetime) else dt) * 1000)
    q = _at(ms)
    fmt = loc.dateTimeFormat(QLocale.FormatType.ShortFormat)
    if seconds and ":ss" not in fmt:
        fmt = fmt.replace(":mm", ":mm:ss")
    return loc.toString(q, fmt)


def clock_time(loc: QLocale, ts: float) -> str:
    q = _at(int(ts * 1000))
    return loc.toString(q.time(), loc.timeFormat(QLocale.FormatType.ShortFormat))
