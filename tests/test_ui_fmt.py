"""One money format and one date format per language (review finding: "8.51 SEK" in
History, "3,50 SEK" in Tariffs, "1 561.97" in Billing; 01/12/2026 read two ways): English
"1,234.50 SEK" and 2026-12-02, Swedish "1 234,50 kr" and its own dates — all through
`ui.fmt`, whatever region the English system locale has. And the widgets show it: the
status bar's site clock, History's rows and date fields, the tariff table."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QLocale

from stationmgr.store.db import Database
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.ui_site import app_context, live_site
from ui import fmt

ISO_DAY = r"\d{4}-\d{2}-\d{2}"

ENGLISH = [QLocale("en_GB"), QLocale("en_US"), QLocale("en_AU"), QLocale(QLocale.Language.C)]


def plain(text: str) -> str:
    """No-break and thin spaces as spaces, the minus sign as a hyphen."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")


@pytest.mark.parametrize("loc", ENGLISH, ids=lambda loc: loc.name())
def test_english_money_and_dates_are_one_format(loc: QLocale) -> None:
    assert fmt.money(loc, 123450, "SEK") == "1,234.50 SEK"
    assert fmt.money(loc, 851, "SEK") == "8.51 SEK"
    assert fmt.money(loc, -5, "SEK") == "-0.05 SEK"
    assert fmt.money(loc, 123450, "EUR") == "€1,234.50"
    assert fmt.unit_price(loc, 350, None, "SEK") == "3.50 SEK"
    assert fmt.unit_price(loc, 350, 34951, "SEK") == "3.4951 SEK"
    assert fmt.money(loc, None) == "–"
    assert fmt.date_format(loc) == "yyyy-MM-dd"
    assert fmt.day(loc, date(2026, 12, 2)) == "2026-12-02"
    fmt.set_site_zone("Europe/Stockholm")
    try:
        noon = datetime(2026, 12, 2, 11, 5, 9, tzinfo=UTC)  # 12:05:09 in Stockholm
        assert fmt.when(loc, noon) == "2026-12-02 12:05"
        assert fmt.when(loc, noon, seconds=True) == "2026-12-02 12:05:09"
        assert fmt.clock_time(loc, noon.timestamp()) == "12:05"
    finally:
        fmt.set_site_zone(None)
    assert fmt.wall(loc, datetime(2026, 12, 2, 0, 0)) == "2026-12-02 00:00"


def test_swedish_keeps_its_own() -> None:
    loc = QLocale("sv_SE")
    assert plain(fmt.money(loc, 123450, "SEK")) == "1 234,50 kr"
    assert plain(fmt.money(loc, -5, "SEK")) == "-0,05 kr"
    assert plain(fmt.unit_price(loc, 350, 34951, "SEK")) == "3,4951 kr"
    assert fmt.date_format(loc) == loc.dateFormat(QLocale.FormatType.ShortFormat)
    assert fmt.day(loc, date(2026, 12, 2)) == "2026-12-02"
    fmt.set_site_zone("Europe/Stockholm")
    try:
        assert fmt.when(loc, datetime(2026, 12, 2, 11, 5, tzinfo=UTC)) == "2026-12-02 12:05"
    finally:
        fmt.set_site_zone(None)


@pytest.fixture
def priced(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=1)
    finish_session(sqlite_db, persister(), 1, T0, 60, 12, card="0A1B2C3D")
    return sqlite_db


@pytest.mark.parametrize("lang", ["en_US", "sv_SE"])
def test_history_rows_and_tariffs_show_the_format(  # type: ignore[no-untyped-def]
    qtbot, priced: Database, lang: str
) -> None:
    """An en_US system (M/d/yy of its own) still reads 2026-03-02 and "…SEK" in English;
    Swedish shows kronor with a decimal comma."""
    from ui.billing.tariffs import TariffEditor
    from ui.history.model import COLUMNS
    from ui.history.page import HistoryPage

    with app_context(priced, None) as ctx:
        ctx.locale = QLocale(lang)
        page = HistoryPage(ctx)
        qtbot.addWidget(page)
        page.period.setCurrentIndex(page.period.findData("all"))
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=20_000)
        names = [c[0] for c in COLUMNS]
        when = page.model.data(page.model.index(0, names.index("Plugged in")))
        price = plain(page.model.data(page.model.index(0, names.index("Price"))))
        assert re.fullmatch(rf"{ISO_DAY} \d\d:\d\d", when), when
        assert when.startswith("2026-03-02")
        page.period.setCurrentIndex(page.period.findData("custom"))
        assert re.fullmatch(ISO_DAY, page.date_from.text()), page.date_from.text()
        ed = TariffEditor(ctx)
        qtbot.addWidget(ed)
        qtbot.waitUntil(lambda: ed.table.rowCount() == 1, timeout=20_000)
        per_kwh = plain(ed.table.item(0, 4).text())
        start = plain(ed.table.item(0, 6).text())
        valid = ed.table.item(0, 3).text()
        assert valid == "2026-01-01 01:00"  # the site's zone (Stockholm), as the site gives it
        if lang == "en_US":
            assert re.fullmatch(r"\d+\.\d\d SEK", price), price
            assert (per_kwh, start) == ("3.50 SEK", "5.00 SEK")
        else:
            assert re.fullmatch(r"\d+,\d\d kr", price), price
            assert (per_kwh, start) == ("3,50 kr", "5,00 kr")


def test_status_bar_clock_reads_iso_in_english(qtbot, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    """The status bar showed 02/12/2026: now the site's time as 2026-12-02 12:05:09."""
    from ui.board.page import PAGE as BOARD
    from ui.mainwindow import MainWindow

    with live_site(sqlite_db, bays=1) as site, app_context(sqlite_db, site.runtime) as ctx:
        ctx.locale = QLocale("en_GB")
        win = MainWindow(ctx, pages=[BOARD])
        win.persist_state = False
        qtbot.addWidget(win)
        win.show()
        shape = rf"{ISO_DAY} \d\d:\d\d:\d\d"
        qtbot.waitUntil(
            lambda: re.fullmatch(shape, win.clock_label.text()) is not None, timeout=20_000
        )
        win.pages["board"].shutdown()
        win.close()
