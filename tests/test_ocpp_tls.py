"""OCPP over TLS (security profile 2: TLS + HTTP Basic): `stationmgr run --ocpp-listen …
--ocpp-tls` serves `wss://` with the site certificate. The Node.js charge point
(`tests/ocpp_cp/cp.js`, npm `ocpp-rpc`) verifies it like a charger with the certificate
installed (Node's own TLS verification, the certificate given as its trusted CA), so:
trusted and the right password → Accepted; not trusted → no connection at all; trusted
with a wrong password → 401."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stationmgr.access.roles import Role
from stationmgr.service.tls import CERT_NAME
from tests.access_site import PASSWORDS, USERS
from tests.helpers.ocpp_cp import EXIT_UNAUTHORIZED, node_command, run_cp
from tests.helpers.service import cli, env_for, service
from tests.test_service import _make_site

pytestmark = pytest.mark.timeout(300)

CP_ID = "TLS-CP-1"
PASSWORD = "tls-Secret-4567"


@dataclass
class TlsSite:
    ocpp_url: str
    cert: Path
    log: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsSite]:
    node_command()
    tmp = tmp_path_factory.mktemp("ocpp-tls")
    home = tmp / "home"
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER], STATIONMGR_HOME=str(home))
    url = _make_site(tmp)
    db = ("--db", url)
    assert cli(*db, "chargers", "add", "tls", "--driver", "ocpp", "--charge-point-id", CP_ID,
               "--bays", "T1", env=env).returncode == 0  # fmt: skip
    done = cli(*db, "secrets", "set", f"ocpp:{CP_ID}", env={**env, "STATIONMGR_SECRET": PASSWORD})
    assert done.returncode == 0, done.stderr
    url_file = tmp / "ocpp.url"
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-tls", "--ocpp-url-file", str(url_file))
    with service(tmp, url, *extra, env=env, name="ocpp-tls") as svc:
        base = url_file.read_text().strip()
        yield TlsSite(f"{base}/ocpp", home / "tls" / CERT_NAME, svc.log())


def test_the_endpoint_serves_wss_with_the_site_certificate(site: TlsSite) -> None:
    assert site.ocpp_url.startswith("wss://127.0.0.1:"), site.ocpp_url
    host, port = site.ocpp_url.removeprefix("wss://").split("/")[0].split(":")
    served = ssl.get_server_certificate((host, int(port)))
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(site.cert.read_text())


def test_a_charger_trusting_the_certificate_with_its_password_is_accepted(
    site: TlsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", str(site.cert))
    r = run_cp(site.ocpp_url, CP_ID, [{"op": "boot"}], password=PASSWORD).ok()
    assert r.calls("BootNotification")[0]["response"]["status"] == "Accepted", r.describe()
    wrong = run_cp(site.ocpp_url, CP_ID, [{"op": "boot"}], password="not-the-password")
    assert wrong.returncode == EXIT_UNAUTHORIZED and "401" in wrong.stderr, wrong.describe()


def test_a_charger_that_does_not_trust_the_certificate_does_not_connect(
    site: TlsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NODE_EXTRA_CA_CERTS", raising=False)
    r = run_cp(site.ocpp_url, CP_ID, [{"op": "boot"}], password=PASSWORD)
    assert r.returncode != 0 and not r.calls(), r.describe()
    assert "certificate" in r.stderr.lower(), r.describe()


def test_ocpp_tls_without_ocpp_listen_is_bad_input(tmp_path: Path) -> None:
    url = _make_site(tmp_path)
    env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER], STATIONMGR_HOME=str(tmp_path))
    r = cli("--db", url, "run", "--ocpp-tls", env=env)
    assert r.returncode == 2 and "--ocpp-listen" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
