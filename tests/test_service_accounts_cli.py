"""The accounts commands over `--site` against a real service process: cards show, import
and export, operators, the login policy, the audit chain, tariffs, budgets, receipts and
statements print what they print on the local database, are refused alike (exit 3,
audited) and a bad input is one line (exit 2) with nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from stationmgr.access.roles import Role
from stationmgr.client.remote import RemoteClient
from stationmgr.store.billing_models import Budget, Receipt
from stationmgr.store.db import open_database
from stationmgr.store.models import Card, Charger, Operator, Tariff
from tests.billing_site import T0, build_billing_site, finish_session, persister
from tests.helpers.service import cli, service
from tests.test_service import Site, env_for, one_line

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Staff, a billing site (its chargers disabled: the service polls none) and two
    finished, priced sessions in March 2026."""
    from stationmgr.access.operators import create_operator
    from tests.access_site import PASSWORDS, USERS, add_staff

    tmp = tmp_path_factory.mktemp("service-accounts")
    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    db = open_database(url, create=True)
    try:  # the site first (no operators yet), then its staff
        build_billing_site(db, bays=2)
        with db.session() as s:
            s.execute(update(Charger).values(enabled=False))
        p = persister()
        for i in range(2):
            finish_session(db, p, 1 + i, T0 + i * 86400, 60, 10 + i, idle_min=40)
        staff = add_staff(db)
        with db.session() as s:
            create_operator(s, "lena", Role.ATTENDANT, "lena-Pa55word!", actor=staff[Role.OWNER])
    finally:
        db.dispose()
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp, url, env=owner, name="accounts") as svc:
        yield Site(tmp, url, svc)


def both(site: Site, role: Role, *argv: str) -> tuple[object, object]:
    """The command over --site, and the same on the local database."""
    env = site.env(role)
    return cli("--site", site.svc.url, *argv, env=env), cli("--db", site.db_url, *argv, env=env)


def remote(site: Site, role: Role | None, *argv: str, **env: str) -> object:
    if role is None:
        return cli("--site", site.svc.url, *argv, env=env_for(**env))
    return cli("--site", site.svc.url, *argv, env=site.env(role, **env))


def denied(site: Site, action: str) -> int:
    return len(site.audit(action=action, outcome="denied"))


# ---------------------------------------------------------------- cards


def test_a_card_shows_alike_and_a_missing_one_is_one_line(site: Site) -> None:
    r, loc = both(site, Role.ATTENDANT, "cards", "show", "0a1b2c3d")
    assert r.returncode == 0, r.stderr
    assert r.stdout == loc.stdout
    assert "uid             0A1B2C3D" in r.stdout and "Åsa Öberg 3D" in r.stdout
    gone = remote(site, Role.ATTENDANT, "cards", "show", "DEADBEEF")
    assert gone.returncode == 2 and "no card 'DEADBEEF'" in one_line(gone.stderr)


def test_cards_import_over_site_all_or_nothing_and_refused_for_an_attendant(site: Site) -> None:
    good = site.tmp / "cards.csv"
    good.write_text("uid,label,holder\nCAFE0001,Van 1,Bo\nCAFE0002,Van 2,Bo\n", "utf-8")
    bad = site.tmp / "bad.csv"
    bad.write_text("uid,label\nCAFE0003,ok\nnot-a-number,x\n", "utf-8")
    before = site.count(Card)
    refused_before = denied(site, "cards.import")
    out = remote(site, Role.ATTENDANT, "cards", "import", str(good))
    assert out.returncode == 3, out.stderr
    assert "permission denied" in one_line(out.stderr)
    assert denied(site, "cards.import") == refused_before + 1
    assert site.audit(action="cards.import", outcome="denied")[-1].operator == "arne"
    out = remote(site, Role.OWNER, "cards", "import", str(bad))
    assert out.returncode == 2 and "line 3" in one_line(out.stderr)
    assert site.count(Card) == before
    missing = remote(site, Role.OWNER, "cards", "import", str(site.tmp / "none.csv"))
    assert missing.returncode == 2 and "cannot read" in one_line(missing.stderr)
    out = remote(site, Role.OWNER, "cards", "import", str(good))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "imported 2 card(s)"
    assert site.count(Card) == before + 2


