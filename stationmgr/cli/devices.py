"""Devices at the site: `stationmgr ports`, `probe`, `chargers add|list|set|remove`,
`readers add|list|set|remove`.

`probe` connects with the named driver (any registered one: OpenEVSE, the Modbus boxes…),
read-only where the driver can identify itself without writing (`drivers.api.Identify`),
prints one JSON snapshot and exits 0; when nothing answers, or the answer is not that
protocol, it prints one line and exits 1 (a bad argument exits 2). Given a card reader
driver it waits for one card and prints it (exit 1 when none comes). A driver that knows its
session and lifetime energy separately puts them in `ChargerReading.extra` as
``session_energy_wh`` and ``total_energy_wh``; the rest of `extra` is shown as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from stationmgr.auth import match_key
from stationmgr.cli.common import float_arg, int_arg, print_json, print_table
from stationmgr.drivers import (
    CHARGER_DRIVERS,
    READER_DRIVERS,
    DeviceConfig,
    create_charger,
    create_reader,
    load_all,
)
from stationmgr.drivers.api import ChargerReading, ConnectorReading, Identify
from stationmgr.drivers.bus import PortPool
from stationmgr.drivers.ports import serial_ports
from stationmgr.errors import DeviceError, UserError
from stationmgr.ocpp_words import BayStatus
from stationmgr.site_setup import (
    check_line,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("ports", help="serial ports on this computer (description, VID:PID)")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(func=ports_cmd, requires_login=False)  # touches no database

    p = sub.add_parser(
        "probe", help="connect to a charger and print one JSON snapshot (a reader: one card)"
    )
    p.add_argument("driver", help="charger driver (e.g. openevse) or card reader (rdm6300)")
    p.add_argument("port", help="serial port or pyserial URL (socket://host:port …)")
    p.add_argument("--address", type=int_arg("--address"), help="Modbus slave address")
    p.add_argument("--baud", type=int_arg("--baud"), help="baud rate (default: the driver's)")
    p.add_argument(
        "--timeout",
        type=float_arg("--timeout", 0.01, 3600),
        default=5.0,
        help="seconds to wait (default 5)",
    )
    p.set_defaults(func=probe_cmd, requires_login=False)

    c = sub.add_parser("chargers", help="chargers and their bays")
    cs = c.add_subparsers(dest="chargers_command", metavar="ACTION", required=True)
    a = cs.add_parser("add", help="add a charger and create its bays")
    a.add_argument("name")
    a.add_argument("--driver", required=True, help="e.g. openevse")
    a.add_argument("--port", help="serial port or pyserial URL (not for --driver ocpp)")
    a.add_argument(
        "--charge-point-id",
        metavar="CPID",
        help="--driver ocpp: the id the charger connects with (ws://HOST:PORT/ocpp/CPID)",
    )
    a.add_argument("--address", type=int_arg("--address"), help="Modbus slave address")
    a.add_argument("--baud", type=int_arg("--baud"))
    a.add_argument(
        "--connectors",
        type=int_arg("--connectors"),
        default=None,
        help="number of connectors (bays; default: one per --bays label, else 1)",
    )
    a.add_argument(
        "--bays",
        nargs="*",
        metavar="LABEL",
        help="bay labels, one per connector, space- or comma-separated (default NAME-N)",
    )
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="driver setting")
    a.set_defaults(func=chargers_add_cmd)
    ls = cs.add_parser("list", help="list chargers and bays")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=chargers_list_cmd)
    st = cs.add_parser("set", help="change a charger's driver settings (KEY= removes one)")
    st.add_argument("name")
    st.add_argument("values", nargs="+", metavar="KEY=VALUE")
    st.set_defaults(func=chargers_set_cmd)
    rm = cs.add_parser("remove", help="remove a charger (disabled instead if it has history)")
    rm.add_argument("name")
    rm.set_defaults(func=chargers_remove_cmd)
    from stationmgr.cli import ocpp_pending

    ocpp_pending.register(cs)

    from stationmgr.cli.chargers_ocpp import add_to_chargers

    add_to_chargers(cs)  # chargers ocpp NAME …, chargers log NAME

    r = sub.add_parser("readers", help="card readers at bays or at the desk")
    rs = r.add_subparsers(dest="readers_command", metavar="ACTION", required=True)
    a = rs.add_parser("add", help="add a serial card reader")
    a.add_argument("name")
    a.add_argument("--driver", default="rdm6300", help="rdm6300 (default) or id12")
    a.add_argument("--port", required=True)
    a.add_argument("--baud", type=int_arg("--baud"))
    where = a.add_mutually_exclusive_group(required=True)
    where.add_argument("--bay", metavar="LABEL", help="the bay this reader starts sessions at")
    where.add_argument("--desk", action="store_true", help="a reader at the desk (enrolment)")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    a.set_defaults(func=readers_add_cmd)
    ls = rs.add_parser("list", help="list card readers")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=readers_list_cmd)
    st = rs.add_parser("set", help="change a card reader's driver settings (KEY= removes one)")
    st.add_argument("name")
    st.add_argument("values", nargs="+", metavar="KEY=VALUE")
    st.set_defaults(func=readers_set_cmd)
    rm = rs.add_parser("remove", help="remove a card reader")
    rm.add_argument("name")
    rm.set_defaults(func=readers_remove_cmd)


# ---------------------------------------------------------------- ports


def ports_cmd(args: argparse.Namespace) -> int:
    rows = serial_ports()
    if args.json:
        print_json(rows)
    elif not rows:
        print("no serial ports found (a serial-over-TCP gateway is reached as socket://HOST:PORT)")
    else:
        print_table(
            [[r["port"], r["vid_pid"], r["description"], r["manufacturer"]] for r in rows],
            ["PORT", "VID:PID", "DESCRIPTION", "MANUFACTURER"],
        )
    return 0


# ---------------------------------------------------------------- probe


def ocpp_state(c: ConnectorReading) -> str:
    """The connector's state in OCPP words, as far as one reading can tell."""
    if c.fault:
        return BayStatus.FAULTED.value
    if not c.plugged:
        return BayStatus.AVAILABLE.value
    if c.charging or (c.power_w or 0) > 0:
        return BayStatus.CHARGING.value
    if c.allowed is False:
        return BayStatus.SUSPENDED_EVSE.value
    return BayStatus.SUSPENDED_EV.value


