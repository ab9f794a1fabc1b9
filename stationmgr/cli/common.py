"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from stationmgr import validate
from stationmgr.errors import UserError
from stationmgr.store.db import Database, open_database


def open_db(
    args: argparse.Namespace, create: bool = False, busy_timeout_ms: int | None = None
) -> Database:
    """The database named by `--db` (or `$STATIONMGR_DB`), migrated.

    A named SQLite file that does not exist is refused (a typo must not start a new empty
    site); `stationmgr db create` makes one. The default file in the user data directory,
    which nobody typed, is created on first use.
    """
    url = getattr(args, "db", None) or os.environ.get("STATIONMGR_DB") or None
    return open_database(url, create=create or url is None, busy_timeout_ms=busy_timeout_ms)


def int_arg(what: str, minimum: int | None = None, maximum: int | None = None) -> Callable:
    """An argparse `type=` for a strictly parsed whole number (validate.parse_int)."""
    hi = validate.MAX_INT32 if maximum is None else maximum

    def parse(text: str) -> int:
        try:
            return validate.parse_int(text, what, minimum=minimum, maximum=hi)
        except UserError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


def float_arg(what: str, minimum: float | None = None, maximum: float | None = None) -> Callable:
    """An argparse `type=` for a strictly parsed finite number (validate.parse_float)."""

    def parse(text: str) -> float:
        try:
            return validate.parse_float(text, what, minimum=minimum, maximum=maximum)
        except UserError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    """A plain aligned text table on stdout (control characters in stored text escaped)."""
    cells = [[("" if v is None else validate.printable(v)) for v in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False))
    print(line.rstrip())
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip())


def print_json(obj: Any) -> None:  # JSON escapes control characters itself
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
