"""The selected bay's current or last session, for the bay panel's session actions
(receipt, open the card, copy its number; stop is the panel's own button).

The bay's snapshot names its running session (`tx_uid`) or the one that just ended with
the car still plugged (`finished_tx_uid`), not the session's number, receipt or card: so
the newest session of the bay is read through the site client (`sessions`, one row), on
the worker, whenever the snapshot tells a different story than the row held (a session
opened or closed, the writer not there yet) or a receipt was issued. At most one read is
in flight, and a story that never settles is asked about a bounded number of times.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from stationmgr.client import models as m
from ui.board.state import BaySnap

RETRIES = 10  # reads for one story of the snapshot before giving up until it changes


def settled(row: m.SessionRow | None, answered: bool, snap: BaySnap) -> bool:
    """Whether `row` (the bay's newest session as last read) agrees with `snap`."""
    if snap.tx_uid:
        return row is not None and row.tx_uid == snap.tx_uid
    if snap.finished_tx_uid:
        return row is not None and row.tx_uid == snap.finished_tx_uid and bool(row.stopped_at)
    if row is None:
        return answered  # a bay that never had a session
    return row.stopped_at is not None


class BaySession(QObject):
    """The newest session of one bay; `changed` when its row arrives or differs."""

    changed = Signal()

    def __init__(self, ctx: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bay_id: int | None = None
        self.row: m.SessionRow | None = None
        self._answered = False
        self._loading = False
        self._story: tuple[Any, ...] | None = None
        self._asked = 0  # reads for the current story
        self._gen = 0

    def follow(self, snap: BaySnap | None) -> None:
        """The selected bay's latest snapshot (None: no bay): read again when needed."""
        if snap is None or snap.bay_id != self.bay_id:
            self._gen += 1
            self.bay_id = snap.bay_id if snap is not None else None
            self.row, self._answered, self._loading = None, False, False
            self._story = None
            self.changed.emit()
        if snap is None:
            return
        story = (snap.bay_id, snap.tx_uid, snap.finished_tx_uid)
        if story != self._story:
            self._story, self._asked = story, 0
        if self._loading or self._asked >= RETRIES:
            return
        if not settled(self.row, self._answered, snap) or not self._answered:
            self._read(snap.label)

    def reread(self) -> None:
        """Something changed the session the snapshot does not show (a receipt)."""
        self._asked = 0
        self._answered = False

    def _read(self, label: str) -> None:
        client = self.ctx.client
        if client is None:
            return
        self._loading, gen = True, self._gen
        self._asked += 1
        query = m.SessionQuery(bay=label, limit=1)  # newest first

        def arrived(rows: list[m.SessionRow]) -> None:
            if gen != self._gen:
                return
            self._loading, self._answered = False, True
            row = rows[0] if rows else None
            if row != self.row:
                self.row = row
                self.changed.emit()

        def failed(_e: BaseException) -> None:
            if gen == self._gen:
                self._loading = False

        self.ctx.worker.run(lambda: client.sessions(query), arrived, failed)
