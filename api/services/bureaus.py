"""Bureaus and their operator and auditor credentials (set up by the operator CLI)."""

from __future__ import annotations

from sqlmodel import Session, select

from api.auth import Role, issue_token
from api.errors import Conflict, NotFound
from api.models import Bureau

__all__ = ["create_bureau", "issue_bureau_token"]


def create_bureau(session: Session, *, code: str, name: str, at: str) -> Bureau:
    """A new bureau; `code` prefixes the application numbers the service generates."""
    if session.exec(select(Bureau).where(Bureau.code == code)).first() is not None:
        raise Conflict(f"教育局代码 {code} 已存在", f"bureau code {code} already exists")
    bureau = Bureau(code=code, name=name, created_at=at)
    session.add(bureau)
    session.flush()
    return bureau


def issue_bureau_token(session: Session, *, code: str, role: Role, label: str, at: str) -> str:
    """A new operator or auditor token for the bureau `code` (shown once)."""
    if role is Role.WITNESS:
        raise ValueError("witness tokens are issued when the witness is registered")
    bureau = session.exec(select(Bureau).where(Bureau.code == code)).first()
    if bureau is None or bureau.id is None:
        raise NotFound(f"没有代码为 {code} 的教育局", f"no bureau with code {code}")
    return issue_token(session, role=role, bureau_id=bureau.id, label=label, created_at=at)
