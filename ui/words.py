"""Words of the session model as a person reads them: OCPP's stop reasons and who stopped
a session (the core stores OCPP's own spellings, `EVDisconnected`, and `ev` / `system`)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

STOP_REASONS = {
    "Local": QT_TRANSLATE_NOOP("words", "card tapped again"),
    "Remote": QT_TRANSLATE_NOOP("words", "stopped by an attendant"),
    "EVDisconnected": QT_TRANSLATE_NOOP("words", "car unplugged"),
    "PowerLoss": QT_TRANSLATE_NOOP("words", "power loss (closed at start-up)"),
    "Reboot": QT_TRANSLATE_NOOP("words", "charger restarted"),
    "HardReset": QT_TRANSLATE_NOOP("words", "charger reset"),
    "SoftReset": QT_TRANSLATE_NOOP("words", "charger reset"),
    "DeAuthorized": QT_TRANSLATE_NOOP("words", "card no longer valid"),
    "EmergencyStop": QT_TRANSLATE_NOOP("words", "emergency stop"),
    "UnlockCommand": QT_TRANSLATE_NOOP("words", "connector unlocked"),
    "Other": QT_TRANSLATE_NOOP("words", "other (see detail)"),
}
STOPPERS = {
    "ev": QT_TRANSLATE_NOOP("words", "the car"),
    "system": QT_TRANSLATE_NOOP("words", "stationmgr"),
    "attendant": QT_TRANSLATE_NOOP("words", "an attendant"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("words", text)


def stop_reason(reason: str | None) -> str:
    """The stop reason in words; an unknown one as the charger spelled it."""
    if not reason:
        return ""
    return _tr(STOP_REASONS[reason]) if reason in STOP_REASONS else reason


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
