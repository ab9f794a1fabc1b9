"""One energy definition for a session whose charger's counter restarts mid-session.

The session is driven through the real state machine and written by the real Persister
(with the billing closed hook), on SQLite and PostgreSQL. The charger counts 50,000 →
52,000 Wh, reboots (its register restarts at 0) and counts on to 3,000 Wh: 5,000 Wh
delivered. Before one curve existed, the history chart (`e - e[0]`) ended at −49,000 Wh
and the board's day curve (`max(0, e - meter_start)`) at 0 Wh.
"""

from __future__ import annotations

from sqlalchemy import select

from stationmgr import daycurves
from stationmgr import sessions as sm
from stationmgr.billing.charges import current_price, usage_from_row
from stationmgr.billing.receipts import issue_receipt_doc
from stationmgr.cards import find_card_facts
from stationmgr.drivers.api import ConnectorReading
from stationmgr.history import session_detail
from stationmgr.ocpp_words import AuthStatus
from stationmgr.store.db import Database
from stationmgr.store.models import ChargeSession
from stationmgr.store.queries import energy_curve, session_energy_curve
from tests.billing_site import T0, build_billing_site, persister

CFG = sm.SessionConfig(
    card_window_s=60, idle_after_s=300, sample_interval_s=10, idle_sample_interval_s=300
)


def _reading(plugged: bool, energy: float, power: float) -> sm.Observed:
    return sm.Observed(
        ConnectorReading(
            plugged=plugged, charging=power > 0, allowed=True, energy_wh=energy, power_w=power
        )
    )


def drive_reset_session(db: Database) -> int:
    """Plug, tap, charge 2 kWh, reboot (counter → 0), charge 3 kWh, unplug; stored."""
    build_billing_site(db, bays=1)
    with db.session() as s:
        f = find_card_facts(s, "0A1B2C3D")
        assert f is not None
    auth = sm.Authorization(
        AuthStatus.ACCEPTED, card_id=f.card_id, card_uid=f.uid, holder_id=f.holder_id,
        holder_name=f.holder_name, group_id=f.group_id,
    )  # fmt: skip
    bay = sm.BayState(bay_id=1)
    t = T0
    records: list[object] = []

    def at(dt: float, ev: sm.Event) -> None:
        nonlocal bay, t
        t += dt
        out = sm.step(bay, ev, t, CFG)
        bay = out.bay
        records.extend(out.records)

    at(0, _reading(False, 50_000, 0))
    at(5, _reading(True, 50_000, 0))
    at(5, sm.CardPresented(auth))
    for wh in range(50_100, 52_001, 100):  # 2 kWh in 20 readings, 10 s apart
        at(10, _reading(True, wh, 7200))
    at(10, sm.Observed(ConnectorReading(plugged=True, energy_wh=0, power_w=0), rebooted=True))
    for wh in range(100, 3_001, 100):  # 3 kWh more on the restarted counter
        at(10, _reading(True, wh, 7200))
    at(10, _reading(False, 3_000, 0))
    assert sum(isinstance(r, sm.CounterReset) for r in records) == 1
    with db.session() as s:  # what the engine stores (a status change is only published)
        persister().apply(s, [r for r in records if not isinstance(r, sm.StatusChanged)])
    with db.session() as s:
        row = s.scalars(select(ChargeSession)).one()
        assert row.stopped_at is not None and row.meter_resets == 1
        return row.id


def test_every_reader_sees_the_same_energy_across_a_counter_restart(any_db: Database) -> None:
    sid = drive_reset_session(any_db)
    with any_db.session() as s:
        row = s.get(ChargeSession, sid)
        assert row is not None
        stored = row.energy_wh
        priced_curve = usage_from_row(s, row).curve
        price = current_price(s, sid)
        assert price is not None
        energy_lines = [ln.quantity for ln in price.lines if ln.kind == "energy"]
        core = session_energy_curve(s, sid)
    assert stored == 5_000
    assert priced_curve[-1][1] == 5_000
    assert energy_lines == [5_000]
    # the history detail's chart
    detail = session_detail(any_db, sid)
    assert detail.curve[-1].energy_wh == 5_000
    assert min(p.energy_wh for p in detail.curve) >= 0
    assert [p.energy_wh for p in detail.curve] == [p.energy_wh for p in core]
    # the receipt
    _rec, doc = issue_receipt_doc(any_db, sid)
    assert doc.energy_curve[-1][1] == 5_000
    # the board's day curve (core read, and the board's own loader on top of it)
    (trace,) = daycurves.bay_day(any_db, 1, T0 - 60)
    assert trace.energy_wh[-1] == 5_000
    assert list(trace.energy_wh) == sorted(trace.energy_wh)  # never goes back
    from stationmgr.client.local import LocalClient
    from ui.board.curves import load_bay_day

    _t, _kw, kwh = load_bay_day(LocalClient(any_db), 1, T0 - 60)  # through the site client
    assert kwh[-1] == 5.0 and kwh.min() >= 0


def test_day_curve_counts_a_restart_before_midnight() -> None:
    """The fold starts at the session's first sample, not at the day's cut."""
    from datetime import UTC, datetime

    def d(s: float) -> datetime:
        return datetime.fromtimestamp(s, UTC)

    pts = energy_curve([(d(0), 1000, 0), (d(10), 1500, 0), (d(20), 0, 0), (d(30), 200, 0)], 1000)
    assert [p.energy_wh for p in pts] == [0, 500, 500, 700]


def test_history_detail_chart_draws_the_delivered_energy(
    qtbot, sqlite_db: Database, ui_client: str
) -> None:  # type: ignore[no-untyped-def]
    """The chart itself (pyqtgraph, under pytest-qt): before, it drew `e - e[0]`."""
    import pyqtgraph as pg

    from tests.ui_site import app_context
    from ui.history.detail import SessionDetailDialog

    # The session is months old: in the remote case the running site thins its samples at
    # start, and the thinned curve must still count on across the counter restart.
    sid = drive_reset_session(sqlite_db)
    with app_context(sqlite_db, None, client=ui_client) as ctx:
        dlg = SessionDetailDialog(ctx, sid)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.detail is not None, timeout=20_000)
        assert dlg.detail.meter_resets == 1
        plots = dlg.findChildren(pg.PlotWidget)
        assert len(plots) == 1
        pi = plots[0].getPlotItem()
        power = pi.listDataItems()  # the energy curve sits on its own (right-hand) view box
        energy = [
            item
            for item in pi.scene().items()
            if isinstance(item, pg.PlotDataItem) and item not in power
        ]
        (curve,) = energy
        ys = curve.getData()[1]
        assert ys[-1] == 5_000 and ys.min() >= 0
