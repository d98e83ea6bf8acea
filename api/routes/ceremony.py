"""Witness and ceremony routes (protocol §7): witnesses, their commitment, reveal and
co-signature files (§7.9), the checkpoint, the beacon statement, voiding, and the sealing
announcement (§12.6).

A witness file is uploaded by its witness with the witness's own token, or by the bureau's
operator (a file handed over on a USB stick): the witness's signature inside it is what counts.
A refused upload (a wrong or missing token, a file that does not check) is logged in the audit
log (`refused.*`, §15.3) and changes nothing else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from fastapi.responses import Response
from sqlmodel import Session

from api.auth import Caller, OptionalCallerDep, Role, authenticate
from api.db import SessionDep
from api.deps import NowDep, SignerDep
from api.errors import Forbidden, NotFound, Unauthenticated
from api.lifecycle import transaction
from api.models import Draw, Witness
from api.refusals import logged_change, refused
from api.schemas import BeaconCreate, VoidCreate, WitnessCreate, WitnessCreated, WitnessPublic
from api.services import ceremony, sealing
from api.services.access import find_draw, operator_draw, visible_draw
from lottery import DrandProof

router = APIRouter(prefix="/api/draws/{draw_id}", tags=["ceremony"])

WitnessFile = Annotated[dict[str, Any], Body(description="a witness file of protocol §7.9")]
Authorization = Annotated[str | None, Header()]


@router.post("/witnesses", status_code=201)
def register_witness(
    draw_id: str,
    spec: WitnessCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> WitnessCreated:
    """Register a witness that will upload its own files; the answer carries its credential,
    shown once. (A witness whose commitment file comes on a USB stick needs no credential: the
    operator uploads the file to `PUT /witnesses/{id}/commitment`.)"""
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
    """Witnesses, their commitments and public keys: public (published before sealing)."""
    draw = visible_draw(session, draw_id, caller)
    revealed = ceremony.reveals_of(session, draw)
    return [
        WitnessPublic(
            id=w.code,
            name=w.name,
            commitment=None if c is None else c.value,
            public_key=None if c is None else c.public_key,
            revealed=revealed.get(w.code) is not None,
        )
        for w, c in sealing.witnesses_of(session, draw)
    ]


def _uploader(
    session: Session, draw: Draw, authorization: str | None, code: str | None
) -> tuple[Witness | None, str]:
    """Who uploads a witness file: the draw's operator (None) or the witness `code` itself
    with its own token; its actor name. Anything else is refused and logged."""
    try:
        caller = authenticate(session, authorization)
        if caller is None:
            raise Unauthenticated("需要登录 (缺少令牌)", "authentication required (no token)")
    except Unauthenticated as error:
        raise refused(error, draw=draw, what="token", details={"witness": code}) from None
    if caller.role is Role.OPERATOR and caller.bureau_id == draw.bureau_id:
        return None, caller.actor
    witness = session.get(Witness, caller.witness_id) if caller.role is Role.WITNESS else None
    if witness is None or witness.draw_id != draw.id or (code is not None and witness.code != code):
        raise refused(
            Forbidden(
                "此凭证不能为该见证人提交文件", "this credential cannot submit this witness's file"
            ),
            draw=draw,
            what="token",
            details={"witness": code, "holder": _holder(caller)},
        )
    return witness, caller.actor


def _holder(caller: Caller) -> str:
    return caller.role.value if caller.role is not Role.WITNESS else f"witness #{caller.token_id}"


@router.put("/witnesses/{witness_id}/commitment")
def commit(
    draw_id: str,
    witness_id: str,
    document: WitnessFile,
    session: SessionDep,
    signer: SignerDep,
    now: NowDep,
    authorization: Authorization = None,
) -> dict[str, str]:
    """A witness's commitment file (§7.1, §7.9), before sealing: logged `witness.committed`."""
    draw = find_draw(session, draw_id)
    with logged_change(session, actor=f"upload:{witness_id}", at=now, signer=signer):
        holder, actor = _uploader(session, draw, authorization, witness_id)
        if document.get("witness") != witness_id:
            raise NotFound("文件不属于该见证人", f"the file is not witness {witness_id}'s")
        sealing.commit_file(
            session, draw, document, holder=holder, actor=actor, at=now, signer=signer
        )
    return {"witness": witness_id, "commitment": str(document["commitment"])}


