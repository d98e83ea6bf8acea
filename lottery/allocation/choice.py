"""The school's choice `Choose(s, C)` of protocol §9.1, for many schools at once.

Candidates arrive as pair positions `g` (pairs.py), sorted, so each school's candidates are
contiguous and already in priority order (§8.4). Step 2 (reserved seats) and step 3 (open seats)
are both a *greedy fill with skips* (§9.3): walk the units in order and take each one that fits.
While the running total fits, every unit is taken, so the fill is a cumulative sum; only a school
whose first unit that does not fit leaves seats over (a group at the boundary) needs a short
sequential scan for the smaller units after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lottery.allocation.pairs import PairTable
from lottery.allocation.problem import AllocationProblem

__all__ = ["OPEN", "UNCHOSEN", "ChoiceRules", "choice_rules", "choose", "greedy_fill"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

UNCHOSEN = -1
OPEN = 0  # labels: -1 not chosen, 0 "open", 1 + c "reserved:<category c>"


@dataclass(frozen=True, eq=False)
class ChoiceRules:
    """Seats and reserved entries of every school, as arrays (§6.2, §9.1)."""

    seats: I64  # per school
    entry_seats: I64  # per reserved entry, entries numbered school by school in manifest order
    entry_school: I64  # per reserved entry
    entry_category: I64  # per reserved entry
    entry_precedence: I64  # per reserved entry: its index in its school's `reserved` list
    entry_of: I32  # S x (C + 1): entry of (school, category), -1 if none; column C is "no category"
    unit_size: I64
    unit_category: I32  # -1 mapped to column C of entry_of
    pair_size: I64  # by pair g: size of its unit
    pair_entry: I64  # by pair g: the reserved entry its unit's category has at its school, or -1


def choice_rules(problem: AllocationProblem, pairs: PairTable) -> ChoiceRules:
    """Arrays for `choose` from the school rules of `problem`, per school, entry and pair."""
    n_categories = len(problem.category_ids)
    entry_of = np.full((len(problem.schools), n_categories + 1), -1, dtype=np.int32)
    entry_seats: list[int] = []
    entry_school: list[int] = []
    entry_category: list[int] = []
    entry_precedence: list[int] = []
    for s, school in enumerate(problem.schools):
        for precedence, (category, seats) in enumerate(school.reserved):
            entry_of[s, category] = len(entry_seats)
            entry_seats.append(seats)
            entry_school.append(s)
            entry_category.append(category)
            entry_precedence.append(precedence)
    unit_category = problem.unit_category.astype(np.int32)
    unit_category = np.where(unit_category < 0, n_categories, unit_category).astype(np.int32)
    unit_size = problem.unit_size.astype(np.int64)
    return ChoiceRules(
        seats=np.array([s.seats for s in problem.schools], dtype=np.int64),
        entry_seats=np.array(entry_seats, dtype=np.int64),
        entry_school=np.array(entry_school, dtype=np.int64),
        entry_category=np.array(entry_category, dtype=np.int64),
        entry_precedence=np.array(entry_precedence, dtype=np.int64),
        entry_of=entry_of,
        unit_size=unit_size,
        unit_category=unit_category,
        pair_size=unit_size[pairs.pair_unit],
        pair_entry=entry_of[pairs.pair_school, unit_category[pairs.pair_unit]].astype(np.int64),
    )


def greedy_fill(segment: I64, size: I64, cap: I64) -> Bools:
    """Greedy fill with skips (§9.1 steps 2-3, §9.3) of each run of equal `segment` values.

    `segment` is sorted; each run is walked in order and a unit is taken when its `size` fits
    what is left of `cap[segment]`. Returns the mask of taken units.
    """
    n = segment.size
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    starts = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    lengths = np.diff(np.r_[starts, n])
    running = np.cumsum(size)
    within = running - np.repeat((running - size)[starts], lengths)
    limit = cap[segment]
    taken = within <= limit  # a prefix of each run: `within` grows, `limit` is constant
    failing = np.flatnonzero(~taken)
    if failing.size == 0:
        return taken
    first = failing[np.r_[True, segment[failing[1:]] != segment[failing[:-1]]]]
    left = limit[first] - (within[first] - size[first])
    ends = (starts + lengths)[np.searchsorted(starts, first, side="right") - 1]
    for position, seats_left, end in zip(
        first[left > 0].tolist(), left[left > 0].tolist(), ends[left > 0].tolist(), strict=True
    ):
        _scan_after_boundary(taken, size, position + 1, end, seats_left)
    return taken


def _scan_after_boundary(taken: Bools, size: I64, start: int, end: int, seats_left: int) -> None:
    """Take, in order, the units of `[start, end)` that still fit (§9.3); at most 7 of them."""
    while seats_left > 0 and start < end:
        fits = size[start:end] <= seats_left
        offset = int(np.argmax(fits))
        if not fits[offset]:
            return
        taken[start + offset] = True
        seats_left -= int(size[start + offset])
        start += offset + 1


def choose(
    pairs: PairTable,
    rules: ChoiceRules,
    candidates: I64,
    *,
    open_seats: I64,
    entry_avail: I64,
    school: I64 | None = None,
) -> I32:
    """Labels that `Choose` (§9.1) gives the sorted `candidates` of each school.

    `open_seats[s]` is `remaining` before step 2 and `entry_avail[e]` each entry's `avail`: the
    full seats in §9.1, what earlier rounds left in `immediate_acceptance` (§10.4). `school`,
    if given, is `pairs.pair_school[candidates]`, already gathered by the caller.
    """
    if school is None:
        school = pairs.pair_school[candidates]
    size = rules.pair_size[candidates]
    label = np.full(candidates.size, UNCHOSEN, dtype=np.int32)
    remaining = open_seats.copy()
    if rules.entry_seats.size:
        _choose_reserved(rules, candidates, school, size, entry_avail, remaining, label)
    # (3) open seats: every unit not yet chosen, in priority order.
    rest = label == UNCHOSEN
    if rest.all():  # nobody took a reserved seat: no need to gather the rest
        label[greedy_fill(school, size, remaining)] = OPEN
        return label
    where = np.flatnonzero(rest)
    label[where[greedy_fill(school[where], size[where], remaining)]] = OPEN
    return label


def _choose_reserved(
    rules: ChoiceRules,
    candidates: I64,
    school: I64,
    size: I64,
    entry_avail: I64,
    remaining: I64,
    label: I32,
) -> None:
    """§9.1 step 2, entry by entry in precedence order; updates `remaining` and `label`.

    A unit is taken if it fits both `avail` and `remaining`: the two shrink together, so that
    is a greedy fill with the cap `min(avail, remaining)` at the entry's start. From a fresh
    school `avail <= remaining` always; only §10.4's later rounds make the second bind.
    """
    entry = rules.pair_entry[candidates]
    eligible = np.flatnonzero(entry >= 0)
    precedence = rules.entry_precedence[entry[eligible]]
    for k in range(int(precedence.max(initial=-1)) + 1):
        # each school's k-th entry: its category's units, still in priority order
        these = eligible[precedence == k]
        these = these[np.argsort(entry[these], kind="stable")]
        cap = np.minimum(entry_avail, remaining[rules.entry_school])
        taken = these[greedy_fill(entry[these], size[these], cap)]
        label[taken] = 1 + rules.entry_category[entry[taken]]
        np.subtract.at(remaining, school[taken], size[taken])
