"""The hash-chained audit log of a draw, protocol §15.

Every state change and every operator action appends one entry `{"seq", "prev", "at", "actor",
"action", "draw", "details"}` (built by the engine's `audit_entry`, so there is one definition);
its hash is `H("audit", JCS(entry))` and `prev` is the previous entry's hash (64 zeros for the
first). `draw` is the draw's public id, so a log names the draw it belongs to (§15.2). Every entry is
signed (kind `audit`, digest = the entry's hash), so each prefix of the log is signed: the
bundle's `audit.sig.json` is the signature of its last entry. Details never hold personal data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from api.models import AuditEvent, Draw
from api.signer import Signer
from lottery import AuditHead
from lottery.audit_log import audit_entry, audit_entry_hash
from lottery.encoding import canonical_json

__all__ = [
    "ZERO_HASH",
    "AuditChainBroken",
    "audit_jsonl",
    "check_chain",
    "entry_document",
    "events_of",
    "head",
    "record",
]

ZERO_HASH = "0" * 64


class AuditChainBroken(Exception):
    """The stored log does not chain (a row was changed, removed or inserted)."""


def entry_document(event: AuditEvent, draw: str) -> dict[str, Any]:
    """The entry of protocol §15.1 for a stored event of the draw with public id `draw`."""
    return audit_entry(
        seq=event.seq,
        prev=event.prev,
        at=event.at,
        actor=event.actor,
        action=event.action,
        draw=draw,
        details=json.loads(event.details),
    )


def _entry_hash(entry: dict[str, Any]) -> str:
    return audit_entry_hash(entry).hex()


def _last(session: Session, draw_id: int) -> AuditEvent | None:
    return session.exec(
        select(AuditEvent).where(AuditEvent.draw_id == draw_id).order_by(col(AuditEvent.seq).desc())
    ).first()


def head(session: Session, draw_id: int) -> AuditHead | None:
    """The head of the draw's log `{seq, hash}` (its last entry), None while it is empty."""
    last = _last(session, draw_id)
    return None if last is None else AuditHead(seq=last.seq, hash=last.entry_hash)


def record(
    session: Session,
    *,
    draw_id: int,
    actor: str,
    action: str,
    details: dict[str, Any],
    at: str,
    signer: Signer,
) -> AuditEvent:
    """Append an event to the draw's log, in the caller's transaction, and sign it (§15).

    The caller has already claimed the draw (compare-and-set in `api.lifecycle`), so no other
    writer appends to this log at the same time; the unique (draw, seq) key is the last guard.
    """
    last = _last(session, draw_id)
    draw = session.get(Draw, draw_id)
    assert draw is not None
    seq = 1 if last is None else last.seq + 1
    prev = ZERO_HASH if last is None else last.entry_hash
    entry = audit_entry(
        seq=seq, prev=prev, at=at, actor=actor, action=action, draw=draw.public_id, details=details
    )
    digest = audit_entry_hash(entry)
    event = AuditEvent(
        draw_id=draw_id,
        seq=seq,
        prev=prev,
        at=at,
        actor=actor,
        action=action,
        details=canonical_json(details).decode("utf-8"),
        entry_hash=digest.hex(),
        signature=signer.signature_file("audit", digest),
    )
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, draw_id: int) -> list[AuditEvent]:
    """The draw's log in order."""
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.draw_id == draw_id).order_by(col(AuditEvent.seq))
        )
    )


def check_chain(events: Sequence[AuditEvent], draw: str) -> None:
    """Raise `AuditChainBroken` unless `events` of the draw `draw` (public id) form an unbroken
    chain from seq 1 (§15.1)."""
    prev = ZERO_HASH
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            raise AuditChainBroken(f"audit entry {expected_seq}: found seq {event.seq}")
        if event.prev != prev:
            raise AuditChainBroken(f"audit entry {event.seq}: prev does not match entry before")
        actual = _entry_hash(entry_document(event, draw))
        if actual != event.entry_hash:
            raise AuditChainBroken(
                f"audit entry {event.seq}: hash should be {event.entry_hash}, found {actual}"
            )
        prev = event.entry_hash


def audit_jsonl(events: Sequence[AuditEvent], draw: str) -> bytes:
    """`audit.jsonl` of protocol §13/§15: one canonical entry per line, each ending in 0x0A."""
    return b"".join(canonical_json(entry_document(event, draw)) + b"\n" for event in events)
