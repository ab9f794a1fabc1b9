"""What every page and dialog gets: the database, the engine, the bridge, background work.

One object, built by the app launcher, handed to page factories; widgets never reach for
globals. `engine` may be None (history-only use, e.g. an accountant's PC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale

from stationmgr.store.db import Database

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from ui.bridge import EngineBridge
    from ui.worker import Worker


@dataclass
class AppContext:
    db: Database
    engine: Engine | None
    bridge: EngineBridge | None
    worker: Worker
    actor: str = "attendant"  # the signed-in operator's username (issue 6 replaces the demo one)
    locale: QLocale = field(default_factory=QLocale)
    currency: str = "SEK"

    def allowed(self, action: str) -> bool:
        """Whether the signed-in operator may do `action` (ui.access when present)."""
        try:
            from ui.access import allowed  # type: ignore[attr-defined]
        except Exception:
            return True
        try:
            return bool(allowed(self.actor, action))
        except Exception:
            return True
