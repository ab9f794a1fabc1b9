"""The accountant's view: pick a month and a customer (or the whole site), preview the
statement or month summary, save it as PDF/CSV, export SIE or CSV, print, issue a receipt,
verify the ledger. Every job runs on the worker pool (`stationmgr.billing.jobs`), with
progress delivered to the GUI thread over a queued signal; the page only draws."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from stationmgr.billing import statements as stm
from stationmgr.billing.jobs import Files, export_file
from stationmgr.billing.pdf import write_atomically
from stationmgr.billing.site import parse_month
from stationmgr.store.models import CardGroup, CardHolder
from ui.context import AppContext


class _Progress(QObject):
    """Emitted from a worker thread, delivered queued on the GUI thread."""

    changed = Signal(int, int)


@dataclass
class Preview:
    """What a job hands back to the GUI thread: the table and the finished files."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    files: Files


def _money(minor: float) -> str:
    m = round(minor)
    sign = "-" if m < 0 else ""
    return f"{sign}{abs(m) // 100:,}.{abs(m) % 100:02d}".replace(",", " ")


def build_preview(
    ctx: AppContext, month: str, scope: str | None, lang: str, progress: Any = None
) -> Preview:
    """Runs on a worker thread: the statement (or month summary) as table rows + files."""
    year, mon = parse_month(month)
    with ctx.db.session() as s:
        if scope is None:
            m = stm.month_summary(s, year, mon, progress)
            rows = [
                [day, str(int(n)), f"{wh / 1000:.3f}", _money(net), _money(v), _money(net + v)]
                for day, (n, wh, net, v) in m.by_day.items()
            ]
            total = sum(n + v for n, v in m.by_vat.values())
            files = Files(
                stm.render_summary(m, lang),
                stm.summary_csv(m).encode("utf-8"),
                f"{year}-{mon:02d}: {_money(total)} {m.currency}",
            )
            return Preview(
                f"summary-{year}-{mon:02d}",
                ["day", "sessions", "kWh", "net", "VAT", "total"],
                rows,
                files,
            )
        kind, _, key = scope.partition(":")  # "holder:ID" or "group:ID"
        who, addr, holder_id, group_id = stm.resolve_scope(
            s, key if kind == "holder" else None, key if kind == "group" else None
        )
        st = stm.statement(s, year, mon, holder_id, group_id, who, addr, progress)
        tz = st.tz
        rows = [
            [
                r.stopped_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                r.bay,
                r.card,  # type: ignore[arg-type]
                f"{r.energy_wh / 1000:.3f}",
                _money(r.net_minor),
                _money(r.vat_minor),
                _money(r.total_minor),
                str(r.receipt or ""),
            ]
            for r in st.rows
        ]
        rows.append(
            [
                "total",
                "",
                "",
                f"{st.energy_wh / 1000:.3f}",
                _money(st.net_minor),
                _money(st.vat_minor),
                _money(st.total_minor),
                st.currency,
            ]
        )
        files = Files(
            stm.render_statement(st, lang),
            stm.statement_csv(st).encode("utf-8"),
            f"{who}: {len(st.rows)} sessions, {_money(st.total_minor)} {st.currency}",
        )
        safe = "".join(ch if ch.isalnum() else "-" for ch in who).strip("-") or "statement"
        return Preview(
            f"{safe}-{year}-{mon:02d}",
            ["stopped", "bay", "card", "kWh", "net", "VAT", "total", "receipt"],
            rows,
            files,
        )


