"""What a draw produces: signed documents, per-child outcomes, actions, rehearsals, audit log."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["Action", "AuditEvent", "BundleFile", "Outcome", "Rehearsal", "SignedDocument"]


class SignedDocument(SQLModel, table=True):
    """A canonical document and its signature file, exactly as published (protocol §12.4, §13).

    One per kind and draw: `manifest`, `ceremony`, `results`, `actions` (the latest version).
    """

    __tablename__ = "signed_documents"
    __table_args__ = (UniqueConstraint("draw_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    digest: str = Field(max_length=64)
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    signature: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    at: str = Field(max_length=20)


class Outcome(SQLModel, table=True):
    """One child's line of the results (protocol §12.1), kept for the parent look-up.

    `waitlist` is canonical JSON: `[[school, position], ...]` in preference order.
    """

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("draw_id", "application"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    application: str = Field(max_length=64)
    lottery_number: str = Field(max_length=16)
    status: str = Field(max_length=16)
    school: str | None = Field(default=None, max_length=64)
    label: str | None = Field(default=None, max_length=80)
    waitlist: str = Field(sa_column=Column(Text, nullable=False))


class Action(SQLModel, table=True):
    """A post-draw action (protocol §14): a decline or a disqualification, and its moves."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("draw_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    seq: int
    type: str = Field(max_length=16)
    application: str = Field(max_length=64)
    at: str = Field(max_length=20)
    moves: str = Field(sa_column=Column(Text, nullable=False))


class Rehearsal(SQLModel, table=True):
    """A practice run (模拟摇号, protocol §16): signed, logged, never publishable."""

    __tablename__ = "rehearsals"
    __table_args__ = (UniqueConstraint("draw_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    seq: int
    text: str = Field(max_length=200)
    actor: str = Field(max_length=120)
    at: str = Field(max_length=20)
    digest: str = Field(max_length=64)
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    signature: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AuditEvent(SQLModel, table=True):
    """One entry of a draw's hash-chained audit log (protocol §15) and its signature file."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("draw_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    seq: int
    prev: str = Field(max_length=64)
    at: str = Field(max_length=20)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=64)
    details: str = Field(sa_column=Column(Text, nullable=False))
    entry_hash: str = Field(max_length=64)
    signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class BundleFile(SQLModel, table=True):
    """A file of the public bundle as the engine produced it at the run (protocol §13.1)."""

    __tablename__ = "bundle_files"
    __table_args__ = (UniqueConstraint("draw_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
