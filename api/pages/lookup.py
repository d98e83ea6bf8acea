"""The parent look-up page (手机查询): a form a phone can send, and the family's answer.

The form posts application number and receipt code; the answer page is rendered by the server
and carries a "check it yourself" part run by `check.js` in the browser. The same rate limits
as the JSON look-up apply. Input is forgiving: full-width characters, spaces, lower case, and
(in the receipt code) hyphens and O for 0 are all accepted.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from api.db import SessionDep
from api.deps import SignerDep
from api.errors import InvalidInput, NotFound, RateLimited
from api.models import Applicant, Draw
from api.pages.facts import draw_facts
from api.pages.family import family_view
from api.pages.rendering import messages_for, render
from api.routes.records import wrong_guess
from api.services.access import visible_draw
from api.services.lookup import look_up

__all__ = ["application_candidates", "router"]

router = APIRouter(include_in_schema=False)

_MAX_FORM = 4096


def application_candidates(typed: str) -> list[str]:
    """The spellings of a typed application number to try, most literal first."""
    text = "".join(unicodedata.normalize("NFKC", typed).split())
    spellings = [text, text.upper(), text.replace("-", ""), text.upper().replace("-", "")]
    return list(dict.fromkeys(s for s in spellings if s))


def _known_application(session: Session, draw: Draw, typed: str) -> str:
    """The draw's application number that `typed` spells, or `typed` itself (then no match)."""
    candidates = application_candidates(typed)
    if not candidates:
        return typed
    found = set(
        session.exec(
            select(Applicant.application).where(
                Applicant.draw_id == draw.id, col(Applicant.application).in_(candidates)
            )
        )
    )
    return next((c for c in candidates if c in found), candidates[0])


def _form_page(
    request: Request, draw: Draw, session: Session, *, error: str | None, status_code: int = 200
) -> HTMLResponse:
    facts = draw_facts(session, draw)
    values = {"pin": request.query_params.get("pin", "")[:40]}
    return render(
        request,
        "lookup.html",
        {"facts": facts, "draw": facts.public, "error": error, "values": values},
        status_code=status_code,
    )


@router.get("/draws/{draw_id}/lookup", response_class=HTMLResponse)
def lookup_form(draw_id: str, request: Request, session: SessionDep) -> HTMLResponse:
    return _form_page(request, visible_draw(session, draw_id, None), session, error=None)


@router.post("/draws/{draw_id}/lookup", response_class=HTMLResponse)
async def lookup_answer(
    draw_id: str, request: Request, session: SessionDep, signer: SignerDep
) -> HTMLResponse:
    """The family's answer, or the form again with a plain message."""
    body = await request.body()
    if len(body) > _MAX_FORM:
        raise InvalidInput("表单过大", "the form is too large")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    draw = visible_draw(session, draw_id, None)
    t = messages_for(request)
    typed_application = form.get("application", "")
    receipt = unicodedata.normalize("NFKC", form.get("receipt", ""))
    if not typed_application.strip() or not receipt.strip():
        return _form_page(request, draw, session, error=t("lookup.missing"), status_code=422)
    application = _known_application(session, draw, typed_application)
    try:  # as the JSON look-up: only wrong guesses are counted, a right code always answered
        result = look_up(session, draw, application=application, receipt=receipt, signer=signer)
    except NotFound:
        refusal = wrong_guess(request, draw.public_id, application)
        if isinstance(refusal, RateLimited):
            return _form_page(request, draw, session, error=t("lookup.too_many"), status_code=429)
        return _form_page(request, draw, session, error=t("lookup.no_match"), status_code=404)
    facts = draw_facts(session, draw)
    view = family_view(t, facts, result)
    pin = " ".join(form.get("pin", "").split())[:40]
    return render(
        request,
        "lookup_result.html",
        {
            "facts": facts,
            "draw": facts.public,
            "view": view,
            "pin": pin,
            "check_messages": t.section("check."),
        },
    )
