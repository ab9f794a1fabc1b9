"""The driver capability interface: small Protocols, one per thing a device can really do.

A driver implements only the capabilities its device has (evcc's `api.go` is the model).
Callers ask with `isinstance(driver, Gate)` and never get a stub that fakes one.

Readings are plain frozen dataclasses: what the device said, decoded, nothing inferred.
Turning readings into sessions is the session state machine's job, not the driver's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class ConnectorReading:
    """One connector as the charger reports it at one moment."""

    connector: int = 1
    plugged: bool = False  # a vehicle is connected (J1772 state B, C or D)
    charging: bool = False  # the relay is closed and the vehicle draws (state C/D)
    allowed: bool | None = None  # the charger currently offers energy (None: cannot tell)
    energy_wh: float | None = None  # the charger's own energy register (monotonic until reboot)
    power_w: float | None = None
    currents_a: tuple[float, ...] = ()
    voltages_v: tuple[float, ...] = ()
    fault: str | None = None  # a fault code in our words (see FAULT_CODES), None when healthy
    raw_state: str = ""  # the device's own state code, for logs and `probe`


# Fault codes a driver may report; the words are what a site owner reads in the fault log.
FAULT_CODES = (
    "GFCI",
    "NoGround",
    "StuckRelay",
    "GFISelfTest",
    "OverTemperature",
    "OverCurrent",
    "DiodeCheck",
    "VentRequired",
    "RelayClosure",
    "Error",
)


@dataclass(frozen=True, slots=True)
class ChargerReading:
    """One poll of one charger: every connector plus device-wide facts."""

    connectors: tuple[ConnectorReading, ...]
    rebooted: bool = False  # the device restarted since the last read (its counters reset)
    firmware: str | None = None
    temperature_c: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChargerInfo:
    """What a charger says about itself when first reached."""

    model: str
    firmware: str | None = None
    connectors: int = 1
    min_current_a: float = 6.0
    max_current_a: float = 16.0


@runtime_checkable
class Charger(Protocol):
    """Every charger driver: reach the device and read it."""

    async def open(self) -> ChargerInfo:
        """Connect and identify; raises DeviceError when nothing (or something else) answers."""

    async def read(self) -> ChargerReading:
        """One poll; raises DeviceError on silence or garbage."""

    async def close(self) -> None: ...


@runtime_checkable
class Gate(Protocol):
    """The charger can be told to offer energy or not (used to gate a bay until a card)."""

    async def allow_charging(self, connector: int, allowed: bool) -> None: ...


@runtime_checkable
class CurrentLimit(Protocol):
    """The charger's offered current can be set without wearing its EEPROM."""

    async def set_current_limit(self, connector: int, amps: float) -> None: ...


@runtime_checkable
class ChangeNotifier(Protocol):
    """The device pushes state changes (e.g. RAPI `$AT`): poll again at once when called."""

    def on_change(self, callback: Callable[[], None]) -> None: ...


@dataclass(frozen=True, slots=True)
class CardTap:
    """A card placed on a reader (one event per placement, already debounced)."""

    uid: str  # canonical form (uppercase hex of the UID bytes)
    raw: str  # as the reader wrote it
    at: float  # epoch seconds


@runtime_checkable
class CardReader(Protocol):
    """A reader at a bay or at the desk."""

    async def open(self) -> None: ...

    async def next_tap(self) -> CardTap:
        """Wait for the next placement; raises DeviceError when the port is lost."""

    async def close(self) -> None: ...
