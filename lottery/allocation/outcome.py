"""What a draw publishes besides the assignment: labels, waitlists and cutoffs (§9.4, §10.6, §10.8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lottery.allocation.choice import UNCHOSEN, ChoiceRules, choose
from lottery.allocation.errors import AllocationError
from lottery.allocation.pairs import PairTable
from lottery.allocation.problem import AllocationProblem, Cutoff

__all__ = [
    "Members",
    "cutoffs",
    "final_labels",
    "groups_without_room",
    "members_of_units",
    "waiting_pairs",
    "waitlists",
]

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
    waiting = waiting_pairs(pairs, assigned)  # in g order
    applicants, source = members.expand(pairs.pair_unit[waiting])
    school = pairs.pair_school[waiting][source]
    bounds = np.searchsorted(school, np.arange(1, n_schools))
    return tuple(np.split(applicants, bounds))


def waiting_pairs(pairs: PairTable, assigned: I64) -> I64:
    """Pairs `(u, s)` of §10.6: `u` lists `s` before the school it holds (or holds none)."""
    unassigned = np.iinfo(np.int32).max
    position = np.where(assigned >= 0, pairs.pair_position[np.maximum(assigned, 0)], unassigned)
    return np.flatnonzero(pairs.pair_position < position[pairs.pair_unit]).astype(np.int64)


def cutoffs(
    problem: AllocationProblem, pairs: PairTable, assigned: I64, labels: I32, *, waiting: bool
) -> tuple[tuple[Cutoff, ...], ...]:
    """§10.8: per school, one cutoff per label it can give ("open", then its reserved entries),
    each with the number of waitlisted applicants above it (`passed_over`). `waiting` is False
    in `zone_assignment`, which has no waitlists (§10.5)."""
    n_schools = pairs.school_start.size - 1
    held = np.flatnonzero(assigned >= 0)
    admitted = assigned[held]
    n_labels = len(problem.category_ids) + 1
    last = np.full(n_schools * n_labels, -1, dtype=np.int64)
    np.maximum.at(last, pairs.pair_school[admitted] * n_labels + labels[held], admitted)
    on_list = waiting_pairs(pairs, assigned) if waiting else np.zeros(0, dtype=np.int64)
    list_unit = pairs.pair_unit[on_list]
    list_size = problem.unit_size[list_unit].astype(np.int64)
    category = problem.unit_category[list_unit]
    running = {-1: (on_list, np.r_[0, np.cumsum(list_size)])}
    for c in range(len(problem.category_ids)):
        mine = category == c
        running[c] = (on_list[mine], np.r_[0, np.cumsum(list_size[mine])])

    def above(category_index: int, school: int, g: int) -> int:
        waiting_g, total = running[category_index]
        low = int(np.searchsorted(waiting_g, pairs.school_start[school]))
        high = int(np.searchsorted(waiting_g, g))
        return int(total[high] - total[low])

    result: list[tuple[Cutoff, ...]] = []
    for s, school in enumerate(problem.schools):
        entries: list[Cutoff] = []
        for label, category_index in [(0, -1)] + [(1 + c, c) for c, _ in school.reserved]:
            g = int(last[s * n_labels + label])
            if g < 0:
                entries.append(Cutoff(label, None, 0))
                continue
            key = (int(pairs.pair_rank[g]), int(pairs.pair_number[g]))
            entries.append(Cutoff(label, key, above(category_index, s, g)))
        result.append(tuple(entries))
    return tuple(result)


def groups_without_room(
    problem: AllocationProblem, pairs: PairTable, assigned: I64, seats: I64
) -> tuple[int, ...]:
    """§10.10: groups not assigned although the free seats of the schools of their list add
    up to at least their size (in `zone_assignment` the list is every school)."""
    filled = np.zeros(seats.size, dtype=np.int64)
    held = assigned >= 0
    np.add.at(filled, pairs.pair_school[assigned[held]], problem.unit_size[held])
    free = seats - filled
    found: list[int] = []
    for u in np.flatnonzero(~held & (problem.unit_size > 1)).tolist():
        if not problem.unit_keys[u].startswith("g:"):
            continue
        listed = pairs.pair_school[pairs.list_pair[pairs.list_start[u] : pairs.list_start[u + 1]]]
        if int(free[listed].sum()) >= int(problem.unit_size[u]):
            found.append(u)
    return tuple(found)
