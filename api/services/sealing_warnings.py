"""Warnings at sealing (protocol §6.5, informative): where a sibling group can end without a seat
although seats are free (§10.10), and a draw with no applicants (§6.3).

They are for the bureau, in Chinese and English, shown when it seals (and before, on request);
sealing proceeds. The bureau may add seats, or seal knowing that such a group goes to the second
round (§14.5) or to its manual placement (recorded in the ledger).

§6.5 asks the engine to give them; the engine of this version has no such function, so the
service computes them here from the same rules and records it hands the engine's `seal`. Pure:
rules and records in, warnings out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lottery import DrawRules, PublicRecord

__all__ = ["SealWarning", "sealing_warnings"]


@dataclass(frozen=True)
class SealWarning:
    """One warning: `code`, the groups and schools it names (`ids`), and its words."""

    code: str
    ids: tuple[str, ...]
    message_zh: str
    message_en: str


def sealing_warnings(rules: DrawRules, records: Sequence[PublicRecord]) -> tuple[SealWarning, ...]:
    """Every warning of §6.5 for these rules and records, groups in identifier order."""
    if not records:
        return (
            SealWarning(
                code="no_applicants",
                ids=(),
                message_zh="本次摇号没有报名者: 封存后各校均无人录取, 录取线为空, 候补名单为空 (§6.3)。",
                message_en="This draw has no applicants: once sealed, every school admits nobody, "
                "with no cutoffs and empty waitlists (§6.3).",
            ),
        )
    seats = {school.id: school.seats for school in rules.schools}
    every = tuple(school.id for school in rules.schools)
    zone = rules.mode == "zone_assignment"
    sizes = Counter(r.group for r in records if r.group is not None)
    lists: dict[str, tuple[str, ...]] = {}
    for record in records:
        if record.group is not None and record.group not in lists:
            lists[record.group] = every if zone else record.preferences
    groups = sorted((g for g, n in sizes.items() if n >= 2), key=lambda g: g.encode("ascii"))
    warnings = []
    for group in groups:  # (1) larger than the seats of every school of its list
        size, listed = sizes[group], lists[group]
        if listed and all(seats.get(s, 0) < size for s in listed):
            names = "、".join(listed)
            warnings.append(
                SealWarning(
                    code="group_larger_than_schools",
                    ids=(group, *listed),
                    message_zh=f"同胞组 {group} ({size} 人) 比其所填每所学校的计划名额都多 ({names}): "
                    "不能整组录取, 将留待补录或由教育局人工安置。",
                    message_en=f"Sibling group {group} ({size} children) is larger than the seats "
                    f"of every school on its list ({', '.join(listed)}): it cannot be admitted "
                    "whole and goes to the second round or to the bureau's manual placement.",
                )
            )
    if zone and groups:  # (2) a zone's spare seats fewer than S·(g - 1) - g + 1
        spare = sum(seats.values()) - len(records)
        count = len(every)
        at_risk = [g for g in groups if spare < count * (sizes[g] - 1) - sizes[g] + 1]
        if at_risk:
            largest = max(sizes[g] for g in groups)
            need = count * (largest - 1) - largest + 1
            names = "、".join(at_risk)
            warnings.append(
                SealWarning(
                    code="zone_spare_seats",
                    ids=(*at_risk, *every),
                    message_zh=f"余量不足: 计划名额合计只比报名人数多 {spare} 个, 少于 {need} 个 "
                    f"({count} 所学校, 最大同胞组 {largest} 人)。同胞组 {names} 可能因剩余名额分散在"
                    "不同学校而不能整组派位, 将留待补录或由教育局人工安置。可增加名额, 或知悉后封存。",
                    message_en=f"Few spare seats: the seats exceed the applicants by {spare}, fewer "
                    f"than {need} ({count} schools, largest sibling group {largest}). Groups "
                    f"{', '.join(at_risk)} may end without a seat because the free seats are "
                    "spread over several schools; they would go to the second round or to the "
                    "bureau's manual placement. Add seats, or seal knowing this.",
                )
            )
    return tuple(warnings)
