"""Driver registry: one file per charger model or card reader, registered by name.

A driver module calls `register_charger("name", factory)` (or `register_reader`) at import;
`load_all()` imports every driver module listed in `DRIVER_MODULES`. A factory receives the
charger's configuration and the engine's `PortPool` (the one owner of each serial port).

Each driver also registers its settings schema (`drivers/options.py`): `create_charger`
checks a row's settings against it (plus `COMMON_CHARGER_SETTINGS`) and hands the factory
the parsed, typed values with every default filled in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stationmgr.drivers.api import CardReader, Charger
from stationmgr.drivers.options import COMMON_CHARGER_SETTINGS, Setting, parse_settings
from stationmgr.errors import UserError

# Modules that register drivers; add a new driver's module here.
DRIVER_MODULES: list[str] = [
    "stationmgr.drivers.inproc",
    "stationmgr.drivers.openevse",
    "stationmgr.drivers.rdm6300",
    "stationmgr.drivers.heidelberg",
    "stationmgr.drivers.evse_din",
    "stationmgr.drivers.ocpp",
]


@dataclass(frozen=True)
class DeviceConfig:
    """Where and how to reach one device (a charger row or a reader row)."""

    port: str  # any pyserial URL: /dev/ttyUSB0, COM3, socket://host:port, rfc2217://…
    address: int | None = None  # Modbus slave id; None for point-to-point links
    baud: int | None = None  # None: the driver's default
    settings: Mapping[str, Any] = field(default_factory=dict)


ChargerFactory = Callable[[DeviceConfig, Any], Charger]  # (config, PortPool) -> Charger
ReaderFactory = Callable[[DeviceConfig, Any], CardReader]

CHARGER_DRIVERS: dict[str, ChargerFactory] = {}
READER_DRIVERS: dict[str, ReaderFactory] = {}
SETTINGS: dict[str, tuple[Setting, ...]] = {}  # driver name -> its own settings schema


def register_charger(
    name: str, factory: ChargerFactory, settings: tuple[Setting, ...] = ()
) -> None:
    CHARGER_DRIVERS[name] = factory
    SETTINGS[name] = COMMON_CHARGER_SETTINGS + tuple(settings)


def register_reader(name: str, factory: ReaderFactory, settings: tuple[Setting, ...] = ()) -> None:
    READER_DRIVERS[name] = factory
    SETTINGS[name] = tuple(settings)


def settings_schema(driver: str) -> tuple[Setting, ...]:
    """The settings a driver takes (charger drivers: the common ones first)."""
    load_all()
    if driver not in SETTINGS:
        known = ", ".join(sorted(SETTINGS))
        raise UserError(f"unknown driver {driver!r} (known: {known})")
    return SETTINGS[driver]


def check_settings(driver: str, settings: Mapping[str, Any] | None, owner: str = "") -> dict:
    """Parse a row's settings for `driver`: typed values with defaults, or one UserError."""
    return parse_settings(settings_schema(driver), settings, owner)


def load_all() -> None:
    for mod in DRIVER_MODULES:
        importlib.import_module(mod)


def create_charger(driver: str, config: DeviceConfig, ports: Any = None) -> Charger:
    load_all()
    try:
        factory = CHARGER_DRIVERS[driver]
    except KeyError:
        known = ", ".join(sorted(CHARGER_DRIVERS))
        raise UserError(f"unknown charger driver {driver!r} (known: {known})") from None
    return factory(_checked(driver, config), ports)


def create_reader(driver: str, config: DeviceConfig, ports: Any = None) -> CardReader:
    load_all()
    try:
        factory = READER_DRIVERS[driver]
    except KeyError:
        known = ", ".join(sorted(READER_DRIVERS))
        raise UserError(f"unknown card reader driver {driver!r} (known: {known})") from None
    return factory(_checked(driver, config), ports)


def _checked(driver: str, config: DeviceConfig) -> DeviceConfig:
    settings = check_settings(driver, config.settings)
    return DeviceConfig(config.port, config.address, config.baud, settings)
