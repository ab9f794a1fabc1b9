"""The site service: a real `stationmgr run --listen` process on loopback, driven through
`RemoteClient`, the CLI with `--site` (subprocesses) and clients we did not write (curl,
urllib): permissions and audit at the boundary, exports, lockout, tokens, TLS pinning,
bad input, and live events from a virtual charger."""

from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationmgr.access.operators import LoginFailed
from stationmgr.access.roles import Role
from stationmgr.client import models as m
from stationmgr.client.errors import NotFound, SignInNeeded, SiteUnreachable
from stationmgr.client.local import LocalClient
from stationmgr.client.remote import RemoteClient
from stationmgr.errors import PermissionDenied, UserError
from stationmgr.store.db import open_database
from stationmgr.store.models import AuditEntry, Card
from tests.access_site import PASSWORDS, USERS, add_staff
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.timeout(300)


@dataclass
class Site:
    tmp: Path
    db_url: str
    svc: RunningService

    def env(self, role: Role | None = None, **extra: str) -> dict[str, str]:
        if role is None:
            return env_for(**extra)
        return env_for(USERS[role], PASSWORDS[role], **extra)

    def remote(self, role: Role) -> RemoteClient:
        client = RemoteClient(self.svc.url)
        client.login(USERS[role], PASSWORDS[role])
        return client

    def audit(self, **where: object) -> list[AuditEntry]:
        db = open_database(self.db_url, upgrade=False)
        try:
            with db.session() as s:
                q = select(AuditEntry).order_by(AuditEntry.id)
                for k, v in where.items():
                    q = q.where(getattr(AuditEntry, k) == v)
                rows = list(s.scalars(q))
                s.expunge_all()
                return rows
        finally:
            db.dispose()

    def count(self, model: type) -> int:
        db = open_database(self.db_url, upgrade=False)
        try:
            with db.session() as s:
                return int(s.scalar(select(func.count()).select_from(model)) or 0)
        finally:
            db.dispose()


def _make_site(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    db = open_database(url, create=True)
    try:
        staff = add_staff(db)
        with db.session() as s:
            from stationmgr.access.operators import create_operator

            create_operator(s, "lena", Role.ATTENDANT, "lena-Pa55word!", actor=staff[Role.OWNER])
    finally:
        db.dispose()
    return url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("service")
    url = _make_site(tmp)
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp, url, env=owner) as svc:
        yield Site(tmp, url, svc)


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# ---------------------------------------------------------------- permissions at the boundary


def test_an_attendants_audit_read_over_site_is_refused_with_the_cli_line_and_audited(
    site: Site,
) -> None:
    before = len(site.audit(action="audit.read", outcome="denied"))
    env = site.env(Role.ATTENDANT)
    remote = cli("--site", site.svc.url, "audit", "list", env=env)
    assert remote.returncode == 3, remote.stderr
    line = one_line(remote.stderr)
    assert "arne (attendant) may not read the audit log" in line
    assert remote.stdout == ""
    denied = site.audit(action="audit.read", outcome="denied")
    assert len(denied) == before + 1 and denied[-1].operator == "arne"
    # the same line as the CLI on the local database prints
    local = cli("--db", site.db_url, "audit", "list", env=env)
    assert local.returncode == 3
    # (locally the refusal is also logged as a warning line before it)
    assert [ln for ln in local.stderr.splitlines() if ln.startswith("stationmgr:")] == [line]


def test_the_owner_reads_the_audit_log_over_site_as_locally(site: Site) -> None:
    env = site.env(Role.OWNER)
    remote = cli("--site", site.svc.url, "audit", "list", "--action", "login", env=env)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout.splitlines()[0].split() == [
        "id",
        "ts",
        "operator",
        "action",
        "target",
        "outcome",
        "detail",
    ]
    assert " api " in remote.stdout  # the sign-ins over the API say so
    who = cli("--site", site.svc.url, "operators", "whoami", env=env)
    assert who.returncode == 0 and who.stdout == "Olga Owner (owner)\n"
    # A command not yet available over --site is refused, never run on a local database.
    nope = cli("--site", site.svc.url, "audit", "seal", env=env)
    assert nope.returncode == 2
    assert "not available over --site" in one_line(nope.stderr)


