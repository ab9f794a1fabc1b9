"""CSV for spreadsheets: every exported cell is neutralised against formula injection.

A holder named `=cmd|' /C calc'!A0` or `@SUM(A1)` would run as a formula when the file is
opened in a spreadsheet. Every CSV the program writes (cards, sessions, statements, sales,
audit) goes through `csv_writer`/`csv_dict_writer`: a text cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading `'` (the OWASP rule), so it shows as text.
A plain number (`-12.50`, `+3`) is left as it is: it is not a formula, and the bookkeeping
needs it as a number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def safe_cell(value: Any) -> Any:
    """The cell as a spreadsheet should see it: text that could start a formula gets `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class _SafeWriter:
    def __init__(self, out: IO[str], **kw: Any) -> None:
        self._w = csv.writer(out, **kw)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})


def csv_writer(out: IO[str], **kw: Any) -> _SafeWriter:
    """`csv.writer` whose every cell passes `safe_cell`."""
    return _SafeWriter(out, **kw)


def csv_dict_writer(out: IO[str], fieldnames: list[str], **kw: Any) -> csv.DictWriter:  # type: ignore[type-arg]
    """`csv.DictWriter` whose every cell passes `safe_cell` (the header is ours)."""
    return _SafeDictWriter(out, fieldnames, **kw)
