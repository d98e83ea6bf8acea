"""Draw lifecycle routes: create, rules, objection, seal, ceremony, run, publish, read, and
the second round (补录)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import Session

from api.auth import Caller, CallerDep, OptionalCallerDep, Role, require_role
from api.db import SessionDep
from api.deps import NowDep, SettingsDep, SignerDep
from api.errors import NotFound
from api.lifecycle import State, require_state, transaction
from api.schemas import (
    DrawCreate,
    DrawPublic,
    SealAnswer,
    SealingWarningPublic,
    SecondRoundCreate,
)
from api.services import draws, rounds, running, sealing
from api.services.access import operator_draw, visible_draw
from api.services.ceremony import open_ceremony
from api.services.publication import bundle_zip
from api.signer import Signer

router = APIRouter(prefix="/api/draws", tags=["draws"])

_JSON = "application/json"


@router.post("", status_code=201)
def create_draw(
    spec: DrawCreate, session: SessionDep, caller: CallerDep, signer: SignerDep, now: NowDep
) -> DrawPublic:
    require_role(caller, Role.OPERATOR)
    return create_from_spec(session, spec, caller=caller, now=now, signer=signer)


def create_from_spec(
    session: Session, spec: DrawCreate, *, caller: Caller, now: str, signer: Signer
) -> DrawPublic:
    """A new draw in draft from its rules (JSON or the rules workbook), as its public view."""
    with transaction(session):
        draw = draws.create_draw(
            session,
            spec=spec,
            bureau_id=caller.bureau_id,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return draws.draw_public(session, draw)


@router.get("/{draw_id}")
def get_draw(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> DrawPublic:
    return draws.draw_public(session, visible_draw(session, draw_id, caller))


@router.put("/{draw_id}/rules")
def update_rules(
    draw_id: str,
    spec: DrawCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> DrawPublic:
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        draws.update_rules(
            session, draw, spec=spec, actor=caller.actor if caller else "", at=now, signer=signer
        )
    return draws.draw_public(session, draw)


@router.post("/{draw_id}/objection")
def open_objection(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, signer: SignerDep, now: NowDep
) -> DrawPublic:
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        draws.open_objection(session, draw, actor=caller.actor, at=now, signer=signer)
    return draws.draw_public(session, draw)


@router.post("/{draw_id}/seal")
def seal(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, signer: SignerDep, now: NowDep
) -> SealAnswer:
    """Seal; the answer carries the warnings of §6.5 (sealing proceeds regardless)."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        sealed = sealing.seal_draw(session, draw, actor=caller.actor, at=now, signer=signer)
    return SealAnswer(
        **draws.draw_public(session, draw).model_dump(),
        warnings=[_warning(w) for w in sealed.warnings],
    )


@router.get("/{draw_id}/sealing-warnings")
def sealing_warnings(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep
) -> list[SealingWarningPublic]:
    """What sealing would warn about now (§6.5), for the bureau to read before it seals."""
    draw = operator_draw(session, draw_id, caller)
    return [_warning(w) for w in sealing.sealing_warnings(session, draw)]


def _warning(w: sealing.SealWarning) -> SealingWarningPublic:
    return SealingWarningPublic(
        code=w.code, ids=list(w.ids), message_zh=w.message_zh, message_en=w.message_en
    )


@router.post("/{draw_id}/ceremony")
def start_ceremony(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, signer: SignerDep, now: NowDep
) -> DrawPublic:
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        open_ceremony(session, draw, actor=caller.actor, at=now, signer=signer)
    return draws.draw_public(session, draw)


@router.post("/{draw_id}/run")
def run(
    draw_id: str,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
    settings: SettingsDep,
) -> dict[str, str]:
    """Run the official draw; a second call returns the same results digest."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        digest = running.run(
            session,
            draw,
            actor=caller.actor,
            at=now,
            signer=signer,
            delay=settings.test_run_delay_seconds,
        )
    return {"results_digest": digest}


@router.post("/{draw_id}/publish")
def publish(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, signer: SignerDep, now: NowDep
) -> DrawPublic:
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        running.publish(session, draw, actor=caller.actor, at=now, signer=signer)
    return draws.draw_public(session, draw)


@router.post("/{draw_id}/second-round", status_code=201)
def create_second_round(
    draw_id: str,
    spec: SecondRoundCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> DrawPublic:
    """The second round (补录, protocol §14.5) of a published draw: a new draw, in objection."""
    with transaction(session):
        first = operator_draw(session, draw_id, caller)
        assert caller is not None
        draw = rounds.create_second_round(
            session, first, spec=spec, actor=caller.actor, at=now, signer=signer
        )
    return draws.draw_public(session, draw)


def _document(
    session: SessionDep,
    draw_id: str,
    caller: OptionalCallerDep,
    kind: str,
    public_from: tuple[State, ...],
    signature: bool,
) -> Response:
    draw = visible_draw(session, draw_id, caller)
    bureau = caller is not None and caller.role is not Role.WITNESS
    if not bureau:
        require_state(draw, allowed=public_from, what=("公开文件", "this public document"))
    stored = sealing.signed_document(session, draw, kind)
    if stored is None:
        raise NotFound(f"{kind} 文件不存在", f"draw {draw_id} has no {kind} document yet")
    return Response(stored.signature if signature else stored.document, media_type=_JSON)


_AFTER_SEAL = (State.SEALED, State.CEREMONY, State.DRAWN, State.PUBLISHED)


@router.get("/{draw_id}/manifest.json")
def manifest(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The signed manifest: public from the moment of sealing (protocol §6.1)."""
    return _document(session, draw_id, caller, "manifest", _AFTER_SEAL, signature=False)


@router.get("/{draw_id}/manifest.sig.json")
def manifest_signature(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    return _document(session, draw_id, caller, "manifest", _AFTER_SEAL, signature=True)


@router.get("/{draw_id}/results.json")
def results(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The signed results: the bureau sees them once drawn, everyone once published."""
    return _document(session, draw_id, caller, "results", (State.PUBLISHED,), signature=False)


@router.get("/{draw_id}/results.sig.json")
def results_signature(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    return _document(session, draw_id, caller, "results", (State.PUBLISHED,), signature=True)


@router.get("/{draw_id}/bundle.zip")
def bundle(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The public bundle (protocol §13) as a zip; public once published."""
    draw = visible_draw(session, draw_id, caller)
    if caller is None or caller.role is Role.WITNESS:
        require_state(draw, allowed=(State.PUBLISHED,), what=("公开数据包", "the bundle"))
    headers = {"Content-Disposition": f'attachment; filename="{draw.public_id}.zip"'}
    return Response(bundle_zip(session, draw), media_type="application/zip", headers=headers)
