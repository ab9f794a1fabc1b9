"""The accountant's view: pick a month and a customer (or the whole site), preview the
statement or month summary, save it as PDF/CSV, export SIE or CSV, print, issue a receipt,
verify the ledger. Every job is a site client call on the worker pool (the site runs
`stationmgr.billing.jobs`); files come back as bytes and are written here, where the user
chose (a second PC has no access to the site's disk), whole or not at all. The site checks
the signed-in operator's role and audits as the CLI does (a refusal shows its line), and
the buttons a role may not use are disabled."""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.billing.pdf import write_atomically
from stationmgr.client import admin_models as a
from stationmgr.client import models as m
from ui.context import AppContext
from ui.offer import offer
from ui.oneline import error_line

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient


class AccountantView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: m.StatementPreview | None = None
        self.loads = 0
        self.last_error = ""

        today = date.today()
        self.month = QDateEdit(QDate(today.year, today.month, 1))
        self.month.setDisplayFormat("yyyy-MM")
        self.month.setCalendarPopup(True)
        self.scope = QComboBox()
        self.lang = QComboBox()
        self.lang.addItem("Svenska", "sv")
        self.lang.addItem("English", "en")
        self.show_btn = QPushButton(self.tr("Show"))
        self.pdf_btn = QPushButton(self.tr("Save PDF…"))
        self.csv_btn = QPushButton(self.tr("Save CSV…"))
        self.print_btn = QPushButton(self.tr("Print…"))
        self.sie_btn = QPushButton(self.tr("Export SIE…"))
        self.export_csv_btn = QPushButton(self.tr("Export CSV…"))
        self.verify_btn = QPushButton(self.tr("Verify ledger"))
        self.reconcile_btn = QPushButton(self.tr("Reconcile"))
        self.session_id = QSpinBox()
        self.session_id.setRange(1, 2_000_000_000)
        self.session_id.setToolTip(self.tr("The session's number, as History shows it"))
        self.receipt_btn = QPushButton(self.tr("Receipt…"))
        for b in (self.pdf_btn, self.csv_btn, self.print_btn):
            b.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.status = QLabel()
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().setVisible(False)  # the rows carry their own day/date
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Month")))
        top.addWidget(self.month)
        top.addWidget(self.scope, 1)
        top.addWidget(self.lang)
        top.addWidget(self.show_btn)
        files = QHBoxLayout()
        for w in (
            self.pdf_btn,
            self.csv_btn,
            self.print_btn,
            self.sie_btn,
            self.export_csv_btn,
            self.verify_btn,
            self.reconcile_btn,
        ):
            files.addWidget(w)
        files.addStretch(1)
        files.addWidget(QLabel(self.tr("Session")))
        files.addWidget(self.session_id)
        files.addWidget(self.receipt_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(files)
        lay.addWidget(self.bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)

        self.show_btn.clicked.connect(self.reload)
        self.pdf_btn.clicked.connect(lambda: self._save("pdf"))
        self.csv_btn.clicked.connect(lambda: self._save("csv"))
        self.print_btn.clicked.connect(self._print)
        self.sie_btn.clicked.connect(lambda: self._export("sie"))
        self.export_csv_btn.clicked.connect(lambda: self._export("csv"))
        self.verify_btn.clicked.connect(self.verify)
        self.reconcile_btn.clicked.connect(self.reconcile)
        self.receipt_btn.clicked.connect(self._receipt)
        self._offer()
        self.load_scopes()

    def _offer(self) -> None:
        """Disable what the signed-in role may not do (the site refuses it anyway)."""
        ctx = self.ctx
        for widget, action in (
            (self.show_btn, "statements.create"),
            (self.sie_btn, "billing.export"),
            (self.export_csv_btn, "billing.export"),
            (self.reconcile_btn, "billing.export"),
            (self.verify_btn, "verify"),
            (self.receipt_btn, "receipts.issue"),
            (self.session_id, "receipts.issue"),
        ):
            offer(widget, ctx, action)  # disabled, its tooltip naming who may

    def _client(self) -> SiteClient:
        client = self.ctx.client
        assert client is not None
        return client

    # ---------------------------------------------------------------- data

    def load_scopes(self) -> None:
        """The scope choice: the month summary, then groups and holders (read off the GUI
        thread)."""
        self.scope.clear()
        self.scope.addItem(self.tr("Month summary (whole site)"), None)
        self.scopes_loaded = False
        client = self._client()
        self.ctx.worker.run(client.statement_scopes, self._show_scopes, self._scopes_failed)

    def _scopes_failed(self, e: BaseException) -> None:
        self.scopes_loaded = True  # the month summary is still offered
        self._failed(e)

    def _show_scopes(self, scopes: list[m.StatementScope]) -> None:
        for sc in scopes:
            text = self.tr("Group: {0}") if sc.kind == "group" else self.tr("Holder: {0}")
            self.scope.addItem(text.format(sc.name), sc.key)
        self.scopes_loaded = True

    def month_text(self) -> str:
        d = self.month.date()
        return f"{d.year()}-{d.month():02d}"

    def reload(self) -> None:
        month, scope, lang = self.month_text(), self.scope.currentData(), self.lang.currentData()
        self._busy(self.tr("Computing…"))
        client, req = self._client(), m.StatementRequest(month, scope, lang)
        self.ctx.worker.run(lambda: client.statement(req), self.show_preview, self._failed)

    def show_preview(self, p: m.StatementPreview) -> None:
        self.preview = p
        self.loads += 1
        self.bar.setVisible(False)
        self.table.clear()
        self.table.setColumnCount(len(p.headers))
        self.table.setHorizontalHeaderLabels(p.headers)
        self.table.setRowCount(len(p.rows))
        for i, row in enumerate(p.rows):
            for j, text in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.status.setText(p.summary)
        for b in (self.pdf_btn, self.csv_btn, self.print_btn):
            b.setEnabled(True)

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        self.bar.setRange(0, 0)
        self.bar.setVisible(True)

    def _failed(self, e: BaseException) -> None:
        self.bar.setVisible(False)
        self.loads += 1
        self.last_error = error_line(e)
        self.status.setText(self.tr("Failed: {0}").format(self.last_error))

    # ---------------------------------------------------------------- files

    def save_to(self, kind: str, path: str) -> None:
        """Write the previewed statement's PDF or CSV (whole, or not at all)."""
        assert self.preview is not None
        data = self.preview.pdf if kind == "pdf" else self.preview.csv.encode("utf-8")
        write_atomically(path, data)
        self.status.setText(self.tr("Saved {0}").format(path))

    def _save(self, kind: str) -> None:
        if self.preview is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save"), f"{self.preview.title}.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if name:
            self.save_to(kind, name)

    def export_to(self, fmt: str, path: str) -> None:
        month = self.month_text()
        self._busy(self.tr("Exporting…"))
        client = self._client()

        def work() -> str:  # the site's bytes, written here (whole, or not at all)
            write_atomically(path, client.export_billing(month, fmt))
            return path

        self.ctx.worker.run(work, self._exported, self._failed)

    def _exported(self, path: str) -> None:
        self.bar.setVisible(False)
        self.loads += 1
        self.status.setText(self.tr("Exported {0}").format(path))

    def _export(self, fmt: str) -> None:
        ext = "se" if fmt == "sie" else "csv"
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export"), f"sales-{self.month_text()}.{ext}", f"{fmt.upper()} (*.{ext})"
        )
        if name:
            self.export_to(fmt, name)

    def receipt_to(self, session_id: int, path: str) -> None:
        lang = self.lang.currentData()
        client = self._client()

        def work() -> str:
            rec = client.receipt(m.ReceiptRequest(session_id, lang))
            write_atomically(path, rec.pdf)
            return self.tr("Receipt {0} ({1}) saved").format(rec.number, rec.verification)

        self._busy(self.tr("Issuing receipt…"))
        self.ctx.worker.run(work, self._done_text, self._failed)

    def _receipt(self) -> None:
        sid = self.session_id.value()
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Receipt"), f"receipt-{sid}.pdf", "PDF (*.pdf)"
        )
        if name:
            self.receipt_to(sid, name)

    def verify(self) -> None:
        client = self._client()

        def work() -> str:
            bad = [f"{r.name}: {r.problems[0]}" for r in client.verify() if r.problems]
            return "; ".join(bad) if bad else self.tr("Ledger and receipt numbering verified")

        self._busy(self.tr("Verifying…"))
        self.ctx.worker.run(work, self._done_text, self._failed)

    def reconcile(self) -> None:
        """The month's charger counters against its sessions, in the table (not savable):
        the site's `reconcile` over the month's days, with its findings one line each."""
        import calendar

        d = self.month.date()
        last = calendar.monthrange(d.year(), d.month())[1]
        month = self.month_text()
        query = a.ReconcileQuery(f"{month}-01", f"{month}-{last:02d}")
        client = self._client()
        self._busy(self.tr("Reconciling…"))
        self.ctx.worker.run(lambda: client.reconcile(query), self.show_reconciliation, self._failed)

    def show_reconciliation(self, results: list[a.Reconciliation]) -> None:
        headers = [
            self.tr("charger"),
            self.tr("bay"),
            self.tr("what"),
            self.tr("kWh"),
            self.tr("from"),
            self.tr("to"),
        ]
        rows: list[list[str]] = []
        for r in results:
            rows.append(
                [
                    r.charger,
                    "",
                    self.tr("sessions: {0}, counter advance").format(r.sessions),
                    self.ctx.locale.toString(r.counter_advance_wh / 1000, "f", 3),
                    "",
                    "",
                ]
            )
            rows.extend([r.charger, "", note, "", "", ""] for note in r.notes)
        self.preview = None
        for b in (self.pdf_btn, self.csv_btn, self.print_btn):
            b.setEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(text))
        unbilled = sum(r.unbilled_wh for r in results)
        self._done_text(
            self.tr("Unbilled energy this month: {0} kWh (times in UTC)").format(
                self.ctx.locale.toString(unbilled / 1000, "f", 3)
            )
        )

    def _done_text(self, text: str) -> None:
        self.bar.setVisible(False)
        self.loads += 1
        self.status.setText(text)

    # ---------------------------------------------------------------- printing

    def print_document(self) -> QTextDocument:
        """The previewed table as a printable document (what Print… shows)."""
        assert self.preview is not None
        p = self.preview
        head = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in p.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in p.rows
        )
        doc = QTextDocument()
        doc.setHtml(
            f"<h2>{html.escape(p.title)}</h2><p>{html.escape(p.summary)}</p>"
            f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<tr>{head}</tr>{body}</table>"
        )
        return doc

    def _print(self) -> None:
        """Print… : the preview dialog on a printer this computer has; with none, one
        message that says so and offers the PDF instead (`no_printer_box`, non-modal so the
        app and its engine keep running behind it)."""
        from PySide6.QtPrintSupport import QPrinterInfo

        if self.preview is None:
            return
        if not QPrinterInfo.availablePrinters():
            self._offer_pdf_instead()
            return
        self.print_preview()

    def print_preview(self, printer: QPrinter | None = None) -> QPrintPreviewDialog:
        """The print preview of the statement, opened (not exec'd) and returned.

        The QPrinter is kept on the view for as long as the dialog lives: the dialog only
        borrows it, and a temporary one freed by Python under the open dialog killed the
        app (SIGSEGV, review finding 1)."""
        self._printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        doc = self.print_document()
        doc.setParent(self)  # lives as long as the dialog may repaint
        dlg = QPrintPreviewDialog(self._printer, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.paintRequested.connect(doc.print_)
        dlg.destroyed.connect(doc.deleteLater)
        self.preview_dialog = dlg
        dlg.open()
        return dlg

    def _offer_pdf_instead(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Print"),
            self.tr("No printer is set up on this computer. Save the statement as PDF instead?"),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        save = box.addButton(self.tr("Save as PDF…"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        save.clicked.connect(lambda: self._save("pdf"))
        self.no_printer_box = box
        box.open()
