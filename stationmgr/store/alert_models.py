"""The alerts table: what went wrong at which bay, and when it was raised, seen and over.

One row per alert occurrence. The monitor raises and clears rows through the engine's single
writer; an attendant acknowledges them (audited). `uid` is the monitor's own key, known the
moment an alert is raised, so a clear or an acknowledgement can name it before the row's id
exists. `since` is when the condition began (e.g. the end of charging plus the grace period
for a blocked bay); `raised_at` is when the monitor noticed it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stationmgr.store.models import Base, UTCDateTime


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_raised", "raised_at"),
        Index("ix_alerts_open", "cleared_at"),
        Index("ix_alerts_bay_raised", "bay_id", "raised_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # see stationmgr.alerts.events.AlertKind
    bay_id: Mapped[int | None] = mapped_column(ForeignKey("bays.id", ondelete="SET NULL"))
    charger_id: Mapped[int | None] = mapped_column(ForeignKey("chargers.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    tx_uid: Mapped[str | None] = mapped_column(String(40))
    card_uid: Mapped[str | None] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(40))  # fault code, card, …
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(Text)
    clear_detail: Mapped[str | None] = mapped_column(String(200))

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