def test_cards_export_alike_to_a_file_here_and_refused_for_an_attendant(site: Site) -> None:
    r, loc = both(site, Role.ACCOUNTANT, "cards", "export")
    assert r.returncode == 0, r.stderr
    assert r.stdout == loc.stdout and r.stdout.startswith("uid,label,holder")
    target = site.tmp / "export" / "cards.csv"
    target.parent.mkdir()
    out = remote(site, Role.ACCOUNTANT, "cards", "export", "-o", str(target))
    assert out.returncode == 0, out.stderr
    n = len(r.stdout.splitlines()) - 1
    assert out.stderr.strip() == f"exported {n} card(s) to {target}"
    assert target.read_text("utf-8") == r.stdout  # both read with universal newlines
    nowhere = remote(site, Role.ACCOUNTANT, "cards", "export", "-o", str(site.tmp / "no" / "x"))
    assert nowhere.returncode == 2 and "cannot write" in one_line(nowhere.stderr)
    before = denied(site, "cards.export")
    out = remote(site, Role.ATTENDANT, "cards", "export")
    assert out.returncode == 3 and out.stdout == ""
    assert "permission denied" in one_line(out.stderr)
    assert denied(site, "cards.export") == before + 1


# ---------------------------------------------------------------- operators


def test_operators_are_the_owners_over_site(site: Site) -> None:
    r, loc = both(site, Role.OWNER, "operators", "list")
    assert r.returncode == 0, r.stderr
    # The two sign-ins may fall on either side of a minute: the last-login times may differ.
    same = [re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", "(time)", o) for o in (r.stdout, loc.stdout)]
    assert same[0] == same[1] and "lena" in r.stdout and "astrid" in r.stdout
    new = {"STATIONMGR_NEW_PASSWORD": "nils-Pa55word!"}
    before = denied(site, "operators.manage")
    out = remote(site, Role.ATTENDANT, "operators", "add", "nils", "--role", "owner", **new)
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "operators.manage") == before + 1
    assert site.audit(action="operators.manage", outcome="denied")[-1].operator == "arne"
    short = {"STATIONMGR_NEW_PASSWORD": "short"}
    out = remote(site, Role.OWNER, "operators", "add", "nils", "--role", "attendant", **short)
    assert out.returncode == 2 and "password" in one_line(out.stderr)
    out = remote(site, Role.OWNER, "operators", "add", "Nils Holm", "--role", "attendant", **new)
    assert out.returncode == 2 and "invalid username" in one_line(out.stderr)
    count = site.count(Operator)
    out = remote(site, Role.OWNER, "operators", "add", "nils", "--role", "attendant", **new)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "added operator nils (attendant)"
    assert site.count(Operator) == count + 1
    out = remote(site, Role.OWNER, "operators", "role", "nils", "accountant")
    assert out.returncode == 0 and out.stdout.strip() == "operator nils is now accountant"
    out = remote(site, Role.OWNER, "operators", "disable", "nils")
    assert out.returncode == 0 and out.stdout.strip() == "operator nils disabled"
    out = remote(site, Role.OWNER, "operators", "enable", "nils")
    assert out.returncode == 0 and out.stdout.strip() == "operator nils enabled"
    temp = {"STATIONMGR_NEW_PASSWORD": "Temporary-Pa55!"}
    out = remote(site, Role.OWNER, "operators", "reset", "nils", **temp)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "password of nils reset (to be changed at the next login)"
    before = denied(site, "operators.manage")
    out = remote(site, Role.ACCOUNTANT, "operators", "reset", "olga", **temp)
    assert out.returncode == 3 and denied(site, "operators.manage") == before + 1
    out = remote(site, Role.OWNER, "operators", "role", "nobody", "owner")
    assert out.returncode == 2 and "nobody" in one_line(out.stderr)


