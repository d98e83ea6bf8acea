"""API tokens: only their SHA-256 is stored; the token itself is shown once, at issue."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

__all__ = ["ApiToken"]


class ApiToken(SQLModel, table=True):
    """A bearer credential for one role: operator and auditor of a bureau, or one witness."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    bureau_id: int = Field(foreign_key="bureaus.id", index=True, ondelete="CASCADE")
    witness_id: int | None = Field(default=None, foreign_key="witnesses.id", ondelete="CASCADE")
    label: str = Field(max_length=120)
    created_at: str = Field(max_length=20)
    revoked: bool = False
