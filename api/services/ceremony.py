"""The ceremony after sealing (protocol §7.3-§7.5, §7.8): signed reveals answered with the
bureau's reveal receipt, the checkpoint that closes the reveals, the witnesses' co-signatures,
the beacon statement, and voiding a draw whose ceremony cannot be completed.

Every witness file (§7.9) is checked by the engine before anything is stored. A refused attempt
(a reveal that does not match, a late witness, a bad co-signature) is marked with `refused`, so
the caller's `logged_change` rolls its transaction back and logs `refused.<what>` alone.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlmodel import Session, col, select

from api import audit
from api.errors import Conflict, Forbidden, InvalidInput, WrongState
from api.lifecycle import State, bump, make_void, transition
from api.models import BeaconValue as BeaconRow
from api.models import Checkpoint as CheckpointRow
from api.models import Cosignature, Draw, Reveal, Witness
from api.refusals import refused
from api.services.sealing import sealed_manifest, witnesses_of
from api.signer import Signer
from lottery import (
    BeaconStatement,
    CeremonyError,
    Checkpoint,
    DrandProof,
    Manifest,
    beacon_statement_digest,
    beacon_statement_document,
    canonical_json,
    check_beacon_value,
    check_cosignature_file,
    check_reveal_file,
    checkpoint_digest,
    checkpoint_document,
    reveal_digest,
    reveal_receipt,
)

__all__ = [
    "beacon_row",
    "beacon_value",
    "checkpoint_row",
    "close_reveals",
    "cosign",
    "cosignatures_of",
    "enter_beacon",
    "missing_cosignatures",
    "open_ceremony",
    "reveal",
    "reveal_rows",
    "reveals_of",
    "set_replaces",
    "void",
]

_CEREMONY = (State.SEALED, State.CEREMONY)


def _check_holder(holder: Witness | None, witness_id: str, draw: Draw, kind: str) -> None:
    """A witness's token hands in only that witness's own file; another's is refused and logged."""
    if holder is not None and holder.code != witness_id:
        raise refused(
            Forbidden(
                f"凭证属于见证人 {holder.code}, 文件属于 {witness_id}",
                f"the token is witness {holder.code}'s, the {kind} is {witness_id}'s",
            ),
            draw=draw,
            what="token",
            details={"witness": holder.code, "file": witness_id},
        )


def open_ceremony(session: Session, draw: Draw, *, actor: str, at: str, signer: Signer) -> None:
    """sealed -> ceremony (optional: the first reveal or the checkpoint does it too)."""
    transition(session, draw, to=State.CEREMONY, what=("开始摇号仪式", "opening the ceremony"))
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="ceremony.opened",
        details={},
        at=at,
        signer=signer,
    )


def _claim(session: Session, draw: Draw, what: tuple[str, str]) -> None:
    """Claim a draw in the ceremony; a sealed draw enters it."""
    if draw.state == State.SEALED:
        transition(session, draw, to=State.CEREMONY, what=what)
    else:
        bump(session, draw, allowed=_CEREMONY, what=what)


def checkpoint_row(session: Session, draw: Draw) -> CheckpointRow | None:
    return session.exec(select(CheckpointRow).where(CheckpointRow.draw_id == draw.id)).first()


def beacon_row(session: Session, draw: Draw) -> BeaconRow | None:
    return session.exec(select(BeaconRow).where(BeaconRow.draw_id == draw.id)).first()


def reveal_rows(session: Session, draw: Draw) -> dict[str, Reveal]:
    """Witness id -> its stored reveal, for the witnesses that revealed."""
    out = {}
    for witness, _ in witnesses_of(session, draw):
        row = session.exec(select(Reveal).where(Reveal.witness_id == witness.id)).first()
        if row is not None:
            out[witness.code] = row
    return out


def reveals_of(session: Session, draw: Draw) -> dict[str, bytes | None]:
    """Witness id -> revealed secret or None, for every witness of the draw."""
    rows = reveal_rows(session, draw)
    return {
        w.code: (bytes.fromhex(rows[w.code].secret) if w.code in rows else None)
        for w, _ in witnesses_of(session, draw)
    }


def cosignatures_of(session: Session, draw: Draw, of: str) -> dict[str, Cosignature]:
    """Witness id -> its co-signature of `of` ("checkpoint" or "beacon")."""
    rows = session.exec(
        select(Cosignature)
        .where(Cosignature.draw_id == draw.id, Cosignature.of == of)
        .order_by(col(Cosignature.witness))
    )
    return {row.witness: row for row in rows}


