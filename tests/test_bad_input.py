"""The bad-input table (reliability review, defects 9, 11, 12 and 15): every case exits 2 with
one line on stderr naming the field, no traceback, and the database dump unchanged.

In-process `stationmgr.cli.main` on a real SQLite file with sessions, a tariff and a card.
"""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path

import pytest

from stationmgr.cli import main
from stationmgr.store.db import Database
from tests.billing_site import T0, build_billing_site, finish_session, persister

D25 = "1" * 25  # a 25-digit id
ESC = "evil\x1b[31mred\x07\r"


@pytest.fixture
def site(sqlite_db: Database) -> tuple[Database, list[str]]:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    for i in range(2):
        finish_session(sqlite_db, p, 1 + i, T0 + i * 86400, 60, 10 + i)
    return sqlite_db, ["--db", sqlite_db.url]


def cli(*args: str) -> int:
    """The exit status `stationmgr ARGS` has (argparse's usage errors exit from inside)."""
    try:
        return main(list(args))
    except SystemExit as e:
        return int(e.code or 0)


def dump(db: Database) -> list[str]:
    path = db.url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def csv_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def tariff(*extra: str) -> list[str]:
    return ["tariffs", "add", "T2", "--valid-from", "2026-06-01", *extra]


def card(*extra: str) -> list[str]:
    return ["cards", "add", "0A1B2C3E", *extra]


def charger(*extra: str) -> list[str]:
    return ["chargers", "add", "c9", "--driver", "openevse", "--port", "/dev/ttyS9", *extra]


