"""The run step, publication and rehearsals (protocol §7.6-§7.7, §12, §13, §16).

Before the seed is formed, every stored ceremony value is compared with the signed documents and
the signed audit log (`api.services.ceremony_check`); the engine then forms the ceremony
(`form_ceremony`) and runs the draw. The ceremony and the results hold the audit head before
`draw.run` {seed, results}, which is logged last (§15.3). The run writes everything in ONE transaction: the state change, the ceremony and results
documents, the bundle files and the per-child outcomes. A crash before the commit leaves no
results; a run of a draw that is already drawn returns the stored results, never new ones. The
engine is deterministic from the sealed data and the ceremony, so a re-run after a crash gives
byte-identical results.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, func, select

from api import audit
from api.errors import InvalidInput
from api.lifecycle import State, bump, transition
from api.models import Draw, Rehearsal, SignedDocument
from api.services.ceremony_check import checked_ceremony
from api.services.outcome_heads import draw_heads
from api.services.publication import refresh_bundle
from api.services.sealing import DataChanged, reseal, sealed_manifest, signed_document
from api.signer import Signer
from lottery import (
    AuditHead,
    Ceremony,
    DrawResult,
    LotteryError,
    SealedDraw,
    bundle_files,
    canonical_json,
    form_ceremony,
    parse_canonical,
    rehearse,
    run_draw,
)

__all__ = [
    "REHEARSAL_MARK",
    "check_published_ceremony",
    "publish",
    "rehearsal",
    "rehearsals_of",
    "run",
]

REHEARSAL_MARK = "模拟摇号 — 非正式结果 / REHEARSAL — not the official result"


def run(
    session: Session, draw: Draw, *, actor: str, at: str, signer: Signer, delay: float = 0.0
) -> str:
    """ceremony -> drawn; returns the results digest. Idempotent: a drawn draw returns its own."""
    if draw.state in (State.DRAWN, State.PUBLISHED):
        stored = signed_document(session, draw, "results")
        assert stored is not None
        return stored.digest
    transition(session, draw, to=State.DRAWN, what=("摇号", "running the draw"))
    sealed = reseal(session, draw, signer=signer)
    assert draw.id is not None
    head = audit.head(session, draw.id)
    assert head is not None
    try:
        ceremony = _ceremony(session, draw, sealed, head)
        result = run_draw(sealed, ceremony, signer.private_key, audit=head)
    except LotteryError as error:
        raise InvalidInput(f"不能摇号: {error}", f"cannot run the draw: {error}") from None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.run",
        details={"seed": ceremony.seed.hex(), "results": result.results_digest.hex()},
        at=at,
        signer=signer,
    )
    _store_result(session, draw, result, at=at, signer=signer)
    if delay:  # tests only: a window to kill the server with everything written, uncommitted
        time.sleep(delay)
    return result.results_digest.hex()


def _ceremony(session: Session, draw: Draw, sealed: SealedDraw, head: AuditHead) -> Ceremony:
    """The ceremony formed by the engine from rows that agree with everything signed."""
    inputs = checked_ceremony(session, draw, sealed.manifest, sealed.manifest_digest)
    return form_ceremony(
        sealed.manifest,
        reveals=inputs.reveals,
        closed_at=inputs.closed_at,
        checkpoint_signatures=inputs.checkpoint_signatures,
        beacon=inputs.beacon,
        beacon_signatures=inputs.beacon_signatures,
        audit=head,
    )


def _store_result(
    session: Session, draw: Draw, result: DrawResult, *, at: str, signer: Signer
) -> None:
    assert draw.id is not None
    events = audit.events_of(session, draw.id)
    files = bundle_files(
        result,
        log=audit.audit_jsonl(events, draw.public_id),
        signing_key=signer.private_key,
    )
    for kind in ("ceremony", "results"):
        document = files[f"{kind}.json"]
        signature = files[f"{kind}.sig.json"]
        session.add(
            SignedDocument(
                draw_id=draw.id,
                kind=kind,
                digest=json.loads(signature)["digest"],
                document=document,
                signature=signature,
                at=at,
            )
        )
    session.execute(
        insert(SQLModel.metadata.tables["bundle_files"]),
        [{"draw_id": draw.id, "name": name, "content": data} for name, data in files.items()],
    )
    positions: dict[str, list[list[object]]] = {}
    for school in result.results["schools"]:
        for position, application in enumerate(school["waitlist"], start=1):
            positions.setdefault(application, []).append([school["id"], position])
    rows = [
        {
            "draw_id": draw.id,
            "application": application,
            "lottery_number": number,
            "status": status,
            "school": school,
            "label": label,
            "waitlist": canonical_json(positions.get(application, [])).decode("utf-8"),
        }
        for application, number, status, school, label in result.results["applicants"]
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(SQLModel.metadata.tables["outcomes"]), rows[start : start + 5000])


def publish(session: Session, draw: Draw, *, actor: str, at: str, signer: Signer) -> None:
    """drawn -> published: results and bundle become public."""
    transition(session, draw, to=State.PUBLISHED, what=("公布结果", "publishing"))
    results = signed_document(session, draw, "results")
    assert results is not None and draw.id is not None
    check_published_ceremony(session, draw)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.published",
        details={"results": results.digest},
        at=at,
        signer=signer,
    )
    refresh_bundle(session, draw, signer=signer)
    # the bundle's heads (§12.7) recomputed and checked; kept for the look-ups
    draw_heads(session, draw, signer)


def check_published_ceremony(session: Session, draw: Draw) -> None:
    """The rows and the log still agree with the signed ceremony document (before publishing
    or exporting): `DataChanged` names the difference."""
    stored = signed_document(session, draw, "ceremony")
    assert stored is not None
    manifest, digest = sealed_manifest(session, draw)
    inputs = checked_ceremony(session, draw, manifest, digest)
    document = parse_canonical(stored.document)
    signed = {r["witness"]: (r["secret"], r["signature"]) for r in document["reveals"]}
    rows = {w: (secret.hex(), sig) for w, (secret, sig) in inputs.reveals.items()}
    for witness, pair in sorted(signed.items()):
        if pair != rows.get(witness, (None, None)):
            raise DataChanged(
                f"见证人 {witness} 的揭示记录与已签名的仪式文件不符, 拒绝继续",
                f"the reveal row of witness {witness} differs from the signed ceremony; refusing",
            )
    if (document["checkpoint"]["closed_at"], document["beacon"]["value"]) != (
        inputs.closed_at,
        inputs.beacon.value,
    ):
        raise DataChanged(
            "检查点或信标记录与已签名的仪式文件不符, 拒绝继续",
            "the checkpoint or beacon row differs from the signed ceremony; refusing",
        )


def rehearsal(
    session: Session, draw: Draw, *, text: str, actor: str, at: str, signer: Signer
) -> Rehearsal:
    """A practice run with a stated text (protocol §16): signed as `rehearsal`, logged, stored
    apart from the results, never publishable, and unable to touch the official seed."""
    bump(session, draw, allowed=(State.SEALED, State.CEREMONY), what=("模拟摇号", "a rehearsal"))
    sealed = reseal(session, draw, signer=signer)
    try:
        document, signature = rehearse(sealed, text, signer.private_key)
    except LotteryError as error:
        raise InvalidInput(f"模拟摇号失败: {error}", f"rehearsal failed: {error}") from None
    assert draw.id is not None
    seq = 1 + session.exec(select(func.count()).where(Rehearsal.draw_id == draw.id)).one()
    row = Rehearsal(
        draw_id=draw.id,
        seq=seq,
        text=text,
        actor=actor,
        at=at,
        digest=signature["digest"],
        document=canonical_json(document),
        signature=canonical_json(signature),
    )
    session.add(row)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="rehearsal.run",
        details={"text": text, "results": signature["digest"]},  # exactly these (§15.3)
        at=at,
        signer=signer,
    )
    return row


def rehearsals_of(session: Session, draw: Draw) -> list[Rehearsal]:
    """Every rehearsal of the draw, in order."""
    return list(
        session.exec(
            select(Rehearsal).where(Rehearsal.draw_id == draw.id).order_by(col(Rehearsal.seq))
        )
    )