def _witness_named(document: Any) -> str | None:
    """The witness a file names, for the log of a refusal (never its secret)."""
    name = document.get("witness") if isinstance(document, dict) else None
    return name[:64] if isinstance(name, str) else None


def reveal(
    session: Session,
    draw: Draw,
    document: Any,
    *,
    holder: Witness | None,
    actor: str,
    at: str,
    signer: Signer,
) -> dict[str, Any]:
    """Accept a witness reveal file (§7.3, §7.9) and answer with the signed reveal receipt.

    The engine checks the manifest, the commitment and the witness's signature; the reveal is
    stored with its signature and logged `witness.revealed` {witness, secret}; the receipt holds
    the audit head after that entry. `holder` is the witness whose token uploaded it (None for
    the operator, who hands the file over from a USB stick)."""
    named = _witness_named(document)
    if draw.state not in _CEREMONY:
        late = draw.state in (State.DRAWN, State.PUBLISHED, State.VOID)
        error = Conflict if late else WrongState
        raise refused(
            error(
                f"抽签 {draw.public_id} 不在揭示阶段 ({draw.state})",
                f"draw {draw.public_id} is {draw.state}: no reveal is accepted",
            ),
            draw=draw,
            what="reveal",
            details={"witness": named, "reason": f"draw is {draw.state}"},
        )
    _claim(session, draw, ("揭示秘密", "revealing"))
    if checkpoint_row(session, draw) is not None:
        raise refused(
            Conflict(
                f"揭示已截止 (检查点已形成), 见证人 {named} 的揭示不能接受",
                f"the reveals are closed (checkpoint formed): witness {named}'s reveal is late "
                "and refused (§7.4)",
            ),
            draw=draw,
            what="reveal",
            details={"witness": named, "reason": "late: after the checkpoint"},
        )
    manifest, digest = sealed_manifest(session, draw)
    try:
        witness_id, secret, signature = check_reveal_file(manifest, document)
    except CeremonyError as error:
        raise refused(
            InvalidInput(f"揭示文件被拒绝: {error}", f"reveal file rejected: {error}"),
            draw=draw,
            what="reveal",
            details={"witness": named, "reason": str(error)[:300]},
        ) from None
    _check_holder(holder, witness_id, draw, "reveal")
    witness = session.exec(
        select(Witness).where(Witness.draw_id == draw.id, Witness.code == witness_id)
    ).first()
    assert witness is not None and witness.id is not None and draw.id is not None
    earlier = session.exec(select(Reveal).where(Reveal.witness_id == witness.id)).first()
    if earlier is not None:
        raise refused(
            Conflict(f"见证人 {witness_id} 已揭示", f"witness {witness_id} already revealed"),
            draw=draw,
            what="reveal",
            details={"witness": witness_id, "reason": "already revealed"},
        )
    row = Reveal(witness_id=witness.id, secret=secret.hex(), at=at, signature=signature)
    session.add(row)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="witness.revealed",
        details={"witness": witness_id, "secret": secret.hex()},
        at=at,
        signer=signer,
    )
    head = audit.head(session, draw.id)
    assert head is not None
    receipt = reveal_receipt(
        digest,
        witness_id,
        reveal_digest(digest, witness_id, secret),
        at,
        head,
        signer.private_key,
    )
    row.receipt = canonical_json(receipt)
    session.add(row)
    return receipt


def _ordered_reveals(
    session: Session, draw: Draw, manifest: Manifest
) -> tuple[tuple[str, bytes | None], ...]:
    secrets = reveals_of(session, draw)
    return tuple((w.id, secrets.get(w.id)) for w in manifest.witnesses)


