"""The objection and complaint ledger (招生入学工作问题线索管理台账), kept per draw.

Each objection during the 公示 and each complaint after the results is recorded with who raised
it, when, what about, and later how it was handled, the result and the change it caused. Every
recording and closing appends an audit entry (protocol §15) whose details hold the entry's
number, kind and salted digest, never personal data: the signed log then vouches for what the
ledger said at that moment. The public sees the ledger masked (`public_rows`).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlmodel import Session, col, func, select

from api import audit
from api.errors import InvalidInput, NotFound, WrongState
from api.ledger_schemas import LedgerClose, LedgerCreate, LedgerEntryPrivate, LedgerEntryPublic
from api.lifecycle import State, bump
from api.localtime import local_time, parse_local_time
from api.models import AuditEvent, Draw, LedgerEntry
from api.redaction import redact_id_numbers
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

KIND_TEXT = {"objection": "公示异议 / objection", "complaint": "结果投诉 / complaint"}
_FROM = {
    "objection": (State.OBJECTION, State.SEALED, State.CEREMONY, State.DRAWN, State.PUBLISHED),
    "complaint": (State.DRAWN, State.PUBLISHED),
}
_WHEN = {
    "objection": ("记录公示异议", "recording an objection (from the objection period on)"),
    "complaint": ("记录结果投诉", "recording a complaint (after the draw)"),
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
    """Record an objection or a complaint, open, and log it."""
    bump(session, draw, allowed=_FROM[spec.kind], what=_WHEN[spec.kind])
    assert draw.id is not None
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
    entry.recorded_seq = _log(
        session, draw, entry, "ledger.recorded", actor=actor, at=at, signer=signer
    )
    session.add(entry)
    session.flush()
    return entry


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
