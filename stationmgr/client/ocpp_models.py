"""Wire models of the OCPP charger calls (`LocalClient`/`RemoteClient`, `/api/v1/chargers/
{name}/ocpp…`): maintenance commands, the charger's configuration, its message log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from stationmgr.client.models import Wire

COMMANDS = ("reset", "unlock", "trigger", "clear-cache")
TRIGGERS = (
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
)


@dataclass(frozen=True)
class OcppCommand(Wire):
    """`reset` (`hard`), `unlock` (`bay`), `trigger` (`message`, optional `bay`), `clear-cache`."""

    wire_name: ClassVar[str] = "OCPP command"
    command: str
    hard: bool = False
    bay: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class OcppAnswer(Wire):
    """What the charger answered a command (its own status word: Accepted, Scheduled,
    Unlocked, RebootRequired …); a refusal is an error instead (HTTP 502)."""

    charger: str
    action: str  # the OCPP action sent
    status: str


@dataclass(frozen=True)
class OcppConfigKey(Wire):
    key: str
    value: str | None = None
    readonly: bool = False


@dataclass(frozen=True)
class OcppConfigQuery(Wire):
    key: str = ""  # comma-separated keys; empty: all the charger reports


@dataclass(frozen=True)
class OcppConfiguration(Wire):
    charger: str
    keys: list[OcppConfigKey] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # asked for, the charger has not


@dataclass(frozen=True)
class OcppConfigChange(Wire):
    wire_name: ClassVar[str] = "configuration change"
    key: str
    value: str


@dataclass(frozen=True)
class OcppLogQuery(Wire):
    limit: int = 50


@dataclass(frozen=True)
class OcppMessageRow(Wire):
    """One frame of the charger's message log (`direction` in: from the charger)."""

    at: str
    direction: str
    kind: str  # Call, CallResult, CallError, Invalid
    action: str | None
    unique_id: str | None
    payload: str
