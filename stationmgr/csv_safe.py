"""CSV for spreadsheets: every exported cell is neutralised against formula injection.

A holder named `=cmd|' /C calc'!A0` or `@SUM(A1)` would run as a formula when the file is
opened in a spreadsheet. Every CSV the program writes (cards, sessions, statements, sales,
audit) goes through `csv_writer`/`csv_dict_writer`: a text cell starting with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading `'` (the OWASP rule), so it shows as text.
A plain number (`-12.50`, `+3`) is left as it is: it is not a formula, and the bookkeeping
needs it as a number.

Two dialects (the site setting `csv_dialect`, used by every billing CSV: statements, the
month summary, the sales export):
- `plain`: comma-separated, decimal point, UTF-8 without BOM, LF: for scripts and imports.
- `excel-sv`: what a Swedish Excel opens by double-click: semicolon-separated, decimal comma
  in number cells, a UTF-8 BOM (so å ä ö and • are read as UTF-8) and CRLF line ends.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


DIALECTS = ("plain", "excel-sv")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """The cell as a spreadsheet should see it: text that could start a formula gets `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def sv_cell(value: Any) -> Any:
    """A number cell with a decimal comma (`12.50` → `12,50`); text stays as it is."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return value.replace(".", ",")
    return value


def dialect_options(dialect: str) -> dict[str, Any]:
    """The `csv.writer` options of a dialect (and a check of its name)."""
    if dialect == "plain":
        return {"lineterminator": "\n"}
    if dialect == "excel-sv":
        return {"delimiter": ";", "lineterminator": "\r\n"}
    raise ValueError(f"unknown CSV dialect {dialect!r}: use {' or '.join(DIALECTS)}")


class _SafeWriter:
    def __init__(self, out: IO[str], dialect: str | None = None, **kw: Any) -> None:
        self._sv = dialect == "excel-sv"
        if dialect is not None:
            kw = {**kw, **dialect_options(dialect)}
            if self._sv:
                out.write(BOM)
        self._w = csv.writer(out, **kw)

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [safe_cell(v) for v in row]
        if self._sv:
            cells = [sv_cell(v) for v in cells]
        return self._w.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})


def csv_writer(out: IO[str], dialect: str | None = None, **kw: Any) -> _SafeWriter:
    """`csv.writer` whose every cell passes `safe_cell`; with a `dialect` (see DIALECTS) its
    separator, line ends, BOM and decimal comma."""
    return _SafeWriter(out, dialect, **kw)


def csv_dict_writer(out: IO[str], fieldnames: list[str], **kw: Any) -> csv.DictWriter:  # type: ignore[type-arg]
    """`csv.DictWriter` whose every cell passes `safe_cell` (the header is ours)."""
    return _SafeDictWriter(out, fieldnames, **kw)
