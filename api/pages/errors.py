"""Errors on pages: a page in the reader's language; the API keeps its JSON answers."""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.errors import ServiceError
from api.pages.rendering import messages_for, render

__all__ = ["render_errors_as_pages"]


def render_errors_as_pages(application: FastAPI) -> None:
    """Service errors outside /api become an error page; under /api the JSON handler stays."""
    json_handler = application.exception_handlers[ServiceError]

    def _answer(request: Request, error: Exception) -> Response | Awaitable[Response]:
        if request.url.path.startswith("/api/") or not isinstance(error, ServiceError):
            return json_handler(request, error)
        t = messages_for(request)
        message = error.message_en if t.lang == "en" else error.message_zh
        return render(request, "error.html", {"message": message}, status_code=error.status_code)

    application.add_exception_handler(ServiceError, _answer)
