"""The `ocpp` charger driver: settings only.

An OCPP 1.6J charge point connects to the site (`stationmgr run --ocpp-listen`), so no
coordinator polls it: the engine lists `ocpp` among its `external_drivers` and the central
system (`stationmgr.ocpp`) steps its bays. Registered here so `chargers add --driver ocpp`
is checked by the same rules as every other driver (`site_setup`).
"""

from __future__ import annotations

import re
from typing import Any

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers.options import Setting
from stationmgr.errors import UserError

DRIVER = "ocpp"
PORT_SCHEME = "ocpp"
# The id is the last path segment of the charger's URL: keep it to URL-safe characters.
CHARGE_POINT_ID = re.compile(r"[A-Za-z0-9._-]{1,48}")


def check_charge_point_id(value: object) -> str:
    text = str(value or "").strip()
    if not CHARGE_POINT_ID.fullmatch(text):
        raise UserError("an OCPP charger needs --charge-point-id: 1 … 48 letters, digits or . _ -")
    return text


def port_for(charge_point_id: str) -> str:
    """The charger row's port: one row per charge point id (the port-conflict rule)."""
    return f"{PORT_SCHEME}://{charge_point_id}"


def _factory(config: DeviceConfig, _ports: Any) -> Any:
    raise UserError("an OCPP charger connects to the site; it is not opened by a driver")


register_charger(
    DRIVER,
    _factory,
    (Setting("charge_point_id", str, None, doc="the id in ws://HOST:PORT/ocpp/<id>"),),
)
