"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from stationmgr.store.db import Database, open_database


def open_db(args: argparse.Namespace) -> Database:
    """The database named by `--db` (or the default), migrated."""
    return open_database(getattr(args, "db", None))


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    """A plain aligned text table on stdout."""
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False))
    print(line.rstrip())
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip())


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