def test_an_accountant_exports_sie_over_site_and_may_not_export_the_audit_log(
    site: Site, tmp_path: Path
) -> None:
    env = site.env(Role.ACCOUNTANT, STATIONMGR_SITE=site.svc.url)  # the variable, not --site
    out = tmp_path / "nov.se"
    r = cli(
        "export",
        "--month",
        "2026-11",
        "--format",
        "sie",
        "-o",
        str(out),
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"#FLAGGA 0")
    assert site.audit(action="billing.export", operator="astrid")
    accountant = site.remote(Role.ACCOUNTANT)
    try:
        sales = accountant.export_billing("2026-11", "csv").decode("utf-8")
        assert sales.splitlines()[0].count(",") >= 3  # the sales CSV's header row
    finally:
        accountant.close()
    r = cli(
        "--site",
        site.svc.url,
        "export",
        "--month",
        "2026-13",
        "--format",
        "sie",
        "-o",
        str(tmp_path / "bad.se"),
        env=env,
    )
    assert r.returncode == 2 and not (tmp_path / "bad.se").exists()
    one_line(r.stderr)
    r = cli("--site", site.svc.url, "audit", "export", env=env)
    assert r.returncode == 3
    assert "may not export the audit log" in one_line(r.stderr)
    # the owner may: CSV with the header row, and the export is itself audited
    r = cli("--site", site.svc.url, "audit", "export", env=site.env(Role.OWNER))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("id,")
    assert site.audit(action="audit.export", operator="olga")


# ---------------------------------------------------------------- sign-in and tokens


def test_the_lockout_applies_over_the_api(site: Site) -> None:
    client = RemoteClient(site.svc.url)
    try:
        for _ in range(5):
            with pytest.raises(LoginFailed):
                client.login("lena", "wrong-password!")
        with pytest.raises(LoginFailed, match="locked"):
            client.login("lena", "lena-Pa55word!")  # the right one, too late
    finally:
        client.close()
    failed = site.audit(action="login", operator="lena", outcome="failed")
    assert len(failed) >= 6 and all(e.target == "api" for e in failed)
    r = cli("--site", site.svc.url, "cards", "list", env=env_for("lena", "lena-Pa55word!"))
    assert r.returncode == 3 and "locked" in one_line(r.stderr)


