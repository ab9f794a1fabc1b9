"""The first-run wizard leaves a site ready to charge and bill (pytest-qt, offscreen, a real
SQLite site database): the first tariff (valid from now), the first charger with its bays
after a real Test connection (the OpenEVSE simulator on a pty) and the first card, each
checked afterwards through the CLI as the new owner and in the audit log; skipping every
step creates nothing; a cancel after the owner exists still signs the owner in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from stationmgr.access.context import set_session_actor
from stationmgr.cli import main
from stationmgr.client.local import LocalClient
from stationmgr.client.models import AuditQuery, ReaderConfig
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint
from stationmgr.store.db import Database
from tests.ui_site import app_context, live_site
from ui.access.wizard import FirstRunWizard
from ui.worker import Worker

PASSWORD = "olgas-Pa55word"


@pytest.fixture
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.shutdown()


@pytest.fixture
def openevse() -> Iterator[OpenEVSESim]:
    sim = OpenEVSESim(PtyEndpoint(), lifetime_wh=123_456).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(autouse=True)
def signed_out() -> Iterator[None]:
    yield
    set_session_actor(None)


def to_first_step(
    qtbot: QtBot, db: Database, worker: Worker, site: object = None
) -> FirstRunWizard:
    """A wizard on a fresh site, past the site, seller and owner pages."""
    w = FirstRunWizard(db, worker=worker, site=site)
    qtbot.addWidget(w)
    w.show()
    w.site_page.name.setText("Brf Solrosen garage")
    w.next()
    seller = w.seller_page.fields
    seller.name.setText("Brf Solrosen")
    seller.org_number.setText("769600-1234")
    seller.address.setText("Solrosvägen 2; 123 45 Ängelholm")
    seller.vat_number.setText("SE769600123401")
    seller.timezone.setCurrentText("Europe/Helsinki")
    w.next()
    page = w.owner_page
    page.username.setText("olga")
    page.display.setText("Olga Owner")
    page.password.setText(PASSWORD)
    page.again.setText(PASSWORD)
    w.next()
    assert w.currentPage() is w.tariff_page, w.owner_page.error.text()
    return w


def cli_json(monkeypatch: pytest.MonkeyPatch, capsys, db: Database, *args: str) -> object:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATIONMGR_USER", "olga")
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORD)
    capsys.readouterr()
    assert main(["--db", db.url, *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_wizard_creates_tariff_charger_and_card(
    qtbot: QtBot, sqlite_db: Database, worker: Worker, openevse: OpenEVSESim, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    w = to_first_step(qtbot, sqlite_db, worker)
    skip = w.button(QWizard.WizardButton.CustomButton1)
    assert skip.isVisible() and not w.button(QWizard.WizardButton.BackButton).isEnabled()
    t = w.tariff_page
    assert "site time" in t.valid_from.text()
    t.per_kwh.setText("abc")
    w.next()
    assert w.currentPage() is t and "price per kWh" in t.error.text()  # one line, stays
    t.per_kwh.setText("3,25")
    t.start_fee.setText("5")
    t.vat.setText("25")
    before = datetime.now(UTC) - timedelta(minutes=1)
    w.next()
    assert w.currentPage() is w.charger_page, t.error.text()

    c = w.charger_page
    names = [c.driver.itemData(i) for i in range(c.driver.count())]
    assert names[0] == "openevse" == c.driver.driver() and "inproc" not in names
    assert c.driver.itemText(0) == "OpenEVSE (RAPI, serial)"  # the Add-charger dialog's words
    c.name.setText("North")
    c.port.set_port(openevse.endpoint.name)
    c.test()
    qtbot.waitUntil(lambda: not c.probing, timeout=15_000)
    assert "✓" in c.result.text() and "firmware 8.2.1" in c.result.text(), c.result.text()
    c.bays.setText("N1")
    w.next()
    assert w.currentPage() is w.card_page, c.error.text()

    card = w.card_page
    assert card.hint.isHidden()  # no desk reader on this site: type (or wedge) the number
    w.next()
    assert w.currentPage() is card and "card's number" in card.error.text()
    card.number.setText("04A1B2C3")
    card.holder.setText("Maria Nilsson")
    w.next()
    assert w.currentPage() is w.ready_page
    summary = w.ready_page.summary.text()
    assert "Standard" in summary and "North" in summary and "04A1B2C3" in summary
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.result() == QWizard.DialogCode.Accepted and w.actor is not None

    chargers = cli_json(monkeypatch, capsys, sqlite_db, "chargers", "list", "--json")
    assert [(ch["name"], ch["driver"], ch["bays"]) for ch in chargers] == [  # type: ignore[union-attr]
        ("North", "openevse", ["N1"])
    ]
    assert chargers[0]["port"] == openevse.endpoint.name  # type: ignore[index]
    owner = LocalClient(sqlite_db, actor=w.actor)
    tariffs = owner.tariffs()
    assert len(tariffs.rows) == 1
    v = tariffs.rows[0]
    assert (v.name, v.energy_minor_per_kwh, v.start_fee_minor, v.vat_bp) == (
        "Standard",
        325,
        500,
        2500,
    )
    assert v.group is None and not v.for_guests
    start = datetime.fromisoformat(v.valid_from).astimezone(UTC)
    assert before <= start <= datetime.now(UTC)  # valid from now, not tomorrow
    capsys.readouterr()
    assert main(["--db", sqlite_db.url, "cards", "list"]) == 0
    cards_out = capsys.readouterr().out
    assert "04A1B2C3" in cards_out and "Maria Nilsson" in cards_out
    actions = {(e.action, e.operator) for e in owner.audit(AuditQuery(limit=100))}
    for action in ("tariffs.edit", "chargers.add", "cards.add"):
        assert (action, "olga") in actions, actions


def test_skipping_every_step_creates_nothing(
    qtbot: QtBot, sqlite_db: Database, worker: Worker, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    w = to_first_step(qtbot, sqlite_db, worker)
    w.tariff_page.per_kwh.setText("3")  # typed, then skipped: not saved
    for page in (w.tariff_page, w.charger_page, w.card_page):
        assert w.currentPage() is page
        w.button(QWizard.WizardButton.CustomButton1).click()
    assert w.currentPage() is w.ready_page
    assert not w.button(QWizard.WizardButton.CustomButton1).isVisible()
    summary = w.ready_page.summary.text()
    assert "No tariff yet" in summary and "No charger yet" in summary and "No card yet" in summary
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.actor is not None and w.actor.username == "olga"
    assert cli_json(monkeypatch, capsys, sqlite_db, "chargers", "list", "--json") == []
    owner = LocalClient(sqlite_db, actor=w.actor)
    assert owner.tariffs().rows == [] and owner.cards() == []
    actions = {e.action for e in owner.audit(AuditQuery(limit=100))}
    assert not actions & {"tariffs.edit", "chargers.add", "cards.add"}, actions


def test_card_step_offers_the_desk_reader_and_cancel_keeps_the_owner(
    qtbot: QtBot, sqlite_db: Database, worker: Worker
) -> None:
    """A desk reader set up before the first run (the CLI on a fresh site) is offered; a
    tap fills the number. Cancelling after the owner exists skips the rest, signed in."""
    LocalClient(sqlite_db).add_reader(
        ReaderConfig(name="Desk", driver="rdm6300", port="socket://127.0.0.1:9", bay=None)
    )
    w = to_first_step(qtbot, sqlite_db, worker)
    w.skip()
    w.skip()
    card = w.card_page
    assert w.currentPage() is card
    assert not card.hint.isHidden() and "Desk" in card.hint.text()
    assert "desk reader" in card.number.placeholderText()
    card.tapped("5A6B7C8D")
    assert card.number.text() == "5A6B7C8D"
    w.reject()
    assert w.actor is not None and w.actor.username == "olga"
    assert card.desk is None  # the reader is let go with the wizard
    assert LocalClient(sqlite_db, actor=w.actor).cards() == []


def test_a_charger_added_in_the_wizard_is_polled_at_once_on_the_running_site(
    qtbot: QtBot, sqlite_db: Database, openevse: OpenEVSESim
) -> None:
    """`stationmgr gui` on a fresh site: the site runs while the wizard is open; the window's
    client hands the change on, so the new bay is live without a restart."""
    with live_site(sqlite_db, bays=1) as site, app_context(sqlite_db, site.runtime) as ctx:
        w = to_first_step(qtbot, sqlite_db, ctx.worker, site=ctx.client)  # type: ignore[attr-defined]
        w.skip()  # no tariff
        c = w.charger_page
        c.name.setText("North")
        c.port.set_port(openevse.endpoint.name)
        c.bays.setText("N1")
        w.next()
        assert w.currentPage() is w.card_page, c.error.text()
        owner = LocalClient(sqlite_db, site.runtime.engine, actor=w.actor)

        def live() -> bool:
            return any(b.label == "N1" and b.online for b in owner.bays())

        qtbot.waitUntil(live, timeout=20_000)
        w.reject()
