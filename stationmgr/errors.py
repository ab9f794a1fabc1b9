"""Errors with a meaning for the person at the keyboard.

`UserError` is bad input (a malformed UID, a duplicate card, an unreadable CSV row, a locked
database): the CLI prints its message on one line and exits with status 2, having written
nothing.
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
