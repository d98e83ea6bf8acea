"""The service: `api.main:app` for uvicorn, or `create_app(settings)` for tests.

Errors of `api.errors` become HTTP answers in the one handler below, with the message in
Chinese and English, the first 1,000 problems (row, field, message) and counts per column
(`api.error_answers`), ID numbers masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.client_address import Network, parse_networks
from api.clock import utc_now
from api.db import make_engine, migrate
from api.error_answers import error_body
from api.errors import ServiceError
from api.pages import install_pages
from api.ratelimit import WrongGuessCounter
from api.routes import applicants, bureau_files, ceremony, draws, ledger, records
from api.routes import documents as document_routes
from api.settings import Settings
from api.signer import Signer
from api.upload import BodyLimit

__all__ = ["create_app"]  # and `app`, built on first access (see __getattr__)


@dataclass(frozen=True)
class LookupLimits:
    """The parent look-up's wrong-guess counts (settings `lookup_per_ip`,
    `lookup_per_application`) and the proxies whose `X-Forwarded-For` is believed."""

    per_ip: WrongGuessCounter
    per_application: WrongGuessCounter
    proxies: tuple[Network, ...]


def _error_answer(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    return JSONResponse(error_body(error), status_code=error.status_code, headers=error.headers())


def create_app(
    settings: Settings | None = None,
    *,
    signer: Signer | None = None,
    clock: Callable[[], str] = utc_now,
    run_migrations: bool = True,
) -> FastAPI:
    """The application on `settings` (default: from the environment)."""
    settings = settings or Settings.from_environ()
    application = FastAPI(
        title="Sunshine draw",
        version="1",
        summary="阳光摇号 / auditable lottery",
        docs_url=None,  # /docs and /redoc are served offline by api.pages
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    application.state.settings = settings
    application.state.engine = engine
    application.state.signer = signer
    application.state.clock = clock
    window = settings.lookup_window_seconds
    application.state.lookup_limits = LookupLimits(
        per_ip=WrongGuessCounter(limit=settings.lookup_per_ip, window=window),
        per_application=WrongGuessCounter(limit=settings.lookup_per_application, window=window),
        proxies=parse_networks(settings.trusted_proxies),
    )
    application.add_exception_handler(ServiceError, _error_answer)
    application.add_middleware(BodyLimit, limit=settings.max_upload_mb * 1024 * 1024)
    for module in (bureau_files, draws, applicants, ceremony, records, ledger):
        application.include_router(module.router)
    application.include_router(document_routes.router)

    @application.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "protocol": "sunshine-draw/1"}

    install_pages(application)

    return application


_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    # `api.main:app` is built on first use, so importing this module reads no environment.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
