"""The Billing page: the accountant's view (statements, exports, receipts, verify), the
invoices, the month close and the tariff editor, as tabs; all only through the site client
(so offered over `--site`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui.billing.accountant import AccountantView
from ui.billing.invoices import InvoicesView
from ui.billing.months import MonthsView
from ui.billing.tariffs import TariffEditor
from ui.context import AppContext
from ui.pages import PageSpec


class BillingPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accountant = AccountantView(ctx)
        self.tariffs = TariffEditor(ctx)
        self.invoices = InvoicesView(ctx)
        self.months = MonthsView(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.accountant, self.tr("Statements and exports"))
        self.tabs.addTab(self.invoices, self.tr("Invoices"))
        self.tabs.addTab(self.months, self.tr("Month close"))
        self.tabs.addTab(self.tariffs, self.tr("Tariffs"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)


PAGE = PageSpec(
    key="billing",
    title=lambda: QCoreApplication.translate("pages", "Billing"),
    factory=BillingPage,
    icon="billing",
    order=50,
    remote=True,
)
