"""Self-hosted API documentation: Swagger UI at /docs and Redoc at /redoc, offline.

The Swagger UI and Redoc files come from the `fastapi-offline` package (a PyPI package that
ships them) and are served by the app under /vendor. FastAPI's `get_swagger_ui_html` writes its
start-up code inline, which the Content-Security-Policy forbids, so /docs is our own small page
whose start-up code is a static file (`swagger-init.js`); it also turns off the Swagger
validator badge, which would otherwise call a server on the internet.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.rendering import render

__all__ = ["VENDOR_DIR", "router"]

VENDOR_DIR = Path(str(files("fastapi_offline") / "static"))

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return render(request, "redoc.html", {"openapi_url": request.app.openapi_url})
