"""The billing commands end to end (in-process `stationmgr` with a real SQLite file):
good runs write their files; bad input is one line, exit status 2, nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from stationmgr.cli import main
from stationmgr.store.db import Database
from tests.billing_site import T0, build_billing_site, finish_session, persister


@pytest.fixture
def site(sqlite_db: Database) -> tuple[Database, list[str]]:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    for i in range(4):
        finish_session(sqlite_db, p, 1 + i % 2, T0 + i * 86400, 60, 10 + i, idle_min=40)
    return sqlite_db, ["--db", sqlite_db.url]


def run(db: list[str], *args: str) -> int:
    return main([*db, *args])


def one_error_line(capsys: pytest.CaptureFixture[str], contains: str) -> None:
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("stationmgr: error:") and contains in lines[0], lines[0]


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_receipt_command(site, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, db = site
    out = tmp_path / "kvitto.pdf"
    assert run(db, "receipt", "2", "-o", str(out)) == 0
    assert "receipt 1" in capsys.readouterr().out
    assert "Kvittonummer: 1" in pdf_text(out)
    en = tmp_path / "receipt.pdf"
    assert run(db, "receipt", "2", "-o", str(en), "--lang", "en") == 0
    assert "Receipt number: 1" in pdf_text(en)  # the same receipt, re-printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["receipt", "99", "-o", "{out}"], "no session with id 99"),
        (["receipt", "abc", "-o", "{out}"], "session id"),
        (["receipt", "1", "-o", "/nonexistent/dir/r.pdf"], "does not exist"),
        (["statement", "--month", "2026-13", "--holder", "1", "-o", "{out}"], "invalid month"),
        (["statement", "--month", "march", "-o", "{out}"], "invalid month"),
        (["statement", "--month", "2026-03", "--holder", "999", "-o", "{out}"], "no card holder"),
        (["export", "--month", "2026/03", "--format", "sie", "-o", "{out}"], "invalid month"),
        (
            ["tariffs", "add", "X", "--valid-from", "2026-05-01", "--per-kwh=-1"],
            "must not be negative",
        ),
        (
            ["tariffs", "add", "X", "--valid-from", "2026-05-01", "--vat", "125"],
            "between 0 and 100",
        ),
        (["tariffs", "add", "X", "--valid-from", "2026-05-01", "--vat=-5"], "between 0 and 100"),
        (
            ["tariffs", "add", "X", "--valid-from", "2026-05-01", "--per-kwh", "2.50051"],
            "at most 4 decimals",
        ),
        (
            ["tariffs", "add", "X", "--valid-from", "2026-05-01", "--vat", "12.5"],
            "not one of the site's rates",
        ),
        (["tariffs", "add", "X", "--valid-from", "2025-01-01"], "must start after"),
        (["tariffs", "add", "X", "--valid-from", "soon"], "invalid --valid-from"),
        (["tariffs", "add", "X", "--valid-from", "2026-05-01", "--group", "Nope"], "no card group"),
        (["site", "set", "seller_org_number", "12345"], "invalid organisation number"),
        (["site", "set", "colour", "red"], "unknown site setting"),
        (
            [
                "budgets",
                "add",
                "--card",
                "0A1B2C3D",
                "--period",
                "day",
                "--unit",
                "kWh",
                "--limit",
                "0",
            ],
            "positive",
        ),
        (["correct", "1", "--tariff", "1", "--reason", " "], "needs a reason"),
        (["reconcile", "--from", "2026-03-10", "--to", "2026-03-01"], "before --from"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(site, tmp_path, capsys, args, message) -> None:  # type: ignore[no-untyped-def]
    sqlite_db, db = site
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "out.file"
    tables = ("tariffs", "receipts", "site_settings", "budgets", "ledger_entries", "audit_entries")

    def counts() -> list[int]:
        with sqlite_db.session() as s:
            return [s.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables]

    before = counts()
    assert run(db, *[a.replace("{out}", str(out)) for a in args]) == 2
    one_error_line(capsys, message)
    assert list(outdir.iterdir()) == []
    assert counts() == before


def test_statement_summary_and_exports(site, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, db = site
    pdf, csv = tmp_path / "st.pdf", tmp_path / "st.csv"
    assert (
        run(
            db,
            "statement",
            "--month",
            "2026-03",
            "--holder",
            "1",
            "-o",
            str(pdf),
            "--csv",
            str(csv),
        )
        == 0
    )
    assert "MÅNADSBESKED" in pdf_text(pdf) and "Åsa Öberg" in pdf_text(pdf)
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("session_id,") and rows[-1].startswith("total,") and len(rows) == 6
    summ = tmp_path / "sum.pdf"
    assert run(db, "statement", "--month", "2026-03", "-o", str(summ), "--lang", "en") == 0
    assert "MONTH SUMMARY" in pdf_text(summ) and "Per bay" in pdf_text(summ)
    sie, sales = tmp_path / "mars.se", tmp_path / "mars.csv"
    assert run(db, "export", "--month", "2026-03", "--format", "sie", "-o", str(sie)) == 0
    assert sie.read_bytes().startswith(b"#FLAGGA 0\r\n")
    assert run(db, "export", "--month", "2026-03", "--format", "csv", "-o", str(sales)) == 0
    lines = sales.read_text().splitlines()
    assert lines[0].startswith("entry,kind,date") and len(lines) == 1 + 4 + 1


def test_tariffs_budgets_site_and_correction(site, capsys) -> None:  # type: ignore[no-untyped-def]
    _, db = site
    assert (
        run(
            db,
            "tariffs",
            "add",
            "Natt",
            "--valid-from",
            "2026-06-01",
            "--per-kwh",
            "2,10",
            "--start-fee",
            "5",
            "--idle-per-min",
            "1",
            "--idle-grace-min",
            "30",
            "--idle-cap",
            "200",
            "--vat",
            "25",
        )
        == 0
    )
    assert (
        run(
            db,
            "tariffs",
            "add",
            "Gäst",
            "--valid-from",
            "2026-06-01",
            "--guests",
            "--per-kwh",
            "4.50",
        )
        == 0
    )
    capsys.readouterr()
    assert run(db, "tariffs", "list") == 0
    out = capsys.readouterr().out
    assert "Natt" in out and "2,10" in out and "guests" in out and "200,00" in out
    assert (
        run(
            db,
            "budgets",
            "add",
            "--group",
            "Personal",
            "--period",
            "month",
            "--unit",
            "money",
            "--limit",
            "500",
        )
        == 0
    )
    assert run(db, "budgets", "list") == 0
    assert "group Personal" in capsys.readouterr().out
    assert run(db, "site", "set", "seller_name", "Nya Laddbolaget AB") == 0
    assert run(db, "site", "show") == 0
    assert "Nya Laddbolaget AB" in capsys.readouterr().out
    assert run(db, "correct", "1", "--tariff", "2", "--reason", "nattpris gällde") == 0
    assert "revision 2" in capsys.readouterr().out
    assert run(db, "verify") == 0


def test_verify_names_the_tampered_entry(site, capsys) -> None:  # type: ignore[no-untyped-def]
    sqlite_db, db = site
    assert run(db, "verify") == 0
    assert "ledger: ok" in capsys.readouterr().out
    with sqlite_db.session() as s:
        s.execute(text("UPDATE priced_lines SET net_minor = net_minor + 1 WHERE id = 5"))
    assert run(db, "verify") == 1
    out = capsys.readouterr().out
    assert "ledger: BROKEN: ledger entry #2:" in out and "priced line" in out


def test_reconcile_command(site, capsys) -> None:  # type: ignore[no-untyped-def]
    _, db = site
    assert run(db, "reconcile", "--from", "2026-03-01", "--to", "2026-03-31") == 0
    out = capsys.readouterr().out
    assert "unbilled_kwh" in out and "c1" in out and "c2" in out


def test_cli_dates_are_the_sites_local_days(site, capsys) -> None:  # type: ignore[no-untyped-def]
    """One time zone for the CLI's dates, the screen and the documents: the site's. A bare
    `--valid-from` date is local midnight (the review: it meant midnight UTC, 01:00 here),
    and a session list `--from/--to` day is the site's day."""
    from datetime import UTC, datetime

    from stationmgr.billing.site import set_site_value
    from stationmgr.store.models import Tariff

    sqlite_db, db = site
    assert run(db, "tariffs", "add", "Vinter", "--valid-from", "2026-12-10", "--per-kwh", "4") == 0
    out = capsys.readouterr().out
    assert "valid from 2026-12-10 00:00 Europe/Stockholm (2026-12-09 23:00 UTC)" in out
    with sqlite_db.session() as s:
        t = s.query(Tariff).filter_by(name="Vinter").one()
        assert t.valid_from == datetime(2026, 12, 9, 23, 0, tzinfo=UTC)
        set_site_value(s, "timezone", "America/New_York")
    assert run(db, "tariffs", "add", "Vår", "--valid-from", "2027-03-01") == 0
    assert "2027-03-01 00:00 America/New_York (2027-03-01 05:00 UTC)" in capsys.readouterr().out
    with sqlite_db.session() as s:
        set_site_value(s, "timezone", "Pacific/Honolulu")
    # T0 is 2026-03-02 08:00 UTC = 1 March 22:00 in Honolulu: the site's 1 March
    assert run(db, "sessions", "list", "--from", "2026-03-01", "--to", "2026-03-01", "--csv") == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2  # the header and T0's
    assert run(db, "sessions", "list", "--from", "2026-03-02", "--to", "2026-03-02", "--csv") == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2  # the next day's
