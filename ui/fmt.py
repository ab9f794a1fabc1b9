"""Numbers, durations, money and times in the chosen locale (QLocale), for display only.

Times are shown in the site's time zone (its `timezone` setting, from `site_info`), the one
the receipts, statements and the CLI's dates use: a PC in another zone, or one set to UTC,
shows the site's clock. Until the window knows its site: this PC's local time.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime, QTimeZone

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


_NORDIC = (QLocale.Language.Swedish, QLocale.Language.NorwegianBokmal, QLocale.Language.Danish)
_SYMBOL = {"SEK": "kr", "EUR": "€", "USD": "$", "NOK": "kr", "DKK": "kr", "GBP": "£"}


def money(loc: QLocale, minor: int | None, currency: str = "SEK") -> str:
    """Integer minor units (öre, cents) → the one money format of the window's language:
    English "1,234.50 SEK" (a krona's code after the figure, never "kr1,234.50"), Swedish
    "1 234,50 kr". Every amount on screen goes through here (or `unit_price`)."""
    if minor is None:
        return "–"
    return _amount(loc, minor / 100.0, 2, currency)


def unit_price(loc: QLocale, minor: int, e4: int | None, currency: str = "SEK") -> str:
    """A price per unit as set: two decimals, or four when it has them (`e4`: the exact
    price in 1/10 000 of the major unit), in the same format as `money`."""
    if e4 is None:
        return money(loc, minor, currency)
    return _amount(loc, e4 / 10_000.0, 4, currency)


def _amount(loc: QLocale, value: float, digits: int, currency: str) -> str:
    if loc.language() == QLocale.Language.C:  # no language chosen: written as English
        loc = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    nordic = loc.language() in _NORDIC
    if currency in ("SEK", "NOK", "DKK") and not nordic:
        return f"{loc.toString(value, 'f', digits)} {currency}"
    return loc.toCurrencyString(value, _SYMBOL.get(currency, currency), digits)


def _english(loc: QLocale) -> bool:
    return loc.language() in (QLocale.Language.English, QLocale.Language.C)


def date_format(loc: QLocale) -> str:
    """A day as the window writes it: English "2026-12-02" (01/12/2026 reads two ways
    across the English-speaking world); other languages their own short format (Swedish:
    2026-12-02 too). Also the display format of date edits."""
    return "yyyy-MM-dd" if _english(loc) else loc.dateFormat(QLocale.FormatType.ShortFormat)


def time_format(loc: QLocale, seconds: bool = False) -> str:
    """A time of day: 24 h in English as on the documents; other languages their own."""
    fmt = "HH:mm" if _english(loc) else loc.timeFormat(QLocale.FormatType.ShortFormat)
    if seconds and ":ss" not in fmt:
        fmt = fmt.replace(":mm", ":mm:ss")
    return fmt


def day(loc: QLocale, d: date | None) -> str:
    """A calendar day (a tariff's or card's date, a period's end) in `date_format`."""
    if d is None:
        return "–"
    return loc.toString(QDate(d.year, d.month, d.day), date_format(loc))


def when(loc: QLocale, dt: datetime | float | None, seconds: bool = False) -> str:
    """A UTC datetime or epoch seconds in the site's time: `date_format` and `time_format`."""
    if dt is None:
        return "–"
    ms = int((dt.timestamp() if isinstance(dt, datetime) else dt) * 1000)
    return loc.toString(_at(ms), f"{date_format(loc)} {time_format(loc, seconds)}")


def wall(loc: QLocale, dt: datetime) -> str:
    """A datetime the site already gives in its own zone (a tariff's start), as that wall
    clock reads, in `date_format` and `time_format`."""
    q = QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute, dt.second))
    return loc.toString(q, f"{date_format(loc)} {time_format(loc)}")


def clock_time(loc: QLocale, ts: float) -> str:
    q = _at(int(ts * 1000))
    return loc.toString(q.time(), time_format(loc))
