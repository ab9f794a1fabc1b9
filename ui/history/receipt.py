"""A session's receipt, issued (or re-printed: the same number) by the site and saved as
PDF on this PC where the person chose, then offered to open — or sent to this PC's printer.
Used where sessions are shown: the detail dialog, History's context menu and the bay panel.
The site checks `receipts.issue` and audits; a refusal comes back as one line."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtWidgets import QWidget

from stationmgr.billing.pdf import write_atomically
from stationmgr.client import models as m
from ui.files import save_path
from ui.history.times import line
from ui.printing import print_pdf

ACTION = "receipts.issue"


def receipt_lang(ctx: Any) -> str:
    """The receipt's language: the window's (Swedish or English)."""
    return "sv" if ctx.locale.name().startswith("sv") else "en"


def open_link(path: str, text: str) -> str:
    """Rich text for a status label: `text` and a link that opens the saved file."""
    import html

    url = QUrl.fromLocalFile(path).toString()
    label = QCoreApplication.translate("receipt", "Open")
    return f"{html.escape(text)} · <a href='{url}'>{html.escape(label)}</a>"


class ReceiptIssuer(QObject):
    """Issues one session's receipt on the worker; `done(path, line)` and
    `issued(session_id, number)`, or `failed(line)`, on the GUI thread."""

    done = Signal(str, str)
    issued = Signal(int, int)  # (session id, receipt number): where sessions show it
    failed = Signal(str)

    def __init__(self, ctx: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def ask(self, parent: QWidget, session_id: int) -> bool:
        """Ask where to save, then issue; False when the person cancelled."""
        path = save_path(
            parent,
            QCoreApplication.translate("receipt", "Save receipt"),
            f"receipt-{session_id}.pdf",
            "PDF (*.pdf)",
        )
        if not path:
            return False
        self.issue(session_id, path)
        return True

    def issue(self, session_id: int, path: str) -> None:
        client, req = self.ctx.client, m.ReceiptRequest(session_id, receipt_lang(self.ctx))

        def work() -> tuple[str, str, int]:
            rec = client.receipt(req)
            write_atomically(path, rec.pdf)
            text = QCoreApplication.translate("receipt", "Receipt {0} ({1}) saved to {2}").format(
                rec.number, rec.verification, path
            )
            return path, text, int(rec.number)

        def saved(r: tuple[str, str, int]) -> None:
            self.issued.emit(session_id, r[2])
            self.done.emit(r[0], r[1])

        self.ctx.worker.run(work, saved, lambda e: self.failed.emit(line(e)))

    def print_(self, session_id: int, printer: str | None = None) -> None:
        """Issue (or re-print) the receipt and send it to this PC's printer; the PDF stays
        in the temporary folder (a spooler or viewer may still be reading it)."""
        client, req = self.ctx.client, m.ReceiptRequest(session_id, receipt_lang(self.ctx))
        folder = Path(tempfile.gettempdir()) / "stationmgr-receipts"

        def work() -> tuple[str, str, int]:
            rec = client.receipt(req)
            folder.mkdir(exist_ok=True)
            path = str(folder / f"receipt-{rec.number}.pdf")
            write_atomically(path, rec.pdf)
            where = print_pdf(path, printer)
            text = QCoreApplication.translate("receipt", "Receipt {0} ({1}) sent to {2}").format(
                rec.number, rec.verification, where
            )
            return path, text, int(rec.number)

        def sent(r: tuple[str, str, int]) -> None:
            self.issued.emit(session_id, r[2])
            self.done.emit(r[0], r[1])

        self.ctx.worker.run(work, sent, lambda e: self.failed.emit(line(e)))
