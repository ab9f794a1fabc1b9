"""The first-run wizard: the site's name, the seller's details and time zone, then the
owner's account (the seller's details are stored once the owner exists, audited as theirs).

It stays local (on the `Database`, not the site client): it creates the first owner on a new
database, before any operator exists who could sign in to a site service; a site service
that already runs has operators, so a second PC never needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from ui.site_fields import SellerFields

if TYPE_CHECKING:
    from stationmgr.store.db import Database


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
        except StationError as e:
            self.error.setText(str(e))
            return False
        finally:
            self.again.clear()
        self.password.clear()
        return True


class FirstRunWizard(QWizard):
    """Shown when the database has no operator: names the site and creates the owner,
    who is then signed in (`actor`)."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Set up stationmgr"))
        self.site_page = _SitePage()
        self.seller_page = _SellerPage()
        self.owner_page = _OwnerPage(self)
        self.addPage(self.site_page)
        self.addPage(self.seller_page)
        self.addPage(self.owner_page)
