"""The OCPP message log: the last messages each charge point exchanged with the site.

A ring per charger (`stationmgr.ocpp.msglog.KEEP` rows, older ones pruned by the writer), so
`stationmgr chargers log NAME` shows what a charger said before a fault even after the
service restarted. Written through the engine's single writer in its ordinary batches;
never waited for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stationmgr.store.models import Base, UTCDateTime


class OcppMessage(Base):
    __tablename__ = "ocpp_messages"
    __table_args__ = (Index("ix_ocpp_messages_charger", "charger_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    direction: Mapped[str] = mapped_column(String(3))  # "in" from the charger, "out" to it
    kind: Mapped[str] = mapped_column(String(12))  # Call, CallResult, CallError, Invalid
    action: Mapped[str | None] = mapped_column(String(40))
    unique_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # JSON, cut at msglog.MAX_PAYLOAD characters


class OcppGuestTag(Base):
    """A guest id tag the site gave a charger with RemoteStartTransaction (`ocpp.guest_tags`):
    kept so the charger's StartTransaction books the guest even after the service restarted.
    Unused after `expires_at` it is refused like an unknown card; once started it is the
    transaction's (`tx_uid`) until the charger's StopTransaction."""

    __tablename__ = "ocpp_guest_tags"
    tag: Mapped[str] = mapped_column(String(20), primary_key=True)
    bay_id: Mapped[int] = mapped_column(ForeignKey("bays.id", ondelete="CASCADE"))
    operator: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tx_uid: Mapped[str | None] = mapped_column(String(40))
