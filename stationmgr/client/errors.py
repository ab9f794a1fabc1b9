"""Errors a site client raises, and the one table that maps them to HTTP statuses and back.

The server turns a core error into a status with its one-line message; the remote client
turns the status back into the same error class, so a command exits with the same status
whether it ran against the local database or a site service (3 refused, 2 bad input,
1 unreachable).
"""

from __future__ import annotations

from stationmgr.access.operators import LoginFailed
from stationmgr.errors import DatabaseBusy, DeviceError, PermissionDenied, StationError, UserError


class NotFound(UserError):
    """No such bay, card, charger, reader, session or alert (HTTP 404, exit 2)."""


class Conflict(UserError):
    """The change clashes with what is there (a duplicate name or card; HTTP 409, exit 2)."""


class Busy(DatabaseBusy):
    """The database is locked by another program (HTTP 503, exit 2: try again)."""


class SignInNeeded(LoginFailed):
    """No token, or one that expired or was never issued (HTTP 401, exit 3)."""


class TooLarge(UserError):
    """The request body is over the limit (HTTP 413)."""


class NotJSON(UserError):
    """The request body is not JSON (HTTP 415)."""


class TooManyAttempts(LoginFailed):
    """Too many failed sign-ins from this address (HTTP 429 with Retry-After, exit 3)."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SiteUnreachable(StationError):
    """The site service did not answer, or is not who its fingerprint says (exit 1)."""


class ServiceFailed(StationError):
    """The service failed on its side (HTTP 500; the details are in its log; exit 1)."""


# status, word, class — the first matching class (most specific first) wins on the server
STATUSES: list[tuple[int, str, type[Exception]]] = [
    (401, "sign_in", SignInNeeded),
    (429, "too_many_attempts", TooManyAttempts),
    (401, "login_failed", LoginFailed),
    (403, "forbidden", PermissionDenied),
    (404, "not_found", NotFound),
    (409, "conflict", Conflict),
    (413, "too_large", TooLarge),
    (415, "not_json", NotJSON),
    (503, "busy", DatabaseBusy),
    (502, "device", DeviceError),  # a charger offline, silent or refusing (exit 1)
    (400, "bad_input", UserError),
]


def classify(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and word for a core error (500 for anything unexpected)."""
    for status, word, cls in STATUSES:
        if isinstance(exc, cls):
            return status, word
    return 500, "internal"


def from_status(status: int, word: str, message: str) -> StationError:
    """The error to raise in a client for an error answer."""
    if status == 503:
        return Busy(message)
    for s, w, cls in STATUSES:
        if s == status and w == word:
            return cls(message)  # type: ignore[return-value]
    for s, _w, cls in STATUSES:
        if s == status:
            return cls(message)  # type: ignore[return-value]
    return ServiceFailed(message)
