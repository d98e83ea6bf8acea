"""Witness registration and commitments, and sealing (protocol §6, §7.1, §7.9, §12.6).

A witness is registered from its commitment file (§7.9), made on its own machine by the
verifier's witness tool: its public key and its commitment, signed with its key. Sealing hands
the stored rules, records, witness keys and commitments, the beacon and the audit head to the
engine's `seal`, which checks everything and signs the manifest; the service stores the signed
manifest and logs `draw.sealed` (§15.3). Later steps rebuild the same sealed draw from the same
rows (sealing is deterministic: Ed25519 signatures are too) and refuse to go on if its digest
differs from the stored one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from api import audit
from api.auth import Role, issue_token
from api.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem, ServiceError
from api.lifecycle import State, bump, transition
from api.models import Commitment, Draw, SignedDocument, Witness
from api.refusals import refused
from api.services.applicants import applicant_records
from api.services.rules import engine_beacon, engine_rules
from api.services.sealing_warnings import SealWarning
from api.services.sealing_warnings import sealing_warnings as warnings_of
from api.signer import Signer
from lottery import (
    AuditHead,
    CeremonyError,
    DrawRules,
    LotteryError,
    Manifest,
    PublicRecord,
    Replaces,
    SealedDraw,
    canonical_json,
    check_commitment_file,
    format_pin,
    manifest_document,
    manifest_from_document,
    parse_canonical,
    pin,
    seal,
)
from lottery import Witness as EngineWitness

__all__ = [
    "DataChanged",
    "SealWarning",
    "Sealed",
    "commit_file",
    "register_witness",
    "reseal",
    "seal_draw",
    "sealed_manifest",
    "sealing_announcement",
    "sealing_warnings",
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


def commit_file(
    session: Session,
    draw: Draw,
    document: Any,
    *,
    holder: Witness | None,
    actor: str,
    at: str,
    signer: Signer,
) -> Witness:
    """Register a witness's commitment file (§7.1, §7.9) before sealing: its signature is
    checked, the witness is added if new (a file handed over on a USB stick) or its commitment
    replaced, and `witness.committed` {witness, commitment, public_key} is logged (§15.3).

    `holder` is the witness whose token uploaded the file (None for the operator): a witness
    may only register its own file (refused and logged otherwise)."""
    bump(session, draw, allowed=_BEFORE_SEAL, what=("登记见证人承诺", "registering a commitment"))
    try:
        entry = check_commitment_file(document, draw.public_id)
    except CeremonyError as error:
        raise refused(
            InvalidInput(f"承诺文件无效: {error}", f"commitment file rejected: {error}"),
            draw=draw,
            what="commitment",
            details={"reason": str(error)[:300]},
        ) from None
    if holder is not None and holder.code != entry.id:
        raise refused(
            Forbidden(
                f"凭证属于见证人 {holder.code}, 文件属于 {entry.id}",
                f"the token is witness {holder.code}'s, the file is {entry.id}'s",
            ),
            draw=draw,
            what="token",
            details={"witness": holder.code, "file": entry.id},
        )
    witness = (
        holder
        or session.exec(
            select(Witness).where(Witness.draw_id == draw.id, Witness.code == entry.id)
        ).first()
    )
    assert draw.id is not None
    if witness is None:
        witness = Witness(draw_id=draw.id, code=entry.id, name=entry.name)
        session.add(witness)
        session.flush()
    for other, commitment in witnesses_of(session, draw):
        if other.code != entry.id and commitment and commitment.public_key == entry.public_key:
            raise InvalidInput(
                f"见证人 {entry.id} 的公钥与 {other.code} 相同",
                f"witness {entry.id}'s public key is {other.code}'s too: each witness has its "
                "own key (§6.3)",
            )
    row = session.exec(select(Commitment).where(Commitment.witness_id == witness.id)).first()
    assert witness.id is not None
    if row is None:
        row = Commitment(witness_id=witness.id, value=entry.commitment, at=at)
    row.value, row.at = entry.commitment, at
    row.public_key, row.signature = entry.public_key, document["signature"]
    session.add(row)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="witness.committed",
        details={
            "witness": entry.id,
            "commitment": entry.commitment,
            "public_key": entry.public_key,
        },
        at=at,
        signer=signer,
    )
    return witness


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
    missing = [w.code for w, c in pairs if c is None or c.public_key is None]
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
    return [
        EngineWitness(id=w.code, name=w.name, commitment=c.value, public_key=c.public_key)
        for w, c in pairs
        if c and c.public_key
    ]


def _replaces(draw: Draw) -> Replaces | None:
    if draw.replaces_manifest is None:
        return None
    return Replaces(manifest=draw.replaces_manifest, reason=draw.replaces_reason or "")


def _sealed(
    session: Session,
    draw: Draw,
    *,
    signer: Signer,
    sealed_at: str,
    head: AuditHead | None,
    rules: DrawRules | None = None,
    records: list[PublicRecord] | None = None,
) -> SealedDraw:
    beacon = engine_beacon(draw)
    if beacon is None:
        raise InvalidInput(
            "不能封存: 没有登记公开信标 (协议第 2 版必须有)",
            "cannot seal: no beacon registered; sunshine-draw/2 requires one (§6.1, §7.2)",
        )
    try:
        return seal(
            rules=engine_rules(session, draw) if rules is None else rules,
            records=applicant_records(session, draw) if records is None else records,
            witnesses=_engine_witnesses(session, draw),
            min_reveals=draw.min_reveals,
            beacon=beacon,
            signing_key=signer.private_key,
            sealed_at=sealed_at,
            audit=head,
            replaces=_replaces(draw),
        )
    except LotteryError as error:
        raise InvalidInput(f"不能封存: {error}", f"cannot seal: {error}") from None


def signed_document(session: Session, draw: Draw, kind: str) -> SignedDocument | None:
    """The stored signed document of `kind` for `draw`, if any."""
    return session.exec(
        select(SignedDocument).where(SignedDocument.draw_id == draw.id, SignedDocument.kind == kind)
    ).first()


@dataclass(frozen=True)
class Sealed:
    """What sealing answers: the manifest digest (hex) and the warnings of §6.5."""

    digest: str
    warnings: tuple[SealWarning, ...]


def _warnings(rules: DrawRules, records: list[PublicRecord]) -> tuple[SealWarning, ...]:
    return warnings_of(rules, records)


def sealing_warnings(session: Session, draw: Draw) -> tuple[SealWarning, ...]:
    """The warnings sealing would give now (§6.5), for the bureau to read before it seals."""
    return _warnings(engine_rules(session, draw), applicant_records(session, draw))


def seal_draw(session: Session, draw: Draw, *, actor: str, at: str, signer: Signer) -> Sealed:
    """objection -> sealed: the engine seals and signs the manifest; returns its digest (hex)
    and the warnings of §6.5 (a group that may end without room, a draw with no applicants):
    they are shown to the bureau, and sealing proceeds."""
    transition(session, draw, to=State.SEALED, what=("封存", "sealing"))
    assert draw.id is not None
    rules, records = engine_rules(session, draw), applicant_records(session, draw)
    sealed = _sealed(
        session,
        draw,
        signer=signer,
        sealed_at=at,
        head=audit.head(session, draw.id),
        rules=rules,
        records=records,
    )
    digest = sealed.manifest_digest.hex()
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
        details={"manifest": digest},
        at=at,
        signer=signer,
    )
    return Sealed(digest=digest, warnings=_warnings(rules, records))


def reseal(session: Session, draw: Draw, *, signer: Signer) -> SealedDraw:
    """The sealed draw rebuilt from the rows; `DataChanged` unless it is the stored manifest."""
    stored = signed_document(session, draw, "manifest")
    if stored is None:
        raise DataChanged("找不到已封存的清单", f"draw {draw.public_id} has no sealed manifest")
    document = json.loads(stored.document)
    head = None if document["audit"] is None else AuditHead(**document["audit"])
    sealed_at = document["draw"]["sealed_at"]
    sealed = _sealed(session, draw, signer=signer, sealed_at=sealed_at, head=head)
    if sealed.manifest_digest.hex() != stored.digest:
        raise DataChanged(
            "封存后的数据或签名密钥已被改动, 拒绝继续",
            f"the data or signing key changed since sealing: manifest {stored.digest}, "
            f"rebuilt {sealed.manifest_digest.hex()}; refusing to continue",
        )
    return sealed


def sealed_manifest(session: Session, draw: Draw) -> tuple[Manifest, bytes]:
    """The stored sealed manifest and its digest, read from the signed document (cheap: the
    ceremony steps need the witnesses' keys, not the applicant tree)."""
    stored = signed_document(session, draw, "manifest")
    if stored is None:
        raise NotFound("抽签尚未封存", f"draw {draw.public_id} is not sealed")
    manifest = manifest_from_document(parse_canonical(stored.document))
    return manifest, bytes.fromhex(stored.digest)


def sealing_announcement(session: Session, draw: Draw) -> dict[str, Any]:
    """What is announced at sealing, before any reveal (§12.6): the manifest digest, the key
    fingerprint and the pin, with the beacon and the witnesses' keys to show beside them."""
    manifest, digest = sealed_manifest(session, draw)
    fingerprint = manifest.signing_key.fingerprint
    code = pin(digest, fingerprint)
    beacon = manifest.beacon

    def source(s: Any) -> dict[str, str] | None:
        return None if s is None else {"source": s.source, "round": s.round, "at": s.at}

    return {
        "draw": draw.public_id,
        "title": draw.title,
        "sealed_at": manifest.sealed_at,
        "manifest_digest": digest.hex(),
        "key_fingerprint": fingerprint,
        "pin": code,
        "pin_display": format_pin(code),
        "applicants": manifest.applicants.count,
        "beacon": {"primary": source(beacon.primary), "fallback": source(beacon.fallback)},
        "witnesses": [
            {"id": w.id, "name": w.name, "commitment": w.commitment, "public_key": w.public_key}
            for w in manifest.witnesses
        ],
        "min_reveals": manifest.min_reveals,
        "replaces": None
        if manifest.replaces is None
        else {"manifest": manifest.replaces.manifest, "reason": manifest.replaces.reason},
    }
