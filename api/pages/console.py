"""The operator console: one page whose script drives the service's JSON API.

The operator signs in with the operator token; the script keeps it in the tab's session
storage and sends it as `Authorization: Bearer`, exactly as the command line does, so the
console can do nothing the API does not allow. Every irreversible step asks for confirmation.
Hook (operator issue): new service routes (corrections, reasons on actions, documents) get
their buttons here; `console.js` lists the routes it calls in one table.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.pages.rendering import messages_for, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/console", response_class=HTMLResponse)
def console_page(request: Request) -> HTMLResponse:
    t = messages_for(request)
    return render(
        request, "console.html", {"console_messages": t.section("console.") | t.section("state.")}
    )
