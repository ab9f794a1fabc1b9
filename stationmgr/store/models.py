"""The schema of a charging site (SQLAlchemy 2, typed declarative).

Nothing here is SQLite-only: the same models run on PostgreSQL. Times are stored as integer
epoch milliseconds (compact, index-friendly, no time-zone surprises) and read back as aware
UTC datetimes. Money is integers in minor units. Energy from a charger's register is Wh.

Billing, operators and alert tables live in their own modules under `store/` and register
on the same `Base`; `store.schema` imports them all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetime stored as integer epoch milliseconds."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return round(value.timestamp() * 1000)

    def process_result_value(self, value: int | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(value / 1000, UTC)


class JSONText(TypeDecorator[Any]):
    """JSON stored as text, identical on every database (sorted keys, stable for hashing)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SiteSetting(Base):
    """Key/value site settings (site name, seller details, thresholds), values as JSON."""

    __tablename__ = "site_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)


class Charger(Base):
    """A physical charger reached through a driver on a port (several may share a bus)."""

    __tablename__ = "chargers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    driver: Mapped[str] = mapped_column(String(40))
    port: Mapped[str] = mapped_column(String(255))
    address: Mapped[int | None] = mapped_column(Integer)
    baud: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[Any] = mapped_column(JSONText, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bays: Mapped[list[Bay]] = relationship(back_populates="charger", order_by="Bay.connector")


class Bay(Base):
    """One connector of a charger: the place a car parks and plugs in."""

    __tablename__ = "bays"
    __table_args__ = (UniqueConstraint("charger_id", "connector"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector: Mapped[int] = mapped_column(Integer, default=1)
    label: Mapped[str] = mapped_column(String(40), unique=True)
    out_of_order: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_order_reason: Mapped[str | None] = mapped_column(String(200))

    charger: Mapped[Charger] = relationship(back_populates="bays")


class CardReaderDevice(Base):
    """An RFID reader on a serial port, at a bay or at the desk (bay_id NULL)."""

    __tablename__ = "card_readers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    driver: Mapped[str] = mapped_column(String(40))
    port: Mapped[str] = mapped_column(String(255))
    baud: Mapped[int | None] = mapped_column(Integer)
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id", ondelete="SET NULL"))
    settings: Mapped[Any] = mapped_column(JSONText, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class CardHolder(Base):
    """A person or company that cards belong to (and that statements are addressed to)."""

    __tablename__ = "card_holders"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    customer_ref: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CardGroup(Base):
    """Cards grouped for tariff, budget and blocking (staff, guests, a tenant company)."""

    __tablename__ = "card_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class CardAllowedBay(Base):
    """A card restricted to some bays (no rows: every bay)."""

    __tablename__ = "card_allowed_bays"
    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True
    )
    bay_id: Mapped[int] = mapped_column(ForeignKey("bays.id", ondelete="CASCADE"), primary_key=True)

    bay: Mapped[Bay] = relationship()


class Card(Base):
    """A credential (OCPP idTag): an RFID card in canonical UID form, or (kind "vehicle") the
    id tag a charger reports for a car it recognises itself (Autocharge: `VID:<MAC>`)."""

    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="card", server_default="card")
    uid_key: Mapped[str] = mapped_column(String(20), index=True)  # see auth.match_key
    label: Mapped[str | None] = mapped_column(String(80))
    holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("card_holders.id", ondelete="SET NULL")
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("card_groups.id", ondelete="SET NULL"))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_concurrent: Mapped[int] = mapped_column(Integer, default=1)
    max_current_a: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    holder: Mapped[CardHolder | None] = relationship()
    group: Mapped[CardGroup | None] = relationship()
    allowed: Mapped[list[CardAllowedBay]] = relationship(cascade="all, delete-orphan")


class ChargeSession(Base):
    """A charging transaction: plug-in to stop, with the charger's own meter readings.

    Finished rows are history: never edited in place (a correction is a new, linked record).
    """

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_plugged_at", "plugged_at"),
        Index("ix_sessions_bay_plugged", "bay_id", "plugged_at"),
        Index("ix_sessions_card_plugged", "card_id", "plugged_at"),
        Index("ix_sessions_holder_plugged", "holder_id", "plugged_at"),
        Index("ix_sessions_open", "stopped_at"),
        Index("ix_sessions_reason_plugged", "stop_reason", "plugged_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tx_uid: Mapped[str] = mapped_column(String(40), unique=True)
    bay_id: Mapped[int] = mapped_column(ForeignKey("bays.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    # Snapshot of who charged, kept even if the card or holder changes later.
    card_uid: Mapped[str | None] = mapped_column(String(20))
    holder_id: Mapped[int | None] = mapped_column(Integer)
    holder_name: Mapped[str | None] = mapped_column(String(120))
    group_id: Mapped[int | None] = mapped_column(Integer)
    start_kind: Mapped[str] = mapped_column(String(10), default="card")  # card | guest
    started_by: Mapped[str | None] = mapped_column(String(80))
    guest_reason: Mapped[str | None] = mapped_column(String(200))
    # The card's current limit at the start (snapshot; None: none): sent again with the gate
    # when the session resumes after a restart.
    max_current_a: Mapped[float | None] = mapped_column(Float)

    plugged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    authorized_at: Mapped[datetime] = mapped_column(UTCDateTime)
    charging_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    charging_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last energy flow
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # unplug or stop
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meter_start_wh: Mapped[float] = mapped_column(Float)
    meter_last_wh: Mapped[float] = mapped_column(Float)
    meter_stop_wh: Mapped[float | None] = mapped_column(Float)
    segment_start_wh: Mapped[float] = mapped_column(Float)
    energy_before_wh: Mapped[float] = mapped_column(Float, default=0.0)
    meter_resets: Mapped[int] = mapped_column(Integer, default=0)
    energy_wh: Mapped[float] = mapped_column(Float, default=0.0)
    # The charger's own clock and energy for the plug-in, read with meter_last_wh: the
    # proof a session resumes on after a gap (see stationmgr/continuity.py).
    charger_elapsed_s: Mapped[float | None] = mapped_column(Float)
    charger_session_wh: Mapped[float | None] = mapped_column(Float)

    stop_reason: Mapped[str | None] = mapped_column(String(20))
    stopped_by: Mapped[str | None] = mapped_column(String(80))
    stop_detail: Mapped[str | None] = mapped_column(String(200))

    plugged_s: Mapped[int | None] = mapped_column(Integer)
    waiting_s: Mapped[int | None] = mapped_column(Integer)
    charging_s: Mapped[int | None] = mapped_column(Integer)
    idle_s: Mapped[int | None] = mapped_column(Integer)

    bay: Mapped[Bay] = relationship()

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


class MeterSample(Base):
    """One meter reading during a session (kept compact: integers, ms time)."""

    __tablename__ = "meter_samples"
    __table_args__ = (Index("ix_samples_session_ts", "session_id", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    energy_wh: Mapped[int] = mapped_column(Integer)  # the charger's register
    power_w: Mapped[int | None] = mapped_column(Integer)
    current_l1_ma: Mapped[int | None] = mapped_column(Integer)
    current_l2_ma: Mapped[int | None] = mapped_column(Integer)
    current_l3_ma: Mapped[int | None] = mapped_column(Integer)


class UnattributedEnergy(Base):
    """Energy a charger's counter advanced outside any session (delivered while the engine
    could not watch the bay and the charger could not prove the plug-in, or with no session
    open). Never on a card; listed by `reconcile`. Append-only."""

    __tablename__ = "unattributed_energy"
    __table_args__ = (Index("ix_unattributed_bay_from", "bay_id", "from_ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    charger_id: Mapped[int | None] = mapped_column(ForeignKey("chargers.id", ondelete="SET NULL"))
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id", ondelete="SET NULL"))
    after_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )
    from_ts: Mapped[datetime] = mapped_column(UTCDateTime)  # the last reading it was sure of
    to_ts: Mapped[datetime] = mapped_column(UTCDateTime)
    meter_from_wh: Mapped[float] = mapped_column(Float)
    meter_to_wh: Mapped[float] = mapped_column(Float)
    energy_wh: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(200))


class ChargerEvent(Base):
    """Something a charger or the engine noticed: comm lost/restored, reboot, card refused."""

    __tablename__ = "charger_events"
    __table_args__ = (Index("ix_events_ts", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    charger_id: Mapped[int | None] = mapped_column(ForeignKey("chargers.id", ondelete="SET NULL"))
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)


class PersistFailure(Base):
    """A record the engine's writer could not store (its handler raised; never a busy
    database, which is retried): kept here, dropped from its batch, so the rest of the site
    runs and the owner sees what was lost (`stationmgr db failures`)."""

    __tablename__ = "persist_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    record_type: Mapped[str] = mapped_column(String(120))
    record: Mapped[str] = mapped_column(Text)  # the journal's JSON form (or its repr)
    error: Mapped[str] = mapped_column(Text)


class Fault(Base):
    """A fault reported by a charger, linked to its bay and the session it hit."""

    __tablename__ = "faults"
    __table_args__ = (Index("ix_faults_raised", "raised_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    charger_id: Mapped[int | None] = mapped_column(ForeignKey("chargers.id", ondelete="SET NULL"))
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(40))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))


class Tariff(Base):
    """A price list version: never edited once used; a price change is a new version with a
    later `valid_from`. Scope: a card group, guests, or (neither) the site default.
    Prices are net of VAT, integers in minor units (öre, cents); see billing.pricing."""

    __tablename__ = "tariffs"
    __table_args__ = (Index("ix_tariffs_scope", "group_id", "for_guests", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("card_groups.id", ondelete="RESTRICT"))
    for_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    energy_minor_per_kwh: Mapped[int] = mapped_column(Integer, default=0)
    time_minor_per_hour: Mapped[int] = mapped_column(Integer, default=0)
    time_basis: Mapped[str] = mapped_column(String(10), default="charging")  # or "plugged"
    start_fee_minor: Mapped[int] = mapped_column(Integer, default=0)
    idle_minor_per_min: Mapped[int] = mapped_column(Integer, default=0)
    idle_grace_min: Mapped[int] = mapped_column(Integer, default=0)
    idle_cap_minor: Mapped[int | None] = mapped_column(Integer)  # None: no cap
    vat_bp: Mapped[int] = mapped_column(Integer, default=2500)  # basis points: 2500 = 25 %
    # The price per kWh with four decimals (1/10 000 of the major unit) when it has more than
    # two; None: energy_minor_per_kwh × 100. energy_minor_per_kwh is then its rounded value.
    energy_e4_per_kwh: Mapped[int | None] = mapped_column(Integer)
    # A minimum billable session: below this energy (Wh) or plugged time (s), no start fee.
    min_wh: Mapped[int] = mapped_column(Integer, default=0)
    min_s: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Operator(Base):
    """A person who uses the app: owner, attendant or accountant."""

    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id, never plain
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Lockout after repeated failures (see access.operators.LoginPolicy).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Who did what, when, before/after; append-only and hash-chained."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    operator: Mapped[str | None] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str | None] = mapped_column(String(120))
    before: Mapped[Any | None] = mapped_column(JSONText)
    after: Mapped[Any | None] = mapped_column(JSONText)
    outcome: Mapped[str] = mapped_column(String(10), default="ok")  # ok | denied | failed
    detail: Mapped[str | None] = mapped_column(Text)
    # Unique: two writers that raced for the same predecessor cannot fork the chain.
    prev_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hash: Mapped[str | None] = mapped_column(String(64))
