"""Month close (review defect 2): after `months close`, nothing dated in the month changes.
A session closed late, or a correction dated back, is booked in the first open period with a
reference to its session; the closed month's export is byte-identical whenever it is made
again, and `verify` checks it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from stationmgr.billing.charges import correct_price
from stationmgr.billing.site import set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cli import main
from stationmgr.errors import UserError
from stationmgr.store.billing_models import LedgerEntry, SessionPrice
from stationmgr.store.db import Database
from stationmgr.verify import run_checks
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.helpers import sie_check

FEB_27 = datetime(2026, 2, 27, 10, 0, tzinfo=UTC).timestamp()
DAY = 86400


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    finish_session(sqlite_db, p, 2, datetime(2026, 2, 28, 21, 30, tzinfo=UTC).timestamp(), 60, 5)
    for i in range(4):
        finish_session(sqlite_db, p, 1 + i % 2, T0 + i * DAY, 60, 10 + i, idle_min=40)
    return sqlite_db


def cli(db: Database, *args: str) -> int:
    return main(["--db", db.url, *args])


def export(db: Database, month: str, fmt: str, out: Path) -> bytes:
    assert cli(db, "export", "--month", month, "--format", fmt, "-o", str(out)) == 0
    return out.read_bytes()


def problems(db: Database, **kw: object) -> list[str]:
    return [p for r in run_checks(db, **kw) for p in r.problems]  # type: ignore[arg-type]


def test_a_late_session_after_the_close_is_booked_in_the_open_month(
    site: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before_sie = export(site, "2026-02", "sie", tmp_path / "feb.se")
    before_csv = export(site, "2026-02", "csv", tmp_path / "feb.csv")
    assert cli(site, "months", "close", "2026-02") == 0
    assert "2026-02 closed: 1 ledger entries" in capsys.readouterr().out
    closed_sie = export(site, "2026-02", "sie", tmp_path / "feb1.se")
    closed_csv = export(site, "2026-02", "csv", tmp_path / "feb1.csv")
    assert closed_csv == before_csv
    # the car gone, found at the next start-up: the session stopped on 27 Feb
    late = finish_session(site, persister(), 1, FEB_27, 60, 7)
    with site.session() as s:
        entry = s.query(LedgerEntry).filter_by(session_id=late.id).one()
        assert entry.ts == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # 1 March 00:00 local
    # February's files are as they were handed out, byte for byte, whenever made again
    set_site_value_db(site, "seller_name", "Nytt Namn AB")  # even after a settings change
    assert export(site, "2026-02", "sie", tmp_path / "feb2.se") == closed_sie
    assert export(site, "2026-02", "csv", tmp_path / "feb2.csv") == closed_csv == before_csv
    assert sie_check.parse(closed_sie).vouchers[0].number == "1"
    assert before_sie.split(b"\r\n")[4:] == closed_sie.split(b"\r\n")[4:]  # same but #GEN
    # March books it, with a voucher of its own naming the session
    march = sie_check.check_files([closed_sie, export(site, "2026-03", "sie", tmp_path / "m.se")])[
        1
    ]
    late_v = [v for v in march.vouchers if late.tx_uid in v.text]
    assert len(late_v) == 1 and "session 2026-02-27" in late_v[0].text
    assert late_v[0].date.isoformat() == "2026-03-01" and late_v[0].number == "2"
    assert problems(site) == []


def set_site_value_db(db: Database, key: str, value: str) -> None:
    with db.session() as s:
        set_site_value(s, key, value)


def test_a_correction_dated_in_a_closed_month_is_booked_in_the_open_one(site: Database) -> None:
    from stationmgr.billing.months import close_month

    with site.session() as s:
        close_month(s, "2026-02")
        cheap = add_tariff(
            s,
            TariffInput(
                name="Rättad",
                # after the priced sessions: a back-dated version is refused
                valid_from=datetime(2026, 5, 1, tzinfo=UTC),
                group="Personal",
                energy_minor_per_kwh=100,
            ),
        )
        sid = s.query(SessionPrice.session_id).order_by(SessionPrice.id).first()[0]
        correct_price(s, sid, cheap.id, "fel tariff", now=datetime(2026, 2, 28, 12, tzinfo=UTC))
        dates = {e.ts for e in s.query(LedgerEntry).filter_by(session_id=sid)}
    assert datetime(2026, 2, 28, 23, 0, tzinfo=UTC) in dates  # reversal + new sale: March
    assert problems(site) == []


def test_months_are_closed_in_order_once_and_only_when_over(
    site: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from stationmgr.billing.months import close_month, list_closed

    assert cli(site, "months", "close", "2026-03") == 2
    assert "close 2026-02 first" in capsys.readouterr().err
    with site.session() as s, pytest.raises(UserError, match="has not ended yet"):
        close_month(s, "2026-02", now=datetime(2026, 2, 28, 22, 0, tzinfo=UTC))
    assert cli(site, "months", "close", "2026-02") == 0
    assert cli(site, "months", "close", "2026-02") == 2
    assert "never reopened" in capsys.readouterr().err
    assert cli(site, "months", "close", "2026-04") == 2
    assert "close 2026-03 first" in capsys.readouterr().err
    assert cli(site, "months", "close", "2026-03") == 0
    assert cli(site, "months", "close", "2026-13") == 2
    capsys.readouterr()
    assert cli(site, "months", "list") == 0
    out = capsys.readouterr().out
    assert "2026-02" in out and "2026-03" in out
    with site.session() as s:
        rows = list_closed(s)
    assert [r.month for r in rows] == ["2026-02", "2026-03"] and rows[1].entries == 4
    assert rows[1].head_code.startswith("5-")


def test_voucher_numbers_continue_from_the_closed_months(site: Database, tmp_path: Path) -> None:
    assert cli(site, "months", "close", "2026-02") == 0
    assert cli(site, "months", "close", "2026-03") == 0
    files = sie_check.check_files(
        [export(site, m, "sie", tmp_path / f"{m}.se") for m in ("2026-02", "2026-03")]
    )
    assert [v.number for f in files for v in f.vouchers] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            "UPDATE month_closes SET sie = CAST('#FLAGGA 0' AS BLOB)",
            "stored SIE export was altered",
        ),
        (
            "UPDATE month_closes SET csv = CAST('x' AS BLOB), csv_sha256 = "
            "'2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'",
            "not those handed out",
        ),
        ("DELETE FROM month_closes WHERE month = 2", "a close was deleted"),
        ("UPDATE ledger_entries SET ts = ts + 86400000 * 40 WHERE seq = 1", "entries changed"),
    ],
)
def test_verify_sees_a_closed_month_changed(
    site: Database, tmp_path: Path, tamper: str, message: str
) -> None:
    anchors = tmp_path / "anchors.txt"
    set_site_value_db(site, "anchor_file", str(anchors))
    assert cli(site, "months", "close", "2026-02") == 0
    assert cli(site, "months", "close", "2026-03") == 0
    assert "month 2026-03 sie " in anchors.read_text()
    assert problems(site) == []
    with site.engine.begin() as c:
        c.execute(text(tamper))
    found = problems(site)
    assert any(message in p for p in found), found
    assert cli(site, "verify") == 1
