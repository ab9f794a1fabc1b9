"""A ledger that can be anchored (review defect 5): the hashes cover the meter samples and
tariff rows a price was made from, and the head's short code, kept outside the database
(month summary, invoice, the owner's anchor file), lets `verify --anchor CODE` see the newest
entries cut off and a chain re-hashed with the public algorithm.

Each tamper is what someone who can write the database file can do."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from stationmgr.billing import ledger
from stationmgr.billing.receipts import issue_receipt
from stationmgr.billing.site import set_site_value
from stationmgr.cli import main
from stationmgr.errors import UserError
from stationmgr.store.db import Database
from stationmgr.verify import run_checks
from tests.billing_site import T0, build_billing_site, finish_session, persister


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    p = persister()
    for i in range(6):
        row = finish_session(sqlite_db, p, 1 + i % 2, T0 + i * 7200, 60, 10 + i, idle_min=45)
        issue_receipt(sqlite_db, row.id)
    return sqlite_db


def ledger_problems(db: Database) -> list[str]:
    return [p for r in run_checks(db, only=["ledger"]) for p in r.problems]


def cli_verify(db: Database, *codes: str) -> int:
    return main(["--db", db.url, "verify", *[x for c in codes for x in ("--anchor", c)]])


def code(db: Database) -> str:
    from stationmgr.billing.anchors import head_code

    with db.session() as s:
        return head_code(s)


def test_an_untouched_ledger_verifies_against_its_code(site: Database) -> None:
    from stationmgr.billing.anchors import parse_code

    c = code(site)
    assert parse_code(c)[0] == 6
    assert ledger_problems(site) == []
    assert cli_verify(site, c) == 0


def test_an_edited_meter_sample_is_detected(site: Database) -> None:
    _raw_for_years(site)
    with site.engine.begin() as c:
        c.execute(
            text(
                "UPDATE meter_samples SET energy_wh = energy_wh + 500 WHERE id = "
                "(SELECT min(id) + 10 FROM meter_samples WHERE session_id = 3)"
            )
        )
    found = ledger_problems(site)
    assert found and "session 3" in found[0] and "meter samples" in found[0], found


def _raw_for_years(db: Database) -> None:
    from stationmgr.settings import set_setting

    with db.session() as s:  # the sessions (March 2026) are still in the raw window
        set_setting(s, "retention", {"keep_raw_days": 36500, "resolution_s": 900})


def test_a_deleted_meter_sample_is_detected(site: Database) -> None:
    _raw_for_years(site)
    with site.engine.begin() as c:
        c.execute(
            text(
                "DELETE FROM meter_samples WHERE id = (SELECT min(id) + 20 FROM meter_samples "
                "WHERE session_id = 6)"
            )
        )
    found = ledger_problems(site)
    assert found and "session 6" in found[0] and "meter samples" in found[0], found


def test_samples_thinned_by_retention_still_verify_but_not_their_ends_changed(
    site: Database,
) -> None:
    from datetime import UTC, datetime

    from stationmgr.store.retention import downsample

    with site.session() as s:
        assert downsample(s, datetime(2027, 1, 1, tzinfo=UTC), 90, 900) > 0
    assert ledger_problems(site) == []  # older than the raw window: thinned is fine
    with site.engine.begin() as c:
        c.execute(
            text(
                "DELETE FROM meter_samples WHERE id = (SELECT max(id) FROM meter_samples "
                "WHERE session_id = 4)"
            )
        )
    found = ledger_problems(site)
    assert found and "session 4" in found[0] and "meter samples" in found[0], found


def test_a_late_sample_after_the_price_is_not_a_tamper(site: Database) -> None:
    with site.engine.begin() as c:  # a retried MeterValues arriving after the stop
        c.execute(
            text(
                "INSERT INTO meter_samples (session_id, ts, energy_wh) SELECT session_id, "
                "ts + 1000, energy_wh FROM meter_samples WHERE session_id = 2 "
                "ORDER BY id DESC LIMIT 1"
            )
        )
    assert ledger_problems(site) == []


def test_an_edited_tariff_row_is_detected(site: Database) -> None:
    with site.engine.begin() as c:
        c.execute(text("UPDATE tariffs SET energy_minor_per_kwh = 150"))
    found = ledger_problems(site)
    assert found and "tariff 1 it was priced by was altered" in found[0], found


def _cut_newest(db: Database, n: int) -> None:
    with db.engine.begin() as c:
        rows = c.execute(
            text("SELECT seq, session_id, price_id FROM ledger_entries ORDER BY seq DESC LIMIT :n"),
            {"n": n},
        ).all()
        for seq, sid, pid in rows:
            c.execute(text("DELETE FROM receipts WHERE price_id = :p"), {"p": pid})
            c.execute(text("DELETE FROM ledger_entries WHERE seq = :s"), {"s": seq})
            c.execute(text("DELETE FROM priced_lines WHERE price_id = :p"), {"p": pid})
            c.execute(text("DELETE FROM session_prices WHERE id = :p"), {"p": pid})
            for table in ("meter_samples", "charger_events", "faults", "session_claims"):
                c.execute(text(f"DELETE FROM {table} WHERE session_id = :s"), {"s": sid})
            c.execute(text("DELETE FROM sessions WHERE id = :s"), {"s": sid})


def test_cutting_the_newest_entries_is_seen_by_the_code(site: Database) -> None:
    c = code(site)
    _cut_newest(site, 2)
    assert ledger_problems(site) == []  # what is left is a valid chain
    assert cli_verify(site, c) == 1
    with site.session() as s:
        from stationmgr.billing.anchors import check_codes

        found = check_codes(s, [c])
    assert found and "ledger entry 6 is gone (the newest is 4)" in found[0]


def _rehash_from(db: Database, seq: int, lower_by: int) -> None:
    """Lower entry `seq`'s first line by `lower_by` öre in the rows and the payload, and
    recompute every hash from there on with the published algorithm."""
    with db.engine.begin() as c:
        entries = [
            dict(r._mapping)
            for r in c.execute(
                text("SELECT * FROM ledger_entries WHERE seq >= :s ORDER BY seq"), {"s": seq}
            )
        ]
        target = entries[0]
        d = json.loads(target["payload"])
        line = d["price"]["lines"][0]
        for k in ("net_minor", "amount_minor"):
            line[k] -= lower_by
        d["price"]["net_minor"] -= lower_by
        d["price"]["total_minor"] -= lower_by
        c.execute(
            text(
                "UPDATE priced_lines SET net_minor = net_minor - :d, amount_minor = "
                "amount_minor - :d WHERE price_id = :p AND seq = :q"
            ),
            {"d": lower_by, "p": target["price_id"], "q": line["seq"]},
        )
        c.execute(
            text(
                "UPDATE session_prices SET net_minor = net_minor - :d, total_minor = "
                "total_minor - :d WHERE id = :p"
            ),
            {"d": lower_by, "p": target["price_id"]},
        )
        target["payload"] = ledger.canonical(d)
        c.execute(
            text(
                "UPDATE ledger_entries SET prev_hash = 'x' || seq, hash = 'y' || seq "
                "WHERE seq >= :s"
            ),
            {"s": seq},
        )
        prev = entries[0]["prev_hash"]
        for e in entries:
            e["prev_hash"], e["hash"] = prev, ledger.chain_hash(prev, e["payload"])
            prev = e["hash"]
            c.execute(
                text(
                    "UPDATE ledger_entries SET payload = :payload, prev_hash = :prev_hash, "
                    "hash = :hash WHERE seq = :seq"
                ),
                e,
            )


def test_a_rehashed_chain_verifies_alone_but_not_against_its_code(site: Database) -> None:
    c = code(site)
    _rehash_from(site, 3, 1000)
    assert ledger_problems(site) == []  # internally consistent: the public algorithm
    assert cli_verify(site, c) == 1
    with site.session() as s:
        from stationmgr.billing.anchors import check_codes

        assert "re-hashed" in check_codes(s, [c])[0]


def test_a_bad_code_is_one_line_and_exit_2(
    site: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_verify(site, "12-XYZ") == 2
    from stationmgr.billing.anchors import parse_code

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "invalid anchor code" in err[0]
    with pytest.raises(UserError):
        parse_code("0012")


def test_the_anchor_file_is_checked_by_every_verify(
    site: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "usb" / "anchors.txt"
    path.parent.mkdir()
    with site.session() as s:
        set_site_value(s, "anchor_file", str(path))
    assert main(["--db", site.url, "anchors", "export"]) == 0
    assert main(["--db", site.url, "anchors", "where"]) == 0
    out = capsys.readouterr().out
    assert str(path) in out and code(site) in out
    assert code(site) in path.read_text()
    assert main(["--db", site.url, "verify"]) == 0
    _cut_newest(site, 1)
    assert main(["--db", site.url, "verify"]) == 1
    assert "anchors: BROKEN: anchor 6-" in capsys.readouterr().out


def test_the_month_summary_prints_the_code(site: Database, tmp_path: Path) -> None:
    from stationmgr.billing import statements as stm
    from stationmgr.billing.anchors import head_code, month_head_code

    with site.session() as s:
        m = stm.month_summary(s, 2026, 3)
        assert m.ledger_code == month_head_code(s, 2026, 3) == head_code(s)
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(stm.render_summary(m, "sv"))
    txt = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Kontrollkod huvudbok: {m.ledger_code}" in txt
    with site.session() as s:
        assert month_head_code(s, 2026, 2) == "0-0000-0000-0000-0000"  # nothing by then
