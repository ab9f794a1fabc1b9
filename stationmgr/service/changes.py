"""Tell the running engine that configuration changed, after the core service committed.

`Engine.apply_changes(kinds)` (chargers, readers, cards, tariffs, settings) reloads what
changed without a restart and publishes `ConfigurationChanged`: the runtime's extensions
(billing, alerts) follow that event, and every connected client sees it on its stream.
"""

from __future__ import annotations

import concurrent.futures
import logging

from stationmgr.engine import Engine
from stationmgr.events import CONFIG_KINDS

log = logging.getLogger(__name__)


def notify(engine: Engine | None, kinds: frozenset[str]) -> None:
    unknown = kinds - CONFIG_KINDS
    if unknown:
        raise ValueError(f"unknown configuration kinds {sorted(unknown)}")
    if engine is None:  # no engine in this process: it applies the change at its next start
        return
    engine.apply_changes(kinds).add_done_callback(_log_failure)


def _log_failure(future: concurrent.futures.Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("applying a configuration change failed: %s", exc)
