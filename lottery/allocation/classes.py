"""Balanced classes (均衡编班), protocol §11: no grades, no ranking, only drawn numbers and sex."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lottery.allocation.outcome import Members
from lottery.allocation.problem import AllocationProblem, ClassRules
from lottery.tickets import class_ticket

__all__ = ["balanced_classes", "class_count"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def class_count(rules: ClassRules, admitted: int) -> int:
    """§11.1: `count` if given, else `ceil(admitted / max_size)`; 0 when nobody is admitted."""
    if admitted == 0:
        return 0
    if rules.count is not None:
        return rules.count
    return -(-admitted // rules.max_size)


def balanced_classes(
    problem: AllocationProblem, members: Members, unit_school: I32
) -> tuple[tuple[I32, ...] | None, ...]:
    """Class lists of every school whose `classes` is set (§11), each class in application order."""
    result: list[tuple[I32, ...] | None] = []
    for s, school in enumerate(problem.schools):
        if school.classes is None:
            result.append(None)
            continue
        units = np.flatnonzero(unit_school == s)  # increasing unit index = key order
        applicants, source = members.expand(units)
        k = class_count(school.classes, applicants.size)
        if k == 0:
            result.append(())
            continue
        numbers = np.array(
            [class_ticket(problem.seed, school.id, problem.unit_keys[u]) for u in units.tolist()],
            dtype=np.uint64,
        ).reshape(-1)
        male = problem.applicant_male[applicants]
        if school.classes.twins == "apart":
            klass = _apart(applicants, male, numbers[source], k)
        else:
            klass = _together(units, source, male, numbers, k)
        result.append(tuple(np.sort(applicants[klass == c]) for c in range(k)))
    return tuple(result)


def _apart(applicants: I32, male: Bools, numbers: npt.NDArray[np.uint64], k: int) -> I64:
    """§11.3: boys then girls, each by `(class_ticket, application)`, dealt round-robin."""
    order = np.lexsort((applicants, numbers, ~male))  # boys (not male == False) first
    klass = np.empty(applicants.size, dtype=np.int64)
    klass[order] = np.arange(applicants.size, dtype=np.int64) % k
    return klass


def _together(units: I64, source: I64, male: Bools, numbers: npt.NDArray[np.uint64], k: int) -> I64:
    """§11.4: whole units by `(class_ticket, key)`, each into the least-filled fitting class."""
    boys = np.bincount(source[male], minlength=units.size)
    girls = np.bincount(source[~male], minlength=units.size)
    size = [0] * k
    boys_in = [0] * k
    girls_in = [0] * k
    unit_class = np.empty(units.size, dtype=np.int64)
    for i in np.lexsort((units, numbers)).tolist():
        b, g = int(boys[i]), int(girls[i])
        by_sex = boys_in if b >= g else girls_in
        c = min((size[j], by_sex[j], j) for j in range(k))[2]
        unit_class[i] = c
        size[c] += b + g
        boys_in[c] += b
        girls_in[c] += g
    return unit_class[source]
