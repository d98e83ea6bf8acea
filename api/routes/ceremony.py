"""Witness and ceremony routes: register, commit, reveal, beacon."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import OptionalCallerDep
from api.db import SessionDep
from api.deps import NowDep, SignerDep
from api.errors import Forbidden, Unauthenticated
from api.lifecycle import transaction
from api.schemas import (
    BeaconCreate,
    CommitmentCreate,
    RevealCreate,
    WitnessCreate,
    WitnessCreated,
    WitnessPublic,
)
from api.services import ceremony, sealing
from api.services.access import operator_draw, visible_draw, witness_of

router = APIRouter(prefix="/api/draws/{draw_id}", tags=["ceremony"])


@router.post("/witnesses", status_code=201)
def register_witness(
    draw_id: str,
    spec: WitnessCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> WitnessCreated:
    """Register a witness; the answer carries its own credential, shown once."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        _, token = sealing.register_witness(
            session, draw, code=spec.id, name=spec.name, actor=caller.actor, at=now, signer=signer
        )
    return WitnessCreated(id=spec.id, name=spec.name, commitment=None, revealed=False, token=token)


@router.get("/witnesses")
def list_witnesses(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep
) -> list[WitnessPublic]:
    """Witnesses and their commitments: public (commitments are published before sealing)."""
    draw = visible_draw(session, draw_id, caller)
    revealed = ceremony.reveals_of(session, draw)
    return [
        WitnessPublic(
            id=w.code,
            name=w.name,
            commitment=None if c is None else c.value,
            revealed=revealed.get(w.code) is not None,
        )
        for w, c in sealing.witnesses_of(session, draw)
    ]


def _own_witness(session: SessionDep, draw_id: str, caller: OptionalCallerDep, code: str):  # type: ignore[no-untyped-def]
    if caller is None:
        raise Unauthenticated("需要登录 (缺少令牌)", "authentication required (no token)")
    draw = visible_draw(session, draw_id, caller)  # another draw's witness: 404, as if missing
    witness = witness_of(session, draw, caller)
    if witness.code != code:
        raise Forbidden("只能操作自己的秘密", "a witness may only commit or reveal its own secret")
    return draw, witness


@router.put("/witnesses/{witness_id}/commitment")
def commit(
    draw_id: str,
    witness_id: str,
    body: CommitmentCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> dict[str, str]:
    """A witness registers its commitment (protocol §7.1), before sealing."""
    with transaction(session):
        draw, witness = _own_witness(session, draw_id, caller, witness_id)
        assert caller is not None
        sealing.commit(
            session,
            draw,
            witness,
            commitment=body.commitment,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return {"witness": witness_id, "commitment": body.commitment}


@router.post("/witnesses/{witness_id}/reveal")
def reveal(
    draw_id: str,
    witness_id: str,
    body: RevealCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> dict[str, str]:
    """A witness reveals its secret during the ceremony (protocol §7.3)."""
    with transaction(session):
        draw, witness = _own_witness(session, draw_id, caller, witness_id)
        assert caller is not None
        ceremony.reveal(
            session,
            draw,
            witness,
            secret_hex=body.secret,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return {"witness": witness_id, "revealed": "yes"}


@router.post("/beacon")
def enter_beacon(
    draw_id: str,
    body: BeaconCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> dict[str, str]:
    """The operator enters the public beacon value; its format is checked (protocol §7.2)."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        ceremony.enter_beacon(
            session,
            draw,
            used=body.used,
            value=body.value,
            reason=body.reason,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
    return {"used": body.used, "value": body.value}
