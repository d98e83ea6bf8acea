"""Refuse an inconsistent `AllocationProblem` before allocating anything.

The manifest and records are validated when they are read (protocol §4, §6.3, §18); this checks
again what the allocation relies on, so that a bug upstream gives a clear error, never a silent
wrong draw. Every message names the field and the value found.
"""

from __future__ import annotations

import itertools
import operator

import numpy as np
import numpy.typing as npt

from lottery.allocation.errors import InvalidProblem
from lottery.allocation.problem import AllocationProblem, SchoolRules

__all__ = ["MAX_CLASS_SIZE", "MAX_GROUP_SIZE", "check_problem"]

MAX_GROUP_SIZE = 8  # §4.4
MAX_CLASS_SIZE = 50  # §6.3: 45 in primary, 50 in junior; the level is checked with the manifest
_MODES = ("single_school_lottery", "deferred_acceptance", "immediate_acceptance", "zone_assignment")


def check_problem(problem: AllocationProblem) -> None:
    """Raise `InvalidProblem` naming the first inconsistency found in `problem`."""
    if problem.mode not in _MODES:
        raise InvalidProblem(f"mode: expected one of {', '.join(_MODES)}, found {problem.mode!r}")
    if problem.tie_breaking not in ("single", "multiple"):
        raise InvalidProblem(
            f"tie_breaking: expected single or multiple, found {problem.tie_breaking!r}"
        )
    if not problem.schools:
        raise InvalidProblem("schools: at least one school is required, found none")
    for school in problem.schools:
        _check_school(school, len(problem.category_ids))
    _check_units(problem)
    _check_lists(problem)
    _check_ranks(problem)


def _check_school(school: SchoolRules, n_categories: int) -> None:
    where = f"school {school.id}"
    if school.seats < 1:
        raise InvalidProblem(f"{where}: seats must be at least 1, found {school.seats}")
    if school.tier_count < 1:
        raise InvalidProblem(f"{where}: at least one tier is required, found {school.tier_count}")
    categories = [category for category, _ in school.reserved]
    if len(set(categories)) != len(categories):
        raise InvalidProblem(f"{where}: reserved categories must be distinct, found {categories}")
    for category, seats in school.reserved:
        if not 0 <= category < n_categories:
            raise InvalidProblem(f"{where}: reserved category index {category} is out of range")
        if seats < 1:
            raise InvalidProblem(f"{where}: reserved seats must be at least 1, found {seats}")
    reserved = sum(seats for _, seats in school.reserved)
    if reserved > school.seats:
        raise InvalidProblem(f"{where}: reserved seats {reserved} exceed seats {school.seats}")
    rules = school.classes
    if rules is not None:
        if not 1 <= rules.max_size <= MAX_CLASS_SIZE:
            raise InvalidProblem(
                f"{where}: classes.max_size must be 1 to {MAX_CLASS_SIZE}, found {rules.max_size}"
            )
        if rules.count is not None and rules.count < 1:
            raise InvalidProblem(f"{where}: classes.count must be at least 1, found {rules.count}")
        if rules.twins not in ("apart", "together"):
            raise InvalidProblem(
                f"{where}: classes.twins must be apart or together, found {rules.twins!r}"
            )


def _check_csr(name: str, start: npt.NDArray[np.int64], n_rows: int, n_values: int) -> None:
    if start.shape != (n_rows + 1,) or start[0] != 0 or start[-1] != n_values:
        raise InvalidProblem(f"{name}: expected {n_rows + 1} offsets from 0 to {n_values}")
    if np.any(np.diff(start) < 0):
        raise InvalidProblem(f"{name}: offsets must not decrease")


