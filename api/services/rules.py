"""A draw's rules: request shapes to rows, and rows to the engine's `DrawRules` (protocol §6)."""

from __future__ import annotations

import json

from sqlmodel import Session, col, delete, select

from api.errors import InvalidInput, Problem
from api.models import Category, Draw, ReservedQuota, School, Tier
from api.schemas import (
    BeaconSourceSpec,
    BeaconSpec,
    CategorySpec,
    ClassesSpec,
    DrawCreate,
    ReservedSpec,
    SchoolSpec,
    TierSpec,
)
from lottery.drand import drand_round_time
from lottery.errors import LotteryError
from lottery.manifest import (
    Beacon,
    BeaconSource,
    ClassPolicy,
    DrawRules,
    ReservedSeats,
    validate_rules,
)
from lottery.manifest import Category as EngineCategory
from lottery.manifest import School as EngineSchool
from lottery.manifest import Tier as EngineTier

__all__ = [
    "beacon_from_spec",
    "beacon_of",
    "beacon_time",
    "check_rules",
    "engine_beacon",
    "engine_rules",
    "replace_rules",
    "school_specs",
]


def check_rules(spec: DrawCreate, *, authority: str) -> None:
    """Ask the engine whether these rules could be sealed; `InvalidInput` naming the problem."""
    if spec.birth_date_from > spec.birth_date_to:
        raise InvalidInput(
            "出生日期范围无效: 起始日期晚于截止日期",
            f"birth_date_from {spec.birth_date_from} is after birth_date_to {spec.birth_date_to}",
            problems=(Problem("birth_date_from", "起始日期晚于截止日期", "after birth_date_to"),),
        )
    rules = _rules_from_spec(spec, authority=authority)
    try:
        validate_rules(rules)
    except LotteryError as error:
        raise InvalidInput(f"抽签规则无效: {error}", f"invalid draw rules: {error}") from None


def _rules_from_spec(spec: DrawCreate, *, authority: str) -> DrawRules:
    schools = tuple(
        EngineSchool(
            id=s.id,
            name=s.name,
            seats=s.seats,
            tiers=tuple(EngineTier(id=t.id, label=t.label) for t in s.tiers),
            reserved=tuple(ReservedSeats(category=r.category, seats=r.seats) for r in s.reserved),
            level=s.level,
            classes=None
            if s.classes is None
            else ClassPolicy(
                count=s.classes.count, max_size=s.classes.max_size, twins=s.classes.twins
            ),
        )
        for s in sorted(spec.schools, key=lambda s: s.id.encode("ascii"))
    )
    categories = tuple(
        EngineCategory(id=c.id, label=c.label)
        for c in sorted(spec.categories, key=lambda c: c.id.encode("ascii"))
    )
    return DrawRules(
        draw_id=spec.id,
        title=spec.title,
        authority=authority,
        mode=spec.mode,
        schools=schools,
        categories=categories,
        tie_breaking=spec.tie_breaking,
        max_preferences=spec.max_preferences,
    )


def replace_rules(session: Session, draw: Draw, spec: DrawCreate) -> None:
    """Write the schools, tiers, quotas and categories of `spec` for `draw` (draft only)."""
    assert draw.id is not None
    school_ids = select(School.id).where(School.draw_id == draw.id)
    session.exec(delete(Tier).where(col(Tier.school_id).in_(school_ids)))
    session.exec(delete(ReservedQuota).where(col(ReservedQuota.school_id).in_(school_ids)))
    session.exec(delete(School).where(col(School.draw_id) == draw.id))
    session.exec(delete(Category).where(col(Category.draw_id) == draw.id))
    for c in spec.categories:
        session.add(Category(draw_id=draw.id, code=c.id, label=c.label))
    for s in spec.schools:
        school = School(
            draw_id=draw.id,
            code=s.id,
            name=s.name,
            seats=s.seats,
            level=s.level,
            classes_count=None if s.classes is None else s.classes.count,
            classes_max_size=None if s.classes is None else s.classes.max_size,
            classes_twins=None if s.classes is None else s.classes.twins,
        )
        session.add(school)
        session.flush()
        assert school.id is not None
        for position, t in enumerate(s.tiers):
            session.add(Tier(school_id=school.id, position=position, code=t.id, label=t.label))
        for position, r in enumerate(s.reserved):
            session.add(
                ReservedQuota(
                    school_id=school.id, position=position, category_code=r.category, seats=r.seats
                )
            )
    draw.mode = spec.mode
    draw.title = spec.title
    draw.tie_breaking = spec.tie_breaking
    draw.max_preferences = spec.max_preferences
    draw.min_reveals = spec.min_reveals
    draw.beacon = None if spec.beacon is None else spec.beacon.model_dump_json()
    draw.birth_date_from = spec.birth_date_from
    draw.birth_date_to = spec.birth_date_to
    draw.sealing_announcement = spec.sealing_announcement
    session.add(draw)
    session.flush()


