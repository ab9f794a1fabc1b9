"""The audit log: hash chain, tampering named by `verify`, filters and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from stationmgr.access import audit, sitekey
from stationmgr.access.audit import AuditFilter
from stationmgr.cli import main
from stationmgr.store.db import open_database
from tests.access_site import PASSWORDS, USERS, add_staff

T0 = 1_780_000_000.0  # 2026-05-28


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_database(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    yield d
    d.dispose()


def _fill(db, n: int = 6) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for i in range(n):
            audit.append(
                s,
                "olga" if i % 2 == 0 else "arne",
                "cards.block" if i % 3 else "tariffs.edit",
                f"card-{i}",
                {"blocked": False, "n": i},
                {"blocked": True, "n": i},
                detail=f"entry {i} — åäö",
                now=T0 + 3600 * i,
            )


@pytest.mark.postgres
def test_chain_verifies_and_values_read_back_exactly(any_db) -> None:  # type: ignore[no-untyped-def]
    _fill(any_db)
    with any_db.session() as s:
        result = audit.verify_chain(s)
        first = audit.list_entries(s, limit=None)[-1]
    assert result.ok and result.checked == 6 and str(result) == "audit chain ok (6 entries)"
    assert first.prev_hash == audit.GENESIS and first.after == {"blocked": True, "n": 0}


@pytest.mark.parametrize(
    ("sql", "bad_id", "why"),
    [
        (
            'UPDATE audit_entries SET after = \'{"blocked": false, "n": 3}\' WHERE id = 4',
            4,
            "changed after it was written",
        ),
        ("UPDATE audit_entries SET operator = 'mallory' WHERE id = 2", 2, "changed after"),
        ("UPDATE audit_entries SET ts = ts + 1000 WHERE id = 5", 5, "changed after"),
        ("DELETE FROM audit_entries WHERE id = 3", 4, "does not follow #2"),
        ("DELETE FROM audit_entries WHERE id = 1", 2, "does not start the log"),
    ],
)
def test_tampering_is_named(db, sql: str, bad_id: int, why: str) -> None:  # type: ignore[no-untyped-def]
    _fill(db)
    with db.engine.begin() as conn:
        conn.execute(text(sql))
    with db.session() as s:
        result = audit.verify_chain(s)
        problems = audit.verify_problems(s)
    assert not result.ok and result.bad_id == bad_id and why in str(result)
    assert problems == [str(result)] and f"#{bad_id}" in problems[0]


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(db) -> None:  # type: ignore[no-untyped-def]
    """Even someone holding the site's key cannot rewrite an entry without breaking the
    link from the next one."""
    _fill(db)
    with db.session() as s:
        key = sitekey.key_for(sitekey.site_id(s))
        e = audit.list_entries(s, limit=None)[-3]  # id 3
        e.detail = "nothing to see"
        e.hash = audit.hash_of(e, key)
    with db.session() as s:
        result = audit.verify_chain(s)
    assert result.bad_id == 4 and "#3 was rewritten" in str(result)


@pytest.mark.postgres
def test_the_chain_cannot_fork(any_db) -> None:  # type: ignore[no-untyped-def]
    """Two writers that read the same last hash: the second insert is refused."""
    _fill(any_db, 2)
    with any_db.session() as s:
        head = audit.last_hash(s)
        taken = audit.list_entries(s, limit=None)[0].prev_hash  # the newest's predecessor
    with pytest.raises(IntegrityError), any_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entries (ts, operator, action, outcome, prev_hash, hash) "
                "VALUES (0, 'x', 'forged', 'ok', :p, 'h')"
            ),
            {"p": taken},
        )
    with any_db.session() as s:
        assert audit.last_hash(s) == head and audit.verify_chain(s).ok


def test_filters_and_csv_export(db) -> None:  # type: ignore[no-untyped-def]
    _fill(db)
    since = datetime.fromtimestamp(T0 + 3600, UTC)
    with db.session() as s:
        assert [e.id for e in audit.list_entries(s, AuditFilter(operator="arne"))] == [6, 4, 2]
        assert {e.action for e in audit.list_entries(s, AuditFilter(action="cards"))} == {
            "cards.block"
        }
        assert [e.id for e in audit.list_entries(s, AuditFilter(since=since, until=since))] == []
        assert len(audit.list_entries(s, AuditFilter(since=since))) == 5
        assert [e.id for e in audit.list_entries(s, AuditFilter(target="card-5"))] == [6]
        out = io.StringIO()
        n = audit.export_csv(s, out, AuditFilter(operator="olga"))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert n == 3 and [r["id"] for r in rows] == ["1", "3", "5"]  # oldest first
    assert rows[1]["after"] == '{"blocked": true, "n": 2}' and rows[1]["detail"] == "entry 2 — åäö"
    assert list(rows[0]) == audit.CSV_FIELDS


def test_cli_verify_fails_and_names_the_tampered_entry(
    db, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    add_staff(db)
    _fill(db)
    monkeypatch.setenv("STATIONMGR_USER", USERS["owner"])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS["owner"])
    assert main(["--db", db.url, "audit", "verify"]) == 0
    with db.engine.begin() as conn:
        victim = conn.execute(
            text("SELECT id FROM audit_entries WHERE action = 'tariffs.edit' ORDER BY id")
        ).scalar()
        conn.execute(
            text("UPDATE audit_entries SET detail = 'edited' WHERE id = :i"), {"i": victim}
        )
    capsys.readouterr()
    assert main(["--db", db.url, "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"audit chain broken at entry #{victim}" in err and "tariffs.edit" in err
    # `stationmgr verify` runs every registered check; the audit chain is one of them.
    assert main(["--db", db.url, "verify"]) == 1
    out = capsys.readouterr()
    assert f"#{victim}" in out.out + out.err and "audit" in out.out + out.err


def test_cli_export_with_filters_is_itself_audited(db, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    add_staff(db)
    _fill(db)
    monkeypatch.setenv("STATIONMGR_USER", "olga")
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS["owner"])
    out = tmp_path / "audit.csv"
    assert (
        main(
            [
                "--db",
                db.url,
                "audit",
                "export",
                "--operator",
                "arne",
                "--action",
                "cards",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and all(r["operator"] == "arne" and r["action"].startswith("cards.") for r in rows)
    with db.session() as s:
        (e,) = audit.list_entries(s, AuditFilter(action="audit.export"))
    assert e.operator == "olga" and "operator=arne" in e.detail and str(len(rows)) in e.detail
    assert main(["--db", db.url, "audit", "export", "--from", "2026-13-01"]) == 2