@router.post("/witnesses/{witness_id}/reveal")
def reveal(
    draw_id: str,
    witness_id: str,
    document: WitnessFile,
    session: SessionDep,
    signer: SignerDep,
    now: NowDep,
    authorization: Authorization = None,
) -> dict[str, Any]:
    """A witness's reveal file (§7.3, §7.9); the answer is the bureau-signed reveal receipt."""
    draw = find_draw(session, draw_id)
    with logged_change(session, actor=f"upload:{witness_id}", at=now, signer=signer):
        holder, actor = _uploader(session, draw, authorization, witness_id)
        return ceremony.reveal(
            session, draw, document, holder=holder, actor=actor, at=now, signer=signer
        )


@router.post("/cosignatures")
def cosign(
    draw_id: str,
    document: WitnessFile,
    session: SessionDep,
    signer: SignerDep,
    now: NowDep,
    authorization: Authorization = None,
) -> dict[str, str]:
    """A witness's co-signature file of the checkpoint or the beacon statement (§7.9)."""
    draw = find_draw(session, draw_id)
    code = document.get("witness") if isinstance(document.get("witness"), str) else None
    with logged_change(session, actor=f"upload:{code}", at=now, signer=signer):
        holder, actor = _uploader(session, draw, authorization, code)
        witness, of = ceremony.cosign(
            session, draw, document, holder=holder, actor=actor, at=now, signer=signer
        )
    return {"witness": witness, "of": of}


@router.post("/checkpoint")
def close_reveals(
    draw_id: str, session: SessionDep, caller: OptionalCallerDep, signer: SignerDep, now: NowDep
) -> Response:
    """The operator closes the reveals (§7.4); the answer is the checkpoint file."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        row = ceremony.close_reveals(session, draw, actor=caller.actor, at=now, signer=signer)
        document = row.document
    return Response(document, media_type="application/json")


@router.get("/checkpoint")
def checkpoint_file(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The checkpoint file (§7.4, §7.9), for the witnesses to co-sign: public."""
    draw = visible_draw(session, draw_id, caller)
    row = ceremony.checkpoint_row(session, draw)
    if row is None:
        raise NotFound("还没有检查点", "the reveals are not closed yet")
    return Response(row.document, media_type="application/json")


@router.post("/beacon")
def enter_beacon(
    draw_id: str,
    body: BeaconCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> Response:
    """The operator enters the published beacon value (§7.5), once every revealed witness
    co-signed the checkpoint; the answer is the beacon statement file to co-sign."""
    proof = (
        None
        if body.proof is None
        else DrandProof(body.proof.signature, body.proof.previous_signature)
    )
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        row = ceremony.enter_beacon(
            session,
            draw,
            used=body.used,
            value=body.value,
            proof=proof,
            reason=body.reason,
            actor=caller.actor,
            at=now,
            signer=signer,
        )
        document = row.document
    assert document is not None
    return Response(document, media_type="application/json")


@router.get("/beacon")
def beacon_file(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> Response:
    """The beacon statement file (§7.5, §7.9), for the witnesses to co-sign: public."""
    draw = visible_draw(session, draw_id, caller)
    row = ceremony.beacon_row(session, draw)
    if row is None or row.document is None:
        raise NotFound("还没有录入信标值", "the beacon value is not entered yet")
    return Response(row.document, media_type="application/json")


@router.post("/void")
def void(
    draw_id: str,
    body: VoidCreate,
    session: SessionDep,
    caller: OptionalCallerDep,
    signer: SignerDep,
    now: NowDep,
) -> dict[str, str]:
    """The operator voids a sealed draw whose ceremony cannot be completed (§7.8)."""
    with transaction(session):
        draw = operator_draw(session, draw_id, caller)
        assert caller is not None
        ceremony.void(session, draw, reason=body.reason, actor=caller.actor, at=now, signer=signer)
    return {"draw": draw_id, "state": "void"}


@router.get("/announcement")
def announcement(draw_id: str, session: SessionDep, caller: OptionalCallerDep) -> dict[str, Any]:
    """The sealing announcement (§12.6): manifest digest, key fingerprint and pin. Public."""
    draw = visible_draw(session, draw_id, caller)
    return sealing.sealing_announcement(session, draw)