def test_an_operator_changes_their_own_password_over_site(site: Site) -> None:
    env = {"STATIONMGR_USER": "lena", "STATIONMGR_PASSWORD": "wrong-Pa55word!"}
    new = {"STATIONMGR_NEW_PASSWORD": "lena-Neu-Pa55word!"}
    wrong = cli("--site", site.svc.url, "operators", "passwd", env=env_for(**env, **new))
    assert wrong.returncode == 3  # the sign-in itself fails: nothing changed
    env["STATIONMGR_PASSWORD"] = "lena-Pa55word!"
    same = {"STATIONMGR_NEW_PASSWORD": "lena-Pa55word!"}
    out = cli("--site", site.svc.url, "operators", "passwd", env=env_for(**env, **same))
    assert out.returncode == 2 and "same as the current" in one_line(out.stderr)
    out = cli("--site", site.svc.url, "operators", "passwd", env=env_for(**env, **new))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "password of lena changed"
    assert site.audit(action="operators.passwd")[-1].operator == "lena"
    lena = RemoteClient(site.svc.url)
    try:
        assert lena.login("lena", "lena-Neu-Pa55word!").username == "lena"
    finally:
        lena.close()


def test_the_login_policy_shows_alike_and_changes_only_for_the_owner(site: Site) -> None:
    r, loc = both(site, Role.OWNER, "operators", "policy")
    assert r.returncode == 0, r.stderr
    assert r.stdout == loc.stdout and "min_length" in r.stdout
    assert "idle_lock_minutes " in r.stdout
    before = denied(site, "settings.edit")
    out = remote(site, Role.ACCOUNTANT, "operators", "policy", "--min-length", "4")
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "settings.edit") == before + 1
    bad = remote(site, Role.OWNER, "operators", "policy", "--max-failures", "many")
    assert bad.returncode == 2 and "--max-failures" in one_line(bad.stderr)
    out = remote(site, Role.OWNER, "operators", "policy", "--min-length", "12")
    assert out.returncode == 0, out.stderr
    assert "min_length        12" in out.stdout.splitlines()
    assert (
        "min_length        12"
        in cli(
            "--db", site.db_url, "operators", "policy", env=site.env(Role.OWNER)
        ).stdout.splitlines()
    )
    edits = site.audit(action="settings.edit", outcome="ok")
    assert edits[-1].operator == "olga"
    out = remote(site, Role.OWNER, "operators", "policy", "--min-length", "10")
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------- audit chain


def test_the_audit_chain_verifies_over_site_for_the_accountant(site: Site) -> None:
    r, loc = both(site, Role.ACCOUNTANT, "audit", "verify")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[:2] == loc.stdout.split()[:2]  # counts grow with each login
    before = denied(site, "verify")
    out = remote(site, Role.ATTENDANT, "audit", "verify")
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "verify") == before + 1


# ---------------------------------------------------------------- tariffs and budgets


def test_tariffs_list_alike_and_a_new_version_over_site(site: Site) -> None:
    r, loc = both(site, Role.ACCOUNTANT, "tariffs", "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout == loc.stdout and "Standard" in r.stdout and "2026-01-01 00:00" in r.stdout
    add = ("tariffs", "add", "Natt", "--valid-from", "2026-12-24", "--per-kwh", "2.10")
    before = denied(site, "tariffs.edit")
    out = remote(site, Role.ATTENDANT, *add)
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "tariffs.edit") == before + 1
    count = site.count(Tariff)
    bad = remote(
        site, Role.OWNER, "tariffs", "add", "Natt", "--valid-from", "2026-12-24", "--per-kwh", "two"
    )
    assert bad.returncode == 2 and "price per kWh" in one_line(bad.stderr)
    out = remote(site, Role.OWNER, *add)
    assert out.returncode == 0, out.stderr
    # a bare date is the site's local midnight (Europe/Stockholm), as screen and documents
    assert out.stdout.strip().endswith(
        "'Natt' valid from 2026-12-24 00:00 Europe/Stockholm (2026-12-23 23:00 UTC)"
    )
    assert site.count(Tariff) == count + 1
    shown = cli("--db", site.db_url, "tariffs", "list", env=site.env(Role.OWNER))
    assert "Natt" in shown.stdout and "2,10" in shown.stdout


