"""Alert rules (pure), settings parsing, the tariff's idle grace, and acknowledging."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from stationmgr.access.audit import verify_chain
from stationmgr.alerts.events import AlertKind
from stationmgr.alerts.monitor import tariff_grace_min
from stationmgr.alerts.rules import (
    AlertConfig,
    BayFacts,
    alert_config_from,
    bay_conditions,
    blocked_since,
    charger_conditions,
    overrun_margin_s,
)
from stationmgr.alerts.service import AlertFilter, acknowledge_in_session, list_alerts
from stationmgr.clock import to_datetime
from stationmgr.errors import UserError
from stationmgr.ocpp_words import BayStatus
from stationmgr.store.alert_models import Alert
from stationmgr.store.models import AuditEntry

T = 1_767_225_600.0
CFG = AlertConfig()


def facts(**kw: object) -> BayFacts:
    base: dict[str, object] = dict(
        bay_id=1, charger_id=10, status=BayStatus.CHARGING, online=True, plugged=True
    )
    base.update(kw)
    return BayFacts(**base)  # type: ignore[arg-type]


def kinds(conds: list) -> list[str]:  # type: ignore[type-arg]
    return [str(c.kind) for c in conds]


def test_a_normal_charging_session_holds_no_condition() -> None:
    f = facts(tx_uid="1-1", last_flow_at=T, meter_still_since=T, overrun_after=T + 3_600)
    assert bay_conditions(f, T + 60, CFG, 300) == []


def test_blocked_uses_the_idle_clock_and_grace() -> None:
    f = facts(status=BayStatus.FINISHING, tx_uid="1-1", last_flow_at=T, grace_s=600)
    assert blocked_since(T, 600, 300) == T + 600
    assert blocked_since(T, 60, 300) == T + 300  # never before charging is known to be over
    assert bay_conditions(f, T + 599, CFG, 300) == []
    (c,) = bay_conditions(f, T + 600, CFG, 300)
    assert c.kind is AlertKind.BLOCKED and c.since == T + 600 and c.subject == "1-1"
    # Faulted in between: the bay only counts as blocked from when it became Finishing.
    (c,) = bay_conditions(replace(f, finishing_since=T + 900), T + 950, CFG, 300)
    assert c.since == T + 900
    # Unplugged: over.
    gone = replace(f, plugged=False)
    assert bay_conditions(gone, T + 700, CFG, 300) == []


def test_stalled_only_while_charging() -> None:
    f = facts(tx_uid="1-1", meter_still_since=T)
    assert bay_conditions(f, T + 599, CFG, 300) == []
    (c,) = bay_conditions(f, T + 600, CFG, 300)
    assert c.kind is AlertKind.STALLED and c.since == T + 600
    paused = facts(tx_uid="1-1", meter_still_since=T, status=BayStatus.SUSPENDED_EV)
    assert bay_conditions(paused, T + 900, CFG, 300) == []


def test_overrun_while_still_charging_and_its_margin() -> None:
    assert overrun_margin_s(3_600, CFG) == 1_800  # 30 min is more than 25 % of an hour
    assert overrun_margin_s(4 * 3_600, CFG) == 3_600  # 25 % of four hours
    f = facts(tx_uid="1-1", overrun_after=T + 100)
    assert kinds(bay_conditions(f, T + 100, CFG, 300)) == ["overrun"]
    done = facts(tx_uid="1-1", overrun_after=T + 100, status=BayStatus.FINISHING)
    assert "overrun" not in kinds(bay_conditions(done, T + 200, CFG, 300))


def test_fault_and_disabled_kinds() -> None:
    f = facts(fault="GFCI", fault_since=T - 5, status=BayStatus.FAULTED)
    (c,) = bay_conditions(f, T, CFG, 300)
    assert c.kind is AlertKind.FAULT and c.subject == "GFCI" and c.since == T - 5
    assert bay_conditions(f, T, AlertConfig(disabled=("fault",)), 300) == []


def test_card_denied_repeatedly_within_the_window() -> None:
    cfg = AlertConfig(card_denied_count=3, card_denied_window_min=10)
    r = (("AA", T), ("BB", T + 10), ("AA", T + 100), ("AA", T + 700))
    # AA: three refusals but not within ten minutes of each other.
    assert bay_conditions(facts(refusals=r), T + 701, cfg, 300) == []
    r2 = (*r, ("AA", T + 750), ("AA", T + 760))
    (c,) = bay_conditions(facts(refusals=r2), T + 761, cfg, 300)
    assert c.kind is AlertKind.CARD_DENIED and c.subject == "AA" and c.since == T + 760
    assert "refused 3 times" in c.detail
    # Ten minutes without another try: over.
    assert len(bay_conditions(facts(refusals=r2), T + 1_359, cfg, 300)) == 1
    assert bay_conditions(facts(refusals=r2), T + 1_360, cfg, 300) == []


def test_comm_lost_after_the_configured_delay() -> None:
    cfg = AlertConfig(comm_lost_after_s=30)
    assert charger_conditions(3, "north", None, T, cfg) == []
    assert charger_conditions(3, "north", T, T + 29, cfg) == []
    (c,) = charger_conditions(3, "north", T, T + 30, cfg)
    assert c.kind is AlertKind.COMM_LOST and c.charger_id == 3 and c.bay_id is None


def test_settings_parse_ignoring_bad_values() -> None:
    cfg = alert_config_from(
        {
            "stalled_after_min": "7",
            "card_denied_count": 0,
            "overrun_margin_min": "soon",
            "disabled": ["fault"],
            "unknown": 1,
            "blocked_grace_min": None,
        }
    )
    assert cfg.stalled_after_min == 7.0
    assert cfg.card_denied_count == 1
    assert cfg.overrun_margin_min == AlertConfig().overrun_margin_min
    assert cfg.disabled == ("fault",) and cfg.blocked_grace_min is None
    assert alert_config_from(None) == AlertConfig()


def test_blocked_grace_follows_the_tariffs_idle_grace(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from stationmgr.billing.tariffs import TariffInput, add_tariff

    with sqlite_db.session() as s:
        assert tariff_grace_min(s, None, False, T) is None  # no tariff: the alerts' default
        add_tariff(
            s,
            TariffInput(
                name="Standard",
                valid_from=datetime(2025, 1, 1, tzinfo=UTC),
                energy_minor_per_kwh=350,
                idle_minor_per_min=100,
                idle_grace_min=20,
            ),
        )
        assert tariff_grace_min(s, None, False, T) == 20.0


def test_acknowledge_is_audited_once(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    with sqlite_db.session() as s:
        s.add(
            Alert(
                uid="blocked-1-1",
                kind="blocked",
                since=to_datetime(T),
                raised_at=to_datetime(T + 30),
                detail="car still plugged",
            )
        )
    with sqlite_db.session() as s:
        with pytest.raises(UserError):
            acknowledge_in_session(s, "blocked-1-1", "  ", T + 60)
        with pytest.raises(UserError, match="no alert"):
            acknowledge_in_session(s, "nope", "anna", T + 60)
        row = acknowledge_in_session(s, "blocked-1-1", "anna", T + 60, "called the driver")
        acknowledge_in_session(s, str(row.id), "bob", T + 90)  # already seen: kept
    with sqlite_db.session() as s:
        a = s.scalar(select(Alert))
        assert a.acknowledged_by == "anna" and a.acknowledged_at == to_datetime(T + 60)
        entries = list(s.scalars(select(AuditEntry)))
        assert [(e.operator, e.action, e.detail) for e in entries] == [
            ("anna", "alerts.acknowledge", "called the driver")
        ]
        assert verify_chain(s).ok
        assert list_alerts(s, AlertFilter(open_only=True, unacknowledged=True)) == []
        assert len(list_alerts(s, AlertFilter(open_only=True))) == 1


def test_a_short_span_reads_as_under_a_minute() -> None:
    from stationmgr.alerts.rules import _minutes

    assert _minutes(20) == "under a minute"
    assert _minutes(600) == "10 min"
