"""Rehearsals, the audit log and the parent look-up."""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request, Response

from api.audit import events_of
from api.auth import OptionalCallerDep
from api.db import SessionDep
from api.deps import NowDep, SignerDep
from api.errors import NotFound
from api.lifecycle import State, require_state, transaction
from api.schemas import (
    ActionCreate,
    ActionPublic,
    AuditEventPublic,
    LookupRequest,
    LookupResult,
    RehearsalCreate,
    RehearsalPublic,
)
from api.services import actions, running
from api.services.access import bureau_draw, find_draw, operator_draw, visible_draw
from api.services.lookup import look_up
from api.services.sealing import signed_document

router = APIRouter(prefix="/api/draws/{draw_id}", tags=["records"])


def _rehearsal_out(row) -> RehearsalPublic:  # type: ignore[no-untyped-def]
    return RehearsalPublic(
        seq=row.seq,
        text=row.text,
        at=row.at,
        actor=row.actor,
        digest=row.digest,
        marking=running.REHEARSAL_MARK,
    )


@router.post("/rehearsals", status_code=201)
def rehearse(
    draw_id: str,
    body: RehearsalCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> RehearsalPublic:
    """A practice run (模拟摇号) on the sealed list with a stated text (protocol §16)."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        row = running.rehearsal(
            session, draw, text=body.text, actor=caller.actor, at=now, signer=signer
        )
    return _rehearsal_out(row)


@router.get("/rehearsals")
def rehearsals(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep
) -> list[RehearsalPublic]:
    draw = bureau_draw(session, draw_id, caller)
    return [_rehearsal_out(r) for r in running.rehearsals_of(session, draw)]


@router.get("/audit")
def audit_log(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep
) -> list[AuditEventPublic]:
    """The draw's hash-chained audit log (protocol §15): the bureau's operator and auditor."""
    draw = bureau_draw(session, draw_id, caller)
    assert draw.id is not None
    return [
        AuditEventPublic(
            seq=e.seq,
            prev=e.prev,
            at=e.at,
            actor=e.actor,
            action=e.action,
            details=json.loads(e.details),
            entry_hash=e.entry_hash,
        )
        for e in events_of(session, draw.id)
    ]


@router.post("/lookup")
def lookup(
    draw_id: str, body: LookupRequest, request: Request, session: SessionDep
) -> LookupResult:
    """A family's look-up by application number and receipt code; rate limited."""
    limits = request.app.state.lookup_limits
    now = time.monotonic()
    client = request.client.host if request.client else "unknown"
    limits.per_ip.hit(client, now=now)
    limits.per_application.hit(f"{draw_id}/{body.application}", now=now)
    draw = find_draw(session, draw_id)
    return look_up(session, draw, application=body.application, receipt=body.receipt)


@router.post("/actions", status_code=201)
def record_action(
    draw_id: str,
    body: ActionCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> ActionPublic:
    """Record a decline or disqualification; the waitlist fills the seat (protocol §14)."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        row = actions.record_action(
            session,
            draw,
            kind=body.type,
            application=body.application,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return ActionPublic(
        seq=row.seq,
        type=row.type,
        application=row.application,
        at=row.at,
        moves=[tuple(m) for m in json.loads(row.moves)],
    )


@router.get("/actions.json")
def actions_json(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The signed actions document (protocol §14.3); public once the draw is published."""
    draw = visible_draw(session, draw_id, caller)
    require_state(draw, allowed=(State.PUBLISHED,), what=("递补记录", "the actions"))
    stored = signed_document(session, draw, "actions")
    if stored is None:
        raise NotFound("尚无递补记录", f"draw {draw_id} has no post-draw actions")
    return Response(stored.document, media_type="application/json")
