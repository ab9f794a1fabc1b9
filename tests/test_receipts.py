"""Receipts: real PDFs read back with pdftotext; gapless numbers under concurrency and when
the issuing process is killed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr.billing.ledger import verify_chain
from stationmgr.billing.receipts import issue_receipt, receipt_pdf, verify_numbering
from stationmgr.store.billing_models import Receipt
from stationmgr.store.db import Database, open_database
from tests.billing_site import SELLER, T0, build_billing_site, finish_session, persister

ROOT = Path(__file__).resolve().parents[1]


def pdftext(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


def amount(text: str) -> int:
    """`1 234,56` or `1,234.56` → minor units."""
    t = text.replace("\u00a0", "").replace(" ", "")
    if "," in t and "." in t:
        t = t.replace(",", "")
    return int(Decimal(t.replace(",", ".")) * 100)


@pytest.fixture
def site(sqlite_db: Database) -> Database:
    build_billing_site(sqlite_db, bays=2)
    return sqlite_db


def test_swedish_receipt_has_every_field_and_adds_up(site: Database, tmp_path: Path) -> None:
    row = finish_session(site, persister(), 1, T0, 90, 22.5, idle_min=45)
    rec, pdf = receipt_pdf(site, row.id, "sv")
    txt = pdftext(pdf, tmp_path)
    assert rec.number == 1
    for value in SELLER.values():
        for part in value.split(";"):
            assert part in txt, part
    for field in ("KVITTO", "Kvittonummer: 1", "Laddplats:", "P1", "••••2C3D", "Åsa Öberg 3D"):
        assert field in txt, field
    assert "0A1B2C3D" not in txt  # the card is masked
    assert "2026-03-02 09:00:00" in txt and "2026-03-02 11:15:00" in txt  # local time (CET)
    assert "2:15:00" in txt and "1:30:00" in txt and "0:45:00" in txt  # plugged/charging/idle
    assert "22,500 kWh" in txt and "100,000 / 122,500 kWh" in txt  # energy, meter start/stop
    assert "Effekt under laddningen" in txt
    assert re.search(r"Verifieringskod:\s+([0-9A-F]{4}-){3}[0-9A-F]{4}", txt)
    assert rec.verification in txt

    # Every priced line: item, quantity, unit price, net, VAT %, VAT, amount.
    money = r"-?\d[\d\u00a0 ]*,\d\d"
    pat = re.compile(
        rf"^(Startavgift|Energi|Tomgångsavgift)\s+(.+?)\s+({money}/\S+)\s+({money})\s+(\d+ %)"
        rf"\s+({money})\s+({money})$",
        re.M,
    )
    lines = pat.findall(txt)
    assert [x[0] for x in lines] == ["Startavgift", "Energi", "Tomgångsavgift"]
    nets = [amount(x[3]) for x in lines]
    vats = [amount(x[5]) for x in lines]
    amounts = [amount(x[6]) for x in lines]
    assert all(n + v == a for n, v, a in zip(nets, vats, amounts, strict=True))
    assert [x[4] for x in lines] == ["25 %"] * 3
    total = amount(re.search(rf"Att betala:\s+({money}) SEK", txt).group(1))  # type: ignore[union-attr]
    net_total = amount(re.search(rf"Summa netto:\s+({money}) SEK", txt).group(1))  # type: ignore[union-attr]
    vat_total = amount(re.search(rf"Summa moms:\s+({money}) SEK", txt).group(1))  # type: ignore[union-attr]
    assert sum(nets) == net_total and sum(vats) == vat_total
    assert net_total + vat_total == total == sum(amounts) == 12344


def test_english_receipt_for_a_guest(site: Database, tmp_path: Path) -> None:
    row = finish_session(site, persister(), 2, T0, 30, 5.0, card=None)
    rec, pdf = receipt_pdf(site, row.id, "en")
    txt = pdftext(pdf, tmp_path)
    for field in (
        "RECEIPT",
        f"Receipt number: {rec.number}",
        "Guest (started by staff)",
        "Started by:",
        "anna",
        "5.000 kWh",
        "Total:",
        "VAT total:",
        "Verification code",
    ):
        assert field in txt, field
    assert "€" not in txt


def test_reprint_keeps_number_and_code(site: Database, tmp_path: Path) -> None:
    p = persister()
    a = finish_session(site, p, 1, T0, 30, 5.0)
    b = finish_session(site, p, 2, T0, 30, 6.0)
    ra, _ = receipt_pdf(site, b.id)
    rb, _ = receipt_pdf(site, a.id)
    again, pdf = receipt_pdf(site, b.id, "en")
    assert (ra.number, rb.number, again.number) == (1, 2, 1)
    assert again.verification == ra.verification
    assert "Receipt number: 1" in pdftext(pdf, tmp_path)


def test_euro_sign_and_swedish_letters_are_embedded(site: Database, tmp_path: Path) -> None:
    from stationmgr.billing.site import set_site_value

    with site.session() as s:
        set_site_value(s, "seller_name", "Café Ö & Ä – laddning €")
    row = finish_session(site, persister(), 1, T0, 30, 5.0)
    _, pdf = receipt_pdf(site, row.id, "sv")
    assert b"DejaVuSans" in pdf  # embedded subset
    assert "Café Ö & Ä – laddning €" in pdftext(pdf, tmp_path)


def test_unknown_or_running_session_is_refused(site: Database) -> None:
    from stationmgr.errors import UserError

    with pytest.raises(UserError, match="no session"):
        issue_receipt(site, 999)
    with pytest.raises(UserError, match="sv or en"):
        receipt_pdf(site, 1, "de")


# ---------------------------------------------------------------- numbering under stress

ISSUER = """
import sys
from stationmgr.store.db import open_database
from stationmgr.billing.receipts import issue_receipt
db = open_database(sys.argv[1])
ids = [int(x) for x in sys.argv[2].split(",")]
for sid in ids:
    issue_receipt(db, sid)
