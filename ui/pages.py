"""The page registry: every page of the main window is listed here, in sidebar order.

To add a page, write a module with a module-level ``PAGE = PageSpec(...)`` and add its
dotted name to ``PAGE_MODULES`` (a one-line edit). Its factory receives the `AppContext`
(database, engine, bridge, worker pool, the signed-in actor) and returns the page widget.
A page module that fails to import is logged and skipped, so one broken page never keeps
the attendant from the bay board. At run time `MainWindow.add_page(...)` adds a page too.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ui.context import AppContext

log = logging.getLogger(__name__)

# Sidebar order is the `order` field of each PageSpec (board 10, history 30, cards 40, ...).
PAGE_MODULES: list[str] = [
    "ui.board.page",
    "ui.history.page",
    "ui.cards.page",
    "ui.chargers.page",
    "ui.reports.alerts_page",
    "ui.reports.capacity_page",
    "ui.billing.page",
    "ui.access.page",
]


@dataclass(frozen=True)
class PageSpec:
    """One page of the main window.

    `title` is a callable so the text is translated when the window is built (after the
    translator is installed); `icon` is a file name stem in resources/icons/.
    """

    key: str
    title: Callable[[], str]
    factory: Callable[[AppContext], QWidget]
    icon: str = "page"
    order: int = 100
    # The page reads and acts only through `ctx.client` / `ctx.site`, so it is offered
    # when the window is a client of a site service (`stationmgr gui --site`) too.
    remote: bool = False


def load_pages(modules: list[str] | None = None) -> list[PageSpec]:
    """Every registered page, sorted by `order`; broken modules are logged and skipped."""
    specs: list[PageSpec] = []
    for name in PAGE_MODULES if modules is None else modules:
        try:
            mod = importlib.import_module(name)
        except Exception:
            log.exception("page module %s failed to load; skipped", name)
            continue
        spec = getattr(mod, "PAGE", None)
        if isinstance(spec, PageSpec):
            specs.append(spec)
        else:
            log.error("page module %s has no PAGE = PageSpec(...); skipped", name)
    return sorted(specs, key=lambda s: s.order)
