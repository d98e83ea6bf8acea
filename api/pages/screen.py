"""The big screen (大屏) in the draw hall, 1920x1080: a page and the JSON it polls.

Before the draw: rules, seats, applicant count, manifest digest, key fingerprint and the
witnesses' commitments. Then each reveal as it comes, the beacon value and the seed. Then the
results school by school in lottery order (once published, as the results route allows).
`?rehearsal=N` shows rehearsal N instead, marked 模拟 on every frame.
Hook (ceremony issue): new ceremony steps join `screen_state` as further keys.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, select

from api.db import SessionDep
from api.errors import NotFound
from api.models import Applicant, Draw, Rehearsal
from api.pages.facts import DrawFacts, cached_by_digest, draw_facts
from api.pages.rendering import messages_for, render
from api.services.access import visible_draw

__all__ = ["router", "screen_state"]

router = APIRouter(include_in_schema=False)

RehearsalQuery = Annotated[int | None, Query(ge=1, le=1_000_000)]
PollQuery = Annotated[int, Query(ge=250, le=60_000)]  # milliseconds between two updates


@router.get("/draws/{draw_id}/screen", response_class=HTMLResponse)
def screen_page(
    draw_id: str,
    request: Request,
    session: SessionDep,
    rehearsal: RehearsalQuery = None,
    poll: PollQuery = 2000,
) -> HTMLResponse:
    draw = visible_draw(session, draw_id, None)
    t = messages_for(request)
    return render(
        request,
        "screen.html",
        {
            "draw": draw,
            "rehearsal": rehearsal,
            "poll": poll,
            "screen_messages": t.section("screen.") | t.section("state."),
        },
    )


@router.get("/draws/{draw_id}/screen.json")
def screen_json(
    draw_id: str, session: SessionDep, rehearsal: RehearsalQuery = None
) -> dict[str, Any]:
    """The whole screen state; the page polls it every two seconds."""
    draw = visible_draw(session, draw_id, None)
    return screen_state(session, draw, rehearsal=rehearsal)


def _rehearsal_results(session: Session, draw: Draw, seq: int) -> dict[str, Any]:
    row = session.exec(
        select(Rehearsal).where(Rehearsal.draw_id == draw.id, Rehearsal.seq == seq)
    ).first()
    if row is None:
        raise NotFound(f"没有第 {seq} 次模拟摇号", f"draw {draw.public_id} has no rehearsal {seq}")
    document = row.document
    parsed = cached_by_digest(f"rehearsal/{row.digest}", lambda: json.loads(document))
    return {"seq": row.seq, "text": row.text, "at": row.at, "document": parsed}


def _school_results(
    session: Session, draw: Draw, facts: DrawFacts, results: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each school's admitted children in lottery-number order (masked names only)."""
    masked = dict(
        session.exec(
            select(Applicant.application, Applicant.masked_name).where(Applicant.draw_id == draw.id)
        ).all()
    )
    by_school: dict[str, list[dict[str, str]]] = {}
    for application, number, status, school, label in results["applicants"]:
        if status == "admitted" and school is not None:
            by_school.setdefault(school, []).append(
                {
                    "application": application,
                    "masked_name": masked.get(application, ""),
                    "lottery_number": number,
                    "label": label or "",
                }
            )
    out = []
    for school in facts.public.schools:
        rows = sorted(by_school.get(school.id, []), key=lambda r: r["lottery_number"])
        out.append({"id": school.id, "name": school.name, "seats": school.seats, "admitted": rows})
    return out


def screen_state(session: Session, draw: Draw, *, rehearsal: int | None) -> dict[str, Any]:
    """What the big screen shows now."""
    facts = draw_facts(session, draw)
    public = facts.public
    practice = None if rehearsal is None else _rehearsal_results(session, draw, rehearsal)
    results = practice["document"] if practice else facts.results
    ceremony = facts.ceremony
    beacon = None if practice else facts.beacon
    return {
        "draw": public.id,
        "title": public.title,
        "authority": public.authority,
        "state": public.state,
        "mode": public.mode,
        "applicant_count": public.applicant_count,
        "seats": sum(s.seats for s in public.schools),
        "schools": [
            {"id": s.id, "name": s.name, "seats": s.seats, "tiers": [t.label for t in s.tiers]}
            for s in public.schools
        ],
        "manifest_digest": public.manifest_digest,
        "fingerprint": facts.fingerprint,
        "pin": facts.pin,
        "witnesses": [  # a rehearsal's seed comes from its text, never from the reveals
            {"name": w.name, "commitment": w.commitment, "secret": None if practice else w.secret}
            for w in facts.witnesses
        ],
        "beacon": None if beacon is None else {"used": beacon[0], "value": beacon[1]},
        "seed": (practice["document"] if practice else ceremony or {}).get("seed"),
        "rehearsal": practice and {"seq": practice["seq"], "text": practice["text"]},
        "results": None
        if results is None
        else cached_by_digest(
            f"screen/{draw.public_id}/{practice['seq'] if practice else 0}/{results['seed']}",
            lambda: _school_results(session, draw, facts, results),
        ),
    }
