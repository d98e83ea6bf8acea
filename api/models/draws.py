"""Bureaus, draws and a draw's rules: schools, tiers, reserved quotas, categories (protocol §6)."""

from __future__ import annotations

import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["Bureau", "Category", "Draw", "ReservedQuota", "School", "Tier"]


class Bureau(SQLModel, table=True):
    """An education bureau (教育局); `code` prefixes the application numbers it generates."""

    __tablename__ = "bureaus"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=200)
    created_at: str = Field(max_length=20)


class Draw(SQLModel, table=True):
    """One draw and its lifecycle state; `version` is bumped by every change (compare-and-set).

    `previous_draw_id` is set on a second round (补录, protocol §14.5): the draw it follows. It is
    unique, so a draw has at most one second round. It is not a foreign key: SQLite cannot add
    one to an existing table without rebuilding `draws`, and draws are never deleted.
    """

    __tablename__ = "draws"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=64, unique=True)
    bureau_id: int = Field(foreign_key="bureaus.id", index=True)
    title: str = Field(max_length=200)
    authority: str = Field(max_length=200)
    mode: str = Field(max_length=32)
    tie_breaking: str = Field(max_length=16)
    max_preferences: int
    min_reveals: int
    beacon: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    birth_date_from: datetime.date
    birth_date_to: datetime.date
    state: str = Field(max_length=16, index=True)
    version: int = 0
    next_application_seq: int = 1
    created_at: str = Field(max_length=20)
    previous_draw_id: int | None = Field(default=None, unique=True, index=True)
    sealing_announcement: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # A re-run of a void draw (protocol §6.1 `replaces`, §7.8): its manifest digest and why.
    replaces_manifest: str | None = Field(default=None, max_length=64)
    replaces_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class School(SQLModel, table=True):
    """A school of a draw (protocol §6.2); `classes_*` all null when no balanced classes."""

    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("draw_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    seats: int
    level: str = Field(max_length=16)
    classes_count: int | None = None
    classes_max_size: int | None = None
    classes_twins: str | None = Field(default=None, max_length=16)


class Tier(SQLModel, table=True):
    """A priority tier of a school; `position` 0 is the best (protocol §6.2)."""

    __tablename__ = "tiers"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True, ondelete="CASCADE")
    position: int
    code: str = Field(max_length=64)
    label: str = Field(max_length=200)


class Category(SQLModel, table=True):
    """A reserved-seat category of a draw (protocol §6.1 `categories`)."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("draw_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=64)
    label: str = Field(max_length=200)


class ReservedQuota(SQLModel, table=True):
    """Seats of a school reserved for a category; `position` is precedence (protocol §9.1)."""

    __tablename__ = "reserved_quotas"
    __table_args__ = (UniqueConstraint("school_id", "category_code"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True, ondelete="CASCADE")
    position: int
    category_code: str = Field(max_length=64)
    seats: int
