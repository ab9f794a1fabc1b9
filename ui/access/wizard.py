"""The first-run wizard: the site's name, the seller's details and time zone, then the
owner's account (the seller's details are stored once the owner exists, audited as theirs);
then, each skippable, the first tariff, charger and card (`ui.access.first_site`), so a new
owner finishes with a site ready to charge and bill.

Its first part stays local (on the `Database`, not the site client): it creates the first
owner on a new database, before any operator exists who could sign in to a site service; a
site service that already runs has operators, so a second PC never needs it. From the
owner on, the steps go through a site client acting as that owner (checked and audited by
the core, as the pages do)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from stationmgr.access import desk
from stationmgr.access.context import Actor
from stationmgr.access.operators import POLICY, authenticate, check_password
from stationmgr.billing.site import check_site_value, save_site_values
from stationmgr.errors import StationError
from ui.access.first_site import CardStep, ChargerStep, ReadyPage, SetupStep, TariffStep
from ui.site_fields import SellerFields

if TYPE_CHECKING:
    from stationmgr.store.db import Database
    from ui.worker import Worker


class _SitePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Welcome"))
        self.setSubTitle(self.tr("Name this charging site. Receipts show the name too."))
        self.name = QLineEdit()
        self.name.setObjectName("site_name")
        self.name.setPlaceholderText(self.tr("e.g. Brf Solrosen garage"))
        self.registerField("site_name*", self.name)
        form = QFormLayout(self)
        form.addRow(self.tr("Site name"), self.name)


class _SellerPage(QWizardPage):
    """Who sells (printed on every receipt and invoice: no number is issued without it) and
    the site's time zone. Each value is checked here; empty ones can be set later in
    Settings, and receipts are refused until they are."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("The seller"))
        self.setSubTitle(
            self.tr(
                "Receipts and invoices name the seller: name, organisation number, address "
                "and VAT number. No receipt is numbered before they are set."
            )
        )
        self.fields = SellerFields()
        self.error = QLabel()
        self.error.setObjectName("seller_error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        box = QVBoxLayout(self)
        box.addWidget(self.fields)
        box.addWidget(self.error)

    def validatePage(self) -> bool:
        try:
            for key, value in self.fields.values().items():
                check_site_value(key, value)
        except StationError as e:
            self.error.setText(str(e))
            return False
        self.error.clear()
        return True


class _OwnerPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setCommitPage(True)  # the owner exists once this page is left
        self.setTitle(self.tr("The owner's account"))
        self.setSubTitle(
            self.tr(
                "The owner configures chargers, tariffs, cards and operators. From now on "
                "the app asks for a login."
            )
        )
        self.username = QLineEdit()
        self.display = QLineEdit()
        self.password = QLineEdit()
        self.again = QLineEdit()
        for name, w in (
            ("username", self.username),
            ("display_name", self.display),
            ("password", self.password),
            ("again", self.again),
        ):
            w.setObjectName(name)
        for w in (self.password, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.registerField("username*", self.username)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Your name"), self.display)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Password again"), self.again)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(QLabel(self.tr("At least {0} characters.").format(POLICY.min_length)))
        box.addWidget(self.error)

    def validatePage(self) -> bool:
        if self.password.text() != self.again.text():
            self.error.setText(self.tr("The two passwords differ."))
            return False
        try:
            check_password(self.password.text(), self.username.text())
            desk.set_up_site(
                self.w.db,
                self.w.field("site_name"),
                self.username.text(),
                self.password.text(),
                self.display.text(),
            )
            self.w.actor = authenticate(
                self.w.db, self.username.text(), self.password.text(), channel="gui"
            )
            save_site_values(self.w.db, self.w.seller_page.fields.values(), self.w.actor)
            self.w.owner_signed_in()
        except StationError as e:
            self.error.setText(str(e))
            return False
        finally:
            self.again.clear()
        self.password.clear()
        return True


class FirstRunWizard(QWizard):
    """Shown when the database has no operator: names the site and creates the owner,
    who is then signed in (`actor`), then offers the first tariff, charger and card.

    `site` is the window's site client (its engine and change hook: a charger added here
    polls at once on a running site); `worker` runs Test connection off the GUI thread."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        site: Any = None,
        worker: Worker | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.site = site
        self.client: Any = None  # the site client as the owner, once the owner exists
        self.own_worker = worker is None
        if worker is None:
            from ui.worker import Worker

            worker = Worker(self)
        self.worker = worker
        self.setWindowTitle(self.tr("Set up stationmgr"))
        self.setMinimumSize(640, 480)
        self.site_page = _SitePage()
        self.seller_page = _SellerPage()
        self.owner_page = _OwnerPage(self)
        self.tariff_page = TariffStep(self)
        self.charger_page = ChargerStep(self)
        self.card_page = CardStep(self)
        self.steps: dict[str, SetupStep] = {
            "tariff": self.tariff_page,
            "charger": self.charger_page,
            "card": self.card_page,
        }
        self.ready_page = ReadyPage(self)
        for page in (self.site_page, self.seller_page, self.owner_page):
            self.addPage(page)
        for page in self.steps.values():
            self.addPage(page)
        self.addPage(self.ready_page)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Save and continue"))
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Skip"))
        self.customButtonClicked.connect(lambda _which: self.skip())
        self.currentIdChanged.connect(lambda _id: self._offer_skip())
        self.finished.connect(lambda _r: self._done())
        self._offer_skip()

    def owner_signed_in(self) -> None:
        """The owner exists: the rest goes through the site client as the owner."""
        from stationmgr.client.local import LocalClient

        self.client = LocalClient(
            self.db,
            getattr(self.site, "engine", None),
            actor=self.actor,
            on_change=getattr(self.site, "on_change", None),
        )

    def _offer_skip(self) -> None:
        self.button(QWizard.WizardButton.CustomButton1).setVisible(
            isinstance(self.currentPage(), SetupStep)
        )

    def skip(self) -> None:
        """Leave the current step without creating anything."""
        page = self.currentPage()
        if isinstance(page, SetupStep):
            page.skip()
            self.next()

    def _done(self) -> None:
        self.card_page.stop_desk()
        if self.own_worker:
            self.worker.shutdown()
