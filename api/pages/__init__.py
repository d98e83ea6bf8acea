"""The web pages: front door, parent look-up, big screen, operator console, witness page.

Server-rendered Jinja2 templates (autoescaped) with a little plain JavaScript in static files,
words from one catalogue per language (`api.pages.messages`), every asset served by the app
(a draw often runs on an offline PC), a strict Content-Security-Policy on every answer.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import announcement, console, docs, front, lookup, public_list, screen, witness
from api.pages.errors import render_errors_as_pages
from api.pages.front import CHECK_SCRIPT, check_script_digest
from api.pages.security import add_security_headers

__all__ = ["CHECK_SCRIPT", "STATIC_DIR", "check_script_digest", "install_pages"]

STATIC_DIR = Path(__file__).parent / "static"


def install_pages(application: FastAPI) -> None:
    """Add the pages, their static files and the security headers to `application`."""
    add_security_headers(application)
    render_errors_as_pages(application)
    application.mount("/assets", StaticFiles(directory=STATIC_DIR), name="assets")
    application.mount("/vendor", StaticFiles(directory=docs.VENDOR_DIR), name="vendor")
    for module in (docs, front, lookup, public_list, announcement, screen, console, witness):
        application.include_router(module.router)
