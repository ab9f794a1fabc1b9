"""Driver registry: one file per charger model or card reader, registered by name.

A driver module calls `register_charger("name", factory)` (or `register_reader`) at import;
`load_all()` imports every driver module listed in `DRIVER_MODULES`. A factory receives the
charger's configuration and the engine's `PortPool` (the one owner of each serial port).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stationmgr.drivers.api import CardReader, Charger
from stationmgr.errors import UserError

# Modules that register drivers; add a new driver's module here.
DRIVER_MODULES: list[str] = [
    "stationmgr.drivers.inproc",
    "stationmgr.drivers.openevse",
    "stationmgr.drivers.rdm6300",
    "stationmgr.drivers.heidelberg",
    "stationmgr.drivers.evse_din",
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


def register_charger(name: str, factory: ChargerFactory) -> None:
    CHARGER_DRIVERS[name] = factory


def register_reader(name: str, factory: ReaderFactory) -> None:
    READER_DRIVERS[name] = factory


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
    return factory(config, ports)


def create_reader(driver: str, config: DeviceConfig, ports: Any = None) -> CardReader:
    load_all()
    try:
        factory = READER_DRIVERS[driver]
    except KeyError:
        known = ", ".join(sorted(READER_DRIVERS))
        raise UserError(f"unknown card reader driver {driver!r} (known: {known})") from None
    return factory(config, ports)
