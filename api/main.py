"""The service: `api.main:app` for uvicorn, or `create_app(settings)` for tests.

Errors of `api.errors` become HTTP answers in the one handler below, with the message in
Chinese and English and every problem (row, field, message) listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.clock import utc_now
from api.db import make_engine, migrate
from api.errors import ServiceError
from api.pages import install_pages
from api.ratelimit import SlidingWindowLimiter
from api.routes import applicants, ceremony, draws, records
from api.settings import Settings
from api.signer import Signer

__all__ = ["create_app"]  # and `app`, built on first access (see __getattr__)


@dataclass(frozen=True)
class LookupLimits:
    """The parent look-up's two limits (settings `lookup_per_ip`, `lookup_per_application`)."""

    per_ip: SlidingWindowLimiter
    per_application: SlidingWindowLimiter


def _error_answer(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    body = {
        "error": error.code,
        "message_zh": error.message_zh,
        "message_en": error.message_en,
        "problems": [
            {
                "row": p.row,
                "field": p.field,
                "value": p.value,
                "message_zh": p.message_zh,
                "message_en": p.message_en,
            }
            for p in error.problems
        ],
    }
    return JSONResponse(body, status_code=error.status_code)


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
        per_ip=SlidingWindowLimiter(
            limit=settings.lookup_per_ip, window=window, what=("本机", "from this address")
        ),
        per_application=SlidingWindowLimiter(
            limit=settings.lookup_per_application,
            window=window,
            what=("该报名号", "for this application number"),
        ),
    )
    application.add_exception_handler(ServiceError, _error_answer)
    for module in (draws, applicants, ceremony, records):
        application.include_router(module.router)

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
