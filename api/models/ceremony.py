"""Witnesses, their keys, commitments and signed reveals, the checkpoint, the co-signatures and
the beacon statement (protocol §7).

Every row here is also in a signed document or in the signed audit log; `run` compares them
before it forms the seed (`api.services.ceremony_check`), so an edited or deleted row stops the
draw instead of changing it (§19).
"""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["BeaconValue", "Checkpoint", "Commitment", "Cosignature", "Reveal", "Witness"]


class Witness(SQLModel, table=True):
    """A witness of a draw (notary, supervisor, parent representative)."""

    __tablename__ = "witnesses"
    __table_args__ = (UniqueConstraint("draw_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)


class Commitment(SQLModel, table=True):
    """A witness's commitment and public key (protocol §7.1), from its signed commitment file
    (§7.9), registered before sealing; `signature` is the witness's, kind `commitment`."""

    __tablename__ = "commitments"

    id: int | None = Field(default=None, primary_key=True)
    witness_id: int = Field(foreign_key="witnesses.id", unique=True, ondelete="CASCADE")
    value: str = Field(max_length=64)
    at: str = Field(max_length=20)
    public_key: str | None = Field(default=None, max_length=64)
    signature: str | None = Field(default=None, max_length=128)


class Reveal(SQLModel, table=True):
    """A witness's revealed secret, hex64 (protocol §7.3), accepted only if it matches."""

    __tablename__ = "reveals"

    id: int | None = Field(default=None, primary_key=True)
    witness_id: int = Field(foreign_key="witnesses.id", unique=True, ondelete="CASCADE")
    secret: str = Field(max_length=64)
    at: str = Field(max_length=20)
    signature: str | None = Field(default=None, max_length=128)  # the witness's, kind `reveal`
    receipt: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Checkpoint(SQLModel, table=True):
    """The reveals closed (protocol §7.4): the checkpoint document as the witnesses co-sign it."""

    __tablename__ = "checkpoints"

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", unique=True, ondelete="CASCADE")
    closed_at: str = Field(max_length=20)
    digest: str = Field(max_length=64)
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Cosignature(SQLModel, table=True):
    """A witness's co-signature of the checkpoint or the beacon statement (§7.4, §7.5, §7.9)."""

    __tablename__ = "cosignatures"
    __table_args__ = (UniqueConstraint("draw_id", "witness", "of"),)

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", index=True, ondelete="CASCADE")
    witness: str = Field(max_length=64)
    of: str = Field(max_length=16)
    digest: str = Field(max_length=64)
    signature: str = Field(max_length=128)
    at: str = Field(max_length=20)


class BeaconValue(SQLModel, table=True):
    """The public beacon value entered for a draw and its statement (protocol §7.2, §7.5).

    `proof` is the drand proof as canonical JSON (or null), `document` the beacon statement the
    witnesses co-sign and `digest` its digest; `reason` says why the fallback was used."""

    __tablename__ = "beacons"

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="draws.id", unique=True, ondelete="CASCADE")
    used: str = Field(max_length=16)
    value: str = Field(max_length=200)
    at: str = Field(max_length=20)
    proof: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    digest: str | None = Field(default=None, max_length=64)
    document: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
