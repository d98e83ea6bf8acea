"""Which caller may see or change which draw.

A draw belongs to a bureau: its operator and auditor see it whole; the other bureaus' callers
get the same 404 as for a draw that does not exist. A witness sees only the draw it witnesses:
another draw answers 404 as well (issue 13: it answered 403, which told that the id exists).
The public sees a draw once its objection period opens (the masked list is public from then).
"""

from __future__ import annotations

from sqlmodel import Session, select

from api.auth import Caller, Role, require_role
from api.errors import Forbidden, NotFound, Unauthenticated
from api.lifecycle import State
from api.models import Draw, Witness

__all__ = ["bureau_draw", "find_draw", "operator_draw", "visible_draw", "witness_of"]


def find_draw(session: Session, public_id: str) -> Draw:
    """The draw with this id, or `NotFound`."""
    draw = session.exec(select(Draw).where(Draw.public_id == public_id)).first()
    if draw is None:
        raise _not_found(public_id)
    return draw


def _not_found(public_id: str) -> NotFound:
    return NotFound(f"没有编号为 {public_id} 的抽签", f"no draw with id {public_id}")


def visible_draw(session: Session, public_id: str, caller: Caller | None) -> Draw:
    """The draw if `caller` may read its public part."""
    draw = find_draw(session, public_id)
    if caller is None or caller.role is Role.WITNESS:
        if draw.state == State.DRAFT and caller is None:
            raise _not_found(public_id)
        if caller is not None:
            _own_draw(session, draw, caller, public_id)
        return draw
    if caller.bureau_id != draw.bureau_id:
        raise _not_found(public_id)
    return draw


def bureau_draw(session: Session, public_id: str, caller: Caller | None) -> Draw:
    """The draw if `caller` is its bureau's operator or auditor (reads of everything)."""
    if caller is None:
        raise Unauthenticated("需要登录 (缺少令牌)", "authentication required (no token)")
    require_role(caller, Role.OPERATOR, Role.AUDITOR)
    draw = find_draw(session, public_id)
    if caller.bureau_id != draw.bureau_id:
        raise _not_found(public_id)
    return draw


def operator_draw(session: Session, public_id: str, caller: Caller | None) -> Draw:
    """The draw if `caller` is its bureau's operator (changes)."""
    if caller is None:
        raise Unauthenticated("需要登录 (缺少令牌)", "authentication required (no token)")
    require_role(caller, Role.OPERATOR)
    draw = find_draw(session, public_id)
    if caller.bureau_id != draw.bureau_id:
        raise _not_found(public_id)
    return draw


def _own_draw(session: Session, draw: Draw, caller: Caller, public_id: str) -> None:
    """A witness reading a draw it does not witness gets the answer of a missing draw."""
    witness = session.get(Witness, caller.witness_id)
    if witness is None or witness.draw_id != draw.id:
        raise _not_found(public_id)


def witness_of(session: Session, draw: Draw, caller: Caller) -> Witness:
    """The caller's own witness row in `draw`; `Forbidden` for any other caller."""
    require_role(caller, Role.WITNESS)
    witness = session.get(Witness, caller.witness_id)
    if witness is None or witness.draw_id != draw.id:
        raise Forbidden("此见证人凭证不属于该抽签", "this witness credential is not for this draw")
    return witness
