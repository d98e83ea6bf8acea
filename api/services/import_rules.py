"""What an applicant row of a draw is checked against: codes, and the draw's own names for
schools, tiers and categories (bureaus write names), and the migrant category (随迁子女)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from api.importing import ImportRules
from api.models import Category, Draw, ReservedQuota, School, Tier

__all__ = ["import_rules"]


def import_rules(session: Session, draw: Draw) -> ImportRules:
    """What a row of this draw is checked against, codes and the draw's own names for them."""
    schools = session.exec(select(School).where(School.draw_id == draw.id)).all()
    tiers: dict[str, tuple[str, ...]] = {}
    tier_labels: dict[str, dict[str, str]] = {}
    categories: set[str] = set()
    for school in schools:
        rows = session.exec(
            select(Tier).where(Tier.school_id == school.id).order_by(col(Tier.position))
        ).all()
        tiers[school.code] = tuple(t.code for t in rows)
        tier_labels[school.code] = {t.code: t.label for t in rows}
        quotas = session.exec(select(ReservedQuota).where(ReservedQuota.school_id == school.id))
        categories.update(q.category_code for q in quotas)
    labels = {
        c.code: c.label for c in session.exec(select(Category).where(Category.draw_id == draw.id))
    }
    categories.update(labels)
    migrant = sorted(code for code, label in labels.items() if _MIGRANT in label)
    return ImportRules(
        schools=frozenset(tiers),
        birth_date_from=draw.birth_date_from,
        birth_date_to=draw.birth_date_to,
        max_preferences=draw.max_preferences,
        tiers_by_school=tiers,
        categories=frozenset(categories),
        school_names={school.code: school.name for school in schools},
        tier_labels=tier_labels,
        category_labels=labels,
        migrant_category=migrant[0] if len(migrant) == 1 else None,
    )


_MIGRANT = "随迁"
