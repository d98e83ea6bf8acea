"""Witnesses, their commitments and reveals, and the beacon value (protocol §7)."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["BeaconValue", "Commitment", "Reveal", "Witness"]


class Witness(SQLModel, table=True):
    """A witness of a draw (notary, supervisor, parent representative)."""

    __tablename__ = "witnesses"
    __table_args__ = (UniqueConstraint("draw_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)


class Commitment(SQLModel, table=True):
    """A witness's commitment, hex64 (protocol §7.1), registered before sealing."""

    __tablename__ = "commitments"

    id: int | None = Field(default=None, primary_key=True)
    witness_id: int = Field(foreign_key="witnesses.id", unique=True, ondelete="CASCADE")
    value: str = Field(max_length=64)
    at: str = Field(max_length=20)


class Reveal(SQLModel, table=True):
    """A witness's revealed secret, hex64 (protocol §7.3), accepted only if it matches."""

    __tablename__ = "reveals"

    id: int | None = Field(default=None, primary_key=True)
    witness_id: int = Field(foreign_key="witnesses.id", unique=True, ondelete="CASCADE")
    secret: str = Field(max_length=64)
    at: str = Field(max_length=20)


class BeaconValue(SQLModel, table=True):
    """The public beacon value entered for a draw (protocol §7.2, §7.5)."""

    __tablename__ = "beacons"

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", unique=True, ondelete="CASCADE")
    used: str = Field(max_length=16)
    value: str = Field(max_length=200)
    at: str = Field(max_length=20)