# (arguments, text the one error line must contain). "{out}" is a file in an empty folder,
# "{csv:…}" a CSV file with that content.
CASES: list[tuple[list[str], str]] = [
    # defect 9: SQLite overflow from huge numbers
    (tariff("--per-kwh", "1e30"), "price per kWh"),
    (tariff("--per-kwh", "1e308"), "price per kWh"),
    (tariff("--per-kwh", "99999999999999999"), "price per kWh"),
    (tariff("--start-fee", "1e20"), "start fee"),
    (tariff("--idle-grace-min", "99999999999999999999999"), "--idle-grace-min"),
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
            "1e30",
        ],
        "kWh limit",
    ),
    (
        [
            "budgets",
            "add",
            "--card",
            "0A1B2C3D",
            "--period",
            "day",
            "--unit",
            "money",
            "--limit",
            "1e30",
        ],
        "budget limit",
    ),
    (["receipt", D25, "-o", "{out}"], "session id"),
    (["correct", D25, "--tariff", "1", "--reason", "typo"], "session id"),
    (["correct", "1", "--tariff", D25, "--reason", "typo"], "--tariff id"),
    (["sessions", "list", "--bay", D25], "no bay"),
    (["sessions", "list", "--holder", D25], "no card holder"),
    (["sessions", "list", "--limit", D25], "--limit"),
    (["statement", "--month", "2026-03", "--holder", D25, "-o", "{out}"], "no card holder"),
    (
        ["cards", "import", "{csv:uid,max_concurrent\n0A1B2C3E," + "9" * 23 + "\n}"],
        "max_concurrent",
    ),
    # '²'.isdigit() is true, int('²') fails
    (["receipt", "²", "-o", "{out}"], "session id"),
    (["correct", "1", "--tariff", "²", "--reason", "typo"], "--tariff id"),
    (["sessions", "list", "--bay", "²"], "no bay"),
    (["cards", "import", "{csv:uid,max_concurrent\n0A1B2C3E,²\n}"], "max_concurrent"),
    # digit strings over 4,300 characters
    (["cards", "add", "9" * 5000], "card number"),
    (tariff("--per-kwh", "9" * 5000), "price per kWh"),
    # dates and months out of range
    (["sessions", "list", "--to", "9999-12-31"], "--to date"),
    (["reconcile", "--from", "2026-01-01", "--to", "9999-12-31"], "--to date"),
    (["sessions", "list", "--from", "0000-01-01"], "--from date"),
    (["statement", "--month", "9999-12", "-o", "{out}"], "month"),
    (["statement", "--month", "0000-01", "-o", "{out}"], "month"),
    (["export", "--month", "9999-12", "--format", "csv", "-o", "{out}"], "month"),
    (["export", "--month", "0000-01", "--format", "sie", "-o", "{out}"], "month"),
    (["export", "--month", "٢٠٢٦-٠٣", "--format", "csv", "-o", "{out}"], "month"),
    (card("--valid-to", "٢٠٢٧-٠١-٠١"), "--valid-to date"),
    (["report", "--from", "2026-01-01", "--to", "9999-12-31", "-o", "{out}"], "--to date"),
    (["cards", "show", "9" * 5000], "no card"),
    (["alerts", "ack", "²", "--operator", "x"], "no alert"),
    (["alerts", "ack", D25, "--operator", "x"], "no alert"),
    (["site", "set", "seller_name", ESC], "seller_name"),
    (["site", "set", "seller_name", "s" * 301], "seller_name"),
    # a CSV field over the csv module's 131,072 characters
    (["cards", "import", "{csv:uid,holder\n0A1B2C3E," + "x" * 131_073 + "\n}"], "line 2"),
    (["cards", "import", "{csv:uid,holder\n0A1B2C3E," + "x" * 20_000 + "\n}"], "line 2"),
    # defect 11: invalid values that were stored
    (["alerts", "config", "stalled_after_min=nan"], "stalled_after_min"),
    (["alerts", "config", "card_denied_count=1e400"], "card_denied_count"),
    (["alerts", "config", "overrun_margin_min=inf"], "overrun_margin_min"),
    (["run", "--poll", "nan"], "--poll"),
    (["run", "--poll", "inf"], "--poll"),
    (["cards", "add", "-1"], "card number"),
    (tariff("--per-kwh", "1_000"), "price per kWh"),
    (tariff("--per-kwh", "٣"), "price per kWh"),
    (tariff("--vat", "2_5"), "VAT rate"),
    (["receipt", "١", "-o", "{out}"], "session id"),
    (["sessions", "list", "--limit", "١٠"], "--limit"),
    (card("--max-concurrent", "٣"), "--max-concurrent"),
    (card("--max-concurrent", "1_0"), "--max-concurrent"),
    (card("--holder", "   "), "holder"),
    (card("--label", " \t "), "label"),
    (card("--holder", ESC), "holder"),
    (card("--label", ESC), "label"),
    (card("--group", "g\x1b]0;title\x07"), "group"),
    (["tariffs", "add", ESC, "--valid-from", "2026-06-01"], "tariff name"),
    (["tariffs", "add", "   ", "--valid-from", "2026-06-01"], "tariff"),
    (["tariffs", "add", "t" * 81, "--valid-from", "2026-06-01"], "tariff name"),
    (["chargers", "add", ESC, "--driver", "openevse", "--port", "/dev/ttyS9"], "charger name"),
    (charger("--bays", ESC), "bay label"),
    (["chargers", "add", "c" * 81, "--driver", "openevse", "--port", "/dev/ttyS9"], "charger"),
    (charger("--bays", "b" * 41), "bay"),
    (card("--holder", "h" * 121), "holder"),
    (card("--label", "l" * 81), "label"),
    (["cards", "import", "{csv:uid,holder\n0A1B2C3E,Bad\x00Name\n}"], "holder"),
    (["cards", "import", "{csv:uid,holder\n0A1B2C3E,   \n0A1B2C3F,a\x1b[2Jb\n}"], "holder"),
    (["readers", "add", ESC, "--port", "/dev/ttyS7", "--desk"], "card reader name"),
    # driver settings (defect 3), refused at add
    (charger("--set", "turnaround_s=abc"), "turnaround_s"),
    (charger("--set", "attempts=x"), "attempts"),
    (charger("--set", "auth_lock=maybe"), "auth_lock"),
    (charger("--set", "reply_timeout_s=nan"), "reply_timeout_s"),
    (charger("--set", "no_such_setting=1"), "no_such_setting"),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "failsafe_a=nan",
        ],
        "failsafe_a",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "failsafe_a=inf",
        ],
        "failsafe_a",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "timeout_ms=-1",
        ],
        "timeout_ms",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "gate=foo",
        ],
        "gate",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "parity=Q",
        ],
        "parity",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "watchdog_ms=abc",
        ],
        "watchdog_ms",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "3",
            "--set",
            "over_temperature_c=abc",
        ],
        "over_temperature_c",
    ),
    (
        [
            "chargers",
            "add",
            "h9",
            "--driver",
            "heidelberg",
            "--port",
            "/dev/ttyS8",
            "--address",
            "1_0",
        ],
        "--address",
    ),
    (["chargers", "set", "c1", "turnaround_s=abc"], "turnaround_s"),
    (
        ["readers", "add", "r9", "--port", "/dev/ttyS7", "--desk", "--set", "release_s=nan"],
        "release_s",
    ),
    (charger("--port", "bogus://x"), "bogus://x"),
    (charger("--port", "socket://host:²"), "socket://HOST:PORT"),
    # defect 15
    (["probe", "openevse", "bogus://x"], "bogus://x"),
]


def _arg(a: str, tmp_path: Path, out: Path) -> str:
    if a.startswith("{csv:") and a.endswith("}"):
        return csv_file(tmp_path, a[5:-1])
    return a.replace("{out}", str(out))


