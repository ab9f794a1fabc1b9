"""Helpers for billing tests: a small site with tariffs and seller details, and finished
sessions written through the real Persister (so the billing closed hooks price them)."""

from __future__ import annotations

from datetime import UTC, datetime

from stationmgr import sessions as sm
from stationmgr.billing.charges import price_closed_session
from stationmgr.billing.site import set_site_value
from stationmgr.billing.tariffs import TariffInput, add_tariff
from stationmgr.cards import CardInput, add_card, find_card_facts
from stationmgr.ocpp_words import AuthStatus, StopReason
from stationmgr.store.db import Database
from stationmgr.store.models import Bay, Charger, ChargeSession
from stationmgr.store.persist import Persister

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp()  # a Monday morning

SELLER = {
    "seller_name": "Laddgården Åre AB",
    "seller_org_number": "556677-8899",
    "seller_address": "Storgatan 1;837 52 Åre",
    "seller_vat_number": "SE556677889901",
    "seller_email": "kvitto@laddgarden.se",
}


def build_billing_site(db: Database, bays: int = 2, cards: tuple[str, ...] = ("0A1B2C3D",)) -> None:
    with db.session() as s:
        for i in range(1, bays + 1):
            c = Charger(name=f"c{i}", driver="inproc", port=f"inproc://b{i}")
            s.add(c)
            s.flush()
            s.add(Bay(charger_id=c.id, connector=1, label=f"P{i}"))
        for uid in cards:
            add_card(s, CardInput(uid=uid, holder=f"Åsa Öberg {uid[-2:]}", group="Personal"))
        for k, v in SELLER.items():
            set_site_value(s, k, v)
        add_tariff(
            s,
            TariffInput(
                name="Standard",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                energy_minor_per_kwh=350,
                start_fee_minor=500,
                idle_minor_per_min=100,
                idle_grace_min=30,
                idle_cap_minor=20000,
                vat_bp=2500,
            ),
        )


def persister() -> Persister:
    p = Persister()
    p.closed_hooks.append(price_closed_session)
    return p


def finish_session(
    db: Database,
    p: Persister,
    bay_id: int,
    start: float,
    charging_min: float,
    kwh: float,
    idle_min: float = 0.0,
    card: str | None = "0A1B2C3D",
    meter_start_wh: float = 100_000.0,
    sample_every_s: float = 60.0,
    guest_reason: str = "card forgotten",
) -> ChargeSession:
    """Plug in at `start`, charge at a constant power for `charging_min`, stay idle for
    `idle_min`, unplug. Writes start, samples and stop through the Persister."""
    if card is not None:
        with db.session() as s:
            f = find_card_facts(s, card)
            assert f is not None
        auth = sm.Authorization(
            AuthStatus.ACCEPTED,
            card_id=f.card_id,
            card_uid=f.uid,
            holder_id=f.holder_id,
            holder_name=f.holder_name,
            group_id=f.group_id,
        )
    else:
        auth = sm.Authorization(
            AuthStatus.ACCEPTED, holder_name="Guest", reason=guest_reason, started_by="anna"
        )
    uid = sm.tx_uid_for(bay_id, start)
    tx = sm.Transaction(
        uid, bay_id, auth, start, start, meter_start_wh, meter_start_wh, meter_start_wh
    )
    records: list[object] = [sm.TransactionStarted(tx)]
    secs = charging_min * 60
    power_w = kwh * 1000 / (secs / 3600) if secs else 0.0
    t = 0.0
    while secs and t <= secs:
        reg = meter_start_wh + kwh * 1000 * (t / secs)
        records.append(sm.MeterSampled(uid, bay_id, start + t, reg, power_w, (10.0, 10.0, 10.0)))
        t += sample_every_s
    end_charge = start + secs
    stop = end_charge + idle_min * 60
    meter_stop = meter_start_wh + kwh * 1000
    tx = sm.Transaction(
        uid,
        bay_id,
        auth,
        start,
        start,
        meter_start_wh,
        meter_stop,
        meter_start_wh,
        charging_started_at=start if secs else None,
        charging_ended_at=end_charge if secs else None,
        last_seen_at=stop,
        stopped_at=stop,
        stop_reason=StopReason.EV_DISCONNECTED,
        stopped_by="ev",
        meter_stop_wh=meter_stop,
    )
    records.append(sm.TransactionStopped(tx))
    with db.session() as s:
        p.apply(s, records)
    with db.session() as s:
        row = s.query(ChargeSession).filter_by(tx_uid=uid).one()
        s.expunge(row)
        return row
