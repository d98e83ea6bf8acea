"""Warnings before sealing, protocol §6.5 (informative: the engine gives them, a verifier does
not check them).

A group is never split (§9.3), so it can end without a seat although seats are free (§10.10).
`sealing_warnings` tells the bureau, before it seals, wherever this can happen, naming the groups
and the schools, in Chinese and in English, so that it can add seats or seal knowing it. It also
warns of a list with no applicant at all (§6.3: a valid draw that admits nobody).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lottery.manifest import DrawRules
from lottery.records import PublicRecord

__all__ = ["SealingWarning", "sealing_warnings"]


@dataclass(frozen=True)
class SealingWarning:
    """One warning of §6.5. `code` is stable (for the service and tests):

    - `no-applicants`: the list is empty (§6.3);
    - `group-larger-than-its-schools`: a group has more children than any school of its list
      has seats (in `zone_assignment`, any school) (§6.5 item 1);
    - `zone-spare-seats-short`: in `zone_assignment`, too few spare seats for groups of a given
      size always to find one school with room for them whole (§6.5 item 2).
    """

    code: str
    groups: tuple[str, ...]
    schools: tuple[str, ...]
    message_zh: str
    message_en: str


def _groups(records: Sequence[PublicRecord]) -> dict[str, list[PublicRecord]]:
    groups: dict[str, list[PublicRecord]] = {}
    for record in records:
        if record.group is not None:
            groups.setdefault(record.group, []).append(record)
    return dict(sorted(groups.items()))


def _names(ids: Sequence[str]) -> str:
    return "、".join(ids)


def _too_big(rules: DrawRules, group: str, members: list[PublicRecord]) -> SealingWarning | None:
    """§6.5 item 1: larger than the seats of every school on its list (zone: every school)."""
    seats = {school.id: school.seats for school in rules.schools}
    listed = list(seats) if rules.mode == "zone_assignment" else list(members[0].preferences)
    size = len(members)
    if not listed or any(seats[s] >= size for s in listed):
        return None
    return SealingWarning(
        code="group-larger-than-its-schools",
        groups=(group,),
        schools=tuple(listed),
        message_zh=(
            f"多胞胎(同组)报名 {group} 共 {size} 人, 但可录取他们的每一所学校"
            f"({_names(listed)})的学位都少于 {size} 个。全组不拆分, 所以这一组不可能被同一所学校"
            "录取, 摇号后将进入补录或由教育局人工安排。可以先增加学位, 或知情后再封存名单。"
        ),
        message_en=(
            f"The group {group} has {size} children, but every school that could take them "
            f"({', '.join(listed)}) has fewer than {size} seats. A group is never split, so no "
            "school can admit them together: after the draw they go to the second round or to "
            "the bureau's manual placement. You may add seats first, or seal knowing this."
        ),
    )


def _zone_short(rules: DrawRules, records: Sequence[PublicRecord]) -> SealingWarning | None:
    """§6.5 item 2: spare seats fewer than `S·(g - 1) - g + 1` for groups of size `g`."""
    schools = [school.id for school in rules.schools]
    spare = sum(school.seats for school in rules.schools) - len(records)
    count = len(schools)
    at_risk = [
        group
        for group, members in _groups(records).items()
        if spare < count * (len(members) - 1) - len(members) + 1
    ]
    if not at_risk:
        return None
    return SealingWarning(
        code="zone-spare-seats-short",
        groups=tuple(at_risk),
        schools=tuple(schools),
        message_zh=(
            f"本片区学位总数比报名人数只多 {spare} 个。摇号后空余学位可能分散在各校, 没有一所学校"
            f"能同时容纳下列多胞胎(同组)报名的全部孩子: {_names(at_risk)}。全组不拆分, 这样的一组"
            "将进入补录或由教育局人工安排。可以先增加学位, 或知情后再封存名单。"
        ),
        message_en=(
            f"This zone has only {spare} seats more than children. After the draw the free "
            "seats may be spread over the schools so that no one school has room for all the "
            f"children of these groups: {', '.join(at_risk)}. A group is never split: such a "
            "group goes to the second round or to the bureau's manual placement. You may add "
            "seats first, or seal knowing this."
        ),
    )


def sealing_warnings(
    rules: DrawRules, records: Sequence[PublicRecord]
) -> tuple[SealingWarning, ...]:
    """Every warning of §6.5 for these rules and records, in a stable order: an empty list
    first, then each group too big for its schools (by group), then the zone's spare seats.
    Pure: nothing is refused; the bureau decides."""
    found: list[SealingWarning] = []
    if not records:
        found.append(
            SealingWarning(
                code="no-applicants",
                groups=(),
                schools=(),
                message_zh=(
                    "名单中没有任何报名的孩子。摇号仍可进行, 但所有学校都不会录取任何人, "
                    "录取线为空, 候补名单为空。请确认这是否是您要封存的名单。"
                ),
                message_en=(
                    "The list holds no child at all. The draw can still run, but no school will "
                    "admit anyone: no cutoffs, empty waitlists. Please check that this is the "
                    "list you mean to seal."
                ),
            )
        )
    for group, members in _groups(records).items():
        warning = _too_big(rules, group, members)
        if warning is not None:
            found.append(warning)
    if rules.mode == "zone_assignment":
        warning = _zone_short(rules, records)
        if warning is not None:
            found.append(warning)
    return tuple(found)