@pytest.mark.timeout(60)  # `run --poll nan` once started the engine and never returned
@pytest.mark.parametrize("args,field", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_input_is_one_line_exit_2_nothing_written(  # type: ignore[no-untyped-def]
    site, tmp_path, capsys, args, field
) -> None:
    db, dbargs = site
    outdir = tmp_path / "out"
    outdir.mkdir()
    before = dump(db)
    status = cli(*dbargs, *[_arg(a, tmp_path, outdir / "out.file") for a in args])
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert status == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("stationmgr: error:") and field in lines[0], lines[0]
    assert len(lines[0]) < 300, lines[0]
    assert "\x1b" not in err and "\x07" not in err  # no raw escapes echoed back
    assert list(outdir.iterdir()) == []
    assert dump(db) == before


def test_receipt_to_an_unwritable_path_numbers_nothing(site, capsys) -> None:  # type: ignore[no-untyped-def]
    """`receipt N -o /proc/version` numbered the receipt, then crashed: the path is checked
    before the receipt is issued."""
    db, dbargs = site
    before = dump(db)
    assert cli(*dbargs, "receipt", "1", "-o", "/proc/version") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write /proc/version" in err, err
    assert dump(db) == before
    assert cli(*dbargs, "receipt", "1", "-o", "/proc/nosuchdir/r.pdf") == 2
    assert dump(db) == before


@pytest.mark.parametrize(
    "url,field",
    [
        ("nosuch://x", "--db"),
        ("sqlite:////etc/passwd", "not a SQLite database"),
        ("sqlite:////etc", "not a file"),
        ("postgresql+nosuchdriver://h/db", "--db"),
    ],
)
def test_bad_db_urls(url: str, field: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = Path("/etc/passwd").read_bytes()
    assert cli("--db", url, "cards", "list") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and field in err and "Traceback" not in err, err
    assert Path("/etc/passwd").read_bytes() == before


def test_a_missing_db_path_is_not_created(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A mistyped `--db` path refuses; `db create` makes it; then it works."""
    url = f"sqlite:///{tmp_path / 'nodir' / 'site.sqlite3'}"
    assert cli("--db", url, "cards", "list") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no database at" in err and "db create" in err, err
    assert not (tmp_path / "nodir").exists()
    assert cli("--db", url, "db", "create") == 0
    assert (tmp_path / "nodir" / "site.sqlite3").is_file()
    assert cli("--db", url, "cards", "list") == 0
    capsys.readouterr()
    assert cli("--db", url, "db", "create") == 2  # never over an existing site
    assert "exists" in capsys.readouterr().err


def test_cards_import_from_stdin_with_a_bom(site, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _db, dbargs = site
    monkeypatch.setattr(sys, "stdin", io.StringIO("\ufeffuid,holder\n0A1B2C3E,Bo Ek\n"))
    assert cli(*dbargs, "cards", "import", "-") == 0
    assert "imported 1 card" in capsys.readouterr().out


def test_stored_escapes_are_never_printed_raw(site, capsys) -> None:  # type: ignore[no-untyped-def]
    """Names stored before validation existed (or by another tool) are escaped on output."""
    db, dbargs = site
    con = sqlite3.connect(db.url.removeprefix("sqlite:///"))
    with con:
        con.execute("UPDATE chargers SET name = ? WHERE name = 'c1'", (ESC,))
        con.execute("UPDATE bays SET label = ? WHERE label = 'P1'", ("P\x1b[2J1",))
        con.execute("UPDATE card_holders SET name = ?", ("Åsa\x1b]0;pwned\x07",))
    con.close()
    listings = (["chargers", "list"], ["cards", "list"], ["sessions", "list"])
    for args in (*listings, ["cards", "show", "0A1B2C3D"]):
        assert cli(*dbargs, *args) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out, args
        assert "\\x1b" in out, (args, out)


def test_holder_given_in_other_digits_is_a_name_not_a_crash(site, capsys) -> None:  # type: ignore[no-untyped-def]
    """`--holder ²` crashed (`'²'.isdigit()`); it is a name to search for now."""
    _db, dbargs = site
    assert cli(*dbargs, "sessions", "list", "--holder", "²") == 0
    assert capsys.readouterr().out.count("\n") == 1  # the header only


def test_charger_settings_are_stored_typed(site, capsys) -> None:  # type: ignore[no-untyped-def]
    """`auth_lock=false` is stored as False (it read as True), numbers as numbers."""
    db, dbargs = site
    args = charger("--set", "auth_lock=false", "--set", "turnaround_s=0.2")
    assert cli(*dbargs, *args) == 0
    assert cli(*dbargs, "chargers", "set", "c9", "attempts=4", "turnaround_s=") == 0
    from sqlalchemy import select

    from stationmgr.store.models import Charger

    with db.session() as s:
        row = s.scalar(select(Charger).where(Charger.name == "c9"))
        assert row is not None
        assert row.settings == {"auth_lock": False, "attempts": 4}
