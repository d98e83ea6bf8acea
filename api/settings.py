"""Service settings: the only place in the project that reads the environment.

Every knob of the service is a field of `Settings`, read once from `os.environ` by
`Settings.from_environ()`. Nothing else calls `os.environ`/`os.getenv`, so a test or an
operator can see the whole configuration in one place.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from api.client_address import parse_networks

__all__ = ["Settings"]

_PREFIX = "SUNSHINE_"


@dataclass(frozen=True)
class Settings:
    """The service configuration (environment variable names in brackets).

    - `database_url` [DATABASE_URL]: SQLite file by default; `postgresql+psycopg://...` in production.
    - `signing_key_file` [SUNSHINE_SIGNING_KEY_FILE]: the bureau's Ed25519 private key (PEM, PKCS#8).
    - `public_base_url` [SUNSHINE_PUBLIC_BASE_URL]: where families reach the look-up page.
    - `data_dir` [SUNSHINE_DATA_DIR]: where exported bundles are written.
    - `lookup_per_ip` / `lookup_per_application` [SUNSHINE_LOOKUP_PER_IP,
      SUNSHINE_LOOKUP_PER_APPLICATION] within `lookup_window_seconds` [SUNSHINE_LOOKUP_WINDOW_SECONDS]:
      how many WRONG guesses per client address / per application number before a wrong guess
      is answered 429 with Retry-After (a right receipt code is always answered).
    - `trusted_proxies` [SUNSHINE_TRUSTED_PROXIES]: comma-separated addresses or CIDR blocks of
      the reverse proxies whose `X-Forwarded-For` is believed; empty: the header is ignored.
    - `timezone` [SUNSHINE_TIMEZONE]: the zone of every time a person reads (default
      Asia/Shanghai); signed data keeps UTC.
    - `max_upload_mb` [SUNSHINE_MAX_UPLOAD_MB]: the largest applicant file accepted (64).
    - `tls_cert_file` [SUNSHINE_TLS_CERT_FILE]: the HTTPS certificate (PEM) the pages show the
      fingerprint of (made by `python -m api.pages.tls`).
    - `test_run_delay_seconds` [SUNSHINE_TEST_RUN_DELAY_SECONDS]: tests only; sleeps inside the
      run-step transaction so a crash test can kill the server mid-run. Always 0 in production.
    """

    database_url: str = "sqlite:///./sunshine.db"
    signing_key_file: Path = Path("./signing-key.pem")
    public_base_url: str = "http://localhost:8000"
    data_dir: Path = Path("./sunshine-data")
    lookup_per_ip: int = 30
    lookup_per_application: int = 10
    lookup_window_seconds: int = 600
    test_run_delay_seconds: float = 0.0
    trusted_proxies: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"
    max_upload_mb: int = 64
    tls_cert_file: Path = Path("./tls/cert.pem")

    def __post_init__(self) -> None:
        for name in (
            "lookup_per_ip",
            "lookup_per_application",
            "lookup_window_seconds",
            "max_upload_mb",
        ):
            value = getattr(self, name)
            if value < 1:
                raise ValueError(f"setting {name} must be at least 1, found {value}")
        parse_networks(self.trusted_proxies)
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"setting timezone: unknown time zone {self.timezone!r}") from None
        if self.test_run_delay_seconds < 0:
            raise ValueError(
                f"setting test_run_delay_seconds must be >= 0, found {self.test_run_delay_seconds}"
            )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (or from `environ`, for tests)."""
        env = os.environ if environ is None else environ
        defaults = cls()

        def text(name: str, default: str) -> str:
            return env.get(name, default)

        def number(name: str, default: int) -> int:
            raw = env.get(_PREFIX + name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                raise ValueError(
                    f"setting {_PREFIX}{name} must be an integer, found {raw!r}"
                ) from None

        delay_raw = env.get(_PREFIX + "TEST_RUN_DELAY_SECONDS", "0")
        try:
            delay = float(delay_raw)
        except ValueError:
            raise ValueError(
                f"setting {_PREFIX}TEST_RUN_DELAY_SECONDS must be a number, found {delay_raw!r}"
            ) from None
        return cls(
            database_url=text("DATABASE_URL", defaults.database_url),
            signing_key_file=Path(
                text(_PREFIX + "SIGNING_KEY_FILE", str(defaults.signing_key_file))
            ),
            public_base_url=text(_PREFIX + "PUBLIC_BASE_URL", defaults.public_base_url),
            data_dir=Path(text(_PREFIX + "DATA_DIR", str(defaults.data_dir))),
            lookup_per_ip=number("LOOKUP_PER_IP", defaults.lookup_per_ip),
            lookup_per_application=number(
                "LOOKUP_PER_APPLICATION", defaults.lookup_per_application
            ),
            lookup_window_seconds=number("LOOKUP_WINDOW_SECONDS", defaults.lookup_window_seconds),
            test_run_delay_seconds=delay,
            trusted_proxies=tuple(
                p.strip() for p in env.get(_PREFIX + "TRUSTED_PROXIES", "").split(",") if p.strip()
            ),
            timezone=text(_PREFIX + "TIMEZONE", defaults.timezone),
            max_upload_mb=number("MAX_UPLOAD_MB", defaults.max_upload_mb),
            tls_cert_file=Path(text(_PREFIX + "TLS_CERT_FILE", str(defaults.tls_cert_file))),
        )
