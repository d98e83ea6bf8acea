"""Every (unit, listed school) pair with its priority key, in one global order (protocol §8.4).

A unit's list is its members' preferences (§10.1) or, in `zone_assignment`, every school in the
drawn order of §10.5. Each list entry is a *pair* `(u, s)` with the priority key
`(rank_s(u), t_s(u), key(u))` of §8.4. All pairs are sorted once by `(s, rank, number, unit)`;
the position of a pair in that order (`g`) then encodes both its school and its priority there,
so that every later step compares plain integers. Unit indices follow key order (problem.py),
so the unit index breaks ties exactly as the key bytes do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lottery.allocation.errors import InvalidProblem
from lottery.allocation.problem import AllocationProblem
from lottery.tickets import school_ticket_array, zone_order_array

__all__ = ["PairTable", "build_pairs"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, eq=False)
class PairTable:
    """Lists (per unit, CSR) and pairs (in global priority order `g`)."""

    list_start: I64  # length U+1: unit u's list is list_pair[list_start[u]:list_start[u+1]]
    list_pair: I64  # g of each list entry, in the unit's order of preference
    pair_school: I64  # by g
    pair_unit: I64  # by g
    pair_rank: I32  # by g: rank_s(u), §8.4
    pair_number: U64  # by g: t_s(u), §8.3
    pair_position: I32  # by g: index of the school in the unit's list
    school_start: I64  # length S+1: school s holds g in [school_start[s], school_start[s+1])


def _tier_counts(problem: AllocationProblem) -> I64:
    return np.array([s.tier_count for s in problem.schools], dtype=np.int64)


def _list_ranks(problem: AllocationProblem, list_start: I64, schools: I64) -> I64:
    """`rank_s(u)` of each list entry, §8.4 and §4.6 (no explicit rank: the last tier).

    Lists are short, so each explicit rank `(u, s, r)` is matched against the entries of u's
    list position by position: no sort, no search.
    """
    ranks = _tier_counts(problem)[schools] - 1
    if problem.rank_school.size == 0:
        return ranks
    n_units = len(problem.unit_keys)
    rank_units = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(problem.rank_start))
    lengths = np.diff(list_start)[rank_units]
    start = list_start[rank_units]
    live = np.arange(rank_units.size, dtype=np.int64)
    for j in range(int(lengths.max(initial=0))):
        live = live[lengths[live] > j]
        entry = start[live] + j
        hit = schools[entry] == problem.rank_school[live]
        ranks[entry[hit]] = problem.rank_value[live[hit]]  # every entry naming the school
    return ranks


def _preference_lists(problem: AllocationProblem) -> tuple[I64, I64, I64]:
    """Unit, school and rank of each list entry, from the members' preferences (§10.1)."""
    counts = np.diff(problem.pref_start)
    units = np.repeat(np.arange(len(problem.unit_keys), dtype=np.int64), counts)
    schools = problem.pref_school.astype(np.int64)
    return units, schools, _list_ranks(problem, problem.pref_start.astype(np.int64), schools)


def _zone_lists(problem: AllocationProblem) -> tuple[I64, I64, I64]:
    """Every school for every unit, sorted by `(rank_s(u), zone_order(u, s), s)`, §10.5.

    School indices follow the manifest, sorted by id, so comparing indices compares ids.
    """
    n_units, n_schools = len(problem.unit_keys), len(problem.schools)
    ranks = np.tile(_tier_counts(problem) - 1, (n_units, 1))
    rank_units = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(problem.rank_start))
    ranks[rank_units, problem.rank_school] = problem.rank_value
    units = np.repeat(np.arange(n_units, dtype=np.int64), n_schools)
    schools = np.tile(np.arange(n_schools, dtype=np.int64), n_units)
    school_ids = [s.id for s in problem.schools]
    orders = zone_order_array(problem.seed, problem.unit_keys, school_ids, units, schools)
    order = np.lexsort((schools, orders, ranks.reshape(-1), units))
    return units[order], schools[order], ranks.reshape(-1)[order]


