"""The accountant's invoices: issue a month's invoices (every monthly buyer, or one holder or
group), list them with their state, save one as PDF, register a payment, issue a credit
note. Every call is a site client call on the worker pool; the site checks the role and
audits (a refusal shows its line), and the buttons a role may not use are disabled."""

from __future__ import annotations

import base64
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stationmgr.billing.pdf import write_atomically
from stationmgr.client import invoice_models as v
from stationmgr.client import models as m
from ui import fmt
from ui.context import AppContext
from ui.oneline import error_line

if TYPE_CHECKING:
    from stationmgr.client.api import SiteClient


class InvoicesView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[v.InvoiceRow] = []
        self.loads = 0
        self.last_error = ""

        today = date.today()
        self.month = QDateEdit(QDate(today.year, today.month, 1))
        self.month.setDisplayFormat("yyyy-MM")
        self.month.setCalendarPopup(True)
        self.scope = QComboBox()
        self.scope.addItem(self.tr("Every monthly buyer"), None)
        self.lang = QComboBox()
        self.lang.addItem("Svenska", "sv")
        self.lang.addItem("English", "en")
        self.issue_btn = QPushButton(self.tr("Issue invoices"))
        self.refresh_btn = QPushButton(self.tr("Refresh"))
        self.pdf_btn = QPushButton(self.tr("Save PDF…"))
        self.pay_btn = QPushButton(self.tr("Register payment…"))
        self.credit_btn = QPushButton(self.tr("Credit…"))
        self.status = QLabel()
        self.table = QTableWidget(0, 9)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Kind"),
                self.tr("Date"),
                self.tr("Due"),
                self.tr("Buyer"),
                self.tr("Total"),
                self.tr("Paid"),
                self.tr("State"),
                self.tr("OCR"),
            ]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)  # the invoice number is the row's
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Month")))
        top.addWidget(self.month)
        top.addWidget(self.scope, 1)
        top.addWidget(self.issue_btn)
        top.addWidget(self.refresh_btn)
        actions = QHBoxLayout()
        for w in (self.lang, self.pdf_btn, self.pay_btn, self.credit_btn):
            actions.addWidget(w)
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(actions)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)

        self.issue_btn.clicked.connect(lambda: self.issue(self.month_text(), self.scope_key()))
        self.refresh_btn.clicked.connect(self.reload)
        self.pdf_btn.clicked.connect(self._save_pdf)
        self.pay_btn.clicked.connect(self._pay)
        self.credit_btn.clicked.connect(self._credit)
        self._offer()
        self.load_scopes()
        self.reload()

    def _offer(self) -> None:
        may = self.ctx.allowed
        self.issue_btn.setEnabled(may("invoices.issue"))
        self.credit_btn.setEnabled(may("invoices.issue"))
        self.pay_btn.setEnabled(may("invoices.pay"))
        self.refresh_btn.setEnabled(may("invoices.read"))
        self.pdf_btn.setEnabled(may("invoices.read"))

    def _client(self) -> SiteClient:
        client = self.ctx.client
        assert client is not None
        return client

    def month_text(self) -> str:
        d = self.month.date()
        return f"{d.year()}-{d.month():02d}"

    def scope_key(self) -> str | None:
        return self.scope.currentData()  # type: ignore[no-any-return]

    def load_scopes(self) -> None:
        self.scopes_loaded = False
        self.ctx.worker.run(self._client().statement_scopes, self._show_scopes, self._failed)

    def _show_scopes(self, scopes: list[m.StatementScope]) -> None:
        for sc in scopes:
            text = self.tr("Group: {0}") if sc.kind == "group" else self.tr("Holder: {0}")
            self.scope.addItem(text.format(sc.name), sc.key)
        self.scopes_loaded = True

    def selected(self) -> int | None:
        row = self.table.currentRow()
        return self.rows[row].number if 0 <= row < len(self.rows) else None

    # ---------------------------------------------------------------- calls

    def reload(self) -> None:
        client = self._client()
        self.ctx.worker.run(lambda: client.invoices(v.InvoiceQuery()), self.show_rows, self._failed)

    def show_rows(self, rows: list[v.InvoiceRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            kind = self.tr("credit note") if r.kind == "credit" else self.tr("invoice")
            state = (
                self.tr("credits {0}").format(r.refers_to)
                if r.kind == "credit"
                else self.tr("credited by {0}").format(r.refers_to)
                if r.state == "credited"
                else r.state
            )
            cells = [
                str(r.number),
                kind,
                r.invoice_date,
                r.due_date if r.kind == "invoice" else "",
                r.buyer,
                fmt.money(self.ctx.locale, r.total_minor, r.currency),
                fmt.money(self.ctx.locale, r.paid_minor, r.currency) if r.kind == "invoice" else "",
                state,
                r.ocr,
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.loads += 1

    def issue(self, month: str, scope: str | None) -> None:
        holder = scope.split(":", 1)[1] if scope and scope.startswith("holder:") else None
        group = scope.split(":", 1)[1] if scope and scope.startswith("group:") else None
        client = self._client()
        req = v.InvoiceIssueRequest(month, holder, group)

        def work() -> str:
            r = client.issue_invoices(req)
            numbers = ", ".join(str(i.number) for i in r.issued)
            text = self.tr("Issued: {0}").format(numbers) if r.issued else self.tr("None issued")
            return text + ("; " + "; ".join(r.skipped) if r.skipped else "")

        self.status.setText(self.tr("Issuing…"))
        self.ctx.worker.run(work, self._done, self._failed)

    def pay(self, number: int, day: str, amount_minor: int | None) -> None:
        client, loc = self._client(), self.ctx.locale
        cur = next((r.currency for r in self.rows if r.number == number), self.ctx.currency)

        def work() -> str:
            p = client.pay_invoice(number, v.PaymentRequest(day, amount_minor))
            return self.tr("Invoice {0}: {1} of {2} paid ({3})").format(
                p.number,
                fmt.money(loc, p.paid_minor, cur),
                fmt.money(loc, p.total_minor, cur),
                p.state,
            )

        self.ctx.worker.run(work, self._done, self._failed)

    def credit(self, number: int, reason: str) -> None:
        client = self._client()

        def work() -> str:
            note = client.credit_invoice(number, v.CreditRequest(reason))
            return self.tr("Credit note {0} for invoice {1}").format(note.number, number)

        self.ctx.worker.run(work, self._done, self._failed)

    def save_pdf(self, number: int, path: str) -> None:
        client, lang = self._client(), self.lang.currentData()

        def work() -> str:  # the site's bytes, written here (whole, or not at all)
            f = client.invoice_pdf(number, v.InvoiceFileRequest(lang))
            write_atomically(path, base64.b64decode(f.pdf_base64))
            return self.tr("Saved {0}").format(path)

        self.ctx.worker.run(work, self._saved, self._failed)

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.reload()

    def _saved(self, text: str) -> None:
        self.status.setText(text)
        self.loads += 1

    def _failed(self, e: BaseException) -> None:
        self.loads += 1
        self.scopes_loaded = True
        self.last_error = error_line(e)
        self.status.setText(self.tr("Failed: {0}").format(self.last_error))

    # ---------------------------------------------------------------- dialogs

    def _save_pdf(self) -> None:
        n = self.selected()
        if n is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save"), f"invoice-{n}.pdf", "PDF (*.pdf)"
        )
        if name:
            self.save_pdf(n, name)

    def _pay(self) -> None:
        n = self.selected()
        if n is None:
            return
        day, ok = QInputDialog.getText(
            self, self.tr("Payment"), self.tr("Paid on (YYYY-MM-DD)"), text=date.today().isoformat()
        )
        if not ok:
            return
        amount, ok = QInputDialog.getText(
            self, self.tr("Payment"), self.tr("Amount (empty: the rest)")
        )
        if not ok:
            return
        from stationmgr.validate import parse_decimal

        try:
            minor = (
                parse_decimal(amount, "amount", places=2, maximum=100_000_000)
                if amount.strip()
                else None
            )
        except Exception as e:  # the core's one line, shown like a refusal
            self._failed(e)
            return
        self.pay(n, day, minor)

    def _credit(self) -> None:
        n = self.selected()
        if n is None:
            return
        reason, ok = QInputDialog.getText(self, self.tr("Credit note"), self.tr("Reason"))
        if ok:
            self.credit(n, reason)
