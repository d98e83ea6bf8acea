"""The witness page: a witness makes its secret in its own browser and submits the commitment.

The secret is drawn with Web Crypto and stays in the browser (offered for download and print)
until the reveal; only the commitment (protocol §7.1) is sent before. The witness token comes
in the link's fragment (`#token=...`), which a browser never sends to a server. Web Crypto
needs a secure context: on a plain-HTTP page the script says so and points to the witness
command instead. The page shows the fingerprint of the service's HTTPS certificate.
Hook (ceremony issue): the co-signatures of the new ceremony join `witness.js`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.db import SessionDep
from api.pages.rendering import messages_for, render
from api.pages.tls import certificate_fingerprint
from api.services.access import find_draw
from api.settings import Settings

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/draws/{draw_id}/witness/{witness_id}", response_class=HTMLResponse)
def witness_page(
    draw_id: str, witness_id: str, request: Request, session: SessionDep
) -> HTMLResponse:
    draw = find_draw(session, draw_id)
    settings: Settings = request.app.state.settings
    t = messages_for(request)
    return render(
        request,
        "witness.html",
        {
            "draw": draw,
            "witness_id": witness_id,
            "tls_fingerprint": certificate_fingerprint(settings.tls_cert_file),
            "witness_messages": t.section("witness."),
        },
    )
