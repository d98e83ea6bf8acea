"""Post-draw actions (递补, protocol §14): a decline or a disqualification frees a seat, which the
waitlist fills in order. The engine replays every action from the published assignment
(`lottery.allocation.replay_actions`); the service records the actions, the moves, the signed
actions document (`actions.json` + `actions.sig.json` of the bundle) and, in the same
transaction, every child's outcome and waitlist places after the replay (what the parent
look-up shows; the replay and the waitlist rule are `api.services.final_state`, which the
documents printed from a bundle share). The signed results stay as drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from api import audit
from api.errors import Conflict, NotFound
from api.lifecycle import State, bump
from api.models import Action, BundleFile, Draw, Outcome, SignedDocument
from api.redaction import redact_id_numbers
from api.services.final_state import OutcomeLine, final_state, outcome_lines
from api.services.outcome_heads import store_heads
from api.services.publication import refresh_bundle
from api.services.rounds import second_round_of
from api.services.sealing import DataChanged, reseal, signed_document
from api.signer import Signer
from lottery import (
    ActionEntry,
    AuditHead,
    actions_digest,
    canonical_json,
    ceremony_from_document,
    parse_canonical,
    rerun_results,
)
from lottery import actions_document as engine_actions_document
from lottery.allocation.replay import Move, PostDrawAction

__all__ = ["actions_document", "actions_of", "lines_after", "record_action"]


def actions_of(session: Session, draw: Draw) -> list[Action]:
    """The draw's actions in order."""
    return list(
        session.exec(select(Action).where(Action.draw_id == draw.id).order_by(col(Action.seq)))
    )


def actions_document(results_digest: str, actions: list[Action], head: AuditHead) -> dict[str, Any]:
    """The actions document of protocol §14.3 from the stored actions (moves in replay order),
    holding the audit head `head` at the moment it is signed (§15.2)."""
    entries = [
        ActionEntry(
            seq=a.seq,
            type=a.type,  # type: ignore[arg-type]
            application=a.application,
            at=a.at,
            moves=tuple(tuple(move) for move in json.loads(a.moves)),
        )
        for a in actions
    ]
    return engine_actions_document(results_digest=results_digest, entries=entries, audit=head)


@dataclass(frozen=True)
class _Replayed:
    """The engine's replay of every action: the moves of each (§14.3), and every child's line
    after the last one, by application."""

    moves: list[list[list[str | None]]]
    lines: dict[str, OutcomeLine]


def _replay(
    session: Session, draw: Draw, signer: Signer, pending: list[tuple[str, str]]
) -> _Replayed:
    """Replay every action (stored ones and the new one) with the engine (§14.2)."""
    sealed = reseal(session, draw, signer=signer)
    ceremony_row = signed_document(session, draw, "ceremony")
    results_row = signed_document(session, draw, "results")
    assert ceremony_row is not None and results_row is not None
    ceremony = ceremony_from_document(parse_canonical(ceremony_row.document), sealed.manifest)
    signed = parse_canonical(results_row.document)
    problem, allocation, results = rerun_results(
        sealed.manifest,
        sealed.records,
        seed=ceremony.seed,
        ceremony_hex=ceremony_row.digest,
        audit=AuditHead(**signed["audit"]),
    )
    if canonical_json(results) != results_row.document:
        raise DataChanged("重算结果与已公布结果不一致", "re-run results differ from the published")
    index = {application: i for i, application in enumerate(problem.applicant_ids)}
    schools = [s.id for s in sealed.manifest.rules.schools]
    actions = [PostDrawAction(kind=kind, applicant=index[app]) for kind, app in pending]  # type: ignore[arg-type]
    state = final_state(problem, allocation, actions)

    def row(move: Move) -> list[str | None]:
        source = None if move.from_school is None else schools[move.from_school]
        return [problem.applicant_ids[move.applicant], source, schools[move.to_school]]

    return _Replayed(
        moves=[[row(m) for m in action_moves] for action_moves in state.moves],
        lines=outcome_lines(problem, state),
    )


def lines_after(
    session: Session, draw: Draw, signer: Signer, actions: list[tuple[str, str]]
) -> dict[str, OutcomeLine]:
    """Every child's line after `actions` ((type, application), in order), replayed by the
    engine from the sealed data and the signed results (§14.2)."""
    return _replay(session, draw, signer, actions).lines