_ENERGY_KEYS = ("session_energy_wh", "total_energy_wh")


def snapshot(driver: str, port: str, info: Any, reading: ChargerReading) -> dict[str, Any]:
    extra = reading.extra
    return {
        "driver": driver,
        "port": port,
        "model": info.model,
        "firmware": reading.firmware or info.firmware,
        # A maximum of 0: the device cannot tell it (e.g. EVSE-DIN with PP 0) — shown as null.
        "current_range_a": [info.min_current_a, info.max_current_a or None],
        "connectors": [
            {
                "connector": c.connector,
                "state": ocpp_state(c),
                "raw_state": c.raw_state,
                "plugged": c.plugged,
                "allowed": c.allowed,
                "fault": c.fault,
                "power_w": c.power_w,
                "session_energy_wh": extra.get("session_energy_wh"),
                "total_energy_wh": extra.get("total_energy_wh", c.energy_wh),
                "energy_register_wh": c.energy_wh,
                "currents_a": list(c.currents_a),
                "voltages_v": list(c.voltages_v),
            }
            for c in reading.connectors
        ],
        "extra": {
            k: v for k, v in extra.items() if k not in ("session_energy_wh", "total_energy_wh")
        },
    }


async def _probe(driver: str, config: DeviceConfig, timeout: float) -> dict[str, Any]:
    pool = PortPool()
    charger = create_charger(driver, config, pool)
    try:
        # A probe writes nothing: drivers that can identify read-only do so.
        connect = charger.identify if isinstance(charger, Identify) else charger.open
        info = await asyncio.wait_for(connect(), timeout)
        reading = await asyncio.wait_for(charger.read(), timeout)
        return snapshot(driver, config.port, info, reading)
    finally:
        try:
            await charger.close()
        finally:
            await pool.close_all()


