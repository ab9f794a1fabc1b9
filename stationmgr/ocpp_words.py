"""OCPP's own words for bay states, stop reasons and authorisation results.

We use the field's vocabulary (OCPP 1.6 ChargePointStatus, Reason, AuthorizationStatus)
everywhere: in the database, the CLI, the GUI and exports.
"""

from enum import StrEnum


class BayStatus(StrEnum):
    AVAILABLE = "Available"
    PREPARING = "Preparing"  # plugged in, waiting for a card
    CHARGING = "Charging"
    SUSPENDED_EV = "SuspendedEV"  # the car is not drawing (pause, or full but not yet idle)
    SUSPENDED_EVSE = "SuspendedEVSE"  # the charger is not offering energy
    FINISHING = "Finishing"  # charging is over, the car still occupies the bay
    FAULTED = "Faulted"
    UNAVAILABLE = "Unavailable"  # out of order, or the charger does not answer


class StopReason(StrEnum):
    LOCAL = "Local"  # card re-tapped at the bay
    REMOTE = "Remote"  # stopped by an attendant
    EV_DISCONNECTED = "EVDisconnected"
    POWER_LOSS = "PowerLoss"  # found open at start and the car is gone
    REBOOT = "Reboot"
    DEAUTHORIZED = "DeAuthorized"  # card blocked or budget used up during the session
    EMERGENCY_STOP = "EmergencyStop"
    OTHER = "Other"  # e.g. a charger fault; the fault code is kept in stop_detail


class AuthStatus(StrEnum):
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"


# OCPP's stop reasons as a person reads them: on receipts, statements and in the window.
STOP_REASON_WORDS: dict[str, dict[str, str]] = {
    "Local": {"sv": "Stoppad med kortet vid laddplatsen", "en": "Stopped with the card at the bay"},
    "Remote": {"sv": "Stoppad av personal", "en": "Stopped by staff"},
    "EVDisconnected": {"sv": "Bilen kopplades ur", "en": "The car was unplugged"},
    "PowerLoss": {"sv": "Strömavbrott", "en": "Power loss"},
    "Reboot": {"sv": "Laddaren startades om", "en": "The charger restarted"},
    "HardReset": {"sv": "Laddaren återställdes", "en": "The charger was reset"},
    "SoftReset": {"sv": "Laddaren återställdes", "en": "The charger was reset"},
    "UnlockCommand": {"sv": "Kontakten låstes upp", "en": "The connector was unlocked"},
    "DeAuthorized": {
        "sv": "Kortet spärrat eller budgeten förbrukad",
        "en": "Card blocked or budget used up",
    },
    "EmergencyStop": {"sv": "Nödstopp", "en": "Emergency stop"},
    "Other": {"sv": "Annan orsak", "en": "Other reason"},
}


def stop_reason_text(reason: str | None, lang: str) -> str:
    """`EVDisconnected` → `Bilen kopplades ur` (sv) / `The car was unplugged` (en)."""
    if not reason:
        return ""
    words = STOP_REASON_WORDS.get(str(reason))
    return words[lang] if words else str(reason)
