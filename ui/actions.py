"""Attendant actions: guest start, stop, out of order, acknowledge faults.

Each is one `SiteClient` call (`ctx.client`: in this process or a site service elsewhere)
run on the worker; the result comes back on the GUI thread as `done`/`failed`, and nothing
here waits. What to offer comes from `ctx.allowed`; the core checks the role and audits
anyway (a refusal comes back as one line).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from stationmgr.client import models as m


def _tr(text: str) -> str:
    return QCoreApplication.translate("actions", text)


class Actions(QObject):
    """The attendant's commands for one app; results arrive as `done`/`failed` signals too."""

    done = Signal(str)  # a line for the status bar
    failed = Signal(str)

    def __init__(
        self,
        ctx: Any,
        parent: QObject | None = None,
        label_of: Callable[[int], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.label_of = label_of or str  # the bay's label (the board's snapshots know it)

    # ------------------------------------------------------------ plumbing

    def _known(self, bay_id: int) -> bool:
        """The bay is one the site has told this window about (its live bays)."""
        site = self.ctx.site
        return site is None or bay_id in site.latest

    def _run(
        self,
        what: str,
        bay_id: int,
        call: Callable[[Any], object],
        ok: str,
        parent: QWidget | None,
    ) -> bool:
        """Check what can be checked here, then `call(client)` on the worker."""
        ctx = self.ctx
        if not ctx.allowed(what):
            from stationmgr.access.roles import canonical
            from ui.offer import who_may

            self._fail(parent, who_may(canonical(what)))
            return False
        client = ctx.client
        if client is None:
            self._fail(parent, _tr("The site is not running."))
            return False
        if not self._known(bay_id):
            self._fail(parent, _tr("No bay with id {0} on this site.").format(bay_id))
            return False
        ctx.worker.run(
            lambda: call(client),
            lambda _r: self.done.emit(ok),
            lambda e: self._fail(parent, str(e) or type(e).__name__),
        )
        return True

    def _fail(self, parent: QWidget | None, text: str) -> None:
        text = text.strip().splitlines()[0] if text.strip() else text
        self.failed.emit(text)
        if parent is not None:
            QMessageBox.warning(parent, _tr("Could not do that"), text)

    def _label(self, bay_id: int) -> str:
        return self.label_of(bay_id)

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
                _tr("Start a guest session"),
                _tr("Bay {0}: why is this session started without a card?").format(label),
                QLineEdit.EchoMode.Normal,
                reason or "",
            )
            if not ok:
                return False
            reason = text
            if not reason.strip():
                QMessageBox.information(
                    parent,
                    _tr("Reason needed"),
                    _tr("A guest session needs a reason (it is kept with the session)."),
                )
        why = reason.strip()
        return self._run(
            "session.start_guest",
            bay_id,
            lambda c: c.remote_start(bay_id, why),
            _tr("Guest session on {0}: the car may charge now").format(label),
            parent,
        )

    def stop_session(
        self, bay_id: int, parent: QWidget | None = None, confirm: bool = True
    ) -> bool:
        label = self._label(bay_id)
        if confirm and parent is not None:
            answer = QMessageBox.question(
                parent,
                _tr("Stop the session"),
                _tr("Stop the session on bay {0}? The car stops charging.").format(label),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        return self._run(
            "session.stop",
            bay_id,
            lambda c: c.remote_stop(bay_id, "stopped by attendant"),
            _tr("Session on {0} stopped").format(label),
            parent,
        )

    def set_out_of_order(self, bay_id: int, out: bool, parent: QWidget | None = None) -> bool:
        label = self._label(bay_id)
        ok = _tr("Bay {0} is out of order") if out else _tr("Bay {0} is back in service")
        return self._run(
            "bay.out_of_order",
            bay_id,
            lambda c: c.set_out_of_order(bay_id, out),
            ok.format(label),
            parent,
        )

    def acknowledge(self, bay_id: int, parent: QWidget | None = None) -> bool:
        """Acknowledge the bay's faults: the core's `faults.acknowledge` (role check and
        audit entry) by the signed-in operator (`ctx.actor` names who on a site without
        operators)."""
        label = self._label(bay_id)
        req = m.FaultAcknowledge(bay_id=bay_id, operator=self.ctx.actor or "")
        return self._run(
            "fault.acknowledge",
            bay_id,
            lambda c: c.acknowledge_faults(req),
            _tr("Faults on {0} acknowledged").format(label),
            parent,
        )


__all__ = ["Actions"]
