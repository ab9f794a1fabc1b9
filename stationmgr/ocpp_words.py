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
