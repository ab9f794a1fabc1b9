"""The hash-chained ledger: every closed session is in it, corrections append, tampering
with any stored transaction, priced line or entry makes `verify` name the broken entry."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from stationmgr.billing.charges import correct_price, current_price
from stationmgr.billing.ledger import verify_chain
from stationmgr.billing.receipts import issue_receipt, verify_numbering
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.store.billing_models import LedgerEntry, PricedLine, SessionPrice
from stationmgr.store.db import Database
from stationmgr.verify import run_checks
from tests.billing_site import T0, build_billing_site, finish_session, persister


@pytest.fixture
def site(any_db: Database) -> tuple[Database, list[int]]:
    """The same ledger on SQLite and on a real PostgreSQL server."""
    build_billing_site(any_db, bays=2)
    p = persister()
    ids = [
        finish_session(any_db, p, 1 + i % 2, T0 + i * 7200, 60, 10 + i, idle_min=40).id
        for i in range(5)
    ]
    return any_db, ids


def problems(db: Database) -> list[str]:
    with db.session() as s:
        return verify_chain(s) + verify_numbering(s)


def test_every_closed_session_is_priced_and_chained(site: tuple[Database, list[int]]) -> None:
    db, ids = site
    with db.session() as s:
        entries = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert [e.session_id for e in entries] == ids
        assert entries[0].prev_hash == "0" * 64
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert problems(db) == []


@pytest.mark.parametrize(
    ("sql", "expect"),
    [
        ("UPDATE sessions SET energy_wh = energy_wh - 1000 WHERE id = :sid", "'energy_wh'"),
        ("UPDATE sessions SET holder_name = 'Someone' WHERE id = :sid", "'holder_name'"),
        ("UPDATE sessions SET stopped_at = stopped_at + 60000 WHERE id = :sid", "'stopped_at'"),
        (
            "UPDATE priced_lines SET net_minor = net_minor - 100 WHERE price_id IN "
            "(SELECT id FROM session_prices WHERE session_id = :sid) AND kind = 'energy'",
            "priced line 2 (energy) field 'net_minor'",
        ),
        (
            "UPDATE priced_lines SET vat_bp = 600 WHERE price_id IN "
            "(SELECT id FROM session_prices WHERE session_id = :sid) AND kind = 'start_fee'",
            "priced line 1 (start_fee) field 'vat_bp'",
        ),
        (
            "DELETE FROM priced_lines WHERE price_id IN "
            "(SELECT id FROM session_prices WHERE session_id = :sid) AND kind = 'idle_fee'",
            "priced line 3 (idle_fee) was removed",
        ),
        (
            "UPDATE session_prices SET total_minor = 1 WHERE session_id = :sid",
            "price 'total_minor'",
        ),
        (
            'UPDATE ledger_entries SET payload = replace(payload, \'"kind":"sale"\', '
            '\'"kind":"sold"\') WHERE session_id = :sid',
            "its hash does not match its content",
        ),
    ],
)
def test_tampering_is_found_and_named(
    site: tuple[Database, list[int]], sql: str, expect: str
) -> None:
    db, ids = site
    victim = ids[2]
    with db.session() as s:
        s.execute(text(sql), {"sid": victim})
    found = problems(db)
    assert found, "tampering was not noticed"
    assert found[0].startswith("ledger entry #3:"), found
    assert expect in found[0]
    if "hash" not in expect:
        assert f"session {victim}" in found[0]


def test_a_cut_or_shortened_chain_is_found(site: tuple[Database, list[int]]) -> None:
    db, _ = site
    with db.session() as s:
        s.execute(text("DELETE FROM ledger_entries WHERE seq = 4"))
    assert problems(db)[0].startswith("ledger entry #5: out of sequence")


def test_a_closed_session_missing_from_the_ledger_is_found(
    site: tuple[Database, list[int]],
) -> None:
    db, ids = site
    with db.session() as s:
        s.execute(text("DELETE FROM ledger_entries WHERE seq = 5"))
    assert any(f"session {ids[4]}" in p and "not in the ledger" in p for p in problems(db))


def test_correction_is_a_reversal_plus_a_new_entry(site: tuple[Database, list[int]]) -> None:
    db, ids = site
    with db.session() as s:
        cheap = add_tariff(
            s,
            TariffInput(
                name="Kampanj",
                valid_from=datetime(2026, 6, 1, tzinfo=UTC),
                group="Personal",
                energy_minor_per_kwh=100,
            ),
        )
        old = current_price(s, ids[1])
        assert old is not None
        old_total, old_lines = old.total_minor, [x.net_minor for x in old.lines]
        new = correct_price(s, ids[1], cheap.id, "wrong tariff applied")
        assert new.revision == 2 and new.total_minor < old_total
    with db.session() as s:
        entries = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        assert [(e.kind, e.session_id) for e in entries[-2:]] == [
            ("reversal", ids[1]),
            ("sale", ids[1]),
        ]
        assert entries[-2].reverses_seq == 2
        # the first price is untouched: history is never edited
        first = s.scalar(
            select(SessionPrice).where(
                SessionPrice.session_id == ids[1], SessionPrice.revision == 1
            )
        )
        assert first is not None and first.total_minor == old_total
        assert [x.net_minor for x in first.lines] == old_lines
        assert s.scalar(select(PricedLine).where(PricedLine.price_id == new.id)) is not None
    assert problems(db) == []


def test_receipt_numbering_gap_and_wrong_code_are_found(site: tuple[Database, list[int]]) -> None:
    db, ids = site
    for sid in ids:
        issue_receipt(db, sid)
    assert problems(db) == []
    with db.session() as s:
        code = s.execute(text("SELECT verification FROM receipts WHERE number = 2")).scalar()
        s.execute(text("UPDATE receipts SET verification = 'AAAA-BBBB-CCCC-DDDD' WHERE number = 2"))
    assert "receipt 2: verification code" in problems(db)[0]
    with db.session() as s:
        s.execute(text("UPDATE receipts SET verification = :v WHERE number = 2"), {"v": code})
        s.execute(text("DELETE FROM receipts WHERE number = 3"))
    assert "gap at number 3" in problems(db)[0]


def test_verify_registry_runs_every_check(site: tuple[Database, list[int]]) -> None:
    db, _ = site
    results = run_checks(db)
    names = [r.name for r in results]
    assert "ledger" in names and "receipts" in names
    assert all(r.ok for r in results)
