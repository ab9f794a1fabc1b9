"""Invoices over `--site` against a real service process: issued, listed, printed, paid and
credited as on the local database, refused for an attendant (exit 3, audited), bad input one
line (exit 2)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from stationmgr.access.context import acting
from stationmgr.access.roles import Role
from stationmgr.store.db import open_database
from tests.access_site import PASSWORDS, USERS, add_staff
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.helpers.bgmax_writer import bgmax_file
from tests.helpers.service import cli, service
from tests.test_service import Site, env_for, one_line

pytestmark = pytest.mark.timeout(300)
HOLDER = "Åsa Öberg 3D"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("service-invoices")
    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    db = open_database(url, create=True)
    try:
        staff = add_staff(db)
        with acting(staff[Role.OWNER]):
            build_billing_site(db, bays=2)
            p = persister()
            for i in range(3):
                finish_session(db, p, 1 + i % 2, T0 + i * 86400, 60, 10 + i)
    finally:
        db.dispose()
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp, url, env=owner, name="invoices") as svc:
        yield Site(tmp, url, svc)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_invoices_over_site_as_on_the_local_database(site: Site) -> None:
    env = site.env(Role.ACCOUNTANT)
    remote = ["--site", site.svc.url]
    out = cli(
        *remote,
        "buyers",
        "set",
        "--holder",
        HOLDER,
        "--name",
        "Nordic Taxi AB",
        "--org-number",
        "556123-4567",
        "--monthly",
        "yes",
        env=env,
    )
    assert out.returncode == 0, out.stderr
    out = cli(*remote, "invoices", "issue", "--month", "2026-03", env=env)
    assert out.returncode == 0, out.stderr
    m = re.search(r"invoice 1: Nordic Taxi AB, 3 sessions, ([\d.]+) SEK, OCR (\d+)", out.stdout)
    assert m, out.stdout
    listed = cli(*remote, "invoices", "list", env=env)
    local = cli("--db", site.db_url, "invoices", "list", env=env)
    assert listed.returncode == 0 and listed.stdout == local.stdout
    pdf = site.tmp / "inv.pdf"
    shown = cli(*remote, "invoices", "show", "1", "-o", str(pdf), env=env)
    assert shown.returncode == 0, shown.stderr
    assert m.group(2) in pdf_text(pdf) and "Nordic Taxi AB" in pdf_text(pdf)
    paid = cli(*remote, "invoices", "pay", "1", "--date", "2026-04-05", "--amount", "1", env=env)
    assert paid.returncode == 0 and "1.00 paid" in paid.stdout, paid.stderr
    bg = site.tmp / "bg.txt"
    total = int(m.group(1).replace(".", ""))
    bg.write_bytes(bgmax_file("50501055", date(2026, 4, 9), [(m.group(2), total - 100)], "x"))
    imp = cli(*remote, "invoices", "import-payments", str(bg), env=env)
    assert imp.returncode == 0 and "1 booked" in imp.stdout, imp.stderr
    bad = cli(*remote, "invoices", "pay", "1", "--date", "2026-04-06", env=env)
    assert bad.returncode == 2 and "already paid" in one_line(bad.stderr)
    missing = cli(*remote, "invoices", "show", "9", "-o", str(pdf), env=env)
    assert missing.returncode == 2 and "no invoice number 9" in one_line(missing.stderr)
    denied = cli(*remote, "invoices", "credit", "1", "--reason", "x", env=site.env(Role.ATTENDANT))
    assert denied.returncode == 3 and "may not issue invoices" in one_line(denied.stderr)
    assert site.audit(action="invoices.issue", outcome="denied")
    done = cli(*remote, "invoices", "credit", "1", "--reason", "fel kund", env=env)
    assert done.returncode == 0 and "credit note 2 for invoice 1" in done.stdout, done.stderr
    listed = cli(*remote, "invoices", "list", "--state", "credited", env=env)
    assert re.search(r"^1\s+invoice.*credited.*by 2", listed.stdout, re.M), listed.stdout
    issued = site.audit(action="invoices.issue")
    assert issued and issued[-1].operator == USERS[Role.ACCOUNTANT]
    verify = cli(*remote, "verify", env=env)
    assert verify.returncode == 0 and "invoices: ok" in verify.stdout
