"""Security headers on every answer: a strict Content-Security-Policy and its companions.

Pages load scripts, styles, images and fonts from the app only (`default-src 'self'`), never
inline: the pages keep their JavaScript in files of their own. The two API documentation pages
are the one exception: the vendored Swagger UI and Redoc set inline styles while they draw, so
those two paths also allow `'unsafe-inline'` styles (still no inline script, nothing external).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

__all__ = ["PAGE_POLICY", "add_security_headers"]

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")


def add_security_headers(application: FastAPI) -> None:
    """Install the middleware that sets the headers on every response of `application`."""

    @application.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        docs = request.url.path in _DOCS_PATHS
        response.headers.setdefault(
            "Content-Security-Policy", _DOCS_POLICY if docs else PAGE_POLICY
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