def close_reveals(
    session: Session, draw: Draw, *, actor: str, at: str, signer: Signer
) -> CheckpointRow:
    """Close the reveals with the checkpoint (§7.4): `closed_at` is now, later than sealing and
    earlier than the beacon's `at`; at least `min_reveals` witnesses revealed. Logged
    `ceremony.checkpoint` {checkpoint}; every revealed witness co-signs it next."""
    _claim(session, draw, ("截止揭示", "closing the reveals"))
    if checkpoint_row(session, draw) is not None:
        raise Conflict("揭示已截止 (检查点已存在)", "the reveals are already closed")
    manifest, digest = sealed_manifest(session, draw)
    reveals = _ordered_reveals(session, draw, manifest)
    revealed = [w for w, secret in reveals if secret is not None]
    if len(revealed) < manifest.min_reveals:
        raise InvalidInput(
            f"只有 {len(revealed)} 位见证人揭示, 规则要求至少 {manifest.min_reveals} 位; "
            "请等待其他见证人, 或作废本次抽签 (lottery void)",
            f"{len(revealed)} witnesses revealed, the policy requires {manifest.min_reveals}: "
            "wait for the others, or void the draw (§7.3, §7.8)",
        )
    if not manifest.sealed_at < at < manifest.beacon.primary.at:
        raise InvalidInput(
            f"截止时间 {at} 必须晚于封存时间 {manifest.sealed_at}, 早于信标公布时间 "
            f"{manifest.beacon.primary.at}; 信标值可能已公开, 本次抽签只能作废 (lottery void)",
            f"closing time {at} must be after sealing {manifest.sealed_at} and before the "
            f"beacon's time {manifest.beacon.primary.at}; past it the draw can only be voided "
            "(§7.4, §7.8)",
        )
    checkpoint = Checkpoint(manifest_digest=digest, closed_at=at, reveals=reveals)
    cp_digest = checkpoint_digest(checkpoint).hex()
    assert draw.id is not None
    row = CheckpointRow(
        draw_id=draw.id,
        closed_at=at,
        digest=cp_digest,
        document=canonical_json(checkpoint_document(checkpoint)),
    )
    session.add(row)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="ceremony.checkpoint",
        details={"checkpoint": cp_digest},
        at=at,
        signer=signer,
    )
    return row


def cosign(
    session: Session,
    draw: Draw,
    document: Any,
    *,
    holder: Witness | None,
    actor: str,
    at: str,
    signer: Signer,
) -> tuple[str, str]:
    """Accept a witness co-signature file (§7.9) of the checkpoint or the beacon statement;
    returns `(witness, of)`. Only a revealed witness co-signs; a second, identical file is
    accepted again, a different one is refused."""
    named = _witness_named(document)
    of = document.get("of") if isinstance(document, dict) else None
    if of not in ("checkpoint", "beacon"):
        raise refused(
            InvalidInput(
                f"不是联署文件 (of = {of!r})", f"not a co-signature file (of = {of!r}) (§7.9)"
            ),
            draw=draw,
            what="cosignature",
            details={"witness": named, "reason": "of is not checkpoint or beacon"},
        )
    _claim(session, draw, ("联署", "co-signing"))
    target = checkpoint_row(session, draw) if of == "checkpoint" else beacon_row(session, draw)
    if target is None or target.digest is None:
        what = ("检查点", "checkpoint") if of == "checkpoint" else ("信标声明", "beacon statement")
        raise WrongState(f"还没有{what[0]}可联署", f"there is no {what[1]} to co-sign yet")
    manifest, _ = sealed_manifest(session, draw)
    kind: Literal["checkpoint", "beacon"] = "checkpoint" if of == "checkpoint" else "beacon"
    try:
        witness_id, signature = check_cosignature_file(
            manifest, document, kind, bytes.fromhex(target.digest)
        )
    except CeremonyError as error:
        raise refused(
            InvalidInput(f"联署文件被拒绝: {error}", f"co-signature rejected: {error}"),
            draw=draw,
            what="cosignature",
            details={"witness": named, "of": of, "reason": str(error)[:300]},
        ) from None
    _check_holder(holder, witness_id, draw, "co-signature")
    if witness_id not in reveal_rows(session, draw):
        raise refused(
            InvalidInput(
                f"见证人 {witness_id} 没有揭示, 不联署",
                f"witness {witness_id} did not reveal: only revealed witnesses co-sign (§7.7)",
            ),
            draw=draw,
            what="cosignature",
            details={"witness": witness_id, "of": of, "reason": "did not reveal"},
        )
    earlier = cosignatures_of(session, draw, of).get(witness_id)
    if earlier is not None:
        if earlier.signature == signature:
            return witness_id, of
        raise Conflict(
            f"见证人 {witness_id} 已联署", f"witness {witness_id} already co-signed the {of}"
        )
    assert draw.id is not None
    session.add(
        Cosignature(
            draw_id=draw.id,
            witness=witness_id,
            of=of,
            digest=target.digest,
            signature=signature,
            at=at,
        )
    )
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="witness.cosigned",
        details={
            "witness": witness_id,
            "of": of,
            "digest": target.digest,
            "signature": signature,
        },
        at=at,
        signer=signer,
    )
    return witness_id, of


def missing_cosignatures(session: Session, draw: Draw, of: str) -> list[str]:
    """The revealed witnesses whose co-signature of `of` has not come, in id order."""
    signed = cosignatures_of(session, draw, of)
    return sorted(code for code in reveal_rows(session, draw) if code not in signed)


