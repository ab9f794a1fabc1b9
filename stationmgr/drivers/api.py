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

from stationmgr.errors import DeviceError


class Misconfigured(DeviceError):
    """The charger answers, but its settings do not let it run safely (e.g. an EVSE-DIN
    whose PP limit reads 0 and no `installation_max_a`): nothing is written to it, and
    retrying will not help until the setting is changed."""


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
    # Proof of continuity across a gap in observation: the charger's own clock and energy for
    # the current plug-in, both reset by the device at a new plug-in (None: cannot tell).
    session_elapsed_s: float | None = None
    session_energy_wh: float | None = None
    # The current the device offers right now as it reports it (pilot), to catch a limit the
    # charger imposed itself (e.g. OpenEVSE heartbeat fallback); None: cannot tell.
    offered_a: float | None = None
    # The plugged cable's rating from its proximity pin (PP), for this plug-in; None: the
    # device does not tell (tethered cable, no PP detection).
    cable_max_a: float | None = None


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
    "Misconfigured",  # set by the engine: no safe current is known (see engine/current.py)
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
    # The most the device can offer; None: it cannot tell (the charger's installation_max_a
    # setting is then required, see engine/current.py).
    max_current_a: float | None = 16.0


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
class Failsafe(Protocol):
    """The charger falls back on its own when the site stops talking to it.

    `set_failsafe(timeout_s, fallback_a)`: after `timeout_s` without the site, the device
    offers `fallback_a` (0: stops charging). The driver keeps the device's supervision fed
    while it is polled (OpenEVSE `$SY` pulse, Heidelberg watchdog 257 reset by any request);
    `timeout_s=0` switches supervision off explicitly.
    """

    async def set_failsafe(self, timeout_s: float, fallback_a: float) -> None: ...


@runtime_checkable
class Identify(Protocol):
    """The driver can reach and identify the device without writing anything to it (what
    `open()` would read; `read()` afterwards stays read-only). `probe` uses it."""

    async def identify(self) -> ChargerInfo: ...


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
