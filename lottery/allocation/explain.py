"""Why a child got its outcome: one line per school on its list, for the look-up and letters.

This reads the problem and a finished `Allocation` and recomputes each number from the seed
itself (protocol §8.2-§8.4, §10.5) rather than reusing the engine's arrays, so that a letter
never repeats an engine bug silently: it is checked against the allocation in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lottery.allocation.errors import InvalidProblem
from lottery.allocation.problem import Allocation, AllocationProblem
from lottery.tickets import school_ticket, zone_order

__all__ = ["ChoiceExplanation", "Explanation", "explain_applicant"]

Status = Literal["admitted", "waitlisted", "unplaced"]


@dataclass(frozen=True)
class ChoiceExplanation:
    """One school of the child's list.

    `tier` is the index of the unit's tier there (§8.4: a group's best member's), `number` the
    number used there (§8.3), `cutoff` the school's open `(tier, number)` cutoff (§10.8) and
    `waitlist_position` the 1-based position on its waitlist (§10.6), or None.
    """

    school: int
    school_id: str
    tier: int
    number: int
    admitted: bool
    label: str | None
    cutoff: tuple[int, int] | None
    waitlist_position: int | None


@dataclass(frozen=True)
class Explanation:
    """A child's outcome (§10.7) and its list, school by school, in the order of the list."""

    applicant: int
    application: str
    unit_key: str
    lottery_number: int
    status: Status
    school: int | None
    label: str | None
    choices: tuple[ChoiceExplanation, ...]


def _label_text(problem: AllocationProblem, label: int) -> str | None:
    if label < 0:
        return None
    return "open" if label == 0 else f"reserved:{problem.category_ids[label - 1]}"


def _rank(problem: AllocationProblem, unit: int, school: int) -> int:
    """§8.4, §4.6: the explicit rank at `school`, else the school's last tier."""
    start, end = int(problem.rank_start[unit]), int(problem.rank_start[unit + 1])
    for i in range(start, end):
        if int(problem.rank_school[i]) == school:
            return int(problem.rank_value[i])
    return problem.schools[school].tier_count - 1


def _unit_list(problem: AllocationProblem, unit: int) -> list[int]:
    """The unit's list: its preferences (§10.1) or the drawn order of the zone (§10.5)."""
    if problem.mode != "zone_assignment":
        start, end = int(problem.pref_start[unit]), int(problem.pref_start[unit + 1])
        return [int(s) for s in problem.pref_school[start:end]]
    key = problem.unit_keys[unit]
    return sorted(
        range(len(problem.schools)),
        key=lambda s: (
            _rank(problem, unit, s),
            zone_order(problem.seed, key, problem.schools[s].id),
            problem.schools[s].id.encode(),
        ),
    )


def explain_applicant(
    problem: AllocationProblem, allocation: Allocation, applicant_index: int
) -> Explanation:
    """The explanation of one applicant's outcome (§8.4, §10.6-§10.8)."""
    if not 0 <= applicant_index < len(problem.applicant_ids):
        raise InvalidProblem(f"applicant index {applicant_index} is out of range")
    unit = int(problem.applicant_unit[applicant_index])
    key = problem.unit_keys[unit]
    assigned = int(allocation.unit_school[unit])
    choices = []
    for s in _unit_list(problem, unit):
        school = problem.schools[s]
        if problem.tie_breaking == "single":
            number = int(problem.ticket[unit])
        else:
            number = school_ticket(problem.seed, key, school.id)
        where = np.flatnonzero(allocation.waitlists[s] == applicant_index)
        choices.append(
            ChoiceExplanation(
                school=s,
                school_id=school.id,
                tier=_rank(problem, unit, s),
                number=number,
                admitted=assigned == s,
                label=_label_text(problem, int(allocation.unit_label[unit]))
                if assigned == s
                else None,
                cutoff=allocation.cutoffs[s][0].key,
                waitlist_position=int(where[0]) + 1 if where.size else None,
            )
        )
    waitlisted = any(c.waitlist_position is not None for c in choices)
    status: Status = "admitted" if assigned >= 0 else "waitlisted" if waitlisted else "unplaced"
    return Explanation(
        applicant=applicant_index,
        application=problem.applicant_ids[applicant_index],
        unit_key=key,
        lottery_number=int(problem.ticket[unit]),
        status=status,
        school=assigned if assigned >= 0 else None,
        label=_label_text(problem, int(allocation.unit_label[unit])),
        choices=tuple(choices),
    )
