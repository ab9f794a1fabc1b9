"""Checking a card CSV file before importing it: the format, then every row against the
database (a number already enrolled in any spelling, an unknown bay label). One bad row
rejects the whole file, named by its line. Runs on a worker; the import itself is
`cards.import_csv` in one unit of work (all rows or none)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from stationmgr.access.context import Actor
from stationmgr.cards import bay_ids_by_labels, find_cards, import_csv, read_csv
from stationmgr.errors import UserError
from stationmgr.store.db import Database

_LINE = re.compile(r"^line (\d+): ")
PREVIEW_ROWS = 500  # rows shown; the check covers every row


@dataclass
class Preview:
    """The file as read: its raw rows with line numbers, and the first problem (if any)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    total: int
    error: str | None = None
    error_line: int | None = None


def check_file(db: Database, text: str) -> Preview:
    """Parse and check every row (runs on the worker): format first, then the database
    (number already enrolled in any spelling, unknown bay label)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    rows: list[tuple[int, list[str]]] = []
    total = 0
    for row in reader:
        total += 1
        if len(rows) < PREVIEW_ROWS:
            rows.append((reader.line_num, row))
    preview = Preview(header, rows, total)
    try:
        cards = read_csv(text)
        with db.session() as s:
            for line, card in enumerate(cards, start=2):
                try:
                    known = find_cards(s, card.uid)
                    if known:
                        raise UserError(f"card {card.uid} is already enrolled (as {known[0].uid})")
                    bay_ids_by_labels(s, card.allowed_bays)
                except UserError as e:
                    raise UserError(f"line {line}: {e}") from None
    except UserError as e:
        preview.error = str(e)
        m = _LINE.match(preview.error)
        preview.error_line = int(m.group(1)) if m else None
    return preview


def import_file(db: Database, text: str, actor: Actor | None = None) -> int:
    """Import the checked file (`cards.import`); how many cards."""
    with db.session() as s:
        return import_csv(s, text, actor)
