"""The sealing announcement (封存公告, protocol §12.6) of a draw: a public page and its PDF.

Published at sealing, before any reveal: the manifest digest, the bureau's key fingerprint and
the 20-character pin a family writes down, the beacon registered with the local time its value
appears, and the witnesses with their key fingerprints. The page and the PDF (for the notary,
`?lang=en` for the English one) are laid out from the same `SealingFacts`, read from the
signed manifest, so they never disagree with it or with each other.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.db import SessionDep
from api.documents.sealing import (
    SealingFacts,
    group_hex,
    group_pin,
    sealing_announcement_pdf,
    sealing_facts,
)
from api.errors import NotFound
from api.models import Draw
from api.pages.rendering import render
from api.services.access import visible_draw
from api.services.sealing import signed_document
from api.settings import Settings
from lottery import pin

__all__ = ["announcement_facts", "router"]

router = APIRouter(include_in_schema=False)


def announcement_facts(session: Session, draw: Draw) -> SealingFacts | None:
    """The announcement of a sealed draw, from its signed manifest; None before sealing."""
    stored = signed_document(session, draw, "manifest")
    if stored is None:
        return None
    manifest, digest = json.loads(stored.document), stored.digest
    code = pin(bytes.fromhex(digest), str(manifest["signing_key"]["fingerprint"]))
    return sealing_facts(manifest, manifest_digest=digest, pin=code)


@router.get("/draws/{draw_id}/announcement", response_class=HTMLResponse)
def announcement_page(draw_id: str, request: Request, session: SessionDep) -> HTMLResponse:
    draw = visible_draw(session, draw_id, None)
    facts = announcement_facts(session, draw)
    context = {
        "draw": draw,
        "sealing": facts,
        "pin": facts and group_pin(facts.pin),
        "group_hex": group_hex,
    }
    return render(request, "announcement.html", context)


@router.get("/draws/{draw_id}/announcement.pdf")
def announcement_document(
    draw_id: str,
    request: Request,
    session: SessionDep,
    lang: Annotated[Literal["zh", "en"], Query()] = "zh",
) -> Response:
    """The printable announcement for the notary, in one language: the same bytes as the copy
    the signed bundle index lists (`api.documents.catalogue`), so a printed copy can be
    checked against it."""
    draw = visible_draw(session, draw_id, None)
    settings: Settings = request.app.state.settings
    facts = announcement_facts(session, draw)
    if facts is None:
        raise NotFound(
            f"抽签 {draw.public_id} 尚未封存, 还没有封存公告",
            f"draw {draw.public_id} is not sealed yet: no sealing announcement",
        )
    data = sealing_announcement_pdf(facts, language=lang, zone=settings.timezone)
    name = f"{draw.public_id}-sealing-announcement-{lang}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
