"""`python -m api.pages.make_certificate DIR [--host NAME ...]`: the hall's HTTPS certificate.

Makes DIR/cert.pem and DIR/key.pem once (see `api.pages.tls`) and prints the certificate's
SHA-256 fingerprint, which the sealing announcement shows so that witnesses can compare it.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from api.pages.tls import certificate_fingerprint, generate_certificate

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Make a local HTTPS certificate for the hall.")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--host", action="append", default=None, help="host name or address")
    args = parser.parse_args(argv)
    cert = args.directory / "cert.pem"
    if not cert.exists():
        hosts = args.host or ["localhost", "127.0.0.1", "::1"]
        generate_certificate(args.directory, hosts=hosts, now=datetime.datetime.now(datetime.UTC))
    print(f"{cert}  SHA-256 {certificate_fingerprint(cert)}")


if __name__ == "__main__":
    main()