def enter_beacon(
    session: Session,
    draw: Draw,
    *,
    used: str,
    value: str,
    proof: DrandProof | None,
    reason: str | None,
    actor: str,
    at: str,
    signer: Signer,
) -> BeaconRow:
    """Enter the published beacon value in the beacon statement (§7.5), once every revealed
    witness co-signed the checkpoint; the fallback needs a declared fallback and a reason.
    Logged `ceremony.beacon` {beacon, used, value}; the witnesses co-sign the statement next."""
    bump(session, draw, allowed=(State.CEREMONY,), what=("录入信标值", "entering the beacon"))
    checkpoint = checkpoint_row(session, draw)
    if checkpoint is None:
        raise WrongState(
            "请先截止揭示 (lottery ceremony close)", "close the reveals first (checkpoint, §7.4)"
        )
    if beacon_row(session, draw) is not None:
        raise Conflict("信标值已录入", "the beacon value was already entered")
    missing = missing_cosignatures(session, draw, "checkpoint")
    if missing:
        raise InvalidInput(
            f"以下见证人尚未联署检查点: {', '.join(missing)}",
            f"these witnesses have not co-signed the checkpoint: {', '.join(missing)} (§7.4)",
        )
    manifest, digest = sealed_manifest(session, draw)
    if used == "fallback":
        if manifest.beacon.fallback is None:
            raise InvalidInput(
                "清单未声明备用信标, 不能使用备用", "no fallback beacon was declared"
            )
        if not (reason or "").strip():
            raise InvalidInput("使用备用信标须说明原因 (--reason)", "the fallback needs a reason")
        source = manifest.beacon.fallback
    else:
        source = manifest.beacon.primary
    try:
        check_beacon_value(source, value)
    except CeremonyError as error:
        raise InvalidInput(f"信标值格式错误: {error}", f"beacon value rejected: {error}") from None
    statement = BeaconStatement(
        manifest_digest=digest,
        checkpoint_digest=bytes.fromhex(checkpoint.digest),
        used="fallback" if used == "fallback" else "primary",
        value=value,
        proof=proof,
    )
    statement_digest = beacon_statement_digest(statement).hex()
    assert draw.id is not None
    row = BeaconRow(
        draw_id=draw.id,
        used=used,
        value=value,
        at=at,
        proof=None if proof is None else canonical_json(proof.document()).decode("utf-8"),
        digest=statement_digest,
        document=canonical_json(beacon_statement_document(statement)),
        reason=reason if used == "fallback" else None,
    )
    session.add(row)
    if used == "fallback":
        audit.record(
            session,
            draw_id=draw.id,
            actor=actor,
            action="ceremony.fallback",
            details={"source": source.source, "round": source.round, "reason": reason},
            at=at,
            signer=signer,
        )
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="ceremony.beacon",
        details={"beacon": statement_digest, "used": used, "value": value},
        at=at,
        signer=signer,
    )
    return row


def void(session: Session, draw: Draw, *, reason: str, actor: str, at: str, signer: Signer) -> None:
    """Void a sealed draw whose ceremony cannot be completed (§7.8): logged `draw.voided`.
    A re-run is a new draw that names this one's manifest (`replaces`)."""
    if not reason.strip():
        raise InvalidInput("作废须说明原因 (--reason)", "voiding needs a reason")
    _, digest = sealed_manifest(session, draw)
    make_void(session, draw)
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.voided",
        details={"manifest": digest.hex(), "reason": reason},
        at=at,
        signer=signer,
    )


def set_replaces(
    session: Session,
    draw: Draw,
    *,
    void_draw: Draw,
    reason: str,
    actor: str,
    at: str,
    signer: Signer,
) -> str:
    """Make `draw` (not yet sealed) the re-run of the void draw `void_draw` (§6.1 `replaces`,
    §7.8); returns the void manifest's digest."""
    bump(
        session,
        draw,
        allowed=(State.DRAFT, State.OBJECTION),
        what=("登记重新抽签", "naming the void draw"),
    )
    if void_draw.state != State.VOID:
        raise WrongState(
            f"抽签 {void_draw.public_id} 未作废", f"draw {void_draw.public_id} is not void"
        )
    if not reason.strip():
        raise InvalidInput("须说明重新抽签的原因", "a re-run needs a reason")
    _, digest = sealed_manifest(session, void_draw)
    draw.replaces_manifest, draw.replaces_reason = digest.hex(), reason
    session.add(draw)
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.replaces",
        details={"draw": void_draw.public_id, "manifest": digest.hex(), "reason": reason},
        at=at,
        signer=signer,
    )
    return digest.hex()


def beacon_value(session: Session, draw: Draw) -> tuple[str, str] | None:
    """(used, value) of the entered beacon, if any."""
    row = beacon_row(session, draw)
    return None if row is None else (row.used, row.value)
