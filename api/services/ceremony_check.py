"""Before the seed is formed, every stored ceremony value is compared with what was signed
(protocol §19: "edit or delete a ceremony row, or cut the log").

The rows (reveals, checkpoint, co-signatures, beacon) are only the service's copy. What binds
them is signed: each reveal by its witness, the checkpoint and the beacon statement by every
revealed witness, and every step by the bureau's hash-chained audit log (§15). `run` and
`publish` call `checked_ceremony`, which re-forms each document from the rows, compares it with
the stored document, the co-signatures and the log entry that named it, and raises
`DataChanged` naming the first difference. Only then does the engine form the ceremony.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from api import audit
from api.errors import WrongState
from api.models import AuditEvent, Draw
from api.services.ceremony import beacon_row, checkpoint_row, cosignatures_of, reveal_rows
from api.services.sealing import DataChanged
from lottery import (
    BeaconStatement,
    CeremonyError,
    Checkpoint,
    DrandProof,
    Manifest,
    beacon_statement_digest,
    beacon_statement_document,
    canonical_json,
    check_witness_signature,
    checkpoint_digest,
    checkpoint_document,
    reveal_digest,
)

__all__ = ["CeremonyInputs", "checked_ceremony"]


@dataclass(frozen=True)
class CeremonyInputs:
    """What `form_ceremony` takes, read from rows that agree with everything signed."""

    reveals: dict[str, tuple[bytes, str]]
    closed_at: str
    checkpoint_signatures: dict[str, str]
    beacon: BeaconStatement
    beacon_signatures: dict[str, str]


def _changed(zh: str, en: str) -> DataChanged:
    return DataChanged(f"数据库中的仪式数据与签名记录不符, 拒绝继续: {zh}", f"refusing: {en}")


def _entries(events: list[AuditEvent], action: str) -> list[dict[str, Any]]:
    return [{"seq": e.seq, **json.loads(e.details)} for e in events if e.action == action]


def _one(events: list[AuditEvent], action: str) -> dict[str, Any]:
    found = _entries(events, action)
    if len(found) != 1:
        raise _changed(
            f"审计日志中有 {len(found)} 条 {action}",
            f"the audit log has {len(found)} {action} entries, exactly one expected (§15.3)",
        )
    return found[0]


def _check_log(session: Session, draw: Draw) -> list[AuditEvent]:
    assert draw.id is not None
    events = audit.events_of(session, draw.id)
    try:
        audit.check_chain(events, draw.public_id)
    except audit.AuditChainBroken as error:
        raise _changed(f"审计日志链断裂 ({error})", f"the audit log is broken: {error}") from None
    return events


def _check_reveals(
    session: Session, draw: Draw, manifest: Manifest, digest: bytes, events: list[AuditEvent]
) -> dict[str, tuple[bytes, str]]:
    """Each reveal row against its `witness.revealed` entry, its witness signature and the
    reveal receipt the bureau signed (§7.3, §15.3)."""
    rows = reveal_rows(session, draw)
    logged = {e["witness"]: e["secret"] for e in _entries(events, "witness.revealed")}
    keys = {w.id: w.public_key for w in manifest.witnesses}
    for witness in sorted(set(logged) - set(rows)):
        raise _changed(
            f"见证人 {witness} 的揭示记录不见了, 审计日志中有其揭示",
            f"the reveal row of witness {witness} is missing; the audit log holds its reveal",
        )
    out: dict[str, tuple[bytes, str]] = {}
    for witness, row in sorted(rows.items()):
        if logged.get(witness) != row.secret:
            raise _changed(
                f"见证人 {witness} 的揭示记录与审计日志不符",
                f"the reveal row of witness {witness} differs from its witness.revealed entry "
                "in the audit log",
            )
        secret = bytes.fromhex(row.secret)
        try:
            check_witness_signature(
                keys[witness],
                "reveal",
                reveal_digest(digest, witness, secret),
                row.signature,
                witness=witness,
            )
        except (CeremonyError, KeyError) as error:
            raise _changed(
                f"见证人 {witness} 的揭示签名无效", f"the reveal row of {witness}: {error}"
            ) from None
        out[witness] = (secret, row.signature or "")
    return out


def _check_cosignatures(
    session: Session,
    draw: Draw,
    manifest: Manifest,
    events: list[AuditEvent],
    of: str,
    digest: str,
) -> dict[str, str]:
    """The co-signature rows of `of` against the `witness.cosigned` entries and the keys."""
    rows = cosignatures_of(session, draw, of)
    logged = {
        e["witness"]: e.get("signature")
        for e in _entries(events, "witness.cosigned")
        if e.get("of") == of
    }
    keys = {w.id: w.public_key for w in manifest.witnesses}
    for witness in sorted(set(logged) | set(rows)):
        row = rows.get(witness)
        if row is None:
            raise _changed(
                f"见证人 {witness} 对{of}的联署记录不见了",
                f"the {of} co-signature row of witness {witness} is missing; the audit log "
                "holds it",
            )
        if witness not in logged or logged[witness] != row.signature or row.digest != digest:
            raise _changed(
                f"见证人 {witness} 对{of}的联署记录与审计日志不符",
                f"the {of} co-signature row of witness {witness} differs from the audit log",
            )
        try:
            check_witness_signature(
                keys.get(witness, ""), of, bytes.fromhex(digest), row.signature, witness=witness
            )
        except CeremonyError as error:
            raise _changed(f"见证人 {witness} 的联署无效", f"co-signature row: {error}") from None
    return {witness: row.signature for witness, row in rows.items()}


def _check_checkpoint(
    session: Session,
    draw: Draw,
    manifest: Manifest,
    digest: bytes,
    reveals: Mapping[str, tuple[bytes, str]],
    events: list[AuditEvent],
) -> tuple[str, str]:
    """The checkpoint row re-formed from the reveal rows, against its `ceremony.checkpoint`
    entry (§7.4, §15.3); returns (closed_at, digest)."""
    row = checkpoint_row(session, draw)
    if row is None and not _entries(events, "ceremony.checkpoint"):
        raise WrongState("请先截止揭示 (检查点)", "close the reveals first (checkpoint, §7.4)")
    if row is None:
        raise _changed("检查点记录不见了", "the checkpoint row is missing (§7.4)")
    ordered = tuple(
        (w.id, reveals[w.id][0] if w.id in reveals else None) for w in manifest.witnesses
    )
    checkpoint = Checkpoint(manifest_digest=digest, closed_at=row.closed_at, reveals=ordered)
    formed = checkpoint_digest(checkpoint).hex()
    if canonical_json(checkpoint_document(checkpoint)) != row.document or formed != row.digest:
        raise _changed(
            "检查点记录与揭示记录不符",
            "the checkpoint row is not the checkpoint the reveal rows and its time give",
        )
    if _one(events, "ceremony.checkpoint")["checkpoint"] != row.digest:
        raise _changed(
            "检查点与审计日志不符", "the checkpoint differs from its ceremony.checkpoint entry"
        )
    return row.closed_at, row.digest


def _check_beacon(
    session: Session, draw: Draw, digest: bytes, checkpoint: str, events: list[AuditEvent]
) -> BeaconStatement:
    """The beacon row re-formed as the statement, against its `ceremony.beacon` entry."""
    row = beacon_row(session, draw)
    if row is None and not _entries(events, "ceremony.beacon"):
        raise WrongState("请先录入信标值", "enter the beacon value first (§7.5)")
    if row is None:
        raise _changed("信标记录不见了", "the beacon row is missing (§7.5)")
    proof = None
    if row.proof is not None:
        loaded = json.loads(row.proof)
        proof = DrandProof(loaded["signature"], loaded["previous_signature"])
    statement = BeaconStatement(
        manifest_digest=digest,
        checkpoint_digest=bytes.fromhex(checkpoint),
        used="fallback" if row.used == "fallback" else "primary",
        value=row.value,
        proof=proof,
    )
    formed = beacon_statement_digest(statement).hex()
    if (
        row.used not in ("primary", "fallback")
        or formed != row.digest
        or canonical_json(beacon_statement_document(statement)) != row.document
    ):
        raise _changed("信标记录与信标声明不符", "the beacon row differs from its statement")
    entry = _one(events, "ceremony.beacon")
    if (entry["beacon"], entry["used"], entry["value"]) != (formed, row.used, row.value):
        raise _changed("信标与审计日志不符", "the beacon differs from its ceremony.beacon entry")
    return statement


def checked_ceremony(
    session: Session, draw: Draw, manifest: Manifest, digest: bytes
) -> CeremonyInputs:
    """The ceremony's inputs from the rows, after comparing every row with the signed documents
    and the signed audit log; `DataChanged` names the first difference."""
    events = _check_log(session, draw)
    reveals = _check_reveals(session, draw, manifest, digest, events)
    closed_at, cp_digest = _check_checkpoint(session, draw, manifest, digest, reveals, events)
    cp_signatures = _check_cosignatures(session, draw, manifest, events, "checkpoint", cp_digest)
    statement = _check_beacon(session, draw, digest, cp_digest, events)
    b_digest = beacon_statement_digest(statement).hex()
    b_signatures = _check_cosignatures(session, draw, manifest, events, "beacon", b_digest)
    return CeremonyInputs(
        reveals=reveals,
        closed_at=closed_at,
        checkpoint_signatures=cp_signatures,
        beacon=statement,
        beacon_signatures=b_signatures,
    )
