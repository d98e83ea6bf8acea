"""The front door (`/`), a public draw's page and how to verify a draw offline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.db import SessionDep
from api.pages.facts import draw_facts, public_draws
from api.pages.rendering import render
from api.services.access import visible_draw
from api.services.draws import draw_public

__all__ = ["router"]

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
    return render(request, "draw.html", {"facts": facts, "draw": facts.public})


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    """How to re-run a draw from its bundle offline with `verify-draw`."""
    return render(request, "verify.html", {})
