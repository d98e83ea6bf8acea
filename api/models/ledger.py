"""The objection and complaint ledger (招生入学工作问题线索管理台账) and stored problem reports."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["LedgerEntry", "ProblemReport"]


class LedgerEntry(SQLModel, table=True):
    """One objection (异议, during the 公示) or complaint (投诉, after the results), or the
    bureau's manual placement (人工安置) of children the draw left without a seat (§10.10).

        `raised_by` and `contact` are personal data: shown to the bureau, masked (`raised_by`) or
        left out (`contact`) everywhere else, never in the audit log. `recorded_seq` and
        `closed_seq` are the audit log entries that recorded and closed it; their details hold the
        digest of the entry as it then stood, salted with `salt` (random, kept here, never in the log)
    so that the public log vouches for what the ledger says without letting anyone test guesses
    of a name against it.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("draw_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    seq: int
    kind: str = Field(max_length=16)
    raised_by: str = Field(max_length=100)
    contact: str | None = Field(default=None, max_length=100)
    raised_at: str = Field(max_length=20)
    channel: str | None = Field(default=None, max_length=50)
    application: str | None = Field(default=None, max_length=64)
    subject: str = Field(sa_column=Column(Text, nullable=False))
    handling: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    change: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    change_audit_seq: int | None = None
    status: str = Field(max_length=16)
    salt: str = Field(max_length=32)
    recorded_by: str = Field(max_length=120)
    recorded_seq: int
    closed_at: str | None = Field(default=None, max_length=20)
    closed_by: str | None = Field(default=None, max_length=120)
    closed_seq: int | None = None
    # kind "placement" only: JCS of {"school", "applications", "group"} (§10.10)
    placement: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ProblemReport(SQLModel, table=True):
    """The full problem report of a refused import (CSV, gzip), which the answer only points
    to: the answer shows the first 1,000 problems. `token` names it in the download address."""

    __tablename__ = "problem_reports"

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    token: str = Field(max_length=32, unique=True)
    filename: str = Field(max_length=200)
    problem_count: int
    at: str = Field(max_length=20)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