def school_specs(session: Session, draw: Draw) -> tuple[list[SchoolSpec], list[CategorySpec]]:
    """The stored rules of `draw` as request shapes, schools and categories in id order."""
    schools = session.exec(select(School).where(School.draw_id == draw.id)).all()
    specs: list[SchoolSpec] = []
    for school in sorted(schools, key=lambda s: s.code.encode("ascii")):
        tiers = session.exec(
            select(Tier).where(Tier.school_id == school.id).order_by(col(Tier.position))
        ).all()
        quotas = session.exec(
            select(ReservedQuota)
            .where(ReservedQuota.school_id == school.id)
            .order_by(col(ReservedQuota.position))
        ).all()
        classes = None
        if school.classes_max_size is not None:
            classes = ClassesSpec(
                count=school.classes_count,
                max_size=school.classes_max_size,
                twins="together" if school.classes_twins == "together" else "apart",
            )
        specs.append(
            SchoolSpec(
                id=school.code,
                name=school.name,
                seats=school.seats,
                level="junior" if school.level == "junior" else "primary",
                tiers=[TierSpec(id=t.code, label=t.label) for t in tiers],
                reserved=[ReservedSpec(category=q.category_code, seats=q.seats) for q in quotas],
                classes=classes,
            )
        )
    categories = session.exec(select(Category).where(Category.draw_id == draw.id)).all()
    cats = [
        CategorySpec(id=c.code, label=c.label)
        for c in sorted(categories, key=lambda c: c.code.encode("ascii"))
    ]
    return specs, cats


def beacon_of(draw: Draw) -> BeaconSpec | None:
    """The beacon registered for `draw`, if any."""
    return None if draw.beacon is None else BeaconSpec.model_validate(json.loads(draw.beacon))


def beacon_time(spec: BeaconSourceSpec) -> str:
    """When the value is published (§7.2): as registered, or a drand round's time."""
    if spec.at is not None:
        return spec.at
    if spec.source.startswith("drand:") and spec.round.isdigit():
        try:
            return drand_round_time(spec.source.removeprefix("drand:"), int(spec.round))
        except (LotteryError, ValueError) as error:
            raise InvalidInput(f"信标无效: {error}", f"beacon rejected: {error}") from None
    raise InvalidInput(
        f"信标 {spec.source} 需要给出公布时间 at (UTC)",
        f"beacon {spec.source} round {spec.round}: give the time `at` (UTC) its value is "
        "published (§7.2)",
    )


def engine_beacon(draw: Draw) -> Beacon | None:
    """The registered beacon as the engine's `Beacon` (protocol §7.2)."""
    spec = beacon_of(draw)
    return None if spec is None else beacon_from_spec(spec)


def beacon_from_spec(spec: BeaconSpec) -> Beacon:
    """A beacon request shape as the engine's `Beacon`, each drand source's `at` filled in."""

    def source(s: BeaconSourceSpec) -> BeaconSource:
        return BeaconSource(source=s.source, round=s.round, format=s.format, at=beacon_time(s))

    return Beacon(
        primary=source(spec.primary),
        fallback=None if spec.fallback is None else source(spec.fallback),
    )


def engine_rules(session: Session, draw: Draw) -> DrawRules:
    """The stored rules of `draw` as the engine's `DrawRules` (protocol §6.1, §6.2)."""
    schools, categories = school_specs(session, draw)
    spec = DrawCreate(
        id=draw.public_id,
        title=draw.title,
        mode=draw.mode,  # type: ignore[arg-type]
        tie_breaking=draw.tie_breaking,  # type: ignore[arg-type]
        max_preferences=draw.max_preferences,
        min_reveals=draw.min_reveals,
        beacon=beacon_of(draw),
        birth_date_from=draw.birth_date_from,
        birth_date_to=draw.birth_date_to,
        schools=schools,
        categories=categories,
        sealing_announcement=draw.sealing_announcement,
    )
    return _rules_from_spec(spec, authority=draw.authority)