class AccountantView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: Preview | None = None
        self.loads = 0
        self.last_error = ""
        self._progress = _Progress(self)
        self._progress.changed.connect(self._on_progress)

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
        self.receipt_btn = QPushButton(self.tr("Receipt…"))
        for b in (self.pdf_btn, self.csv_btn, self.print_btn):
            b.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.status = QLabel()
        self.table = QTableWidget(0, 0)
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
        self.load_scopes()

    # ---------------------------------------------------------------- data

    def load_scopes(self) -> None:
        self.scope.clear()
        self.scope.addItem(self.tr("Month summary (whole site)"), None)
        with self.ctx.db.session() as s:
            for g in s.scalars(select(CardGroup).order_by(CardGroup.name)):
                self.scope.addItem(self.tr("Group: {0}").format(g.name), f"group:{g.id}")
            for h in s.scalars(select(CardHolder).order_by(CardHolder.name)):
                self.scope.addItem(self.tr("Holder: {0}").format(h.name), f"holder:{h.id}")

    def month_text(self) -> str:
        d = self.month.date()
        return f"{d.year()}-{d.month():02d}"

    def reload(self) -> None:
        month, scope, lang = self.month_text(), self.scope.currentData(), self.lang.currentData()
        self._busy(self.tr("Computing…"))
        emit = self._progress.changed.emit
        self.ctx.worker.run(
            lambda: build_preview(self.ctx, month, scope, lang, emit),
            self.show_preview,
            self._failed,
        )

    def show_preview(self, p: Preview) -> None:
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
        self.status.setText(p.files.summary)
        for b in (self.pdf_btn, self.csv_btn, self.print_btn):
            b.setEnabled(True)

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        self.bar.setRange(0, 0)
        self.bar.setVisible(True)

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _failed(self, e: BaseException) -> None:
        self.bar.setVisible(False)
        self.last_error = str(e)
        self.status.setText(self.tr("Failed: {0}").format(e))

    # ---------------------------------------------------------------- files

    def save_to(self, kind: str, path: str) -> None:
        """Write the previewed statement's PDF or CSV (whole, or not at all)."""
        assert self.preview is not None
        data = self.preview.files.pdf if kind == "pdf" else self.preview.files.csv
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
        emit = self._progress.changed.emit

        def work() -> str:
            write_atomically(path, export_file(self.ctx.db, month, fmt, emit))
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
        from stationmgr.billing.receipts import receipt_pdf

        lang = self.lang.currentData()

        def work() -> str:
            rec, pdf = receipt_pdf(self.ctx.db, session_id, lang)
            write_atomically(path, pdf)
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
        from stationmgr.verify import run_checks

        def work() -> str:
            bad = [f"{r.name}: {r.problems[0]}" for r in run_checks(self.ctx.db) if not r.ok]
            return "; ".join(bad) if bad else self.tr("Ledger and receipt numbering verified")

        self._busy(self.tr("Verifying…"))
        self.ctx.worker.run(work, self._done_text, self._failed)

    def reconcile(self) -> None:
        """The month's charger counters against its sessions, in the table (not savable)."""
        from stationmgr.billing.jobs import month_reconciliation

        month = self.month_text()
        emit = self._progress.changed.emit
        self._busy(self.tr("Reconciling…"))
        self.ctx.worker.run(
            lambda: month_reconciliation(self.ctx.db, month, emit),
            self.show_reconciliation,
            self._failed,
        )

    def show_reconciliation(self, results: list[Any]) -> None:
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
                    f"{r.counter_advance_wh / 1000:.3f}",
                    "",
                    "",
                ]
            )
            for g in r.gaps:
                rows.append(
                    [
                        r.charger,
                        g.bay,
                        self.tr("outside any session"),
                        f"{g.energy_wh / 1000:.3f}",
                        f"{g.start:%Y-%m-%d %H:%M}",
                        f"{g.end:%Y-%m-%d %H:%M}",
                    ]
                )
            for o in r.overlaps:
                rows.append(
                    [
                        r.charger,
                        o.bay,
                        self.tr("sessions {0} and {1} overlap").format(
                            o.first_session, o.second_session
                        ),
                        "",
                        "",
                        "",
                    ]
                )
            for x in r.resets:
                rows.append(
                    [
                        r.charger,
                        x.bay,
                        self.tr("counter reset")
                        if x.recorded
                        else self.tr("counter went backwards"),
                        "",
                        f"{x.at:%Y-%m-%d %H:%M}",
                        "",
                    ]
                )
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
                f"{unbilled / 1000:.3f}"
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
            f"<h2>{html.escape(p.title)}</h2><p>{html.escape(p.files.summary)}</p>"
            f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<tr>{head}</tr>{body}</table>"
        )
        return doc

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        if self.preview is None:
            return
        doc = self.print_document()
        dlg = QPrintPreviewDialog(QPrinter(QPrinter.PrinterMode.HighResolution), self)
        dlg.paintRequested.connect(doc.print_)
        dlg.exec()
