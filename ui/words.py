"""Words of the session model as a person reads them: OCPP's stop reasons (the core's
table, shared with the receipts) and who stopped a session (the core stores `ev` / `system`)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

from stationmgr.ocpp_words import stop_reason_text

STOPPERS = {
    "ev": QT_TRANSLATE_NOOP("words", "the car"),
    "system": QT_TRANSLATE_NOOP("words", "stationmgr"),
    "attendant": QT_TRANSLATE_NOOP("words", "an attendant"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("words", text)


def stop_reason(reason: str | None, loc: QLocale | None = None) -> str:
    """The stop reason in words, as the receipt says it (`ocpp_words.stop_reason_text`), in
    the window's language; an unknown one as the charger spelled it."""
    lang = "sv" if (loc or QLocale()).language() == QLocale.Language.Swedish else "en"
    return stop_reason_text(reason, lang)


def stopped_by(who: str | None) -> str:
    """Who stopped the session: the car, stationmgr, an operator, or a card."""
    if not who:
        return "–"
    if who in STOPPERS:
        return _tr(STOPPERS[who])
    return who


def plural(n: int, one: str, many: str, loc: QLocale | None = None) -> str:
    """`one` for 1, else `many` with {0} = n in the locale's digits (both translated)."""
    return one if n == 1 else many.format(loc.toString(n) if loc is not None else n)
