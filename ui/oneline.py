"""One line for a person from a client call that failed: the core's own message for a
refusal, bad input or an unreachable site (it names the URL); a short word for the
unexpected (the traceback goes to the log, never to the window)."""

from __future__ import annotations

import logging

from stationmgr.errors import StationError

log = logging.getLogger(__name__)


def error_line(e: BaseException) -> str:
    if isinstance(e, StationError):
        text = str(e).strip().splitlines()
        return text[0] if text else type(e).__name__
    log.error("a client call failed unexpectedly", exc_info=e)
    text = str(e).strip().splitlines()
    return f"Unexpected error: {text[0] if text else type(e).__name__}"