def _http(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_a_forged_or_signed_out_token_is_401(site: Site) -> None:
    api = f"{site.svc.url}/api/v1"
    status, answer = _http(f"{api}/cards", headers={"Authorization": "Bearer forged-token"})
    assert status == 401 and answer["error"] == "sign_in"
    status, answer = _http(f"{api}/cards")
    assert status == 401 and answer["error"] == "sign_in"
    client = site.remote(Role.OWNER)
    try:
        token = client.token
        assert client.whoami().username == "olga"
        client.logout()
        status, _ = _http(f"{api}/cards", headers={"Authorization": f"Bearer {token}"})
        assert status == 401
        client.token = token
        with pytest.raises(SignInNeeded):
            client.cards()
    finally:
        client.close()


def test_tokens_expire_idle_and_slide_with_use() -> None:
    from stationmgr.access.context import Actor
    from stationmgr.clock import ManualClock
    from stationmgr.service.tokens import TokenStore

    clock = ManualClock()
    store = TokenStore(clock, idle_s=60, max_s=150)
    token, _ = store.issue(Actor("olga", Role.OWNER, 1))
    clock.advance(50)
    assert store.check(token) is not None  # renewed to now + 60
    clock.advance(50)
    assert store.check(token) is not None
    clock.advance(45)
    assert store.check(token) is not None  # 145 s: still within max_s
    clock.advance(10)
    assert store.check(token) is None  # 155 s: past the longest life, used or not
    token, _ = store.issue(Actor("olga", Role.OWNER, 1))
    clock.advance(61)
    assert store.check(token) is None  # idle too long
    assert store.check("never-issued") is None
    assert token not in repr(store._grants)  # kept hashed


def test_an_unreachable_site_is_one_line_naming_the_url_exit_1() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    r = cli("--site", url, "cards", "list", env=env_for("olga", "x"))
    assert r.returncode == 1
    line = one_line(r.stderr)
    assert url in line and "cannot reach" in line


# ---------------------------------------------------------------- bad input


def test_bad_input_is_one_line_and_writes_nothing(site: Site) -> None:
    client = site.remote(Role.OWNER)
    token = client.token
    client.close()
    api = f"{site.svc.url}/api/v1"
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    cards, entries = site.count(Card), site.count(AuditEntry)
    cases = [
        (b'{"uid": "0A1B2C3D", ', auth, 400, "not valid JSON"),
        (b'{"uid": 12345678}', auth, 400, "expected text"),
        (b'{"uid": "0A1B2C3D", "max_concurrent": true}', auth, 400, "whole number"),
        (b'{"uid": "0A1B2C3D", "colour": "red"}', auth, 400, "unknown field"),
        (b'["0A1B2C3D"]', auth, 400, "JSON object"),
        (b'{"uid": "not a card!"}', auth, 400, ""),
        (b'{"uid": "0A1B2C3D"}', {**auth, "Content-Type": "text/plain"}, 415, "must be JSON"),
        (b'{"uid": "' + b"A" * 200_000 + b'"}', auth, 413, "larger than"),
    ]
    for body, headers, status, words in cases:
        got, answer = _http(f"{api}/cards", "POST", body, headers)
        assert got == status, (body[:40], answer)
        assert "\n" not in answer["message"] and words in answer["message"]
        assert set(answer) == {"error", "message"}
    got, answer = _http(f"{api}/sessions?limit=ten", headers=auth)
    assert got == 400 and "limit" in answer["message"]
    got, answer = _http(f"{api}/sessions?colour=red", headers=auth)
    assert got == 400
    assert (site.count(Card), site.count(AuditEntry)) == (cards, entries)


# ---------------------------------------------------------------- one interface, two paths


def test_remote_and_local_clients_give_the_same_answers(site: Site) -> None:
    owner = site.remote(Role.OWNER)
    db = open_database(site.db_url, upgrade=False)
    try:
        from stationmgr.access.operators import authenticate

        local = LocalClient(db, actor=authenticate(db, USERS[Role.OWNER], PASSWORDS[Role.OWNER]))
        card = owner.add_card(m.NewCard(uid="04A1B2C3D4E5F6", holder="Remote Rita"))
        assert card.holder == "Remote Rita"
        with pytest.raises(UserError, match="enrolled already"):
            owner.add_card(m.NewCard(uid="04A1B2C3D4E5F6"))
        assert owner.set_blocked(card.uid, True).blocked == "yes"
        assert owner.cards("Rita") == local.cards("Rita")
        with pytest.raises(NotFound):
            owner.set_blocked("0DEADBEEF0", True)
        ch = owner.add_charger(m.ChargerConfig("remote1", "openevse", str(site.tmp / "nowhere")))
        assert ch.bays == ["remote1"]
        assert owner.chargers() == local.chargers()
        rd = owner.add_reader(m.ReaderConfig("desk1", "rdm6300", str(site.tmp / "rd"), None))
        assert owner.readers() == local.readers() and rd.bay is None
        assert owner.remove_reader("desk1").outcome == "removed"
        assert owner.remove_charger("remote1").outcome == "removed"
        with pytest.raises(NotFound):
            owner.remove_charger("remote1")
        q = m.SessionQuery(limit=5)
        assert owner.sessions(q) == local.sessions(q)
        with pytest.raises(NotFound):
            owner.session(999_999)
        assert owner.alerts(m.AlertQuery()) == local.alerts(m.AlertQuery())
        aq = m.AuditQuery(action="cards", limit=10)
        assert owner.audit(aq) == local.audit(aq)
        assert owner.bays() == []
        assert owner.whoami() == m.Operator("olga", "owner", "Olga Owner")
        accountant = site.remote(Role.ACCOUNTANT)
        try:
            with pytest.raises(PermissionDenied, match="may not enrol a card"):
                accountant.add_card(m.NewCard(uid="0A0A0A0A"))
        finally:
            accountant.close()
    finally:
        owner.close()
        db.dispose()


def test_cli_commands_over_site_print_what_they_print_locally(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process (the subprocess path is shown above): the same output both ways."""
    from stationmgr.cli import main

    monkeypatch.setenv("STATIONMGR_USER", USERS[Role.OWNER])
    monkeypatch.setenv("STATIONMGR_PASSWORD", PASSWORDS[Role.OWNER])
    u = site.svc.url

    def run(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out = capsys.readouterr()
        return status, out.out, out.err

    assert run("--site", u, "cards", "add", "0C0D0E0F", "--holder", "Cli Carl")[:2] == (
        0,
        "enrolled card 0C0D0E0F for Cli Carl\n",
    )
    assert run("--site", u, "cards", "block", "0C0D0E0F")[:2] == (0, "card 0C0D0E0F blocked\n")
    port = str(site.tmp / "cli1")
    assert (
        run("--site", u, "chargers", "add", "cli1", "--driver", "openevse", "--port", port)[0] == 0
    )
    reader = ["readers", "add", "rcli", "--port", str(site.tmp / "rcli"), "--bay", "cli1"]
    assert run("--site", u, *reader)[0] == 0
    for argv in (
        ["cards", "list"],
        ["chargers", "list"],
        ["readers", "list"],
        ["readers", "list", "--json"],
        ["sessions", "list"],
        ["alerts", "list"],
        ["chargers", "list", "--json"],
        ["audit", "list", "--action", "cards", "--limit", "5"],
        ["sessions", "list", "--csv"],
    ):
        remote = run("--site", u, *argv)
        local = run("--db", site.db_url, *argv)
        assert remote[0] == local[0] == 0, (argv, remote, local)
        assert remote[1] == local[1], argv
    status, _, err = run(
        "--site", u, "chargers", "add", "cli1", "--driver", "openevse", "--port", port
    )
    assert status == 2 and "exists already" in one_line(err)
    assert run("--site", u, "readers", "remove", "rcli")[0] == 0
    assert run("--site", u, "chargers", "remove", "cli1")[:2] == (0, "removed charger cli1\n")


def test_curl_speaks_the_api(site: Site) -> None:
    """A client we did not write: Debian's curl, plain HTTP and JSON."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    import subprocess

    def run(*argv: str) -> dict:
        out = subprocess.run([curl, "-sS", *argv], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    api = f"{site.svc.url}/api/v1"
    assert run(f"{api}/site")["protected"] is True
    creds = json.dumps({"username": USERS[Role.ATTENDANT], "password": PASSWORDS[Role.ATTENDANT]})
    token = run("-X", "POST", "-H", "Content-Type: application/json", "-d", creds, f"{api}/login")
    assert token["operator"] == {"username": "arne", "role": "attendant", "display_name": None}
    bearer = f"Authorization: Bearer {token['token']}"
    assert isinstance(run("-H", bearer, f"{api}/cards")["items"], list)
    refused = run("-H", bearer, f"{api}/audit")
    assert refused["error"] == "forbidden" and "may not read the audit log" in refused["message"]


# ---------------------------------------------------------------- TLS


def test_tls_clients_pin_the_site_fingerprint(tmp_path: Path) -> None:
    url = _make_site(tmp_path)
    home = tmp_path / "home"
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER], STATIONMGR_HOME=str(home))
    with service(tmp_path, url, "--tls", env=env, name="tls") as svc:
        assert svc.url.startswith("https://127.0.0.1:")
        shown = cli("site", "certificate", env=env)
        assert shown.returncode == 0, shown.stderr
        fingerprint = shown.stdout.split("fingerprint (SHA-256): ")[1].split()[0]
        assert fingerprint in svc.log()  # the service logs the one it serves
        ok = cli("--site", svc.url, "--site-fingerprint", fingerprint, "cards", "list", env=env)
        assert ok.returncode == 0, ok.stderr
        wrong = "AB:" * 31 + "AB"
        bad = cli("--site", svc.url, "--site-fingerprint", wrong, "cards", "list", env=env)
        assert bad.returncode == 1
        assert "does not match the fingerprint" in one_line(bad.stderr)
        assert svc.url in bad.stderr
        missing = cli("--site", svc.url, "cards", "list", env=env)
        assert missing.returncode == 2 and "fingerprint" in one_line(missing.stderr)
        with RemoteClient(svc.url, wrong) as pinned_wrong, pytest.raises(SiteUnreachable):
            pinned_wrong.site_info()
    # reused at the next start: the same fingerprint
    again = cli("site", "certificate", env=env)
    assert fingerprint in again.stdout


# ---------------------------------------------------------------- live configuration


def test_a_charger_added_through_site_is_polled_without_a_restart(tmp_path: Path) -> None:
    from stationmgr.clock import WarpClock
    from stationmgr.sim.openevse_sim import OpenEVSESim
    from stationmgr.sim.transport import PtyEndpoint

    url = _make_site(tmp_path)
    sim = OpenEVSESim(PtyEndpoint(tmp_path / "evse-live"), WarpClock(1.0)).start()
    sim.log_commands = True
    try:
        env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
        with service(tmp_path, url, env=env, name="live") as svc:
            owner = RemoteClient(svc.url)
            try:
                owner.login(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
                owner.add_charger(m.ChargerConfig("live1", "openevse", str(tmp_path / "evse-live")))
                wait_until(
                    lambda: any(c == "GS" for _, c in sim.st.commands), 60, "the new charger polled"
                )
                wait_until(lambda: [b.label for b in owner.bays()] == ["live1"], 60, "its bay")
            finally:
                owner.close()
    finally:
        sim.stop()


# ---------------------------------------------------------------- events


def test_the_events_stream_delivers_snapshots_and_sessions_from_a_virtual_charger(
    tmp_path: Path,
) -> None:
    from stationmgr.sim.ev import EV
    from stationmgr.sim.site import SerialSite

    with SerialSite(tmp_path, bays=1, sim_speed=20.0) as ss:
        db = ss.db()
        try:
            add_staff(db)
        finally:
            db.dispose()
        env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
        with service(tmp_path, ss.url, env=env, name="events") as svc:
            bay = ss.bays[0]
            ss.wait_gated(bay)
            attendant = RemoteClient(svc.url)
            try:
                attendant.login(USERS[Role.ATTENDANT], PASSWORDS[Role.ATTENDANT])
                stream = attendant.events()
                first = stream.wait_for(lambda e: e.type == "bay", 30, "the first snapshot")
                assert first.data["label"] == "B1"
                ss.plug(bay, EV(capacity_wh=20000, soc=0.2, max_power_w=7000))
                ss.start_session(bay)
                opened = stream.wait_for(lambda e: e.type == "session_opened", 30, "opened")
                assert opened.data["card_uid"] == bay.card[2:]
                stream.wait_for(
                    lambda e: e.type == "bay" and e.data["status"] == "Charging", 30, "Charging"
                )
                # Unplug only once the charger's counter has moved: "Charging" can arrive
                # before the first meter reading, and a session of 0 Wh proves nothing.
                stream.wait_for(
                    lambda e: e.type == "bay" and (e.data.get("energy_wh") or 0) > 0, 60, "energy"
                )
                bay.charger.unplug()
                closed = stream.wait_for(lambda e: e.type == "session_closed", 30, "closed")
                assert closed.data["tx_uid"] == opened.data["tx_uid"]
                assert closed.data["stop_reason"] == "EVDisconnected"
                stream.wait_for(
                    lambda e: e.type == "bay" and e.data["status"] == "Available", 30, "free"
                )
                # the session's detail, and the board's commands, through the same client
                (row,) = attendant.sessions(m.SessionQuery(bay="B1", limit=5))
                detail = attendant.session(row.id)
                assert detail.session.tx_uid == closed.data["tx_uid"] and detail.curve
                bay_id = first.data["bay_id"]
                assert attendant.set_out_of_order(bay_id, True).status == "Unavailable"
                stream.wait_for(
                    lambda e: e.type == "bay" and e.data["status"] == "Unavailable", 30, "out"
                )
                assert attendant.set_out_of_order(bay_id, False).status == "Available"
                with pytest.raises(NotFound):
                    attendant.remote_stop(9999)
                stream.close()
                accountant = RemoteClient(svc.url)
                try:
                    accountant.login(USERS[Role.ACCOUNTANT], PASSWORDS[Role.ACCOUNTANT])
                    with pytest.raises(PermissionDenied, match="may not start a session"):
                        accountant.remote_start(bay_id, "a guest")
                    (exported,) = accountant.export_sessions(m.SessionQuery(bay="B1"))
                    assert exported.tx_uid == closed.data["tx_uid"] and exported.energy_wh > 0
                    with pytest.raises(PermissionDenied, match="may not export"):
                        attendant.export_sessions(m.SessionQuery())
                finally:
                    accountant.close()
                db = ss.db()
                try:
                    with db.session() as s:
                        denied = s.scalars(
                            select(AuditEntry).where(
                                AuditEntry.action == "bays.remote_start",
                                AuditEntry.outcome == "denied",
                            )
                        ).all()
                        assert [e.operator for e in denied] == ["astrid"]
                finally:
                    db.dispose()
            finally:
                attendant.close()
            # the accountant never touches chargers but may watch the board
            r = cli(
                "--site",
                svc.url,
                "bays",
                env=env_for(USERS[Role.ACCOUNTANT], PASSWORDS[Role.ACCOUNTANT]),
            )
            assert r.returncode == 0 and "B1" in r.stdout


def test_the_events_socket_takes_the_token_in_its_first_message(site: Site) -> None:
    """For clients that cannot set headers on a WebSocket (browsers): a raw aiohttp socket."""
    import asyncio

    import aiohttp

    client = site.remote(Role.ACCOUNTANT)
    token = client.token
    client.close()

    async def first_messages(token_text: str) -> list[dict]:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{site.svc.url}/api/v1/events") as ws,
        ):
            await ws.send_str(json.dumps({"token": token_text}))
            out = []
            async with asyncio.timeout(30):
                async for msg in ws:
                    out.append(json.loads(msg.data))
                    break
            return out

    assert asyncio.run(first_messages(str(token)))[0]["type"] == "hello"
    refused = asyncio.run(first_messages("forged"))[0]
    assert refused["type"] == "error" and "sign in again" in refused["data"]["message"]


# ---------------------------------------------------------------- pieces


def test_a_slow_client_gets_coalesced_snapshots_and_is_dropped_before_losing_events() -> None:
    import asyncio

    from stationmgr.service.events import ClientQueue

    async def run() -> None:
        q = ClientQueue("slow", max_pending=3)
        for i in range(1000):  # 1000 snapshots of 2 bays: 2 kept, the newest of each
            q.put(m.Event("bay", {"bay_id": i % 2, "n": i}))
        q.put(m.Event("session_opened", {"tx_uid": "t1"}))
        got = q.take()
        assert [e.type for e in got] == ["session_opened", "bay", "bay"]
        assert sorted(e.data["n"] for e in got if e.type == "bay") == [998, 999]
        for i in range(4):  # one more than the queue holds: the client is cut off
            q.put(m.Event("alert_raised", {"n": i}))
        assert q.overflowed and q.take() == []

    asyncio.run(run())


def test_wire_models_are_strict() -> None:
    with pytest.raises(UserError, match="whole number"):
        m.SessionQuery.from_json({"limit": True})
    with pytest.raises(UserError, match="missing field"):
        m.LoginRequest.from_json({"username": "olga"})
    assert m.SessionQuery.from_json({"limit": 5}) == m.SessionQuery(limit=5)
    token = m.Token("t", "a", "b", m.Operator("olga", "owner"))
    assert m.Token.from_json(json.loads(json.dumps(token.to_json()))) == token


def test_a_locked_database_is_503_and_reads_still_answer(site: Site) -> None:
    import sqlite3

    client = site.remote(Role.OWNER)
    token = client.token
    client.close()
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    api = f"{site.svc.url}/api/v1"
    path = site.db_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)  # another program holds the write lock
    try:
        holder.execute("BEGIN IMMEDIATE")
        import threading

        answers: list[tuple[int, dict]] = []
        post = threading.Thread(
            target=lambda: answers.append(
                _http(f"{api}/cards", "POST", b'{"uid": "0E0E0E0E"}', auth)
            )
        )
        post.start()
        # While that write waits for the lock (in the service's pool), the engine's loop
        # still serves: reads answer before the waiting write does.
        status, _ = _http(f"{api}/cards", headers=auth)
        assert status == 200
        status, _ = _http(f"{api}/site")
        assert status == 200 and post.is_alive() and not answers
        post.join(60)
        status, answer = answers[0]
        assert status == 503 and answer["error"] == "busy", answer
        assert "locked" in answer["message"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    status, _ = _http(f"{api}/cards", "POST", b'{"uid": "0E0E0E0E"}', auth)
    assert status == 201


def test_an_unexpected_error_is_500_without_its_detail_and_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from stationmgr.clock import SystemClock
    from stationmgr.service.app import Service, build_app
    from stationmgr.service.tokens import TokenStore

    db = open_database(f"sqlite:///{tmp_path / 'x.sqlite3'}", create=True)

    def broken(self: object, search: str | None = None) -> list:
        raise RuntimeError("secret internals /etc/stationmgr")

    monkeypatch.setattr(LocalClient, "cards", broken)  # a bug at the edge of this unit
    svc = Service(db, None, TokenStore(SystemClock()))

    async def run() -> tuple[int, dict]:
        async with TestClient(TestServer(build_app(svc))) as http:
            resp = await http.get("/api/v1/cards")
            return resp.status, await resp.json()

    try:
        status, answer = asyncio.run(run())
    finally:
        svc.close()
        db.dispose()
    assert status == 500 and answer["error"] == "internal"
    assert "secret" not in json.dumps(answer)
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_listen_addresses_and_when_tls_is_forced() -> None:
    from stationmgr.service.server import parse_listen

    assert parse_listen("") == parse_listen("127.0.0.1:8742")
    assert parse_listen(":9000").port == 9000 and not parse_listen(":9000").tls
    assert parse_listen("0.0.0.0:8742").tls
    assert parse_listen("192.168.1.20").tls and parse_listen("192.168.1.20").port == 8742
    assert parse_listen("127.0.0.1:0", force_tls=True).tls
    assert parse_listen("[::1]:8000").host == "::1" and not parse_listen("[::1]:8000").tls
    with pytest.raises(UserError):
        parse_listen("127.0.0.1:99999")


def test_signing_out_or_disabling_the_operator_ends_their_event_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In this process: a real engine and the service on its loop, a remote client."""
    from stationmgr.access.operators import set_active
    from stationmgr.clock import SystemClock
    from stationmgr.engine import Engine
    from stationmgr.service import websocket
    from stationmgr.service.server import SiteServer, parse_listen

    monkeypatch.setattr(websocket, "RECHECK_S", 0.1)
    db = open_database(f"sqlite:///{tmp_path / 'ws.sqlite3'}", create=True)
    staff = add_staff(db)
    engine = Engine(db, SystemClock())
    engine.start()
    server = SiteServer(db, engine, parse_listen("127.0.0.1:0"))
    try:
        url = server.start()
        for how in ("sign out", "disable"):
            role = Role.ATTENDANT if how == "sign out" else Role.ACCOUNTANT
            client = RemoteClient(url)
            try:
                client.login(USERS[role], PASSWORDS[role])
                stream = client.events()
                if how == "sign out":
                    assert client.token is not None
                    server.service.tokens.revoke(client.token)
                    words = "sign in again"
                else:
                    with db.session() as s:
                        set_active(s, USERS[role], False, actor=staff[Role.OWNER])
                    words = "is disabled"
                ended = stream.wait_for(lambda e: e.type in ("error", "closed"), 30, "the end")
                assert ended.type == "error" and words in ended.data["message"], ended
                stream.wait_for(lambda e: e.type == "closed", 30, "the close")
            finally:
                client.close()
        # stopping the service ends open streams ("going away") instead of waiting on them
        owner = RemoteClient(url)
        try:
            owner.login(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
            stream = owner.events()
            server.stop()
            closed = stream.wait_for(lambda e: e.type == "closed", 30, "the close at stop")
            assert "1001" in closed.data["reason"]
        finally:
            owner.close()
    finally:
        server.stop()
        engine.stop()
        db.dispose()


def test_an_attendant_acknowledges_an_alert_over_the_api_and_it_is_audited(site: Site) -> None:
    from datetime import UTC, datetime

    from stationmgr.store.alert_models import Alert

    db = open_database(site.db_url, upgrade=False)
    try:
        with db.session() as s:
            now = datetime.now(UTC)
            s.add(
                Alert(
                    uid="test-blocked-1",
                    kind="blocked",
                    since=now,
                    raised_at=now,
                    detail="a finished car still in the bay",
                )
            )
    finally:
        db.dispose()
    attendant = site.remote(Role.ATTENDANT)
    accountant = site.remote(Role.ACCOUNTANT)
    try:
        open_alerts = attendant.alerts(m.AlertQuery(open=True, alert_kind="blocked"))
        assert [a.uid for a in open_alerts] == ["test-blocked-1"]
        with pytest.raises(PermissionDenied, match="may not acknowledge an alert"):
            accountant.acknowledge_alert("test-blocked-1")
        row = attendant.acknowledge_alert(str(open_alerts[0].id), "asked the driver to move")
        assert row.acknowledged_by == "arne" and row.acknowledged_at
        with pytest.raises(NotFound):
            attendant.acknowledge_alert("no-such-alert")
        with pytest.raises(UserError, match="unknown alert kind"):
            attendant.alerts(m.AlertQuery(alert_kind="volcano"))
    finally:
        attendant.close()
        accountant.close()
    assert site.audit(action="alerts.acknowledge", operator="arne", outcome="ok")
    assert site.audit(action="alerts.acknowledge", operator="astrid", outcome="denied")


def test_a_site_without_operators_is_not_served_beyond_this_computer(tmp_path: Path) -> None:
    from stationmgr.cli import main

    url = f"sqlite:///{tmp_path / 'open.sqlite3'}"
    assert main(["--db", url, "db", "create"]) == 0
    import signal

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:  # `run` installs its own handlers in this process
        assert main(["--db", url, "run", "--listen", "0.0.0.0:0"]) == 2
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
