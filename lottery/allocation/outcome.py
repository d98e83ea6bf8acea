"""What a draw publishes besides the assignment: labels, waitlists and cutoffs (§9.4, §10.6, §10.8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lottery.allocation.choice import UNCHOSEN, ChoiceRules, choose
from lottery.allocation.errors import AllocationError
from lottery.allocation.pairs import PairTable
from lottery.allocation.problem import AllocationProblem

__all__ = ["Members", "cutoffs", "final_labels", "members_of_units", "waitlists"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Members:
    """Each unit's members in application order (§8.1), as CSR over applicant indices."""

    start: I64  # length U+1
    applicants: I32

    def expand(self, units: I64) -> tuple[I32, I64]:
        """The members of `units`, in that order, and the index in `units` each comes from."""
        counts = self.start[units + 1] - self.start[units]
        source = np.repeat(np.arange(units.size, dtype=np.int64), counts)
        offsets = np.cumsum(counts) - counts
        within = np.arange(int(counts.sum()), dtype=np.int64) - offsets[source]
        return self.applicants[self.start[units][source] + within], source


def members_of_units(problem: AllocationProblem) -> Members:
    """Members of every unit: applicants are in application order, the sort is stable."""
    applicants = np.argsort(problem.applicant_unit, kind="stable").astype(np.int32)
    counts = np.bincount(problem.applicant_unit, minlength=len(problem.unit_keys))
    start = np.zeros(len(problem.unit_keys) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    return Members(start=start, applicants=applicants)


def final_labels(pairs: PairTable, rules: ChoiceRules, assigned: I64) -> I32:
    """Label of each assigned unit: the one `Choose(s, A(s))` gives it (§9.4)."""
    admitted = np.sort(assigned[assigned >= 0])
    label = choose(pairs, rules, admitted, open_seats=rules.seats, entry_avail=rules.entry_seats)
    if np.any(label == UNCHOSEN):  # §9.4: a final admitted set never exceeds the plan
        school = int(pairs.pair_school[admitted[label == UNCHOSEN][0]])
        raise AllocationError(
            f"engine fault: school index {school} admitted more than its seats (§9.4); "
            "nothing was published"
        )
    labels = np.full(assigned.size, UNCHOSEN, dtype=np.int32)
    labels[pairs.pair_unit[admitted]] = label
    return labels


def waitlists(pairs: PairTable, members: Members, assigned: I64) -> tuple[I32, ...]:
    """§10.6: per school, the applicants of every unit listing it before its own assignment."""
    n_schools = pairs.school_start.size - 1
    unassigned = np.iinfo(np.int32).max
    position = np.where(assigned >= 0, pairs.pair_position[np.maximum(assigned, 0)], unassigned)
    waiting = np.flatnonzero(pairs.pair_position < position[pairs.pair_unit])  # in g order
    applicants, source = members.expand(pairs.pair_unit[waiting])
    school = pairs.pair_school[waiting][source]
    bounds = np.searchsorted(school, np.arange(1, n_schools))
    return tuple(np.split(applicants, bounds))


def cutoffs(pairs: PairTable, assigned: I64) -> tuple[tuple[int, int] | None, ...]:
    """§10.8: `(rank, number at s)` of each school's last admitted unit, or None."""
    n_schools = pairs.school_start.size - 1
    last = np.full(n_schools, -1, dtype=np.int64)
    admitted = assigned[assigned >= 0]
    np.maximum.at(last, pairs.pair_school[admitted], admitted)
    return tuple(
        None if g < 0 else (int(pairs.pair_rank[g]), int(pairs.pair_number[g]))
        for g in last.tolist()
    )