def record_action(
    session: Session,
    draw: Draw,
    *,
    kind: str,
    application: str,
    actor: str,
    at: str,
    signer: Signer,
    reason: str | None = None,
) -> Action:
    """Record a decline or disqualification, replay, and re-sign the actions document (§14).
    `reason` (what the family or the re-check said) goes into the audit entry, ID numbers
    masked; it is not part of the signed actions document."""
    bump(session, draw, allowed=(State.PUBLISHED,), what=("递补操作", "a post-draw action"))
    following = second_round_of(session, draw)
    if following is not None:
        raise Conflict(
            f"抽签 {draw.public_id} 已进行补录 ({following.public_id}), 结果已定, 不能再递补",
            f"draw {draw.public_id} has a second round ({following.public_id}), made from its "
            "seats and children as they were: no more post-draw actions (§14.5)",
        )
    known = session.exec(
        select(Outcome.id).where(Outcome.draw_id == draw.id, Outcome.application == application)
    ).first()
    if known is None:
        raise NotFound(f"没有报名号 {application}", f"no applicant {application} in this draw")
    earlier = actions_of(session, draw)
    if any(a.application == application for a in earlier):
        raise Conflict(f"{application} 已被移出", f"{application} was already removed")
    pending = [(a.type, a.application) for a in earlier] + [(kind, application)]
    replayed = _replay(session, draw, signer, pending)
    moves = replayed.moves[-1]
    assert draw.id is not None
    action = Action(
        draw_id=draw.id,
        seq=len(earlier) + 1,
        type=kind,
        application=application,
        at=at,
        moves=canonical_json(moves).decode("utf-8"),
    )
    session.add(action)
    _store_lines(session, draw, replayed.lines)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="action.recorded",
        details={
            "seq": action.seq,
            "type": kind,
            "application": application,
            "moves": moves,
            **({} if reason is None else {"reason": redact_id_numbers(reason)}),
        },
        at=at,
        signer=signer,
    )
    digest = _sign_document(session, draw, [*earlier, action], signer=signer, at=at)
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="actions.recorded",
        details={"actions": digest, "count": action.seq},
        at=at,
        signer=signer,
    )
    store_heads(session, draw, signer)  # head k of this batch (§12.7) joins the bundle
    refresh_bundle(session, draw, signer=signer)
    return action


def _store_lines(session: Session, draw: Draw, lines: dict[str, OutcomeLine]) -> None:
    """Write every outcome row the replay changed, in the action's transaction.

    The rows are compared with the replay of all actions rather than patched move by move, so
    the children still waiting move up on each waitlist and the moved and removed ones leave
    it; only the rows that differ are written (a large draw has one row per child).
    """
    columns = (Outcome.application, Outcome.status, Outcome.school, Outcome.label, Outcome.waitlist)
    stored = session.execute(
        select_columns(*(col(c) for c in columns)).where(col(Outcome.draw_id) == draw.id)
    )
    changed = [row[0] for row in stored if tuple(row[1:]) != lines[row[0]]]
    for start in range(0, len(changed), 500):
        rows = session.exec(
            select(Outcome).where(
                Outcome.draw_id == draw.id,
                col(Outcome.application).in_(changed[start : start + 500]),
            )
        )
        for row in rows:
            row.status, row.school, row.label, row.waitlist = lines[row.application]
            session.add(row)


def _sign_document(
    session: Session, draw: Draw, actions: list[Action], *, signer: Signer, at: str
) -> str:
    """Sign the actions document with the log's head now and store it; its digest (hex)."""
    results = signed_document(session, draw, "results")
    assert results is not None and draw.id is not None
    head = audit.head(session, draw.id)
    assert head is not None
    published = actions_document(results.digest, actions, head)
    document = canonical_json(published)
    digest = actions_digest(published)
    signature = signer.signature_file("actions", digest)
    stored = signed_document(session, draw, "actions")
    if stored is None:
        stored = SignedDocument(
            draw_id=draw.id, kind="actions", digest="", document=b"", signature=b"", at=at
        )
    stored.digest, stored.document, stored.signature, stored.at = (
        digest.hex(),
        document,
        signature,
        at,
    )
    session.add(stored)
    for name, content in (("actions.json", document), ("actions.sig.json", signature)):
        row = session.exec(
            select(BundleFile).where(BundleFile.draw_id == draw.id, BundleFile.name == name)
        ).first()
        if row is None:
            row = BundleFile(draw_id=draw.id, name=name, content=content)
        row.content = content
        session.add(row)
    return digest.hex()
