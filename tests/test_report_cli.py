"""`stationmgr report`: a real PDF from the hand-computed data set, read back with pdftotext;
bad input exits 2 and writes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stationmgr.cli import main
from tests.test_capacity import build_hand_set


@pytest.fixture
def site(sqlite_db):  # type: ignore[no-untyped-def]
    """The hand-computed data set of test_capacity."""
    return build_hand_set(sqlite_db)


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_report_pdf_shows_the_hand_computed_numbers(site, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "capacity.pdf"
    rc = main(
        ["--db", site.url, "report", "--from", "2026-03-02", "--to", "2026-03-03", "-o", str(out)]
    )
    assert rc == 0
    assert "wrote" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any("Capacity report 2026-03-02 – 2026-03-03" in line for line in lines)
    assert any("5 sessions, 33.0 kWh, 2 bays" in line for line in lines)
    # Bays: P1 9000 s plugged (2.5 h), 4800 charging, 4200 idle, of a 48 h period.
    assert "P1 2 13.0 2.5 h 1.3 h 1.2 h 5.2 % 2.8 % 2.4 %" in lines
    assert "P2 3 20.0 5.0 h 3.0 h 2.0 h 10.4 % 6.2 % 4.2 %" in lines  # 6.25 % to one place
    # Typical (median) session by bay and by card group.
    assert "P1 2 75 min 40 min 35 min" in lines
    assert "Staff 2 150 min 90 min 60 min" in lines
    assert "no group 2 75 min 40 min 35 min" in lines
    # Most idle time, and the days.
    assert "04AA0001 (Ann) 3 2.0 h" in lines
    assert "2026-03-02 Mon 3 27.0" in lines
    assert "2026-03-03 Tue 2 6.0" in lines
    # The heat-map's Monday row: 25 % at 00h, 50 at 08h, 75 at 09h and 10h, 50, 25.
    assert any(line.startswith("Mon 25 50 75 75 50 25") for line in lines), [
        line for line in lines if line.startswith("Mon")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30", "--to", "2026-03-03"], "invalid --from date '2026-02-30'"),
        (["--from", "2026-03-02", "--to", "March"], "invalid --to date 'March'"),
        (["--from", "2026-03-05", "--to", "2026-03-03"], "--to is before --from"),
    ],
)
def test_bad_dates_exit_2_and_write_nothing(sqlite_db, tmp_path, capsys, args, message) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.pdf"
    assert main(["--db", sqlite_db.url, "report", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_output_folder_exits_2(sqlite_db, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "nowhere" / "r.pdf"
    rc = main(
        [
            "--db",
            sqlite_db.url,
            "report",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-02",
            "-o",
            str(out),
        ]
    )
    assert rc == 2
    assert "no folder" in capsys.readouterr().err
    assert not out.parent.exists()


def test_alerts_cli_lists_and_acknowledges(sqlite_db, capsys) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from stationmgr.clock import to_datetime
    from stationmgr.store.alert_models import Alert
    from stationmgr.store.models import AuditEntry

    with sqlite_db.session() as s:
        s.add(
            Alert(
                uid="stalled-1-1",
                kind="stalled",
                since=to_datetime(1e9),
                raised_at=to_datetime(1e9 + 30),
                detail="no energy for 10 min",
            )
        )
    assert main(["--db", sqlite_db.url, "alerts", "list", "--open"]) == 0
    out = capsys.readouterr().out
    assert "Charging stalled" in out and "open" in out and "no energy for 10 min" in out
    assert main(["--db", sqlite_db.url, "alerts", "ack", "1", "--operator", "eve"]) == 0
    assert "acknowledged by eve" in capsys.readouterr().out
    assert main(["--db", sqlite_db.url, "alerts", "ack", "99", "--operator", "eve"]) == 2
    assert "no alert '99'" in capsys.readouterr().err
    with sqlite_db.session() as s:
        assert s.scalar(select(Alert.acknowledged_by)) == "eve"
        assert s.scalar(select(AuditEntry.action)) == "alerts.acknowledge"


def test_alerts_config_shows_sets_and_refuses_bad_values(sqlite_db, capsys) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from stationmgr.alerts.monitor import load_alert_config
    from stationmgr.store.models import AuditEntry

    assert main(["--db", sqlite_db.url, "alerts", "config"]) == 0
    out = capsys.readouterr().out
    assert "stalled_after_min = 10.0" in out and "blocked_grace_min = tariff" in out
    rc = main(
        [
            "--db",
            sqlite_db.url,
            "alerts",
            "config",
            "stalled_after_min=15",
            "disabled=comm_lost,fault",
            "blocked_grace_min=5",
        ]
    )
    assert rc == 0 and "stalled_after_min = 15.0" in capsys.readouterr().out
    for bad, message in [
        ("stalled=3", "unknown alert setting"),
        ("stalled_after_min=soon", "must be a number"),
        ("card_denied_count=0", "at least 1"),
        ("disabled=nonsense", "unknown alert kind"),
    ]:
        assert main(["--db", sqlite_db.url, "alerts", "config", bad]) == 2
        assert message in capsys.readouterr().err
    with sqlite_db.session() as s:
        cfg = load_alert_config(s)
        assert cfg.stalled_after_min == 15 and cfg.blocked_grace_min == 5
        assert cfg.disabled == ("comm_lost", "fault")
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "settings.edit")))
        assert len(entries) == 1 and entries[0].after["stalled_after_min"] == 15
