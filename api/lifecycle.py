"""The draw lifecycle as an enforced state machine, with compare-and-set on `draws`.

draft -> objection -> sealed -> ceremony -> drawn -> published; a sealed draw whose ceremony
cannot be completed (a co-signature never comes, too few reveals) is void instead (protocol
§7.8): `void`, from sealed or ceremony, is final. Every change to a draw (a
transition, or an edit allowed in the current state) starts with one conditional UPDATE:

    UPDATE draws SET state=:new, version=version+1 WHERE id=:id AND state=:old AND version=:v

If it changes no row, someone else changed the draw first and the caller gets `Conflict`;
nothing of the transaction is kept. This works on SQLite, which ignores SELECT ... FOR UPDATE,
as well as on PostgreSQL, where the UPDATE's row lock makes a concurrent caller wait and then
see the new version.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from api.errors import Conflict, WrongState
from api.models import Draw

__all__ = [
    "TRANSITIONS",
    "State",
    "bump",
    "make_void",
    "require_state",
    "transaction",
    "transition",
]


class State(StrEnum):
    """Lifecycle states of a draw, in order."""

    DRAFT = "draft"
    OBJECTION = "objection"
    SEALED = "sealed"
    CEREMONY = "ceremony"
    DRAWN = "drawn"
    PUBLISHED = "published"
    VOID = "void"


# The only transitions there are: each state has exactly one successor.
TRANSITIONS: dict[State, State] = {
    State.DRAFT: State.OBJECTION,
    State.OBJECTION: State.SEALED,
    State.SEALED: State.CEREMONY,
    State.CEREMONY: State.DRAWN,
    State.DRAWN: State.PUBLISHED,
}

_STATE_ZH = {
    State.DRAFT: "草稿",
    State.OBJECTION: "公示异议期",
    State.SEALED: "已封存",
    State.CEREMONY: "摇号仪式中",
    State.DRAWN: "已摇号",
    State.PUBLISHED: "已公布",
    State.VOID: "已作废",
}


def _wrong_state(draw: Draw, allowed: tuple[State, ...], what: tuple[str, str]) -> WrongState:
    names_en = " or ".join(s.value for s in allowed)
    names_zh = "或".join(_STATE_ZH[s] for s in allowed)
    current = State(draw.state)
    return WrongState(
        f"抽签 {draw.public_id} 当前状态为「{_STATE_ZH[current]}」, {what[0]}需要「{names_zh}」",
        f"draw {draw.public_id} is {current.value}; {what[1]} needs {names_en}",
    )


def _compare_and_set(session: Session, draw: Draw, *, new_state: State) -> None:
    assert draw.id is not None
    result = session.execute(
        update(Draw)
        .where(Draw.id == draw.id, Draw.state == draw.state, Draw.version == draw.version)  # type: ignore[arg-type]
        .values(state=new_state.value, version=draw.version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"抽签 {draw.public_id} 已被他人同时修改, 本次操作未执行, 请刷新后重试",
            f"draw {draw.public_id} was changed by someone else at the same time; "
            "nothing was done, reload and retry",
        )
    # Keep the in-memory object in step without reloading it.
    session.expire(draw)


def transition(session: Session, draw: Draw, *, to: State, what: tuple[str, str]) -> None:
    """Move `draw` to the successor state `to` (compare-and-set); `what` names the action."""
    allowed = tuple(s for s, nxt in TRANSITIONS.items() if nxt is to)
    if State(draw.state) not in allowed:
        raise _wrong_state(draw, allowed, what)
    _compare_and_set(session, draw, new_state=to)


def make_void(session: Session, draw: Draw) -> None:
    """sealed or ceremony -> void (protocol §7.8): the draw will never have a seed."""
    allowed = (State.SEALED, State.CEREMONY)
    if State(draw.state) not in allowed:
        raise _wrong_state(draw, allowed, ("作废", "voiding"))
    _compare_and_set(session, draw, new_state=State.VOID)


def bump(
    session: Session, draw: Draw, *, allowed: tuple[State, ...], what: tuple[str, str]
) -> None:
    """Claim `draw` for an edit allowed in `allowed` states: same state, version + 1."""
    if State(draw.state) not in allowed:
        raise _wrong_state(draw, allowed, what)
    _compare_and_set(session, draw, new_state=State(draw.state))


def require_state(draw: Draw, *, allowed: tuple[State, ...], what: tuple[str, str]) -> None:
    """Raise `WrongState` unless the draw is in one of `allowed` (for reads)."""
    if State(draw.state) not in allowed:
        raise _wrong_state(draw, allowed, what)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """All of a change or nothing: commit at the end, roll back on any error.

    A write that lost a race (SQLite "database is locked", a unique key taken by a concurrent
    writer) becomes `Conflict`.
    """
    try:
        yield session
        session.commit()
    except (OperationalError, IntegrityError) as error:
        session.rollback()
        lost_race = ("locked", "deadlock", "could not serialize")
        if isinstance(error, OperationalError) and not any(
            marker in str(error).lower() for marker in lost_race
        ):
            raise
        raise Conflict(
            "另一个操作同时修改了这次抽签, 本次操作未执行, 请重试",
            "another operation changed this draw at the same time; nothing was done, retry",
        ) from error
    except BaseException:
        session.rollback()
        raise
