"""Chargers and card readers as the chargers page and its dialogs read and change them, on
a `Database`. Changes go through `site_setup` (checked and audited there), each in a unit of
work of its own; rows out are plain frozen dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr import site_setup
from stationmgr.access.context import Actor
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, CardReaderDevice, Charger


@dataclass(frozen=True)
class BayRow:
    id: int
    label: str
    connector: int
    reader: str | None  # the card reader at this bay, by name


@dataclass(frozen=True)
class ChargerRow:
    id: int
    name: str
    driver: str
    port: str
    address: int | None
    baud: int | None
    enabled: bool
    bays: tuple[BayRow, ...]


@dataclass(frozen=True)
class ReaderRow:
    id: int
    name: str
    driver: str
    port: str
    baud: int | None
    bay: str | None  # the bay's label; None: the desk (enrolment)
    enabled: bool


@dataclass(frozen=True)
class DeviceRows:
    chargers: tuple[ChargerRow, ...]
    readers: tuple[ReaderRow, ...]


def device_rows(db: Database) -> DeviceRows:
    """Every charger (by name) with its bays, and every card reader (a read)."""
    with db.session() as s:
        labels = {b.id: b.label for b in s.scalars(select(Bay))}
        readers = list(s.scalars(select(CardReaderDevice).order_by(CardReaderDevice.name)))
        by_bay = {r.bay_id: r.name for r in readers if r.bay_id is not None}
        chargers = tuple(
            ChargerRow(
                c.id,
                c.name,
                c.driver,
                c.port,
                c.address,
                c.baud,
                c.enabled,
                tuple(BayRow(b.id, b.label, b.connector, by_bay.get(b.id)) for b in c.bays),
            )
            for c in s.scalars(select(Charger).order_by(Charger.name))
        )
        return DeviceRows(
            chargers,
            tuple(
                ReaderRow(
                    r.id,
                    r.name,
                    r.driver,
                    r.port,
                    r.baud,
                    labels.get(r.bay_id, "?") if r.bay_id is not None else None,
                    r.enabled,
                )
                for r in readers
            ),
        )


@dataclass(frozen=True)
class ChargerForm:
    name: str
    driver: str
    port: str
    address: int | None
    baud: int | None
    enabled: bool
    bay_labels: tuple[str, ...]  # by connector
    settings: dict[str, Any]


def charger_form(db: Database, charger_id: int) -> ChargerForm | None:
    with db.session() as s:
        c = s.get(Charger, charger_id)
        if c is None:
            return None
        return ChargerForm(
            c.name, c.driver, c.port, c.address, c.baud, c.enabled,
            tuple(b.label for b in c.bays), dict(c.settings or {}),
        )  # fmt: skip


@dataclass(frozen=True)
class ReaderForm:
    name: str
    driver: str
    port: str
    baud: int | None
    enabled: bool
    bay: str | None


def reader_form(db: Database, reader_id: int) -> ReaderForm | None:
    with db.session() as s:
        r = s.get(CardReaderDevice, reader_id)
        if r is None:
            return None
        label = s.scalar(select(Bay.label).where(Bay.id == r.bay_id)) if r.bay_id else None
        return ReaderForm(r.name, r.driver, r.port, r.baud, r.enabled, label)


def bay_labels(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Bay.label).order_by(Bay.label)))


def charger_on_port(db: Database, port: str) -> str | None:
    """The enabled charger configured on `port`, by name (the running site polls it)."""
    with db.session() as s:
        return s.scalar(select(Charger.name).where(Charger.port == port.strip(), Charger.enabled))


def _saved(
    db: Database,
    row_id: int | None,
    add: Callable[[Session, Any, Actor | None], Any],
    update: Callable[[Session, int, Any, Actor | None], Any],
    data: Any,
    actor: Actor | None,
) -> int:
    with db.session() as s:
        row = add(s, data, actor) if row_id is None else update(s, row_id, data, actor)
        return int(row.id)


def save_charger(
    db: Database, charger_id: int | None, ch: site_setup.ChargerInput, actor: Actor | None = None
) -> int:
    """Add (`charger_id` None) or change a charger and its bays; the charger's id."""
    return _saved(db, charger_id, site_setup.add_charger, site_setup.update_charger, ch, actor)


def save_reader(
    db: Database, reader_id: int | None, r: site_setup.ReaderInput, actor: Actor | None = None
) -> int:
    return _saved(db, reader_id, site_setup.add_reader, site_setup.update_reader, r, actor)


def remove_charger(db: Database, charger_id: int, actor: Actor | None = None) -> str:
    """ "removed", or "disabled" for a charger with sessions on record (history stays)."""
    with db.session() as s:
        return site_setup.remove_charger(s, charger_id, actor)


def remove_reader(db: Database, reader_id: int, actor: Actor | None = None) -> None:
    with db.session() as s:
        site_setup.remove_reader(s, reader_id, actor)
