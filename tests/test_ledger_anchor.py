"""The end of the ledger and of the receipts (reliability review, defect 8): deleting the
last sale together with its price, lines and session, or deleting the last receipt, left a
shorter history that `verify` passed. The newest of each is anchored outside the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from stationmgr.billing.receipts import issue_receipt
from stationmgr.store.db import Database
from stationmgr.verify import run_checks
from tests.billing_site import T0, build_billing_site, finish_session, persister


@pytest.fixture
def site(any_db: Database) -> Database:
    build_billing_site(any_db, bays=2)
    p = persister()
    for i in range(4):
        row = finish_session(any_db, p, 1 + i % 2, T0 + i * 7200, 60, 10 + i)
        issue_receipt(any_db, row.id)
    return any_db


def _problems(db: Database) -> list[str]:
    return [p for r in run_checks(db) for p in r.problems]


@pytest.mark.postgres
def test_an_untouched_history_verifies(site: Database) -> None:
    assert _problems(site) == []


@pytest.mark.postgres
def test_deleting_the_last_sale_with_its_price_lines_and_session_is_detected(
    site: Database,
) -> None:
    with site.engine.begin() as c:
        seq, sid, pid = c.execute(
            text("SELECT seq, session_id, price_id FROM ledger_entries ORDER BY seq DESC")
        ).first()
        c.execute(text("DELETE FROM receipts WHERE price_id = :p"), {"p": pid})
        c.execute(text("DELETE FROM ledger_entries WHERE seq = :s"), {"s": seq})
        c.execute(text("DELETE FROM priced_lines WHERE price_id = :p"), {"p": pid})
        c.execute(text("DELETE FROM session_prices WHERE id = :p"), {"p": pid})
        for table in ("meter_samples", "charger_events", "faults", "session_claims"):
            c.execute(text(f"DELETE FROM {table} WHERE session_id = :s"), {"s": sid})
        c.execute(text("DELETE FROM sessions WHERE id = :s"), {"s": sid})
    problems = _problems(site)
    assert any(f"ledger entry {seq} was issued but is gone" in p for p in problems), problems
    assert any("receipt 4 was issued but is gone" in p for p in problems), problems


@pytest.mark.postgres
def test_deleting_the_last_receipt_is_detected(site: Database) -> None:
    with site.engine.begin() as c:
        c.execute(text("DELETE FROM receipts WHERE number = 4"))
    problems = _problems(site)
    assert any("receipt 4 was issued but is gone" in p for p in problems), problems
