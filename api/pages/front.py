"""The front door (`/`), a public draw's page and how to verify a draw offline."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.db import SessionDep
from api.pages.facts import draw_facts, public_draws
from api.pages.rendering import render
from api.pages.tls import certificate_fingerprint
from api.services.access import visible_draw
from api.services.draws import draw_public
from api.settings import Settings

__all__ = ["CHECK_SCRIPT", "check_script_digest", "router"]

CHECK_SCRIPT = Path(__file__).parent / "static" / "check.js"


@functools.cache
def check_script_digest() -> str:
    """SHA-256 (hex) of `check.js`, the one file of the family's in-browser check (receipt
    check §4.8, pins §12.6, §17.1), read from the file served, so it follows every change.

    The /verify page shows it, so that anyone can host an identical copy of the check and
    show it is the one the bureau published.
    """
    return hashlib.sha256(CHECK_SCRIPT.read_bytes()).hexdigest()


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def front_door(request: Request, session: SessionDep) -> HTMLResponse:
    """Leads to the look-up and to each public draw: its 公示, its bundle, how to verify it."""
    draws = [draw_public(session, d) for d in public_draws(session)]
    return render(request, "index.html", {"draws": draws})


@router.get("/draws/{draw_id}", response_class=HTMLResponse)
def draw_page(draw_id: str, request: Request, session: SessionDep) -> HTMLResponse:
    """One draw's public page: rules, seats, commitments, documents and the bundle."""
    facts = draw_facts(session, visible_draw(session, draw_id, None))
    settings: Settings = request.app.state.settings
    tls = certificate_fingerprint(settings.tls_cert_file)
    categories = {c.id: c.label for c in facts.public.categories}
    context = {"facts": facts, "draw": facts.public, "tls": tls, "categories": categories}
    return render(request, "draw.html", context)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    """How to re-run a draw from its bundle offline with `verify-draw`."""
    return render(request, "verify.html", {"check_digest": check_script_digest()})