async def _probe_reader(driver: str, config: DeviceConfig, timeout: float) -> dict[str, Any]:
    pool = PortPool()
    reader = create_reader(driver, config, pool)
    try:
        await asyncio.wait_for(reader.open(), timeout)
        try:
            tap = await asyncio.wait_for(reader.next_tap(), timeout)
        except TimeoutError:
            raise DeviceError(
                f"no card read on {config.port} within {timeout:g} s (hold a card on the reader)"
            ) from None
        return {
            "driver": driver,
            "port": config.port,
            "uid": tap.uid,
            "raw": tap.raw,
            "match_key": match_key(tap.uid),
        }
    finally:
        try:
            await reader.close()
        finally:
            await pool.close_all()


def probe_cmd(args: argparse.Namespace) -> int:
    load_all()
    is_reader = args.driver in READER_DRIVERS and args.driver not in CHARGER_DRIVERS
    if args.driver not in CHARGER_DRIVERS and not is_reader:
        known = ", ".join(sorted(CHARGER_DRIVERS) + sorted(READER_DRIVERS))
        raise UserError(f"unknown driver {args.driver!r} (known: {known})")
    if args.timeout <= 0:
        raise UserError("--timeout must be positive")
    config = DeviceConfig(check_line(args.port, args.baud), args.address, args.baud)
    drivers_log = logging.getLogger("stationmgr.drivers")
    level = drivers_log.level
    if not args.verbose:  # the failure is reported once, below, not also by the port's log
        drivers_log.setLevel(logging.CRITICAL)
    try:
        probe = _probe_reader if is_reader else _probe
        snap = asyncio.run(probe(args.driver, config, args.timeout))
    except TimeoutError:
        raise DeviceError(f"nothing answered on {args.port} within {args.timeout:g} s") from None
    except OSError as e:
        raise DeviceError(f"{args.port}: {e}") from None
    finally:
        drivers_log.setLevel(level)  # probe also runs in-process (charger setup dialog)
    print_json(snap)
    return 0


# ---------------------------------------------------------------- chargers


def _settings(pairs: list[str]) -> dict[str, Any]:
    """`--set KEY=VALUE` pairs as text; `site_setup` checks and types them against the
    driver's schema (no guessing here: `auth_lock=false` is the schema's bool, not a str)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set wants KEY=VALUE, not {pair[:40]!r}")
        out[key.strip()] = value.strip()
    return out


def chargers_add_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.chargers_add)."""
    from stationmgr.cli.remote import chargers_add, local

    return local(chargers_add)(args)


def chargers_list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.chargers_list)."""
    from stationmgr.cli.remote import chargers_list, local

    return local(chargers_list)(args)


def _merged(current: dict[str, Any] | None, pairs: list[str]) -> dict[str, Any]:
    """The stored settings with `KEY=VALUE` applied; `KEY=` drops KEY (back to default)."""
    out = dict(current or {})
    for key, value in _settings(pairs).items():
        if value == "":
            out.pop(key, None)
        else:
            out[key] = value
    return out


def chargers_set_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.devices_remote)."""
    from stationmgr.cli.devices_remote import chargers_set
    from stationmgr.cli.remote import local

    return local(chargers_set)(args)


def chargers_remove_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.chargers_remove)."""
    from stationmgr.cli.remote import chargers_remove, local

    return local(chargers_remove)(args)


# ---------------------------------------------------------------- readers


def readers_add_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.readers_add)."""
    from stationmgr.cli.remote import local, readers_add

    return local(readers_add)(args)


def readers_list_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.readers_list)."""
    from stationmgr.cli.remote import local, readers_list

    return local(readers_list)(args)


def readers_set_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.devices_remote)."""
    from stationmgr.cli.devices_remote import readers_set
    from stationmgr.cli.remote import local

    return local(readers_set)(args)


def readers_remove_cmd(args: argparse.Namespace) -> int:
    """Through LocalClient: the same code as over `--site` (cli.remote.readers_remove)."""
    from stationmgr.cli.remote import local, readers_remove

    return local(readers_remove)(args)
