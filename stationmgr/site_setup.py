"""Charger and card-reader configuration: add, change, remove — the rows the engine loads.

The GUI's charger setup and the CLI's `chargers`/`readers` add and remove commands use
these services. Every change checks the operator's permission and is audited in the same
unit of work. The engine reads these tables when it starts: a change takes effect at the
next start of the site.

Rules: names are unique; bay labels are unique site-wide, one per connector; two enabled
chargers share a port only as Modbus slaves with different addresses (an RS-485 bus); a
card reader has a port of its own; a bay with sessions on record is never deleted (its
charger is disabled instead), so history keeps its bay.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationmgr.access.context import Actor, record, require
from stationmgr.drivers import CHARGER_DRIVERS, READER_DRIVERS, check_settings, load_all
from stationmgr.drivers import ocpp as ocpp_driver
from stationmgr.errors import UserError
from stationmgr.store.models import Bay, CardReaderDevice, Charger, ChargeSession
from stationmgr.validate import clean_name

MAX_CONNECTORS = 8
MAX_LABEL = 40  # Bay.label's column
MAX_NAME = 80  # Charger.name's and CardReaderDevice.name's column


def checked_settings(driver: str, settings: dict[str, Any], owner: str) -> dict[str, Any]:
    """The settings as given, each checked against the driver's schema and stored typed
    (`auth_lock=false` is False, `failsafe_a=nan` is refused): only the keys given, so a
    driver's default can change later. One UserError line naming the setting."""
    typed = check_settings(driver, settings, owner)
    return {str(k): typed[str(k)] for k in settings}


def default_baud(driver: str) -> int | None:
    """The baud rate a driver uses when none is set (its module's DEFAULT_BAUD)."""
    load_all()
    factory = CHARGER_DRIVERS.get(driver) or READER_DRIVERS.get(driver)
    if factory is None:
        return None
    mod = importlib.import_module(factory.__module__)
    baud = getattr(mod, "DEFAULT_BAUD", None)
    return int(baud) if isinstance(baud, int) else None


# URL kinds a port may be: pyserial's own handlers plus the in-process simulator's.
PORT_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep", "cp2110", "inproc", "ocpp")


def check_line(port: str, baud: int | None) -> str:
    """The port as it will be opened; UserError for a malformed URL or baud rate."""
    port = port.strip()
    if not port:
        raise UserError("a port is needed (e.g. /dev/ttyUSB0, COM3 or socket://host:port)")
    if len(port) > 255:
        raise UserError("the port is longer than 255 characters")
    if re.search(r"[\x00-\x1f\x7f-\x9f]", port):
        raise UserError("the port must not contain control characters")
    scheme = port.split("://", 1)[0].lower() if "://" in port else ""
    if scheme and scheme not in PORT_SCHEMES:
        known = ", ".join(f"{s}://" for s in PORT_SCHEMES)
        raise UserError(f"port {port!r}: unknown kind of URL (known: {known} or a device path)")
    if scheme in ("socket", "rfc2217"):
        host, _, p = port.split("://", 1)[1].partition(":")
        number = p.split("?")[0]
        if not host or not re.fullmatch(r"[0-9]{1,5}", number) or not 0 < int(number) < 65536:
            raise UserError(f"{port!r}: expected {scheme}://HOST:PORT")
    if baud is not None and not 300 <= baud <= 4_000_000:
        raise UserError(f"baud rate {baud} is out of range (300 … 4000000)")
    return port


@dataclass
class ChargerInput:
    """A charger as entered: its line and one bay label per connector."""

    name: str
    driver: str
    port: str
    bays: tuple[str, ...] = ()  # labels, connector 1, 2, …; empty: one bay named like it
    address: int | None = None
    baud: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def validate(self) -> ChargerInput:
        load_all()
        if not str(self.name or "").strip():
            raise UserError(f"a charger needs a name (at most {MAX_NAME} characters)")
        self.name = clean_name(self.name, "charger name", max_len=MAX_NAME)
        if self.driver not in CHARGER_DRIVERS:
            known = ", ".join(sorted(CHARGER_DRIVERS))
            raise UserError(f"unknown charger driver {self.driver!r} (known: {known})")
        check_settings(self.driver, self.settings, f"charger {self.name}")
        if self.driver == ocpp_driver.DRIVER:  # reached by its id, not a line
            cpid = ocpp_driver.check_charge_point_id(self.settings.get("charge_point_id"))
            self.settings = {**self.settings, "charge_point_id": cpid}
            self.port, self.address, self.baud = ocpp_driver.port_for(cpid), None, None
        elif (self.port or "").lower().startswith(ocpp_driver.PORT_SCHEME + "://"):
            raise UserError("an ocpp:// port is only for --driver ocpp")
        self.port = check_line(self.port, self.baud)
        if self.address is not None and not 1 <= self.address <= 247:
            raise UserError("a Modbus address is 1 … 247")
        if not self.bays:
            labels: tuple[str, ...] = (self.name[:MAX_LABEL].strip(),)
        elif any(not str(b).strip() for b in self.bays):
            raise UserError(f"every bay needs a label of at most {MAX_LABEL} characters")
        else:
            labels = tuple(clean_name(b, "bay label", max_len=MAX_LABEL) for b in self.bays)
        if not 1 <= len(labels) <= MAX_CONNECTORS:
            raise UserError(f"a charger has 1 … {MAX_CONNECTORS} connectors")
        if len(set(labels)) != len(labels):
            raise UserError("two connectors have the same bay label")
        self.bays = labels
        self.settings = checked_settings(self.driver, self.settings, f"charger {self.name}")
        return self


