"""The site certificate: self-signed, made at the service's first start in the site's data
directory (`$STATIONMGR_HOME`, else the user data directory), reused after.

Clients do not trust it through a certificate authority (a small site has none): they pin
its SHA-256 fingerprint, which `stationmgr site certificate` prints, given once to each PC
(`--site-fingerprint` or `STATIONMGR_SITE_FINGERPRINT`). A certificate that does not match
is refused before anything is sent, password included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from stationmgr.errors import UserError
from stationmgr.store.db import data_dir

CERT_NAME = "site-cert.pem"
KEY_NAME = "site-key.pem"
VALID_DAYS = 10 * 365


@dataclass(frozen=True)
class SiteCertificate:
    cert_path: Path
    key_path: Path
    fingerprint: str  # SHA-256 of the DER certificate, AA:BB:… (upper case)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.cert_path, self.key_path)
        return ctx


def tls_dir() -> Path:
    return data_dir() / "tls"


def fingerprint_of(der: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def parse_fingerprint(text: str) -> bytes:
    """A SHA-256 fingerprint as typed (colons, spaces, any case) → its 32 bytes."""
    clean = "".join(ch for ch in text if ch not in ": \t").lower()
    try:
        raw = bytes.fromhex(clean)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise UserError(
            "the site fingerprint must be 64 hex digits (as `stationmgr site certificate` "
            "prints it)"
        )
    return raw


def _load(cert_path: Path, key_path: Path) -> SiteCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return SiteCertificate(cert_path, key_path, fingerprint_of(cert.public_bytes(Encoding.DER)))


def existing(directory: Path | None = None) -> SiteCertificate | None:
    d = directory or tls_dir()
    cert, key = d / CERT_NAME, d / KEY_NAME
    return _load(cert, key) if cert.is_file() and key.is_file() else None


def ensure(directory: Path | None = None, hosts: tuple[str, ...] = ()) -> SiteCertificate:
    """The site's certificate, made now if there is none yet."""
    d = directory or tls_dir()
    found = existing(d)
    if found is not None:
        return found
    return _generate(d, hosts)


def _generate(d: Path, hosts: tuple[str, ...]) -> SiteCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    d.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(d, 0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname() or "stationmgr"
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for h in {host, *hosts}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            if h:
                names.append(x509.DNSName(h))
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"stationmgr site {host}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = d / KEY_NAME, d / CERT_NAME
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _load(cert_path, key_path)
