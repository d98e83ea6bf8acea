"""A local HTTPS certificate for the draw hall, so that witness pages run in a secure context.

Web Crypto exists only in a secure context (HTTPS, or localhost): over plain HTTP on the
hall's network a witness's browser has no `crypto.subtle`. `python -m api.pages.make_certificate DIR` makes
a self-signed certificate and key (made with `cryptography`) for the given host names and
addresses, and prints the certificate's SHA-256 fingerprint for the sealing announcement.
Serve with it:  uvicorn api.main:app --ssl-certfile DIR/cert.pem --ssl-keyfile DIR/key.pem
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["certificate_fingerprint", "generate_certificate"]

_DAYS = 400


def _alternative_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def generate_certificate(
    directory: Path, *, hosts: list[str], now: datetime.datetime
) -> tuple[Path, Path]:
    """Write `cert.pem` and `key.pem` (mode 0600) into `directory`; refuses to overwrite."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_DAYS))
        .add_extension(x509.SubjectAlternativeName([_alternative_name(h) for h in hosts]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    with key_path.open("xb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    key_path.chmod(0o600)
    with cert_path.open("xb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def certificate_fingerprint(cert_path: Path) -> str | None:
    """SHA-256 of the certificate (DER), as browsers show it (AA:BB:...); None if absent."""
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (FileNotFoundError, ValueError):
        return None
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()