def _numbers(problem: AllocationProblem, units: I64, schools: I64) -> U64:
    """`t_s(u)` for each pair: the unit's ticket, or its per-school number (§8.3)."""
    if problem.tie_breaking == "single":
        return problem.ticket[units]
    ids = [s.id for s in problem.schools]
    return school_ticket_array(problem.seed, problem.unit_keys, ids, units, schools)


def _priority_order(
    problem: AllocationProblem, list_start: I64, school_rank: I64, numbers: U64
) -> tuple[I64, I64]:
    """Pairs sorted by `(school, rank, number, unit)` (§8.4), and `school_rank` in that order.

    First by number, ties by unit (entries are in unit order and the sorts are stable); with
    single tie-breaking a pair's number is its unit's ticket, so it is enough to sort the units
    and take their entries in that order. Then a stable sort by `(school, rank)`, a small
    integer, which numpy does as a radix sort when it fits in 16 bits.
    """
    if problem.tie_breaking == "single":
        unit_order = np.argsort(problem.ticket, kind="stable")
        by_number = _entries_of(list_start, unit_order)
    else:
        by_number = np.argsort(numbers, kind="stable")
    key = school_rank[by_number]
    if int(key.max(initial=0)) < 2**16:
        key = key.astype(np.uint16)
    by_key = np.argsort(key, kind="stable")
    order: I64 = by_number[by_key]
    return order, key[by_key].astype(np.int64)


def _entries_of(list_start: I64, units: I64) -> I64:
    """Indices of the list entries of `units`, unit after unit (CSR ranges concatenated)."""
    if bool(np.all(np.diff(list_start) == 1)):  # one entry per unit (single-school lottery)
        return list_start[units]
    counts = list_start[units + 1] - list_start[units]
    offsets = np.cumsum(counts) - counts
    source = np.repeat(np.arange(units.size, dtype=np.int64), counts)
    within: I64 = np.arange(int(counts.sum()), dtype=np.int64) - offsets[source]
    return within + list_start[units][source]


def _refuse_duplicates(problem: AllocationProblem, school: I64, unit: I64) -> None:
    """A unit that lists a school twice has two equal keys there, so adjacent in pair order."""
    twice = np.flatnonzero((school[1:] == school[:-1]) & (unit[1:] == unit[:-1]))
    if twice.size:
        u, s = int(unit[twice[0]]), int(school[twice[0]])
        raise InvalidProblem(
            f"unit {problem.unit_keys[u]}: school {problem.schools[s].id} listed twice"
        )


def build_pairs(problem: AllocationProblem) -> PairTable:
    """The pair table of `problem` (§8.4, §10.1, §10.5)."""
    n_units, n_schools = len(problem.unit_keys), len(problem.schools)
    if problem.mode == "zone_assignment":
        units, schools, ranks = _zone_lists(problem)
        list_start = np.arange(n_units + 1, dtype=np.int64) * n_schools
    else:
        units, schools, ranks = _preference_lists(problem)
        list_start = problem.pref_start.astype(np.int64)
    numbers = _numbers(problem, units, schools)
    rank_span = int(ranks.max(initial=0)) + 1
    order, school_rank = _priority_order(problem, list_start, schools * rank_span + ranks, numbers)
    # Gather as little as possible from the big arrays in `order` (random access is slow).
    pair_unit = units[order]
    pair_school = school_rank // rank_span
    _refuse_duplicates(problem, pair_school, pair_unit)
    list_pair = np.empty(units.size, dtype=np.int64)
    list_pair[order] = np.arange(units.size, dtype=np.int64)
    single = problem.tie_breaking == "single"
    return PairTable(
        list_start=list_start,
        list_pair=list_pair,
        pair_school=pair_school,
        pair_unit=pair_unit,
        pair_rank=(school_rank % rank_span).astype(np.int32),
        pair_number=problem.ticket[pair_unit] if single else numbers[order],
        pair_position=(order - list_start[pair_unit]).astype(np.int32),
        school_start=np.searchsorted(pair_school, np.arange(n_schools + 1)).astype(np.int64),
    )
