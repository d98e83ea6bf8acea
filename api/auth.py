"""Roles and bearer tokens.

Roles: `operator` (the bureau: edits, seals, runs, publishes), `auditor` (reads everything of
its bureau, changes nothing), `witness` (one credential per witness: commits and reveals its
own secret, nothing else) and the public (no token). Tokens are 32 random bytes shown once;
only their SHA-256 is stored, and the comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session, select

from api.db import SessionDep
from api.errors import Forbidden, Unauthenticated
from api.models import ApiToken

__all__ = [
    "Caller",
    "CallerDep",
    "OptionalCallerDep",
    "Role",
    "authenticate",
    "hash_token",
    "issue_token",
    "require_role",
]

_TOKEN_PREFIX = "sdt_"


class Role(StrEnum):
    """Who a token speaks for."""

    OPERATOR = "operator"
    AUDITOR = "auditor"
    WITNESS = "witness"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: its role, bureau and (for a witness) its witness row."""

    token_id: int
    role: Role
    bureau_id: int
    witness_id: int | None
    label: str

    @property
    def actor(self) -> str:
        """How the audit log names this caller (role and token label, no personal data)."""
        return f"{self.role.value}:{self.label}"


def hash_token(token: str) -> str:
    """SHA-256 of a token, hex: what the database stores."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session,
    *,
    role: Role,
    bureau_id: int,
    label: str,
    created_at: str,
    witness_id: int | None = None,
) -> str:
    """Create a token row and return the token itself (shown once, never stored)."""
    if (role is Role.WITNESS) != (witness_id is not None):
        raise ValueError("a witness token needs a witness, and only a witness token has one")
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=hash_token(token),
            role=role.value,
            bureau_id=bureau_id,
            witness_id=witness_id,
            label=label,
            created_at=created_at,
        )
    )
    return token


def authenticate(session: Session, authorization: str | None) -> Caller | None:
    """The caller named by an `Authorization: Bearer <token>` header; None without a header.

    Raises `Unauthenticated` for a malformed header, an unknown or a revoked token.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "身份凭证格式错误, 应为 Authorization: Bearer <令牌>",
            "malformed credentials: expected Authorization: Bearer <token>",
        )
    digest = hash_token(token.strip())
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    # The lookup is by hash; the constant-time comparison guards the final decision anyway.
    if row is None or row.revoked or not hmac.compare_digest(row.token_hash, digest):
        raise Unauthenticated("令牌无效或已吊销", "unknown or revoked token")
    assert row.id is not None
    return Caller(
        token_id=row.id,
        role=Role(row.role),
        bureau_id=row.bureau_id,
        witness_id=row.witness_id,
        label=row.label,
    )


def _optional_caller(request: Request, session: SessionDep) -> Caller | None:
    return authenticate(session, request.headers.get("authorization"))


def _caller(caller: Annotated[Caller | None, Depends(_optional_caller)]) -> Caller:
    if caller is None:
        raise Unauthenticated("需要登录 (缺少令牌)", "authentication required (no token)")
    return caller


OptionalCallerDep = Annotated[Caller | None, Depends(_optional_caller)]
CallerDep = Annotated[Caller, Depends(_caller)]


def require_role(caller: Caller, *roles: Role) -> None:
    """Raise `Forbidden` unless the caller has one of `roles`."""
    if caller.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(
            f"角色「{caller.role.value}」无权执行此操作 (需要: {allowed})",
            f"role {caller.role.value} may not do this (needs: {allowed})",
        )
