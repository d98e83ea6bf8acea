"""Applicants: the public record (protocol §4.1) and, in a separate table, the private part.

`ApplicantPrivate` holds the name, the ID number and the receipt code. No public schema has
those fields; only the operator's and the auditor's private list reads them.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["Applicant", "ApplicantPrivate"]


class Applicant(SQLModel, table=True):
    """The public part of one child's record; `preferences`/`tiers` are canonical JSON text."""

    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("draw_id", "application"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    application: str = Field(max_length=64)
    category: str | None = Field(default=None, max_length=64)
    group_code: str | None = Field(default=None, max_length=64)
    masked_id: str = Field(max_length=32)
    masked_name: str = Field(max_length=200)
    sex: str = Field(max_length=1)
    preferences: str = Field(sa_column=Column(Text, nullable=False))
    tiers: str = Field(sa_column=Column(Text, nullable=False))
    private_digest: str = Field(max_length=64)
    receipt_check: str | None = Field(default=None, max_length=64)  # §4.8; null before v2


class ApplicantPrivate(SQLModel, table=True):
    """Personal data of one child; never serialised by a public schema, never in a bundle."""

    __tablename__ = "applicants_private"

    applicant_id: int = Field(foreign_key="applicants.id", primary_key=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    id_number: str = Field(max_length=18)
    birth_date: datetime.date
    receipt_code: str = Field(max_length=16)
