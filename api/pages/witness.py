"""The witness page: carries a witness's files (protocol §7.9) between its machine and the service.

The witness's key and secret are made on its own computer by the verifier's witness tool
(`verify-draw witness ...`); the page never generates a key. It uploads the commitment file
before sealing, the reveal file after (and offers the bureau's signed reveal receipt, §7.3,
for download), downloads the checkpoint (§7.4) and the beacon statement (§7.5), and uploads
the witness's co-signatures of each. The witness token comes in the link's fragment
(`#token=...`), which a browser never sends to a server. The page shows the fingerprint of
the service's HTTPS certificate.
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
