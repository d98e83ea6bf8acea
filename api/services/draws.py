"""Creating draws, editing their rules in draft, opening the objection period, reading them."""

from __future__ import annotations

import json

from sqlmodel import Session, func, select

from api import audit
from api.errors import Conflict
from api.lifecycle import State, bump, transition
from api.models import Applicant, Bureau, Draw, SignedDocument
from api.schemas import DrawCreate, DrawPublic
from api.services.rules import beacon_of, check_rules, replace_rules, school_specs
from api.signer import Signer

__all__ = ["create_draw", "draw_public", "open_objection", "update_rules"]


def create_draw(
    session: Session, *, spec: DrawCreate, bureau_id: int, actor: str, at: str, signer: Signer
) -> Draw:
    """A new draw in `draft` with the rules of `spec` (checked by the engine, protocol §6.3)."""
    bureau = session.get(Bureau, bureau_id)
    assert bureau is not None
    check_rules(spec, authority=bureau.name)
    if session.exec(select(Draw).where(Draw.public_id == spec.id)).first() is not None:
        raise Conflict(f"抽签编号 {spec.id} 已被使用", f"draw id {spec.id} is already taken")
    draw = Draw(
        public_id=spec.id,
        bureau_id=bureau_id,
        title=spec.title,
        authority=bureau.name,
        mode=spec.mode,
        tie_breaking=spec.tie_breaking,
        max_preferences=spec.max_preferences,
        min_reveals=spec.min_reveals,
        birth_date_from=spec.birth_date_from,
        birth_date_to=spec.birth_date_to,
        state=State.DRAFT.value,
        created_at=at,
    )
    session.add(draw)
    session.flush()
    replace_rules(session, draw, spec)
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.created",
        details={"rules": json.loads(spec.model_dump_json())},
        at=at,
        signer=signer,
    )
    return draw


def update_rules(
    session: Session, draw: Draw, *, spec: DrawCreate, actor: str, at: str, signer: Signer
) -> None:
    """Replace the rules of a draft draw; the id cannot change."""
    if spec.id != draw.public_id:
        raise Conflict(
            f"不能修改抽签编号 ({draw.public_id} -> {spec.id})",
            f"the draw id cannot change ({draw.public_id} -> {spec.id})",
        )
    check_rules(spec, authority=draw.authority)
    bump(session, draw, allowed=(State.DRAFT,), what=("修改规则", "editing the rules"))
    replace_rules(session, draw, spec)
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.rules_changed",
        details={"rules": json.loads(spec.model_dump_json())},
        at=at,
        signer=signer,
    )


def open_objection(session: Session, draw: Draw, *, actor: str, at: str, signer: Signer) -> None:
    """draft -> objection: the masked applicant list becomes public (公示)."""
    transition(session, draw, to=State.OBJECTION, what=("开始公示", "opening the objection period"))
    count = session.exec(select(func.count()).where(Applicant.draw_id == draw.id)).one()
    assert draw.id is not None
    audit.record(
        session,
        draw_id=draw.id,
        actor=actor,
        action="draw.objection_opened",
        details={"applicants": count},
        at=at,
        signer=signer,
    )


def draw_public(session: Session, draw: Draw) -> DrawPublic:
    """The public description of a draw."""
    schools, categories = school_specs(session, draw)
    count = session.exec(select(func.count()).where(Applicant.draw_id == draw.id)).one()
    manifest = session.exec(
        select(SignedDocument).where(
            SignedDocument.draw_id == draw.id, SignedDocument.kind == "manifest"
        )
    ).first()
    previous = None if draw.previous_draw_id is None else session.get(Draw, draw.previous_draw_id)
    return DrawPublic(
        id=draw.public_id,
        title=draw.title,
        authority=draw.authority,
        state=draw.state,
        version=draw.version,
        mode=draw.mode,
        tie_breaking=draw.tie_breaking,
        max_preferences=draw.max_preferences,
        min_reveals=draw.min_reveals,
        beacon=beacon_of(draw),
        birth_date_from=draw.birth_date_from,
        birth_date_to=draw.birth_date_to,
        schools=schools,
        categories=categories,
        applicant_count=count,
        manifest_digest=None if manifest is None else manifest.digest,
        previous_draw=None if previous is None else previous.public_id,
        sealing_announcement=draw.sealing_announcement,
    )
