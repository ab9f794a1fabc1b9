"""Site administration over `--site` against a real service process: site settings, alert
thresholds, the database's state and failed records, and the counter reconciliation print
what they print on the local database, are refused alike (exit 3, audited), and a bad value
is one line (exit 2) with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stationmgr.access.operators import LoginFailed
from stationmgr.access.roles import Role
from stationmgr.client.errors import TooManyAttempts
from stationmgr.client.remote import RemoteClient
from stationmgr.errors import PermissionDenied
from tests.access_site import PASSWORDS, USERS
from tests.helpers.service import cli, service
from tests.test_service import Site, _make_site, env_for, one_line

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("service-admin")
    url = _make_site(tmp)
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp, url, env=owner, name="admin") as svc:
        yield Site(tmp, url, svc)


def both(site: Site, role: Role, *argv: str) -> tuple[object, object]:
    """The command over --site, and the same on the local database."""
    env = site.env(role)
    return cli("--site", site.svc.url, *argv, env=env), cli("--db", site.db_url, *argv, env=env)


def test_site_settings_read_alike_and_a_change_is_audited_as_the_operator(site: Site) -> None:
    remote, local = both(site, Role.ACCOUNTANT, "site", "show")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and "seller_name" in remote.stdout
    env = site.env(Role.OWNER)
    before = len(site.audit(action="settings.edit"))
    done = cli("--site", site.svc.url, "site", "set", "seller_name", "Brf Solgläntan", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "seller_name = Brf Solgläntan"
    shown = cli("--db", site.db_url, "site", "show", env=env)
    assert "Brf Solgläntan" in shown.stdout
    edits = site.audit(action="settings.edit")
    assert len(edits) == before + 1 and edits[-1].operator == USERS[Role.OWNER]
    assert edits[-1].target == "site seller_name"


def test_an_attendant_may_not_change_a_setting_over_site(site: Site) -> None:
    before = len(site.audit(action="settings.edit", outcome="denied"))
    env = site.env(Role.ATTENDANT)
    out = cli("--site", site.svc.url, "site", "set", "seller_name", "Mallory AB", env=env)
    assert out.returncode == 3
    assert "may not change the site settings" in one_line(out.stderr)
    denied = site.audit(action="settings.edit", outcome="denied")
    assert len(denied) == before + 1 and denied[-1].operator == USERS[Role.ATTENDANT]
    shown = cli("--site", site.svc.url, "site", "show", env=env)
    assert "Mallory" not in shown.stdout


def test_alert_thresholds_change_over_site_and_bad_values_write_nothing(site: Site) -> None:
    env = site.env(Role.OWNER)
    bad = cli("--site", site.svc.url, "alerts", "config", "stalled_after_min=soon", env=env)
    assert bad.returncode == 2
    assert "stalled_after_min" in one_line(bad.stderr)
    unknown = cli("--site", site.svc.url, "alerts", "config", "nap_min=3", env=env)
    assert unknown.returncode == 2 and "unknown alert setting" in one_line(unknown.stderr)
    before = cli("--db", site.db_url, "alerts", "config", env=env).stdout
    assert "nap_min" not in before
    assert "stalled_after_min = 10.0" in before.splitlines()
    done = cli("--site", site.svc.url, "alerts", "config", "stalled_after_min=25", env=env)
    assert done.returncode == 0, done.stderr
    assert "stalled_after_min = 25.0" in done.stdout.splitlines()
    local = cli("--db", site.db_url, "alerts", "config", env=env)
    assert local.stdout == done.stdout


def test_database_state_is_the_owners_and_reconcile_the_accountants(site: Site) -> None:
    remote, local = both(site, Role.OWNER, "db", "info")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert "revision: " in remote.stdout and "failed records: 0" in remote.stdout
    fails = cli("--site", site.svc.url, "db", "failures", env=site.env(Role.OWNER))
    assert fails.returncode == 0 and fails.stdout.strip() == "no failed records"
    refused = cli("--site", site.svc.url, "db", "info", env=site.env(Role.ACCOUNTANT))
    assert refused.returncode == 3
    assert "may not inspect and maintain the database" in one_line(refused.stderr)
    period = ("reconcile", "--from", "2026-11-01", "--to", "2026-11-30")
    remote, local = both(site, Role.ACCOUNTANT, *period)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and "unbilled_kwh" in remote.stdout
    backwards = cli(
        "--site",
        site.svc.url,
        "reconcile",
        "--from",
        "2026-11-30",
        "--to",
        "2026-11-01",
        env=site.env(Role.ACCOUNTANT),
    )
    assert backwards.returncode == 2 and "--to is before --from" in one_line(backwards.stderr)


def test_verify_and_compact_over_site(site: Site) -> None:
    remote, local = both(site, Role.ACCOUNTANT, "verify")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and ": ok" in remote.stdout
    refused = cli("--site", site.svc.url, "verify", env=site.env(Role.ATTENDANT))
    assert refused.returncode == 3 and "may not check the ledger" in one_line(refused.stderr)
    env = site.env(Role.OWNER)
    done = cli("--site", site.svc.url, "db", "compact", "--keep-raw-days", "30", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "removed 0 old sample(s)"
    assert site.audit(action="db.maintain")[-1].operator == USERS[Role.OWNER]


def test_a_password_reset_ends_what_was_signed_in_before_it(site: Site) -> None:
    """Someone else may know the old password: a token issued before the owner's reset
    acts no more (403, audited), and the new password must be changed before use."""
    from stationmgr.access.operators import authenticate, reset_password
    from stationmgr.store.db import open_database

    lena = RemoteClient(site.svc.url)
    try:
        lena.login("lena", "lena-Pa55word!")
        assert lena.bays() == []
        db = open_database(site.db_url, upgrade=False)
        try:
            owner = authenticate(db, USERS[Role.OWNER], PASSWORDS[Role.OWNER])
            with db.session() as s:
                reset_password(s, "lena", "Temporary-Pa55!", actor=owner)
        finally:
            db.dispose()
        with pytest.raises(PermissionDenied, match="was reset since this sign-in"):
            lena.bays()
        assert site.audit(operator="lena", outcome="denied")[-1].action == "bays.view"
        with pytest.raises(PermissionDenied, match="change it first"):
            lena.login("lena", "Temporary-Pa55!")
    finally:
        lena.close()


def test_many_failed_sign_ins_from_one_address_are_held_off(tmp_path: Path) -> None:
    """The account lockout stops guessing one password; one machine trying many names is
    answered 429 with Retry-After once past the limit — even for a right password."""
    import json
    import urllib.error
    import urllib.request

    from stationmgr.service.throttle import MAX_FAILURES

    url = _make_site(tmp_path)
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp_path, url, env=owner, name="throttle") as svc:
        guesser = RemoteClient(svc.url)
        try:
            for i in range(MAX_FAILURES):
                with pytest.raises(LoginFailed):
                    guesser.login(f"guess{i}", "not-the-password")
            with pytest.raises(TooManyAttempts, match="too many failed sign-ins"):
                guesser.login(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
        finally:
            guesser.close()
        req = urllib.request.Request(
            f"{svc.url}/api/v1/login",
            data=json.dumps({"username": "x", "password": "y"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(req, timeout=30)
        assert answer.value.code == 429
        assert int(answer.value.headers["Retry-After"]) > 0
        body = json.loads(answer.value.read())
        assert body["error"] == "too_many_attempts"
        out = cli("--site", svc.url, "bays", env=owner)
        assert out.returncode == 3 and "too many failed sign-ins" in one_line(out.stderr)


def test_the_throttle_window_slides() -> None:
    from stationmgr.clock import ManualClock
    from stationmgr.service.throttle import LoginThrottle

    clock = ManualClock()
    t = LoginThrottle(clock, max_failures=3, window_s=60)
    for _ in range(3):
        t.check("10.0.0.7")
        t.failed("10.0.0.7")
        clock.advance(10)
    with pytest.raises(TooManyAttempts) as held:
        t.check("10.0.0.7")
    assert held.value.retry_after_s == 30
    t.check("10.0.0.8")  # another address is not held
    clock.advance(31)  # the first failure left the window
    t.check("10.0.0.7")


def test_months_close_and_list_over_site(site: Site) -> None:
    url, env = site.svc.url, site.env(Role.ACCOUNTANT)
    refused = cli("--site", url, "months", "close", "2025-01", env=site.env(Role.ATTENDANT))
    assert refused.returncode == 3 and "may not close a month" in one_line(refused.stderr)
    done = cli("--site", url, "months", "close", "2025-01", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2025-01 closed: 0 ledger entries")
    again = cli("--site", url, "months", "close", "2025-01", env=env)
    assert again.returncode == 2 and "never reopened" in one_line(again.stderr)
    skip = cli("--site", url, "months", "close", "2025-03", env=env)
    assert skip.returncode == 2 and "close 2025-02 first" in one_line(skip.stderr)
    remote, local = both(site, Role.ACCOUNTANT, "months", "list")
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and "2025-01" in remote.stdout
    assert site.audit(action="months.close")[-1].operator == USERS[Role.ACCOUNTANT]
    anchored = cli("--site", url, "verify", "--anchor", "0-0000-0000-0000-0000", env=env)
    assert anchored.returncode == 0, anchored.stdout
