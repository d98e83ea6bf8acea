"""Refused attempts in the audit log (protocol §15.3): a wrong or missing token, a reveal that
does not match, a late witness, a bad co-signature.

The attempt's own transaction is rolled back, so a refusal changes nothing; the refusal is then
appended to the draw's log in a transaction of its own (`refused.<what>`, details that hold no
secret). The draw is not claimed (no version bump): the log's unique (draw, seq) key keeps two
writers apart, and a refusal that loses that race is dropped rather than retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from api import audit
from api.errors import Conflict, ServiceError
from api.lifecycle import transaction
from api.models import Draw
from api.signer import Signer

__all__ = ["Refusal", "logged_change", "refused"]

E = TypeVar("E", bound=ServiceError)


@dataclass(frozen=True)
class Refusal:
    """What the log says about a refused attempt on a draw."""

    draw_id: int
    action: str
    details: dict[str, Any]


def refused(error: E, *, draw: Draw, what: str, details: dict[str, Any]) -> E:
    """`error`, marked to be logged as `refused.<what>` with `details` (never a secret)."""
    assert draw.id is not None
    error.refusal = Refusal(draw.id, f"refused.{what}", details)  # type: ignore[attr-defined]
    return error


@contextmanager
def logged_change(session: Session, *, actor: str, at: str, signer: Signer) -> Iterator[Session]:
    """`transaction(session)`; a refused attempt is then logged in a transaction of its own."""
    try:
        with transaction(session):
            yield session
    except ServiceError as error:
        refusal: Refusal | None = getattr(error, "refusal", None)
        if refusal is not None:
            try:
                with transaction(session):
                    audit.record(
                        session,
                        draw_id=refusal.draw_id,
                        actor=actor,
                        action=refusal.action,
                        details=refusal.details,
                        at=at,
                        signer=signer,
                    )
            except Conflict:
                pass
        raise
