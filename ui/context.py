"""What every page and dialog gets: the site client, its live events, background work.

One object, built by the app launcher, handed to page factories; widgets never reach for
globals. `client` (a `SiteClient`: in this process, or a site service over the network)
and `site` (its live events as Qt signals) are what a page uses: every read and command
goes through the client, off the GUI thread (`worker.run`). `db` and `engine` are the
in-process site, None when the window is a client of a service (`stationmgr gui --site
URL`): only this PC's own parts use them — the sign-in on the local database (first-run
wizard, login, idle-lock setting) and the serial desk reader of the cards page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale

from ui.access import allowed as role_allows

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient
    from stationmgr.client.models import Operator
    from stationmgr.engine import Engine
    from stationmgr.store.db import Database
    from ui.sitebridge import SiteBridge
    from ui.worker import Worker


@dataclass
class AppContext:
    db: Database | None
    engine: Engine | None
    worker: Worker
    actor: str = "attendant"  # the signed-in operator's username (issue 6 replaces the demo one)
    locale: QLocale = field(default_factory=QLocale)
    currency: str = "SEK"
    client: SiteClient | None = None
    site: SiteBridge | None = None
    operator: Operator | None = None  # who the site service signed in (remote only)

    @property
    def remote(self) -> bool:
        """The window is a client of a site service elsewhere (no local database)."""
        return self.db is None

    def allowed(self, action: str) -> bool:
        """Whether to offer `action` to the signed-in operator (`ui.access.allowed`; an
        unknown action is not offered). The core services decide anyway."""
        if self.operator is not None:
            if self.operator.role is None:  # a site without operators: everything
                return True
            from stationmgr.access.roles import role_may

            try:
                return role_may(self.operator.role, action)
            except (KeyError, ValueError):
                return False
        return role_allows(self.actor, action)
