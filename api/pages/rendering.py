"""Server-rendered pages: one Jinja2 environment, autoescaping on, words from the catalogue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.pages.localtime import local_time
from api.pages.messages import Messages, choose_language
from api.settings import Settings

__all__ = ["messages_for", "render"]

_ENVIRONMENT = Environment(
    loader=PackageLoader("api.pages", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_COOKIE_DAYS = 365


def messages_for(request: Request) -> Messages:
    """The reader's language: `?lang=`, then the `lang` cookie, then Chinese."""
    return Messages(choose_language(request.query_params.get("lang"), request.cookies.get("lang")))


def _switch_url(request: Request, lang: str) -> str:
    query = dict(request.query_params)
    query["lang"] = lang
    return f"{request.url.path}?{urlencode(query)}"


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """The page `template` with `context`, in the reader's language."""
    t = messages_for(request)
    settings: Settings = request.app.state.settings
    zone = settings.timezone

    def when(utc_iso: str | None) -> str:
        return local_time(utc_iso, zone=zone, lang=t.lang)

    html = _ENVIRONMENT.get_template(template).render(
        t=t,
        lang=t.lang,
        html_lang="zh-CN" if t.lang == "zh" else "en",
        switch_url=_switch_url(request, t.other),
        when=when,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == t.lang:
        response.set_cookie(
            "lang", t.lang, max_age=_COOKIE_DAYS * 86400, samesite="lax", httponly=True
        )
    return response
