"""A record the writer could not store is an alert for the owner until someone has seen it:
raised when the writer drops the record, stored, acknowledged (audited), then cleared; an
alert that itself cannot be stored raises no other."""

from __future__ import annotations

from sqlalchemy import select

from stationmgr.alerts.events import AlertCleared, AlertKind, AlertRaised
from stationmgr.alerts.service import acknowledge
from stationmgr.engine import Engine
from stationmgr.store.alert_models import Alert
from stationmgr.store.db import Database
from tests.site import build_site, wait_for
from tests.test_writer import CARD, Poison, _install_alerts, engine_on


def _dropped(published: list[object]) -> list[AlertRaised]:
    return [
        e for e in published if isinstance(e, AlertRaised) and e.kind is AlertKind.RECORD_DROPPED
    ]


def _rows(db: Database) -> list[Alert]:
    with db.sessions() as s:
        rows = list(s.scalars(select(Alert).where(Alert.kind == "record_dropped")))
        s.expunge_all()
        return rows


def test_a_dropped_record_is_an_alert_until_acknowledged(sqlite_db: Database) -> None:
    build_site(sqlite_db, cards=(CARD,))
    published: list[object] = []
    with engine_on(sqlite_db, _install_alerts) as eng:
        eng.bus.subscribe(published.append)
        assert eng.record(Poison("a bug in an extension")).result(10) is False
        wait_for(lambda: _dropped(published), what="the record_dropped alert")
        (alert,) = _dropped(published)
        assert alert.label == "site" and alert.bay_id is None
        assert "Poison record could not be stored" in alert.detail
        assert "stationmgr db failures" in alert.detail
        eng.drain()
        wait_for(lambda: _rows(sqlite_db), what="the alert row")
        (row,) = _rows(sqlite_db)
        assert row.uid == alert.uid and row.cleared_at is None

        acknowledge(eng, alert.uid, "maria", note="the extension is being fixed")
        wait_for(
            lambda: any(isinstance(e, AlertCleared) and e.uid == alert.uid for e in published),
            what="the alert cleared once seen",
        )
        eng.drain()
        wait_for(lambda: _rows(sqlite_db)[0].cleared_at is not None, what="the row cleared")
        (row,) = _rows(sqlite_db)
        assert row.acknowledged_by == "maria"
        assert len(_dropped(published)) == 1  # not raised again


def test_an_unseen_dropped_record_survives_a_restart_and_an_alert_never_loops(
    sqlite_db: Database,
) -> None:
    from stationmgr.events import PersistFailed

    build_site(sqlite_db, cards=(CARD,))
    with engine_on(sqlite_db, _install_alerts) as eng:
        assert eng.record(Poison("again")).result(10) is False
        wait_for(lambda: _rows(sqlite_db), what="the alert row")
    published: list[object] = []

    def setup(e: Engine) -> None:
        _install_alerts(e)
        e.bus.subscribe(published.append)

    with engine_on(sqlite_db, setup) as eng:
        # The alert for a dropped alert would be dropped again: it is not raised at all.
        eng.bus.publish(PersistFailed(None, "AlertRaised", "ValueError: refused", eng.clock.now()))
        eng.record(Poison("poke")).result(10)  # an event: the monitor evaluates
        wait_for(lambda: len(_rows(sqlite_db)) == 2, what="the second dropped record's alert")
        rows = _rows(sqlite_db)
        assert all(r.cleared_at is None for r in rows)  # the first one stayed open
        assert not any(r.subject and r.subject.startswith("at ") for r in rows)
