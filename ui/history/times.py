"""Wire times (ISO 8601 UTC text from the site API) as epoch seconds for `ui.fmt`."""

from __future__ import annotations

from datetime import datetime


def epoch(text: str | None) -> float | None:
    """Epoch seconds of an ISO time; None for none (or text that is not a time)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def line(e: BaseException) -> str:
    """One line for the person: the error's first line (never a traceback)."""
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
