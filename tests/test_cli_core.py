"""The core CLI: cards, sessions, db; bad input exits 2 with one line and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr.cli import main
from stationmgr.store.db import open_database
from stationmgr.store.models import Bay, Card, CardHolder, Charger, ChargeSession


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["--db", u, "db", "create"]) == 0  # a named --db is never made implicitly
    return u


def run(url: str, *args: str) -> int:
    return main(["--db", url, *args])


def cards_in(url: str) -> int:
    db = open_database(url)
    with db.session() as s:
        n = s.scalar(select(func.count(Card.id)))
    db.dispose()
    return n or 0


def test_help_lists_every_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "stationmgr", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for cmd in ("run", "cards", "sessions", "db"):
        assert cmd in out


def test_a_new_database_is_made_without_alembic_chatter(tmp_path: Path) -> None:
    """Review (desktop) finding 23: the first command on a fresh site printed ten Alembic
    INFO lines; a site owner sees one line saying what was made."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    out = subprocess.run(
        [sys.executable, "-m", "stationmgr", "--db", url, "db", "create"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "alembic" not in (out.stderr + out.stdout).lower()
    assert out.stdout.strip().splitlines() == [f"created database {url} at revision 0001"]


def test_cards_add_list_show_block(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            url,
            "cards",
            "add",
            "0a1b2c3d",
            "--holder",
            "Åsa Öberg",
            "--group",
            "Staff",
            "--valid-to",
            "2027-12-31",
        )
        == 0
    )
    assert run(url, "cards", "list") == 0
    out = capsys.readouterr().out
    assert "0A1B2C3D" in out and "Åsa Öberg" in out and "Staff" in out
    assert run(url, "cards", "show", "169552957") == 0  # decimal spelling finds it
    assert "2027-12-31" in capsys.readouterr().out
    assert run(url, "cards", "block", "3D2C1B0A") == 0  # reversed spelling
    assert run(url, "cards", "show", "0A1B2C3D") == 0
    assert "blocked         yes" in capsys.readouterr().out
    assert run(url, "cards", "unblock", "0A1B2C3D") == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (["cards", "add", "not-a-card"], "unknown card number format"),
        (["cards", "add", "0A1B2C3D", "--valid-to", "2027-13-45"], "invalid --valid-to date"),
        (["cards", "show", "99999999"], "no card"),
        (["sessions", "list", "--from", "yesterday"], "invalid --from date"),
        (["sessions", "list", "--bay", "nope"], "no bay"),
        (["cards", "import", "/nonexistent.csv"], "cannot read"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    url: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(url, *args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("stationmgr: error:")
    assert cards_in(url) == 0


def test_duplicate_card_exits_2_and_writes_nothing(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "cards", "add", "0A1B2C3D") == 0
    assert run(url, "cards", "add", "0169552957", "--holder", "Someone") == 2
    assert "already enrolled" in capsys.readouterr().err
    assert cards_in(url) == 1
    db = open_database(url)
    with db.session() as s:
        from stationmgr.store.models import CardHolder

        assert s.scalar(select(func.count(CardHolder.id))) == 0  # the holder was not created
    db.dispose()


def test_csv_import_is_all_or_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("uid,holder,valid_to\n0A1B2C3D,Anna,2027-01-01\n11223344,Bert,2027-02-30\n")
    assert run(url, "cards", "import", str(bad)) == 2
    assert "line 3" in capsys.readouterr().err
    assert cards_in(url) == 0
    dup = tmp_path / "dup.csv"
    dup.write_text("uid,holder\n0A1B2C3D,Anna\n169552957,Bert\n")
    assert run(url, "cards", "import", str(dup)) == 2
    assert cards_in(url) == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "uid,label,holder,group,blocked,valid_to\n0A1B2C3D,Tag 1,Anna,Staff,no,2027-01-01\n"
        "11223344,,Bert,,yes,\n"
    )
    assert run(url, "cards", "import", str(good)) == 0
    assert cards_in(url) == 2
    out = tmp_path / "out.csv"
    assert run(url, "cards", "export", "-o", str(out)) == 0
    text = out.read_text()
    assert "0A1B2C3D,Tag 1,Anna,Staff,no,,2027-01-01" in text and "11223344" in text


def _session(url: str) -> None:
    db = open_database(url)
    t = datetime(2026, 5, 4, 8, tzinfo=UTC)
    with db.session() as s:
        c = Charger(name="c1", driver="inproc", port="inproc://c1")
        s.add(c)
        s.flush()
        b = Bay(charger_id=c.id, connector=1, label="P1")
        s.add(b)
        h = CardHolder(name="Anna Berg")
        s.add(h)
        s.flush()
        s.add(
            ChargeSession(
                holder_id=h.id,
                tx_uid="1-1",
                bay_id=b.id,
                plugged_at=t,
                authorized_at=t,
                meter_start_wh=100,
                meter_last_wh=7100,
                meter_stop_wh=7100,
                segment_start_wh=100,
                energy_wh=7000,
                stopped_at=t.replace(hour=10),
                stop_reason="EVDisconnected",
                holder_name="Anna",
                card_uid="0A1B2C3D",
                plugged_s=7200,
                waiting_s=0,
                charging_s=3600,
                idle_s=3600,
            )
        )
    db.dispose()


def test_sessions_list_filters_and_csv(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _session(url)
    assert (
        run(
            url,
            "sessions",
            "list",
            "--from",
            "2026-05-04",
            "--to",
            "2026-05-04",
            "--bay",
            "P1",
            "--holder",
            "ann",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "7.000" in out and "EVDisconnected" in out
    assert run(url, "sessions", "list", "--from", "2026-05-05") == 0
    assert "7.000" not in capsys.readouterr().out
    assert run(url, "sessions", "list", "--csv") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("id,tx_uid,bay") and len(lines) == 2


def test_db_upgrade_and_info(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(url, "db", "upgrade") == 0
    assert "revision" in capsys.readouterr().out
    assert run(url, "db", "info") == 0
    assert "integrity: ok" in capsys.readouterr().out


def test_locked_database_exits_2(tmp_path: Path) -> None:
    """A write that cannot get the database (another instance holds a write lock) → exit 2."""
    import sqlite3

    path = tmp_path / "locked.sqlite3"
    url = f"sqlite:///{path}"
    assert main(["--db", url, "db", "create"]) == 0
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = dict(os.environ, STATIONMGR_DB=url)
        code = (
            "import stationmgr.store.db as d; d.BUSY_TIMEOUT_MS = 200\n"
            "from stationmgr.cli import main; raise SystemExit(main(['cards','add','0A1B2C3D']))"
        )
        p = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        holder.rollback()
        holder.close()
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip().splitlines()[-1] == (
        "stationmgr: error: the database is locked by another instance; try again when it is free"
    )
    assert cards_in(url) == 0
