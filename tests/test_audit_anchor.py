"""The end of the audit chain: keyed hashes and an anchor kept outside the database.

Reliability review, defect 8: `verify` said "ok" after deleting the last audit row or the
last five, after appending a forged row with a correctly computed hash, and after editing a
middle row and recomputing the later hashes — the chain was unkeyed SHA-256 and its head
was nowhere but in the database. Each tamper below is what someone who can write the
database file, but not the site's secrets, can do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from stationmgr.access import audit
from stationmgr.access.roles import Role
from stationmgr.cli import main
from stationmgr.store.db import Database, open_database
from tests.access_site import PASSWORDS, USERS, add_staff

T0 = 1_780_000_000.0


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    add_staff(db)  # the owner, two operators and their logins
    with db.session() as s:
        for i in range(8):
            audit.append(s, "olga", "cards.block", f"card-{i}", {"n": i}, {"n": i + 1})
    yield db
    db.dispose()


def _rows(db: Database) -> list[dict]:  # type: ignore[type-arg]
    with db.engine.connect() as c:
        return [
            dict(r._mapping)
            for r in c.execute(text("SELECT * FROM audit_entries ORDER BY id")).all()
        ]


def _plain_hash(r: dict, prev: str) -> str:  # type: ignore[type-arg]
    """What the hash would be by the published algorithm, computed without any key."""
    import json

    def js(v: str | None) -> object:
        return None if v is None else json.loads(v)

    return audit.entry_hash(
        prev,
        r["ts"],
        r["operator"],
        r["action"],
        r["target"],
        js(r["before"]),
        js(r["after"]),
        r["outcome"],
        r["detail"],
    )


def _verify(db: Database) -> audit.ChainCheck:
    with db.session() as s:
        return audit.verify_chain(s)


def _cli_verify(db: Database, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("STATIONMGR_USER", USERS[Role.ACCOUNTANT])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[Role.ACCOUNTANT])
    return main(["--db", db.url, "verify"])


def test_an_untouched_chain_verifies(site: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _verify(site).ok
    assert _cli_verify(site, monkeypatch) == 0


@pytest.mark.parametrize("n", [1, 5])
def test_deleting_the_last_entries_is_detected(
    site: Database, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = _rows(site)[-1]["id"]
    with site.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE id > :k"), {"k": last - n})
    result = _verify(site)
    assert not result.ok and result.bad_id == last and "deleted" in str(result)
    assert _cli_verify(site, monkeypatch) != 0


def test_a_forged_entry_with_a_correct_plain_hash_is_detected(site: Database) -> None:
    head = _rows(site)[-1]
    forged = {
        "ts": int(T0 * 1000),
        "operator": "olga",
        "action": "cards.unblock",
        "target": "card-7",
        "before": None,
        "after": None,
        "outcome": "ok",
        "detail": "forged",
    }
    h = _plain_hash(forged, head["hash"])
    with site.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO audit_entries (ts, operator, action, target, outcome, detail, "
                "prev_hash, hash) VALUES (:ts, :operator, :action, :target, :outcome, "
                ":detail, :prev, :hash)"
            ),
            {**forged, "prev": head["hash"], "hash": h},
        )
    result = _verify(site)
    assert not result.ok and result.bad_id == head["id"] + 1
    assert "not keyed" in str(result)


def test_an_edit_with_every_later_hash_recomputed_is_detected(site: Database) -> None:
    rows = _rows(site)
    middle = len(rows) // 2
    rows[middle]["detail"] = "nothing to see"
    prev = rows[middle]["prev_hash"]
    with site.engine.begin() as c:
        # prev_hash is unique: move the tail out of the way, then write it back re-hashed
        c.execute(
            text("UPDATE audit_entries SET prev_hash = 'x' || id WHERE id >= :k"),
            {"k": rows[middle]["id"]},
        )
        for r in rows[middle:]:
            r["prev_hash"], r["hash"] = prev, _plain_hash(r, prev)
            prev = r["hash"]
            c.execute(
                text(
                    "UPDATE audit_entries SET detail = :detail, prev_hash = :prev_hash, "
                    "hash = :hash WHERE id = :id"
                ),
                r,
            )
    result = _verify(site)
    assert not result.ok and result.bad_id == rows[middle]["id"]


def test_cutting_the_tail_and_appending_a_forgery_is_detected(site: Database) -> None:
    rows = _rows(site)
    with site.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE id = :k"), {"k": rows[-1]["id"]})
        r = dict(rows[-1], detail="forged")
        r["hash"] = _plain_hash(r, r["prev_hash"])
        c.execute(
            text(
                "INSERT INTO audit_entries (id, ts, operator, action, target, before, after, "
                "outcome, detail, prev_hash, hash) VALUES (:id, :ts, :operator, :action, "
                ":target, :before, :after, :outcome, :detail, :prev_hash, :hash)"
            ),
            r,
        )
    assert not _verify(site).ok


def _legacy_chain(db: Database, n: int = 4) -> None:
    """Entries as an older version wrote them: plain SHA-256, no site key, no anchor."""
    prev = audit.GENESIS
    with db.engine.begin() as c:
        for i in range(n):
            r = {
                "ts": int(T0 * 1000) + i,
                "operator": "olga",
                "action": "cards.block",
                "target": f"card-{i}",
                "before": None,
                "after": None,
                "outcome": "ok",
                "detail": None,
            }
            h = _plain_hash(r, prev)
            c.execute(
                text(
                    "INSERT INTO audit_entries (ts, operator, action, target, outcome, "
                    "prev_hash, hash) VALUES (:ts, :operator, :action, :target, :outcome, "
                    ":prev, :hash)"
                ),
                {**r, "prev": prev, "hash": h},
            )
            prev = h


def test_an_older_unkeyed_chain_is_reported_and_sealed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = open_database(url)
    try:
        _legacy_chain(db)
        result = _verify(db)
        assert not result.ok and "stationmgr audit seal" in str(result)
        assert main(["--db", url, "audit", "seal"]) == 0
        assert _verify(db).ok
        # The seal's keyed hash covers the older entries: rewriting one is still seen.
        with db.engine.begin() as c:
            c.execute(text("UPDATE audit_entries SET target = 'card-x' WHERE id = 2"))
        assert _verify(db).bad_id == 2
    finally:
        db.dispose()


def test_a_tampered_older_chain_is_not_sealed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = open_database(url)
    try:
        _legacy_chain(db)
        with db.engine.begin() as c:
            c.execute(text("UPDATE audit_entries SET target = 'card-x' WHERE id = 2"))
        assert main(["--db", url, "audit", "seal"]) == 2
        assert not _verify(db).ok
    finally:
        db.dispose()