def _check_units(problem: AllocationProblem) -> None:
    n_units, n_applicants = len(problem.unit_keys), len(problem.applicant_ids)
    for name, array in (
        ("unit_size", problem.unit_size),
        ("unit_category", problem.unit_category),
        ("ticket", problem.ticket),
    ):
        if array.shape != (n_units,):
            raise InvalidProblem(f"{name}: expected {n_units} values, found shape {array.shape}")
    if problem.ticket.dtype != np.uint64:
        raise InvalidProblem(
            f"ticket: expected uint64 lottery numbers, found {problem.ticket.dtype}"
        )
    keys = problem.unit_keys
    # Code-point order of str is the byte order of UTF-8 (§8.1), so plain `<` is exact.
    if any(map(operator.ge, keys, itertools.islice(keys, 1, None))):
        i = next(i for i in range(len(keys) - 1) if keys[i] >= keys[i + 1])
        raise InvalidProblem(
            f"unit_keys: must increase strictly, found {keys[i]!r} then {keys[i + 1]!r}"
        )
    bad = np.flatnonzero(
        (problem.unit_category < -1) | (problem.unit_category >= len(problem.category_ids))
    )
    if bad.size:
        u = int(bad[0])
        raise InvalidProblem(
            f"unit {keys[u]}: category index {problem.unit_category[u]} is out of range"
        )
    for name, shaped in (
        ("applicant_unit", problem.applicant_unit),
        ("applicant_male", problem.applicant_male),
    ):
        if shaped.shape != (n_applicants,):
            raise InvalidProblem(
                f"{name}: expected {n_applicants} values, found shape {shaped.shape}"
            )
    if (
        n_applicants
        and not 0
        <= int(problem.applicant_unit.min())
        <= int(problem.applicant_unit.max())
        < n_units
    ):
        raise InvalidProblem(f"applicant_unit: unit indices must be within 0..{n_units - 1}")
    members = np.bincount(problem.applicant_unit, minlength=n_units)
    bad = np.flatnonzero(
        (members != problem.unit_size) | (members < 1) | (members > MAX_GROUP_SIZE)
    )
    if bad.size:
        u = int(bad[0])
        raise InvalidProblem(
            f"unit {keys[u]}: size {problem.unit_size[u]} but {members[u]} members (1 to {MAX_GROUP_SIZE})"
        )
    if problem.mode == "zone_assignment":
        seats = sum(s.seats for s in problem.schools)
        if seats < n_applicants:
            raise InvalidProblem(f"zone_assignment: {seats} seats for {n_applicants} applicants")


def _check_lists(problem: AllocationProblem) -> None:
    n_units, n_schools = len(problem.unit_keys), len(problem.schools)
    _check_csr("pref_start", problem.pref_start, n_units, problem.pref_school.size)
    lengths = np.diff(problem.pref_start)
    expected = {"single_school_lottery": (1, 1), "zone_assignment": (0, 0)}.get(
        problem.mode, (1, n_schools)
    )
    bad = np.flatnonzero((lengths < expected[0]) | (lengths > expected[1]))
    if bad.size:
        u = int(bad[0])
        raise InvalidProblem(
            f"unit {problem.unit_keys[u]}: {lengths[u]} preferences, {problem.mode} allows "
            f"{expected[0]} to {expected[1]}"
        )
    schools = problem.pref_school
    if schools.size and not 0 <= int(schools.min()) <= int(schools.max()) < n_schools:
        raise InvalidProblem(f"pref_school: school indices must be within 0..{n_schools - 1}")
    # A school listed twice by one unit is refused when the pairs are built (pairs.py).


def _check_ranks(problem: AllocationProblem) -> None:
    n_units, n_schools = len(problem.unit_keys), len(problem.schools)
    _check_csr("rank_start", problem.rank_start, n_units, problem.rank_school.size)
    if problem.rank_value.shape != problem.rank_school.shape:
        raise InvalidProblem("rank_value: expected one value per rank_school entry")
    schools = problem.rank_school
    if schools.size == 0:
        return
    if not 0 <= int(schools.min()) <= int(schools.max()) < n_schools:
        raise InvalidProblem(f"rank_school: school indices must be within 0..{n_schools - 1}")
    tier_count = np.array([s.tier_count for s in problem.schools], dtype=np.int64)
    bad = np.flatnonzero((problem.rank_value < 0) | (problem.rank_value >= tier_count[schools]))
    if bad.size:
        i = int(bad[0])
        school = problem.schools[int(schools[i])]
        raise InvalidProblem(
            f"school {school.id}: tier index {problem.rank_value[i]} out of range 0..{school.tier_count - 1}"
        )
    units = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(problem.rank_start))
    pair_keys = np.sort(units * n_schools + schools)
    duplicate = np.flatnonzero(pair_keys[1:] == pair_keys[:-1])
    if duplicate.size:
        u, s = divmod(int(pair_keys[duplicate[0]]), n_schools)
        raise InvalidProblem(
            f"unit {problem.unit_keys[u]}: two ranks at school {problem.schools[s].id}"
        )
