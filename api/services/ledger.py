"""The objection and complaint ledger (招生入学工作问题线索管理台账), kept per draw.

Each objection during the 公示 and each complaint after the results is recorded with who raised
it, when, what about, and later how it was handled, the result and the change it caused. Every
recording and closing appends an audit entry (protocol §15) whose details hold the entry's
number, kind and salted digest, never personal data: the signed log then vouches for what the
ledger said at that moment. The public sees the ledger masked (`public_rows`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from sqlmodel import Session, col, func, select

from api import audit
from api.errors import InvalidInput, NotFound, WrongState
from api.ledger_schemas import (
    LedgerClose,
    LedgerCreate,
    LedgerEntryPrivate,
    LedgerEntryPublic,
    Placement,
)
from api.lifecycle import State, bump
from api.localtime import local_time, parse_local_time
from api.models import Applicant, AuditEvent, Draw, LedgerEntry
from api.redaction import redact_id_numbers
from api.services.sealing import signed_document
from api.services.signed_outcomes import signed_outcome
from api.signer import Signer
from lottery import canonical_json, mask_name

__all__ = [
    "KIND_TEXT",
    "close_entry",
    "entries_of",
    "entry_digest",
    "private_rows",
    "public_rows",
    "record_entry",
]

KIND_TEXT = {
    "objection": "公示异议 / objection",
    "complaint": "结果投诉 / complaint",
    "placement": "人工安置 / manual placement",
}
_FROM = {
    "objection": (State.OBJECTION, State.SEALED, State.CEREMONY, State.DRAWN, State.PUBLISHED),
    "complaint": (State.DRAWN, State.PUBLISHED),
    "placement": (State.PUBLISHED,),
}
_WHEN = {
    "objection": ("记录公示异议", "recording an objection (from the objection period on)"),
    "complaint": ("记录结果投诉", "recording a complaint (after the draw)"),
    "placement": ("记录人工安置", "recording a manual placement (after publication)"),
}


def entry_digest(entry: LedgerEntry) -> str:
    """Salted SHA-256 of the entry's content as it stands (what the audit entry holds)."""
    content = {
        "seq": entry.seq,
        "kind": entry.kind,
        "raised_by": entry.raised_by,
        "contact": entry.contact,
        "raised_at": entry.raised_at,
        "channel": entry.channel,
        "application": entry.application,
        "subject": entry.subject,
        "handling": entry.handling,
        "result": entry.result,
        "change": entry.change,
        "change_audit_seq": entry.change_audit_seq,
        "status": entry.status,
    }
    if entry.placement is not None:  # only placements carry it: older digests stay as logged
        content["placement"] = json.loads(entry.placement)
    return hashlib.sha256(bytes.fromhex(entry.salt) + canonical_json(content)).hexdigest()


def _log(
    session: Session,
    draw: Draw,
    entry: LedgerEntry,
    action: str,
    *,
    actor: str,
    at: str,
    signer: Signer,
) -> int:
    assert draw.id is not None
    details: dict[str, Any] = {"seq": entry.seq, "kind": entry.kind, "entry": entry_digest(entry)}
    if entry.change_audit_seq is not None:
        details["change"] = entry.change_audit_seq
    if entry.placement is not None:  # the bureau's decision, public like the results (§10.10)
        details["placement"] = json.loads(entry.placement)
    event = audit.record(
        session, draw_id=draw.id, actor=actor, action=action, details=details, at=at, signer=signer
    )
    return event.seq


def record_entry(
    session: Session,
    draw: Draw,
    spec: LedgerCreate,
    *,
    zone: str,
    actor: str,
    at: str,
    signer: Signer,
) -> LedgerEntry:
    """Record an objection or a complaint, open, and log it; or a manual placement, which is
    a decision already taken: recorded closed, in one audit entry that names it."""
    bump(session, draw, allowed=_FROM[spec.kind], what=_WHEN[spec.kind])
    assert draw.id is not None
    placement = _placement(session, draw, spec, signer=signer)
    count = session.exec(select(func.count()).where(LedgerEntry.draw_id == draw.id)).one()
    entry = LedgerEntry(
        draw_id=draw.id,
        seq=count + 1,
        kind=spec.kind,
        raised_by=spec.raised_by,
        contact=spec.contact,
        raised_at=at if spec.raised_at is None else parse_local_time(spec.raised_at, zone),
        channel=spec.channel or None,
        application=spec.application,
        subject=spec.subject,
        status="open",
        salt=secrets.token_hex(16),
        recorded_by=actor,
        recorded_seq=0,
    )
    if placement is not None:
        entry.placement = canonical_json(placement.model_dump()).decode("utf-8")
        entry.status, entry.closed_at, entry.closed_by = "closed", at, actor
        entry.handling = "人工安置 / manual placement"
        entry.result = (
            f"安置到 {placement.school}: {', '.join(placement.applications)} / "
            f"placed at {placement.school}"
        )
    entry.recorded_seq = _log(
        session, draw, entry, "ledger.recorded", actor=actor, at=at, signer=signer
    )
    session.add(entry)
    session.flush()
    return entry


