"""Billing benchmark: receipts per second, and a month's statements for a 20-bay site.

Builds a fresh SQLite site (20 bays, 120 cards of 60 holders in 3 groups), writes a month of
sessions with 5-minute meter samples through the engine's Persister (so each close is priced
and chained by the real closed hook), then measures:

- closing: sessions priced + appended to the ledger per second (in the writer's batches);
- receipts: 1,000 receipts issued (gapless number, one transaction each) and rendered as
  PDF, per second (goal ≥ 100/s), and re-rendering alone;
- the month: every holder's statement (PDF + CSV), every group's, the accountant's summary
  (PDF + CSV), the SIE and CSV exports, and `verify` over the whole ledger;
- the month close: closing the month (its SIE and CSV made and stored) and checking it.

Figures, not assertions.

    .venv/bin/python bench/receipts.py [--sessions-per-bay-day 8] [--receipts 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from stationmgr import sessions as sm
from stationmgr.billing import statements as stm
from stationmgr.billing.charges import price_closed_session
from stationmgr.billing.ledger import verify_chain
from stationmgr.billing.receipts import issue_receipt_doc, receipt_doc, render_receipt
from stationmgr.billing.sales import sales_csv
from stationmgr.billing.sie import export_sie
from stationmgr.billing.site import month_bounds, set_site_value, site_tz
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cards import CardInput, add_card, find_card_facts
from stationmgr.ocpp_words import AuthStatus, StopReason
from stationmgr.store.billing_models import Receipt
from stationmgr.store.db import Database, open_database
from stationmgr.store.models import Bay, CardGroup, CardHolder, Charger, ChargeSession
from stationmgr.store.persist import Persister

YEAR, MONTH = 2026, 3
BAYS = 20


def build(db: Database) -> list[sm.Authorization]:
    with db.session() as s:
        for i in range(1, BAYS + 1):
            c = Charger(name=f"c{i}", driver="inproc", port=f"inproc://c{i}")
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=f"P{i:02d}"))
        for k, v in {
            "seller_name": "Laddgården Åre AB",
            "seller_org_number": "556677-8899",
            "seller_address": "Storgatan 1;837 52 Åre",
            "seller_vat_number": "SE556677889901",
        }.items():
            set_site_value(s, k, v)
        groups = ["Personal", "Hyresgäster", "Företag"]
        for n in range(120):
            add_card(
                s,
                CardInput(
                    uid=f"{0x10000000 + n * 7919:08X}",
                    holder=f"Kund {n % 60:02d}",
                    group=groups[n % 3],
                ),
            )
        add_tariff(
            s,
            TariffInput(
                name="Standard",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                energy_minor_per_kwh=349,
                start_fee_minor=500,
                idle_minor_per_min=100,
                idle_grace_min=30,
                idle_cap_minor=20_000,
            ),
        )
        add_tariff(
            s,
            TariffInput(
                name="Vår",
                valid_from=datetime(2026, 3, 15, tzinfo=UTC),
                energy_minor_per_kwh=329,
                start_fee_minor=500,
                idle_minor_per_min=100,
                idle_grace_min=30,
                idle_cap_minor=20_000,
            ),
        )
        add_tariff(
            s,
            TariffInput(
                name="Gäst",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                guests=True,
                energy_minor_per_kwh=450,
                start_fee_minor=1000,
            ),
        )
        auths = []
        for n in range(120):
            f = find_card_facts(s, f"{0x10000000 + n * 7919:08X}")
            assert f is not None
            auths.append(
                sm.Authorization(
                    AuthStatus.ACCEPTED,
                    card_id=f.card_id,
                    card_uid=f.uid,
                    holder_id=f.holder_id,
                    holder_name=f.holder_name,
                    group_id=f.group_id,
                )
            )
    return auths


def month_of_sessions(
    db: Database, auths: list[sm.Authorization], per_day: int
) -> tuple[int, float]:
    rnd = random.Random(7)
    p = Persister()
    p.closed_hooks.append(price_closed_session)
    start, _ = month_bounds(YEAR, MONTH, site_tz_default())
    t_month = start.timestamp()
    meters = [rnd.uniform(1e5, 1e6) for _ in range(BAYS)]
    records: list[object] = []
    n = 0
    t_write = 0.0
    for day in range(31):
        for bay in range(1, BAYS + 1):
            t = t_month + day * 86400 + 6 * 3600 + rnd.uniform(0, 1800)
            for _ in range(per_day):
                guest = rnd.random() < 0.1
                auth = (
                    sm.Authorization(
                        AuthStatus.ACCEPTED,
                        holder_name="Guest",
                        reason="kortet glömt",
                        started_by="anna",
                    )
                    if guest
                    else rnd.choice(auths)
                )
                kw = rnd.choice((3.7, 7.4, 11.0))
                charge_s = rnd.uniform(900, 5400)
                idle_s = rnd.choice((0, 600, 2400, 5400))
                wh = kw * 1000 * charge_s / 3600
                m0 = meters[bay - 1]
                uid = sm.tx_uid_for(bay, t)
                tx = sm.Transaction(uid, bay, auth, t, t, m0, m0, m0)
                records.append(sm.TransactionStarted(tx))
                k = 0.0
                while k <= charge_s:
                    records.append(
                        sm.MeterSampled(
                            uid, bay, t + k, m0 + wh * k / charge_s, kw * 1000, (16.0, 16.0, 16.0)
                        )
                    )
                    k += 300
                stop = t + charge_s + idle_s
                records.append(
                    sm.TransactionStopped(
                        sm.Transaction(
                            uid,
                            bay,
                            auth,
                            t,
                            t,
                            m0,
                            m0 + wh,
                            m0,
                            charging_started_at=t,
                            charging_ended_at=t + charge_s,
                            last_seen_at=stop,
                            stopped_at=stop,
                            stop_reason=StopReason.EV_DISCONNECTED,
                            stopped_by="ev",
                            meter_stop_wh=m0 + wh,
                        )
                    )
                )
                meters[bay - 1] = m0 + wh
                t = stop + rnd.uniform(300, 3600)
                n += 1
                if len(records) >= 4000:
                    t_write += _write(db, p, records)
                    records = []
    if records:
        t_write += _write(db, p, records)
    return n, t_write


def _write(db: Database, p: Persister, records: list[object]) -> float:
    t0 = time.perf_counter()
    with db.session() as s:
        p.apply(s, records)
    return time.perf_counter() - t0


def site_tz_default():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Stockholm")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions-per-bay-day", type=int, default=8)
    ap.add_argument("--receipts", type=int, default=1000)
    ap.add_argument("--keep", metavar="FILE", help="keep the generated site in this SQLite file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.sqlite3"
        if path.exists():
            path.unlink()
        db = open_database(f"sqlite:///{path}")
        auths = build(db)
        n, t_write = month_of_sessions(db, auths, args.sessions_per_bay_day)
        print(
            f"month: {n} sessions on {BAYS} bays written, priced and chained in {t_write:.1f} s "
            f"({n / t_write:.0f} sessions/s incl. samples)"
        )

        with db.session() as s:
            ids = list(s.scalars(select(ChargeSession.id).order_by(ChargeSession.id)))
        ids = ids[: args.receipts]
        t0, c0 = time.perf_counter(), time.process_time()
        total_bytes = 0
        for sid in ids:
            _rec, doc = issue_receipt_doc(db, sid)
            total_bytes += len(render_receipt(doc, "sv"))
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"receipts: {len(ids)} issued + rendered in {dt:.2f} s = {len(ids) / dt:.0f}/s "
            f"(goal ≥ 100/s); CPU {cpu / len(ids) * 1000:.1f} ms each = {len(ids) / cpu:.0f}/s "
            f"per core; {total_bytes / len(ids) / 1024:.0f} KiB each; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        t0 = time.perf_counter()
        with db.session() as s:
            docs = [receipt_doc(s, r) for r in s.scalars(select(Receipt).limit(200))]
        for d in docs:
            render_receipt(d, "en")
        dt = time.perf_counter() - t0
        print(f"receipts: re-print (read + render) {len(docs) / dt:.0f}/s")

        timings: dict[str, float] = {}

        def timed(name: str, fn):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            out = fn()
            timings[name] = time.perf_counter() - t
            return out

        t_all = time.perf_counter()
        with db.session() as s:
            holders = list(s.scalars(select(CardHolder).order_by(CardHolder.id)))
            groups = list(s.scalars(select(CardGroup).order_by(CardGroup.id)))

            def all_holders() -> int:
                rows = 0
                for h in holders:
                    st = stm.statement(s, YEAR, MONTH, h.id, None, h.name, ())
                    stm.render_statement(st, "sv")
                    stm.statement_csv(st)
                    rows += len(st.rows)
                return rows

            rows = timed("holders", all_holders)

            def all_groups() -> None:
                for g in groups:
                    st = stm.statement(s, YEAR, MONTH, None, g.id, g.name, ())
                    stm.render_statement(st, "sv")
                    stm.statement_csv(st)

            timed("groups", all_groups)
            timed(
                "summary",
                lambda: (
                    stm.render_summary(m := stm.month_summary(s, YEAR, MONTH)),
                    stm.summary_csv(m),
                ),
            )
            timed("sie", lambda: export_sie(s, YEAR, MONTH, datetime.now(UTC)))
            tz = site_tz(s)
            a, b = month_bounds(YEAR, MONTH, tz)
            timed("csv", lambda: sales_csv(s, a, b, tz))
            timed("verify", lambda: verify_chain(s))
        total = time.perf_counter() - t_all
        print(
            f"month statements: {len(holders)} holders ({rows} sessions) "
            f"{timings['holders']:.2f} s, {len(groups)} groups {timings['groups']:.2f} s, "
            f"summary {timings['summary']:.2f} s, SIE {timings['sie']:.2f} s, "
            f"CSV export {timings['csv']:.2f} s; all {total - timings['verify']:.2f} s"
        )
        print(f"verify: ledger of {n} entries in {timings['verify']:.2f} s")
        bench_invoices(db)
        from stationmgr.billing.months import close_month, verify_months

        t = time.perf_counter()
        with db.session() as s:
            closed = close_month(s, f"{YEAR}-{MONTH:02d}")
        dt = time.perf_counter() - t
        t = time.perf_counter()
        with db.session() as s:
            bad = verify_months(s)
        dv = time.perf_counter() - t
        print(
            f"month close: {BAYS}-bay month ({closed.entries} entries, {closed.sie_vouchers} "
            f"SIE vouchers, SIE + CSV stored) closed in {dt:.2f} s; its verify "
            f"{dv:.2f} s ({'ok' if not bad else bad[0]})"
        )
        db.dispose()


def bench_invoices(db: Database) -> None:
    """Every holder a monthly buyer: the month's invoices issued (gapless numbers, one
    transaction each), then each rendered as PDF, then the invoice register verified."""
    from stationmgr.billing.buyers import set_buyer
    from stationmgr.billing.invoice_pdf import invoice_doc, render_invoice
    from stationmgr.billing.invoices import issue_invoices, verify_invoices

    with db.session() as s:
        set_site_value(s, "seller_bankgiro", "5050-1055")
        for h in list(s.scalars(select(CardHolder).order_by(CardHolder.id))):
            set_buyer(
                s,
                str(h.id),
                None,
                {
                    "name": f"{h.name} AB",
                    "address": "Box 1;831 30 Östersund",
                    "org_number": "556123-4567",
                    "invoice_monthly": True,
                },
            )
    t0 = time.perf_counter()
    issued, _skipped = issue_invoices(
        db, YEAR, MONTH, now=datetime(YEAR, MONTH + 1, 1, 8, tzinfo=UTC)
    )
    dt_issue = time.perf_counter() - t0
    t0 = time.perf_counter()
    size = 0
    with db.session() as s:
        docs = [invoice_doc(s, i.number) for i in issued]
    for d in docs:
        size += len(render_invoice(d, "sv"))
    dt_render = time.perf_counter() - t0
    lines = sum(i.sessions for i in issued)
    t0 = time.perf_counter()
    with db.session() as s:
        problems = verify_invoices(s)
    dt_verify = time.perf_counter() - t0
    print(
        f"invoices: {len(issued)} issued ({lines} sessions) in {dt_issue:.2f} s = "
        f"{len(issued) / dt_issue:.0f}/s; rendered (read + PDF, {size / len(docs) / 1024:.0f} KiB "
        f"each) {len(docs) / dt_render:.0f}/s; issued + rendered "
        f"{len(issued) / (dt_issue + dt_render):.0f}/s; verify {dt_verify:.2f} s "
        f"({'ok' if not problems else problems[0]})"
    )


if __name__ == "__main__":
    main()
