#!/usr/bin/env python3
"""Regenerate the initial schema migration from the models.

stationmgr has not been released, so its schema is one migration, `0001_initial`, rebuilt
from `store.schema` whenever a model changes (run this, then commit the file). After the
first release, new revisions are added on top instead, with
`alembic revision --autogenerate`.
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command

from stationmgr.store.db import MIGRATIONS, alembic_config, open_database

for old in (MIGRATIONS / "versions").glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    db = open_database(f"sqlite:///{tmp}/empty.sqlite3", upgrade=False)
    cfg = alembic_config(db)
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")
    db.dispose()
print("regenerated", next((MIGRATIONS / "versions").glob("0001_*.py")))

import subprocess  # noqa: E402

subprocess.run(
    [sys.executable, "-m", "ruff", "format", "-q", str(MIGRATIONS / "versions")], check=False
)
subprocess.run(
    [sys.executable, "-m", "ruff", "check", "-q", "--fix", str(MIGRATIONS / "versions")],
    check=False,
)