@dataclass
class ReaderInput:
    """A serial card reader as entered: at a bay (its label) or at the desk (None)."""

    name: str
    driver: str
    port: str
    bay: str | None = None
    baud: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def validate(self) -> ReaderInput:
        load_all()
        if not str(self.name or "").strip():
            raise UserError(f"a card reader needs a name (at most {MAX_NAME} characters)")
        self.name = clean_name(self.name, "card reader name", max_len=MAX_NAME)
        if self.driver not in READER_DRIVERS:
            known = ", ".join(sorted(READER_DRIVERS))
            raise UserError(f"unknown card reader driver {self.driver!r} (known: {known})")
        self.port = check_line(self.port, self.baud)
        self.bay = (self.bay or "").strip() or None
        self.settings = checked_settings(self.driver, self.settings, f"card reader {self.name}")
        return self


def charger_state(c: Charger) -> dict[str, Any]:
    """A charger as the audit log records it."""
    return {
        "name": c.name,
        "driver": c.driver,
        "port": c.port,
        "address": c.address,
        "baud": c.baud,
        "enabled": c.enabled,
        "bays": [b.label for b in c.bays],
        "settings": dict(c.settings or {}),
    }


def reader_state(s: Session, r: CardReaderDevice) -> dict[str, Any]:
    bay = s.get(Bay, r.bay_id) if r.bay_id is not None else None
    return {
        "name": r.name,
        "driver": r.driver,
        "port": r.port,
        "baud": r.baud,
        "bay": bay.label if bay else None,
        "enabled": r.enabled,
        "settings": dict(r.settings or {}),
    }


def _check_charger_conflicts(s: Session, ch: ChargerInput, charger_id: int | None) -> None:
    other = s.scalar(select(Charger).where(Charger.name == ch.name, Charger.id != charger_id))
    if other is not None:
        raise UserError(f"a charger named {ch.name!r} exists")
    q = select(Bay.label).where(Bay.label.in_(ch.bays))
    if charger_id is not None:
        q = q.where(Bay.charger_id != charger_id)
    taken = sorted(set(s.scalars(q)))
    if taken:
        raise UserError(f"bay label(s) already used: {', '.join(taken)}")
    if ch.enabled:
        for o in s.scalars(select(Charger).where(Charger.port == ch.port, Charger.enabled)):
            if o.id == charger_id:
                continue
            if ch.address is None or o.address is None or o.address == ch.address:
                where = f" address {o.address}" if o.address is not None else ""
                raise UserError(f"charger {o.name!r} already uses {ch.port}{where}")
    if s.scalar(select(CardReaderDevice.name).where(CardReaderDevice.port == ch.port)):
        raise UserError(f"a card reader already uses {ch.port}")


def add_charger(s: Session, ch: ChargerInput, actor: Actor | None = None) -> Charger:
    """A new charger and its bays (connector 1…n)."""
    actor = require(actor, "chargers.add", s, target=ch.name)
    ch.validate()
    _check_charger_conflicts(s, ch, None)
    row = Charger(
        name=ch.name,
        driver=ch.driver,
        port=ch.port,
        address=ch.address,
        baud=ch.baud,
        settings=dict(ch.settings),
        enabled=ch.enabled,
    )
    s.add(row)
    s.flush()
    for i, label in enumerate(ch.bays, 1):
        s.add(Bay(charger_id=row.id, connector=i, label=label))
    s.flush()
    s.refresh(row)
    record(s, "chargers.add", row.name, None, charger_state(row), actor=actor)
    return row


def _sessions_at(s: Session, bay_ids: list[int]) -> int:
    if not bay_ids:
        return 0
    q = select(func.count()).select_from(ChargeSession).where(ChargeSession.bay_id.in_(bay_ids))
    return s.scalar(q) or 0


