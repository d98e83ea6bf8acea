"""Witness registration and commitments, and sealing (protocol §6, §7.1).

Sealing hands the stored rules, records, witness commitments and beacon to the engine's `seal`,
which checks everything and signs the manifest; the service stores the signed manifest. Later
steps rebuild the same sealed draw from the same rows (sealing is deterministic: Ed25519
signatures are too) and refuse to go on if its digest differs from the stored one.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from api import audit
from api.auth import Role, issue_token
from api.errors import Conflict, InvalidInput, Problem, ServiceError
from api.lifecycle import State, bump, transition
from api.models import Commitment, Draw, SignedDocument, Witness
from api.services.applicants import applicant_records
from api.services.rules import engine_beacon, engine_rules
from api.signer import Signer
from lottery import (
    LotteryError,
    SealedDraw,
    canonical_json,
    manifest_document,
    seal,
)
from lottery import Witness as EngineWitness

__all__ = [
    "DataChanged",
    "commit",
    "register_witness",
    "reseal",
    "seal_draw",
    "signed_document",
    "witnesses_of",
]

_BEFORE_SEAL = (State.DRAFT, State.OBJECTION)


class DataChanged(ServiceError):
    """The stored data no longer gives the sealed manifest: refuse to continue."""

    status_code = 500
    code = "data_changed"


def register_witness(
    session: Session, draw: Draw, *, code: str, name: str, actor: str, at: str, signer: Signer
) -> tuple[Witness, str]:
    """A new witness of `draw` and its own credential (returned once)."""
    bump(session, draw, allowed=_BEFORE_SEAL, what=("登记见证人", "registering a witness"))
    exists = session.exec(
        select(Witness).where(Witness.draw_id == draw.id, Witness.code == code)
    ).first()
    if exists is not None:
        raise Conflict(f"见证人 {code} 已登记", f"witness {code} is already registered")
    assert draw.id is not None
    witness = Witness(draw_id=draw.id, code=code, name=name)
    session.add(witness)
    session.flush()
    token = issue_token(
        session,
        role=Role.WITNESS,
        bureau_id=draw.bureau_id,
        witness_id=witness.id,
        label=f"{draw.public_id}/{code}",
        created_at=at,
    )
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="witness.registered",
        details={"witness": code, "name": name},
        at=at,
        signer=signer,
    )
    return witness, token


def commit(
    session: Session,
    draw: Draw,
    witness: Witness,
    *,
    commitment: str,
    actor: str,
    at: str,
    signer: Signer,
) -> None:
    """Record (or replace, before sealing) a witness's commitment (protocol §7.1)."""
    bump(session, draw, allowed=_BEFORE_SEAL, what=("提交承诺值", "committing"))
    row = session.exec(select(Commitment).where(Commitment.witness_id == witness.id)).first()
    assert witness.id is not None and draw.id is not None
    if row is None:
        session.add(Commitment(witness_id=witness.id, value=commitment, at=at))
    else:
        row.value, row.at = commitment, at
        session.add(row)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="witness.committed",
        details={"witness": witness.code, "commitment": commitment},
        at=at,
        signer=signer,
    )


def witnesses_of(session: Session, draw: Draw) -> list[tuple[Witness, Commitment | None]]:
    """The draw's witnesses with their commitments, by id."""
    rows = session.exec(select(Witness).where(Witness.draw_id == draw.id)).all()
    out = []
    for witness in sorted(rows, key=lambda w: w.code.encode("ascii")):
        c = session.exec(select(Commitment).where(Commitment.witness_id == witness.id)).first()
        out.append((witness, c))
    return out


def _engine_witnesses(session: Session, draw: Draw) -> list[EngineWitness]:
    pairs = witnesses_of(session, draw)
    missing = [w.code for w, c in pairs if c is None]
    if missing or not pairs:
        problems = tuple(
            Problem("commitment", "见证人尚未提交承诺值", "witness has not committed", value=code)
            for code in missing
        )
        raise InvalidInput(
            f"不能封存: 见证人未提交承诺值 {missing}" if pairs else "不能封存: 没有见证人",
            f"cannot seal: witnesses without commitment {missing}"
            if pairs
            else "cannot seal: no witnesses",
            problems=problems,
        )
    return [EngineWitness(id=w.code, name=w.name, commitment=c.value) for w, c in pairs if c]


def _sealed(session: Session, draw: Draw, *, signer: Signer, sealed_at: str) -> SealedDraw:
    try:
        return seal(
            rules=engine_rules(session, draw),
            records=applicant_records(session, draw),
            witnesses=_engine_witnesses(session, draw),
            min_reveals=draw.min_reveals,
            beacon=engine_beacon(draw),
            signing_key=signer.private_key,
            sealed_at=sealed_at,
        )
    except LotteryError as error:
        raise InvalidInput(f"不能封存: {error}", f"cannot seal: {error}") from None


def signed_document(session: Session, draw: Draw, kind: str) -> SignedDocument | None:
    """The stored signed document of `kind` for `draw`, if any."""
    return session.exec(
        select(SignedDocument).where(SignedDocument.draw_id == draw.id, SignedDocument.kind == kind)
    ).first()


def seal_draw(session: Session, draw: Draw, *, actor: str, at: str, signer: Signer) -> str:
    """objection -> sealed: the engine seals and signs the manifest; returns its digest (hex)."""
    transition(session, draw, to=State.SEALED, what=("封存", "sealing"))
    sealed = _sealed(session, draw, signer=signer, sealed_at=at)
    digest = sealed.manifest_digest.hex()
    assert draw.id is not None
    session.add(
        SignedDocument(
            draw_id=draw.id,
            kind="manifest",
            digest=digest,
            document=canonical_json(manifest_document(sealed.manifest)),
            signature=canonical_json(sealed.manifest_signature),
            at=at,
        )
    )
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.sealed",
        details={
            "manifest": digest,
            "applicants": sealed.manifest.applicants.count,
            "root": sealed.manifest.applicants.root,
        },
        at=at,
        signer=signer,
    )
    return digest


def reseal(session: Session, draw: Draw, *, signer: Signer) -> SealedDraw:
    """The sealed draw rebuilt from the rows; `DataChanged` unless it is the stored manifest."""
    stored = signed_document(session, draw, "manifest")
    if stored is None:
        raise DataChanged("找不到已封存的清单", f"draw {draw.public_id} has no sealed manifest")
    sealed_at = json.loads(stored.document)["draw"]["sealed_at"]
    sealed = _sealed(session, draw, signer=signer, sealed_at=sealed_at)
    if sealed.manifest_digest.hex() != stored.digest:
        raise DataChanged(
            "封存后的数据或签名密钥已被改动, 拒绝继续",
            f"the data or signing key changed since sealing: manifest {stored.digest}, "
            f"rebuilt {sealed.manifest_digest.hex()}; refusing to continue",
        )
    return sealed
