"""The masked applicant list (公示) as a page: numbered, a hundred lines a page, searchable by
application number, so that a family can find its line and object to an error before sealing.
Only masked names and ID numbers are shown (protocol §4.1), as in the JSON list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, func, select

from api.db import SessionDep
from api.models import Applicant
from api.pages.facts import draw_facts
from api.pages.lookup import application_candidates
from api.pages.rendering import render
from api.services.access import visible_draw

__all__ = ["PAGE_SIZE", "router"]

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100


@dataclass(frozen=True)
class ListLine:
    """One line of the list, with school and tier names instead of codes."""

    number: int
    application: str
    masked_name: str
    masked_id: str
    choices: str


@router.get("/draws/{draw_id}/list", response_class=HTMLResponse)
def public_list_page(
    draw_id: str,
    request: Request,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    q: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    draw = visible_draw(session, draw_id, None)
    facts = draw_facts(session, draw)
    query = select(Applicant).where(Applicant.draw_id == draw.id)
    if q.strip():
        query = query.where(col(Applicant.application).in_(application_candidates(q)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    first = (page - 1) * PAGE_SIZE
    rows = session.exec(
        query.order_by(col(Applicant.application)).offset(first).limit(PAGE_SIZE)
    ).all()
    lines = [
        ListLine(
            number=first + i + 1,
            application=a.application,
            masked_name=a.masked_name,
            masked_id=a.masked_id,
            choices=_choices(facts, json.loads(a.preferences), json.loads(a.tiers)),
        )
        for i, a in enumerate(rows)
    ]
    pages = max(1, -(-total // PAGE_SIZE))
    context = {"draw": facts.public, "lines": lines, "page": page, "pages": pages, "q": q}
    return render(request, "list.html", context | {"total": total})


def _choices(facts, preferences: list[str], tiers: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    names = []
    for school_id in preferences:
        school = facts.school(school_id)
        if school is None:
            names.append(school_id)
            continue
        tier = next((t for t in school.tiers if t.id == tiers.get(school_id)), school.tiers[-1])
        names.append(f"{school.name} ({tier.label})")
    return "; ".join(names)