def update_charger(
    s: Session, charger_id: int, ch: ChargerInput, actor: Actor | None = None
) -> Charger:
    """Change a charger: its line, its bay labels, more or fewer connectors (a bay with
    sessions on record cannot be dropped)."""
    actor = require(actor, "chargers.edit", s, target=ch.name)
    ch.validate()
    row = s.get(Charger, charger_id)
    if row is None:
        raise UserError(f"no charger with id {charger_id}")
    _check_charger_conflicts(s, ch, charger_id)
    before = charger_state(row)
    bays = {b.connector: b for b in row.bays}
    dropped = [b for n, b in bays.items() if n > len(ch.bays)]
    used = _sessions_at(s, [b.id for b in dropped])
    if used:
        labels = ", ".join(b.label for b in dropped)
        raise UserError(
            f"bay(s) {labels} have {used} session(s) on record and cannot be removed; "
            "disable the charger instead"
        )
    for b in dropped:
        for r in s.scalars(select(CardReaderDevice).where(CardReaderDevice.bay_id == b.id)):
            r.bay_id = None
        s.delete(b)
    s.flush()
    # Relabel in two steps so swapping two labels never trips the unique constraint.
    keep = [b for n, b in bays.items() if n <= len(ch.bays)]
    for b in keep:
        b.label = f"\x00tmp{b.id}"
    s.flush()
    for b in keep:
        b.label = ch.bays[b.connector - 1]
    for n in range(1, len(ch.bays) + 1):
        if n not in bays:
            s.add(Bay(charger_id=row.id, connector=n, label=ch.bays[n - 1]))
    row.name, row.driver, row.port = ch.name, ch.driver, ch.port
    row.address, row.baud, row.enabled = ch.address, ch.baud, ch.enabled
    row.settings = dict(ch.settings)
    s.flush()
    s.refresh(row)
    record(s, "chargers.edit", row.name, before, charger_state(row), actor=actor)
    return row


def remove_charger(s: Session, charger_id: int, actor: Actor | None = None) -> str:
    """Delete a charger and its bays, or — when its bays have history — disable it.
    Returns "removed" or "disabled"."""
    row = s.get(Charger, charger_id)
    actor = require(actor, "chargers.remove", s, target=row.name if row else None)
    if row is None:
        raise UserError(f"no charger with id {charger_id}")
    before = charger_state(row)
    bay_ids = [b.id for b in row.bays]
    if _sessions_at(s, bay_ids):
        row.enabled = False
        record(
            s,
            "chargers.edit",
            row.name,
            before,
            charger_state(row),
            actor=actor,
            detail="disabled instead of removed: its bays have history",
        )
        return "disabled"
    for r in s.scalars(select(CardReaderDevice).where(CardReaderDevice.bay_id.in_(bay_ids))):
        r.bay_id = None
    for b in list(row.bays):
        s.delete(b)
    s.delete(row)
    s.flush()
    record(s, "chargers.remove", before["name"], before, None, actor=actor)
    return "removed"


def _bay_id(s: Session, label: str | None) -> int | None:
    if label is None:
        return None
    bay_id = s.scalar(select(Bay.id).where(Bay.label == label))
    if bay_id is None:
        raise UserError(f"no bay labelled {label!r}")
    return bay_id


def _check_reader_conflicts(s: Session, r: ReaderInput, reader_id: int | None) -> None:
    q = select(CardReaderDevice.id)
    if s.scalar(q.where(CardReaderDevice.name == r.name, CardReaderDevice.id != reader_id)):
        raise UserError(f"a card reader named {r.name!r} exists")
    if s.scalar(q.where(CardReaderDevice.port == r.port, CardReaderDevice.id != reader_id)):
        raise UserError(f"another card reader already uses {r.port}")
    if s.scalar(select(Charger.name).where(Charger.port == r.port, Charger.enabled)):
        raise UserError(f"a charger already uses {r.port}")


def add_reader(s: Session, r: ReaderInput, actor: Actor | None = None) -> CardReaderDevice:
    actor = require(actor, "chargers.add", s, target=r.name)
    r.validate()
    _check_reader_conflicts(s, r, None)
    row = CardReaderDevice(
        name=r.name,
        driver=r.driver,
        port=r.port,
        baud=r.baud,
        bay_id=_bay_id(s, r.bay),
        settings=dict(r.settings),
        enabled=r.enabled,
    )
    s.add(row)
    s.flush()
    record(s, "chargers.add", row.name, None, reader_state(s, row), actor=actor)
    return row


def update_reader(
    s: Session, reader_id: int, r: ReaderInput, actor: Actor | None = None
) -> CardReaderDevice:
    actor = require(actor, "chargers.edit", s, target=r.name)
    r.validate()
    row = s.get(CardReaderDevice, reader_id)
    if row is None:
        raise UserError(f"no card reader with id {reader_id}")
    _check_reader_conflicts(s, r, reader_id)
    before = reader_state(s, row)
    row.name, row.driver, row.port, row.baud = r.name, r.driver, r.port, r.baud
    row.bay_id = _bay_id(s, r.bay)
    row.settings, row.enabled = dict(r.settings), r.enabled
    s.flush()
    record(s, "chargers.edit", row.name, before, reader_state(s, row), actor=actor)
    return row


def remove_reader(s: Session, reader_id: int, actor: Actor | None = None) -> None:
    row = s.get(CardReaderDevice, reader_id)
    actor = require(actor, "chargers.remove", s, target=row.name if row else None)
    if row is None:
        raise UserError(f"no card reader with id {reader_id}")
    before = reader_state(s, row)
    s.delete(row)
    s.flush()
    record(s, "chargers.remove", before["name"], before, None, actor=actor)
