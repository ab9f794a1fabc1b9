"""Errors with a meaning for the person at the keyboard.

`UserError` is bad input (a malformed UID, a duplicate card, an unreadable CSV row): the CLI
prints its message on one line and exits with status 2, having written nothing.
`DatabaseBusy` is a database that cannot take the write now (another program holds its lock,
a lock timeout, a serialization conflict, the server unreachable): retried by the engine's
writer, and at the CLI one line, exit 2, nothing written. It is NOT a `UserError`, so a
handler that refuses a record can never be mistaken for a busy database.
"""

EXIT_OK = 0
EXIT_FAILURE = 1  # the device or the program failed (nothing answered, an I/O error)
EXIT_USAGE = 2  # bad input from the user: nothing was written
EXIT_DENIED = 3  # the operator may not do this


class StationError(Exception):
    """Base of the project's own errors."""

    exit_status = EXIT_FAILURE


class UserError(StationError):
    """Bad input from a person, a file or the command line."""

    exit_status = EXIT_USAGE


class DeviceError(StationError):
    """A device did not answer, or answered something that is not its protocol."""

    exit_status = EXIT_FAILURE


class PermissionDenied(StationError):
    """The signed-in operator's role does not allow the action."""

    exit_status = EXIT_DENIED


class DatabaseBusy(StationError):
    """The database cannot take this write now; the same write may succeed later.

    Raised by `store.db.Database.session` for SQLite's "database is locked/busy" and
    PostgreSQL's lock timeouts, serialization failures, deadlocks and lost connections.
    Only this is retried; any other error is the record's or the program's fault."""

    exit_status = EXIT_USAGE  # as documented since the first release: nothing was written