def test_budgets_over_site(site: Site) -> None:
    add = ("budgets", "add", "--card", "0A1B2C3D", "--period", "day", "--unit", "kWh")
    before = denied(site, "cards.edit")
    out = remote(site, Role.ACCOUNTANT, *add, "--limit", "20")
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "cards.edit") == before + 1
    count = site.count(Budget)
    bad = remote(site, Role.OWNER, *add, "--limit", "-5")
    assert bad.returncode == 2 and one_line(bad.stderr)
    nocard = remote(
        site,
        Role.OWNER,
        "budgets",
        "add",
        "--card",
        "DEADBEEF",
        "--period",
        "day",
        "--unit",
        "kWh",
        "--limit",
        "5",
    )
    assert nocard.returncode == 2 and "no card" in one_line(nocard.stderr)
    assert site.count(Budget) == count
    out = remote(site, Role.OWNER, *add, "--limit", "20")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("for card 0A1B2C3D")
    assert site.audit(action="cards.edit", outcome="ok")[-1].operator == "olga"
    r, loc = both(site, Role.ATTENDANT, "budgets", "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout == loc.stdout and "20.000 kWh" in r.stdout and "daily" in r.stdout


# ---------------------------------------------------------------- receipts and statements


def test_a_receipt_is_made_on_the_site_and_written_here(site: Site) -> None:
    pdf = site.tmp / "r1.pdf"
    before = denied(site, "receipts.issue")
    out = remote(site, Role.ATTENDANT, "receipt", "1", "-o", str(pdf))
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "receipts.issue") == before + 1 and not pdf.exists()
    bad = remote(site, Role.ACCOUNTANT, "receipt", "one", "-o", str(pdf))
    assert bad.returncode == 2 and "session id" in one_line(bad.stderr)
    gone = remote(site, Role.ACCOUNTANT, "receipt", "999", "-o", str(pdf))
    assert gone.returncode == 2 and "no session" in one_line(gone.stderr)
    assert not pdf.exists() and site.count(Receipt) == 0
    out = remote(site, Role.ACCOUNTANT, "receipt", "1", "-o", str(pdf), "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("receipt 1 (") and pdf.read_bytes().startswith(b"%PDF")
    again = cli(
        "--db",
        site.db_url,
        "receipt",
        "1",
        "-o",
        str(site.tmp / "r1b.pdf"),
        env=site.env(Role.ACCOUNTANT),
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.split("→")[0] == out.stdout.split("→")[0]  # a re-print: same number
    assert site.count(Receipt) == 1


def test_a_statement_over_site_writes_pdf_and_csv_here(site: Site) -> None:
    pdf, csv_file = site.tmp / "st.pdf", site.tmp / "st.csv"
    argv = ("statement", "--month", "2026-03", "-o", str(pdf), "--csv", str(csv_file))
    before = denied(site, "statements.create")
    out = remote(site, Role.ATTENDANT, *argv)
    assert out.returncode == 3 and "permission denied" in one_line(out.stderr)
    assert denied(site, "statements.create") == before + 1 and not pdf.exists()
    bad = remote(site, Role.ACCOUNTANT, "statement", "--month", "2026-13", "-o", str(pdf))
    assert bad.returncode == 2 and one_line(bad.stderr) and not pdf.exists()
    out = remote(site, Role.ACCOUNTANT, *argv, "--holder", "Åsa Öberg 3D")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Åsa Öberg 3D: 2 laddningar")  # the document language (sv)
    assert pdf.read_bytes().startswith(b"%PDF") and csv_file.read_text("utf-8").strip()
    summary = remote(site, Role.ACCOUNTANT, "statement", "--month", "2026-03", "-o", str(pdf))
    assert summary.returncode == 0 and summary.stdout.startswith("2026-03: ")
