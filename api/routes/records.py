"""Rehearsals, the audit log and the parent look-up."""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request, Response

from api.audit import events_of
from api.auth import OptionalCallerDep
from api.client_address import client_address
from api.db import SessionDep
from api.deps import NowDep, SignerDep
from api.errors import NotFound, RateLimited, ServiceError
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
from api.services.access import bureau_draw, operator_draw, visible_draw
from api.services.lookup import look_up, outcome_proof_bytes
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
            draw=draw.public_id,
            details=json.loads(e.details),
            entry_hash=e.entry_hash,
        )
        for e in events_of(session, draw.id)
    ]


@router.post("/lookup")
def lookup(
    draw_id: str,
    body: LookupRequest,
    request: Request,
    session: SessionDep,
    signer: SignerDep,
) -> LookupResult:
    """A family's look-up by application number and receipt code, answered from the signed
    results. Wrong guesses are counted; a right receipt code is always answered."""
    try:
        draw = visible_draw(session, draw_id, None)
        return look_up(
            session, draw, application=body.application, receipt=body.receipt, signer=signer
        )
    except NotFound:
        raise wrong_guess(request, draw_id, body.application) from None


@router.post("/outcome-proof")
def outcome_proof_file(
    draw_id: str,
    body: LookupRequest,
    request: Request,
    session: SessionDep,
    signer: SignerDep,
) -> Response:
    """The child's outcome proof (§12.7 item 4) as a file to keep and check offline with
    `verify-draw outcome FILE --pin PIN`: the same look-up, its protections and its limits."""
    try:
        draw = visible_draw(session, draw_id, None)
        found = look_up(
            session, draw, application=body.application, receipt=body.receipt, signer=signer
        )
    except NotFound:
        raise wrong_guess(request, draw_id, body.application) from None
    if found.outcome_proof is None or found.outcome_proof_file is None:
        raise NotFound("结果尚未公布", "results are not published yet")
    return Response(
        content=outcome_proof_bytes(found.outcome_proof),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{found.outcome_proof_file}"'},
    )


def wrong_guess(request: Request, draw_id: str, application: str) -> ServiceError:
    """Count a wrong guess; 429 with Retry-After once over a limit, else the same 404."""
    limits = request.app.state.lookup_limits
    now = time.monotonic()
    peer = request.client.host if request.client else None
    client = client_address(peer, request.headers.get("x-forwarded-for"), limits.proxies)
    wait = max(
        limits.per_ip.count(client, now=now),
        limits.per_application.count(f"{draw_id}/{application}", now=now),
    )
    if wait:
        return RateLimited(
            f"错误次数过多, 请 {wait} 秒后再试 (正确的回执码不受影响)",
            f"too many wrong guesses; try again in {wait} s (a right receipt code is always "
            "answered)",
            retry_after=wait,
        )
    return NotFound(
        "报名号或回执码不正确", "the application number or the receipt code is not correct"
    )


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
            reason=body.reason,
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