print("done", flush=True)
"""


def _sessions(db: Database, n: int) -> list[int]:
    p = persister()
    return [finish_session(db, p, 1 + i % 2, T0 + i * 3600, 20, 3.0 + i).id for i in range(n)]


def _numbers(db: Database) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(Receipt.number).order_by(Receipt.number)))


def _assert_gapless(db: Database, n: int) -> None:
    assert _numbers(db) == list(range(1, n + 1))
    with db.session() as s:
        assert verify_numbering(s) == [] and verify_chain(s) == []
        per_session = s.execute(
            select(Receipt.session_id, func.count()).group_by(Receipt.session_id)
        ).all()
        assert all(c == 1 for _, c in per_session) and len(per_session) == n


def test_two_processes_issuing_at_once_stay_gapless(site: Database) -> None:
    ids = _sessions(site, 30)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    orders = [ids, list(reversed(ids))]  # they also collide on the same sessions
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ISSUER, site.url, ",".join(map(str, o))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for o in orders
    ]
    try:
        for p in procs:
            _out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    _assert_gapless(site, 30)


def test_threads_issuing_at_once_stay_gapless(any_db: Database) -> None:
    """Three connection pools racing, on SQLite and on a real PostgreSQL server."""
    build_billing_site(any_db, bays=2)
    site = any_db
    ids = _sessions(site, 20)
    errors: list[BaseException] = []

    def work(order: list[int], db: Database) -> None:
        try:
            for sid in order:
                issue_receipt(db, sid)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    orders = [ids, ids[::-1], ids[5:] + ids[:5]]
    dbs = [open_database(site.url, upgrade=False) for _ in orders]  # one connection pool each
    threads = [
        threading.Thread(target=work, args=(o, db), name=f"issuer-{i}")
        for i, (o, db) in enumerate(zip(orders, dbs, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for db in dbs:
        db.dispose()
    assert not errors
    _assert_gapless(site, 20)


def test_killed_while_issuing_loses_no_number(site: Database) -> None:
    ids = _sessions(site, 40)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Kill the issuer at a few different moments while it is numbering receipts.
    for kill_after in (3, 11, 19, 27):
        p = subprocess.Popen(
            [sys.executable, "-c", ISSUER, site.url, ",".join(map(str, ids))],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while len(_numbers(site)) < kill_after and time.monotonic() < deadline:
                if p.poll() is not None:
                    break
                time.sleep(0.001)
            os.kill(p.pid, signal.SIGKILL)
        finally:
            p.wait()
        numbers = _numbers(site)
        assert numbers == list(range(1, len(numbers) + 1))  # gapless after every kill
    for sid in ids:  # a fresh run completes the rest with the next numbers
        issue_receipt(site, sid)
    _assert_gapless(site, 40)
    with site.session() as s:
        from sqlalchemy import text

        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
