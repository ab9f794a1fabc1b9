"""`chargers add --driver ocpp --charge-point-id CPID --bays B1,B2`: one set of rules with
the other drivers (site_setup), one charger per charge point id, bad input one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from stationmgr.cli import main
from stationmgr.store.db import open_database
from stationmgr.store.models import Bay, Charger


def test_an_ocpp_charger_and_its_bays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0
    add = ["--db", url, "chargers", "add"]
    assert (
        main([*add, "g", "--driver", "ocpp", "--charge-point-id", "CP-1", "--bays", "G1,G2"]) == 0
    )
    capsys.readouterr()
    bad = [
        ["h", "--driver", "ocpp", "--charge-point-id", "CP-1", "--bays", "H1"],  # id taken
        ["h", "--driver", "ocpp", "--bays", "H1"],  # no id
        ["h", "--driver", "ocpp", "--charge-point-id", "a/b", "--bays", "H1"],
        ["h", "--driver", "openevse", "--charge-point-id", "CP-2", "--port", "/dev/ttyUSB0"],
        ["h", "--driver", "openevse", "--port", "ocpp://CP-2"],
        ["h", "--driver", "openevse"],  # no port
    ]
    for argv in bad:
        assert main([*add, *argv]) == 2, argv
        assert len(capsys.readouterr().err.strip().splitlines()) == 1, argv
    db = open_database(url, upgrade=False)
    try:
        with db.session() as s:
            rows = list(s.scalars(select(Charger)))
            assert [(c.name, c.port, c.settings["charge_point_id"]) for c in rows] == [
                ("g", "ocpp://CP-1", "CP-1")
            ]
            bays = s.scalars(select(Bay).order_by(Bay.connector))
            assert [(b.connector, b.label) for b in bays] == [(1, "G1"), (2, "G2")]
    finally:
        db.dispose()
