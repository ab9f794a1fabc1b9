"""What each OCPP charger's local authorisation list holds, as the site last sent it.

Kept so a restart of the service does not send a Full list to a charger whose list is in
step already: at its next boot the charger's `GetLocalListVersion` is compared with
`version`, and only the difference from `entries` is sent (see `stationmgr.ocpp.locallist`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from stationmgr.store.models import Base, JSONText, UTCDateTime


class OcppLocalList(Base):
    """One charger's local list: its version and idTag → idTagInfo as sent."""

    __tablename__ = "ocpp_local_lists"
    charger_id: Mapped[int] = mapped_column(
        ForeignKey("chargers.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    entries: Mapped[Any] = mapped_column(JSONText, default=dict)
    # Cards that may charge there but did not fit the charger's LocalAuthListMaxLength.
    omitted: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
