"""Attendant actions: guest start, stop, out of order, acknowledge faults.

Each calls an engine service (a concurrent future) and reports back on the GUI thread
through `Worker.wait_future`; nothing here waits. Permissions come from `ctx.allowed`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget
from sqlalchemy import update
from sqlalchemy.orm import Session

from stationmgr.clock import to_datetime
from stationmgr.errors import StationError
from stationmgr.store.models import Fault


def acknowledge_faults(bay_id: int, operator: str, at: float) -> Callable[[Session], int]:
    """A writer job: mark the bay's unacknowledged faults as seen by `operator`."""

    def job(s: Session) -> int:
        res = s.execute(
            update(Fault)
            .where(Fault.bay_id == bay_id, Fault.acknowledged_at.is_(None))
            .values(acknowledged_at=to_datetime(at), acknowledged_by=operator[:80])
        )
        return int(res.rowcount or 0)  # type: ignore[attr-defined]

    return job


class Actions(QObject):
    """The attendant's commands for one app; results arrive as `done`/`failed` signals too."""

    done = Signal(str)  # a line for the status bar
    failed = Signal(str)

    def __init__(self, ctx: object, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    # ------------------------------------------------------------ plumbing

    def _run(self, what: str, call: Callable[[], object], ok: str, parent: QWidget | None) -> bool:
        ctx = self.ctx
        if not ctx.allowed(what):  # type: ignore[attr-defined]
            self._fail(
                parent, QCoreApplication.translate("actions", "You may not do this with your role.")
            )
            return False
        if ctx.engine is None:  # type: ignore[attr-defined]
            self._fail(
                parent, QCoreApplication.translate("actions", "The site engine is not running.")
            )
            return False
        try:
            fut = call()
        except (StationError, RuntimeError) as e:
            self._fail(parent, str(e))
            return False
        ctx.worker.wait_future(  # type: ignore[attr-defined]
            fut, lambda _r: self.done.emit(ok), lambda e: self._fail(parent, str(e) or repr(e))
        )
        return True

    def _fail(self, parent: QWidget | None, text: str) -> None:
        self.failed.emit(text)
        if parent is not None:
            QMessageBox.warning(
                parent, QCoreApplication.translate("actions", "Could not do that"), text
            )

    def _label(self, bay_id: int) -> str:
        eng = self.ctx.engine  # type: ignore[attr-defined]
        info = eng.bay_info.get(bay_id) if eng is not None else None
        return info.label if info else str(bay_id)

    # ------------------------------------------------------------ actions

    def start_guest(
        self, bay_id: int, parent: QWidget | None = None, reason: str | None = None
    ) -> bool:
        """Start a session without a card; asks for the reason (required) unless given."""
        label = self._label(bay_id)
        while reason is None or not reason.strip():
            if parent is None:
                return False
            text, ok = QInputDialog.getText(
                parent,
                QCoreApplication.translate("actions", "Start a guest session"),
                QCoreApplication.translate(
                    "actions", "Bay {0}: why is this session started without a card?"
                ).format(label),
                QLineEdit.EchoMode.Normal,
                reason or "",
            )
            if not ok:
                return False
            reason = text
            if not reason.strip():
                QMessageBox.information(
                    parent,
                    QCoreApplication.translate("actions", "Reason needed"),
                    QCoreApplication.translate(
                        "actions", "A guest session needs a reason (it is kept with the session)."
                    ),
                )
        eng = self.ctx.engine  # type: ignore[attr-defined]
        return self._run(
            "session.start_guest",
            lambda: eng.remote_start(bay_id, self.ctx.actor, reason.strip()),  # type: ignore[attr-defined,union-attr]
            QCoreApplication.translate(
                "actions", "Guest session on {0}: the car may charge now"
            ).format(label),
            parent,
        )

    def stop_session(
        self, bay_id: int, parent: QWidget | None = None, confirm: bool = True
    ) -> bool:
        label = self._label(bay_id)
        if confirm and parent is not None:
            answer = QMessageBox.question(
                parent,
                QCoreApplication.translate("actions", "Stop the session"),
                QCoreApplication.translate(
                    "actions", "Stop the session on bay {0}? The car stops charging."
                ).format(label),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        eng = self.ctx.engine  # type: ignore[attr-defined]
        return self._run(
            "session.stop",
            lambda: eng.remote_stop(bay_id, self.ctx.actor, "stopped by attendant"),  # type: ignore[attr-defined]
            QCoreApplication.translate("actions", "Session on {0} stopped").format(label),
            parent,
        )

    def set_out_of_order(self, bay_id: int, out: bool, parent: QWidget | None = None) -> bool:
        label = self._label(bay_id)
        eng = self.ctx.engine  # type: ignore[attr-defined]
        ok = (
            QCoreApplication.translate("actions", "Bay {0} is out of order")
            if out
            else QCoreApplication.translate("actions", "Bay {0} is back in service")
        )
        return self._run(
            "bay.out_of_order",
            lambda: eng.set_out_of_order(bay_id, out, self.ctx.actor),  # type: ignore[attr-defined]
            ok.format(label),
            parent,
        )

    def acknowledge(self, bay_id: int, parent: QWidget | None = None) -> bool:
        """Acknowledge the bay's faults (and alerts, when the alerts module offers it)."""
        label = self._label(bay_id)
        eng = self.ctx.engine  # type: ignore[attr-defined]

        def call() -> object:
            job = acknowledge_faults(bay_id, self.ctx.actor, eng.clock.now())  # type: ignore[attr-defined]
            return eng.submit(eng.writer.call(job))

        return self._run(
            "fault.acknowledge",
            call,
            QCoreApplication.translate("actions", "Faults on {0} acknowledged").format(label),
            parent,
        )


__all__ = ["Actions", "acknowledge_faults"]