def _placement(
    session: Session, draw: Draw, spec: LedgerCreate, *, signer: Signer
) -> Placement | None:
    """The checked placement of a `placement` entry (None for the other kinds).

    It names a school of the draw and children of the draw that hold no seat in the signed
    outcome as it stands (the draw day's, or after the post-draw actions); their group is
    named when they all belong to one. It records the bureau's decision and changes nothing
    that was published: the signed results and actions stay as they are."""
    if spec.kind != "placement":
        if spec.school is not None or spec.applications is not None:
            raise InvalidInput(
                "只有人工安置需要学校和报名号", "only a placement names a school and applications"
            )
        return None
    if spec.school is None or not spec.applications:
        raise InvalidInput(
            "人工安置须写明学校和报名号", "a placement needs the school and the applications"
        )
    applications = list(dict.fromkeys(spec.applications))
    manifest = signed_document(session, draw, "manifest")
    assert manifest is not None  # published
    schools = [s["id"] for s in json.loads(manifest.document)["schools"]]
    if spec.school not in schools:
        raise InvalidInput(f"没有学校 {spec.school}", f"no school {spec.school} in this draw")
    rows = {
        a.application: a
        for a in session.exec(
            select(Applicant).where(
                Applicant.draw_id == draw.id, col(Applicant.application).in_(applications)
            )
        )
    }
    for application in applications:
        if application not in rows:
            raise NotFound(f"没有报名号 {application}", f"no applicant {application} in this draw")
        outcome = signed_outcome(session, draw, application, signer=signer)
        if outcome is None or outcome.status not in ("waitlisted", "unplaced"):
            now = "?" if outcome is None else outcome.status
            raise InvalidInput(
                f"{application} 目前为 {now}, 只能安置未获学位的孩子",
                f"{application} is {now}: only a child without a seat can be placed",
            )
    groups = {rows[a].group_code for a in applications}
    group = groups.pop() if len(groups) == 1 else None
    return Placement(school=spec.school, applications=applications, group=group)


def close_entry(
    session: Session,
    draw: Draw,
    seq: int,
    spec: LedgerClose,
    *,
    actor: str,
    at: str,
    signer: Signer,
) -> LedgerEntry:
    """Record how an entry was handled, its result and the change it caused; close it."""
    bump(session, draw, allowed=tuple(State)[1:], what=("办结问题线索", "closing a ledger entry"))
    entry = session.exec(
        select(LedgerEntry).where(LedgerEntry.draw_id == draw.id, LedgerEntry.seq == seq)
    ).first()
    if entry is None:
        raise NotFound(f"台账中没有第 {seq} 条", f"the ledger has no entry {seq}")
    if entry.status == "closed":
        raise WrongState(f"第 {seq} 条已办结", f"entry {seq} is already closed")
    if spec.change_audit_seq is not None:
        found = session.exec(
            select(AuditEvent.id).where(
                AuditEvent.draw_id == draw.id, AuditEvent.seq == spec.change_audit_seq
            )
        ).first()
        if found is None:
            raise InvalidInput(
                f"审计日志中没有第 {spec.change_audit_seq} 条",
                f"the audit log has no entry {spec.change_audit_seq}",
            )
    entry.handling, entry.result, entry.change = spec.handling, spec.result, spec.change
    entry.change_audit_seq = spec.change_audit_seq
    entry.status, entry.closed_at, entry.closed_by = "closed", at, actor
    entry.closed_seq = _log(
        session, draw, entry, "ledger.closed", actor=actor, at=at, signer=signer
    )
    session.add(entry)
    session.flush()
    return entry


def entries_of(session: Session, draw: Draw) -> list[LedgerEntry]:
    """The draw's ledger in order."""
    return list(
        session.exec(
            select(LedgerEntry).where(LedgerEntry.draw_id == draw.id).order_by(col(LedgerEntry.seq))
        )
    )


def _masked(text: str | None) -> str | None:
    return None if text is None else redact_id_numbers(text)


def _public(entry: LedgerEntry, zone: str) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "kind_text": KIND_TEXT[entry.kind],
        "raised_by": mask_name(entry.raised_by),
        "raised_at": entry.raised_at,
        "raised_at_local": local_time(entry.raised_at, zone),
        "subject": redact_id_numbers(entry.subject),
        "status": entry.status,
        "handling": _masked(entry.handling),
        "result": _masked(entry.result),
        "change": _masked(entry.change),
        "change_audit_seq": entry.change_audit_seq,
        "closed_at_local": None if entry.closed_at is None else local_time(entry.closed_at, zone),
        "recorded_seq": entry.recorded_seq,
        "closed_seq": entry.closed_seq,
        "placement": None if entry.placement is None else json.loads(entry.placement),
    }


def public_rows(session: Session, draw: Draw, *, zone: str) -> list[LedgerEntryPublic]:
    """The ledger as anyone may read it, and as the draw record summarises it: who raised it
    masked (张*丰), no contact, channel or application number, ID numbers masked in the texts,
    times local."""
    return [LedgerEntryPublic(**_public(e, zone)) for e in entries_of(session, draw)]


def private_rows(session: Session, draw: Draw, *, zone: str) -> list[LedgerEntryPrivate]:
    """The bureau's ledger: everything, times local."""
    return [
        LedgerEntryPrivate(
            **{
                **_public(e, zone),
                "raised_by": e.raised_by,
                "subject": e.subject,
                "handling": e.handling,
                "result": e.result,
                "change": e.change,
            },
            contact=e.contact,
            channel=e.channel,
            application=e.application,
            recorded_by=e.recorded_by,
            closed_by=e.closed_by,
        )
        for e in entries_of(session, draw)
    ]
